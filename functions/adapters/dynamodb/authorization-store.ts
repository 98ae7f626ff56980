import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuthorizationStore, Clock } from '../../core/ports.ts';
import {
  isConditionalCheckFailed,
  isTransactionConditionFailed,
  storageUnavailable,
} from './storage-errors.ts';
import { ENTITY, tableKeys } from './table-keys.ts';

/** Corp authorizations (one item per corp and suite) in DynamoDB. */
export class DynamoAuthorizationStore implements AuthorizationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async markAuthorizationChanged(
    suiteId: string,
    corpId: string,
    timeStamp: number,
  ): Promise<'recorded' | 'unknown_corp'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.authorization(suiteId, corpId),
          // authInfoStale tells the exchange worker to re-read get_auth_info; re-delivery sets the same values.
          UpdateExpression:
            'SET authChangedTimeStamp = :timeStamp, authInfoStale = :true, updatedAtMs = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':timeStamp': timeStamp, ':true': true, ':now': this.clock.nowMs() },
        }),
      );
      return 'recorded';
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        return 'unknown_corp';
      }
      throw storageUnavailable('UpdateItem (authorization change)', error);
    }
  }

  async revokeAuthorization(
    suiteId: string,
    corpId: string,
    timeStamp: number,
  ): Promise<'revoked' | 'stale'> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: tableKeys.authorization(suiteId, corpId),
                // Upsert: a cancel for a corp we never saw leaves a revoked tombstone, so a late
                // exchange of an older install cannot resurrect it.
                UpdateExpression:
                  'SET entity = :entity, suiteId = :suiteId, corpId = :corpId, #status = :revoked, revokedTimeStamp = :timeStamp, updatedAtMs = :now REMOVE permanentCode',
                // A cancel older than the latest install (a late re-delivery) must not revoke it.
                ConditionExpression:
                  'attribute_not_exists(authorizedTimeStamp) OR authorizedTimeStamp <= :timeStamp',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':entity': ENTITY.authorization,
                  ':suiteId': suiteId,
                  ':corpId': corpId,
                  ':revoked': 'revoked',
                  ':timeStamp': timeStamp,
                  ':now': this.clock.nowMs(),
                },
              },
            },
            { Delete: { TableName: this.tableName, Key: tableKeys.corpToken(suiteId, corpId) } },
          ],
        }),
      );
      return 'revoked';
    } catch (error) {
      if (isTransactionConditionFailed(error)) {
        return 'stale';
      }
      throw storageUnavailable('TransactWriteItems (revoke authorization)', error);
    }
  }

  async isAuthorized(suiteId: string, corpId: string): Promise<boolean> {
    try {
      const { Item: item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: tableKeys.authorization(suiteId, corpId),
          ProjectionExpression: '#status',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      );
      return item?.status === 'active';
    } catch (error) {
      throw storageUnavailable('GetItem (authorization)', error);
    }
  }
}
