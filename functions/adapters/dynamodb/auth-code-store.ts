import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuthCodeStore, PendingAuthCode } from '../../core/ports.ts';
import { isConditionalCheckFailed, storageUnavailable } from './storage-errors.ts';
import { ENTITY, expiresAtEpoch, tableKeys } from './table-keys.ts';

// An auth code works for 10 minutes; the record stays a day so a failed exchange can be investigated.
const AUTH_CODE_RECORD_TTL_SECONDS = 24 * 60 * 60;

/** Pending auth codes in DynamoDB; their insertion is what the stream delivers to auth-exchange. */
export class DynamoAuthCodeStore implements AuthCodeStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordAuthCode(code: PendingAuthCode): Promise<'stored' | 'duplicate'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...tableKeys.authCode(code.suiteId, code.authCode),
            entity: ENTITY.authCode,
            suiteId: code.suiteId,
            authCode: code.authCode,
            source: code.source,
            eventTimeStamp: code.timeStamp,
            state: code.state,
            status: 'pending',
            receivedAtMs: code.receivedAtMs,
            expiresAtEpoch: expiresAtEpoch(code.receivedAtMs, AUTH_CODE_RECORD_TTL_SECONDS),
          },
          // A re-delivered push must not create a second record (the stream would exchange it twice).
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'stored';
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        return 'duplicate';
      }
      throw storageUnavailable('PutItem (auth code)', error);
    }
  }
}
