import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuthCodeOutcome, PendingAuthCode } from '../../core/authorization/auth-code.ts';
import type {
  AuthCodeClaim,
  AuthCodeLifecycle,
  AuthCodeStore,
  InstallCodeStore,
} from '../../core/ports/auth-code-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import {
  isConditionalCheckFailed,
  storageUnavailable,
  transactionCancellationReasons,
} from './storage-errors.ts';
import { authCodeDigest, ENTITY, expiresAtEpoch, tableKeys } from './table-keys.ts';

// An auth code works for 10 minutes; the record stays a day so a failed exchange can be investigated.
const AUTH_CODE_RECORD_TTL_SECONDS = 24 * 60 * 60;

/** Pending auth codes in DynamoDB; their insertion is what the stream delivers to auth-exchange. */
export class DynamoAuthCodeStore implements AuthCodeStore, InstallCodeStore, AuthCodeLifecycle {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async recordAuthCode(code: PendingAuthCode): Promise<'stored' | 'duplicate'> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, ...pendingCodePut(code) }));
      return 'stored';
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        return 'duplicate';
      }
      throw storageUnavailable('PutItem (auth code)', error);
    }
  }

  async recordInstallCode(
    code: PendingAuthCode,
    stateId: string,
    stateExpiresAtMs: number,
  ): Promise<'stored' | 'repeated' | 'state_used' | 'duplicate'> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...tableKeys.installState(code.suiteId, stateId),
                  entity: ENTITY.installState,
                  suiteId: code.suiteId,
                  usedAtMs: code.receivedAtMs,
                  // Which code spent it (a digest, never the code): a reload of the completion URL
                  // brings the same pair back, and is answered as the first time.
                  authCodeDigest: authCodeDigest(code.authCode),
                  // Kept until the state expires anyway; TTL deletion is lazy, the expiry check is not.
                  expiresAtEpoch: Math.ceil(stateExpiresAtMs / 1000),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: this.tableName, ...pendingCodePut(code) } },
          ],
        }),
      );
      return 'stored';
    } catch (error) {
      const reasons = transactionCancellationReasons(error);
      if (reasons?.[0] === 'ConditionalCheckFailed') {
        return (await this.#spentWith(code.suiteId, stateId)) === authCodeDigest(code.authCode)
          ? 'repeated'
          : 'state_used';
      }
      if (reasons?.[1] === 'ConditionalCheckFailed') {
        return 'duplicate';
      }
      throw storageUnavailable('TransactWriteItems (install auth code)', error);
    }
  }

  async claimAuthCode(
    suiteId: string,
    authCode: string,
    owner: string,
    claimMs: number,
  ): Promise<AuthCodeClaim> {
    const now = this.clock.nowMs();
    try {
      const { Attributes: before } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.authCode(suiteId, authCode),
          // outcomeUnknownAtMs is rewritten as it was (0 when no attempt lost its answer) only so that
          // UPDATED_OLD returns it: whether WeCom may already have spent the code.
          UpdateExpression:
            'SET #status = :exchanging, claimOwner = :owner, claimExpiresAtMs = :until, outcomeUnknownAtMs = if_not_exists(outcomeUnknownAtMs, :zero)',
          ReturnValues: 'UPDATED_OLD',
          // Exactly one worker exchanges a code; a claim whose worker died expires and can be taken over.
          ConditionExpression: '#status = :pending OR (#status = :exchanging AND claimExpiresAtMs < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':exchanging': 'exchanging',
            ':owner': owner,
            ':until': now + claimMs,
            ':now': now,
            ':zero': 0,
          },
        }),
      );
      return Number(before?.outcomeUnknownAtMs ?? 0) > 0 ? 'claimed_after_unknown_outcome' : 'claimed';
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw storageUnavailable('UpdateItem (claim auth code)', error);
      }
    }
    const status = await this.#statusOf(suiteId, authCode);
    return status === 'exchanging' ? 'claimed_by_another' : 'already_done';
  }

  async releaseAuthCode(
    suiteId: string,
    authCode: string,
    owner: string,
    options: { readonly outcomeUnknown?: boolean } = {},
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.authCode(suiteId, authCode),
          UpdateExpression: `SET #status = :pending${options.outcomeUnknown === true ? ', outcomeUnknownAtMs = :now' : ''} REMOVE claimOwner, claimExpiresAtMs`,
          ConditionExpression: 'claimOwner = :owner',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':owner': owner,
            ...(options.outcomeUnknown === true ? { ':now': this.clock.nowMs() } : {}),
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw storageUnavailable('UpdateItem (release auth code)', error);
      }
    }
  }

  async finishAuthCode(suiteId: string, authCode: string, outcome: AuthCodeOutcome): Promise<void> {
    const detail =
      outcome.status === 'exchanged' ? { ':detail': outcome.corpId } : { ':detail': outcome.reason };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.authCode(suiteId, authCode),
          // The code is single-use and now spent: keep the record, not the code.
          UpdateExpression: `SET #status = :status, ${outcome.status === 'exchanged' ? 'corpId' : 'failureReason'} = :detail, finishedAtMs = :now REMOVE authCode, claimOwner, claimExpiresAtMs`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': outcome.status, ':now': this.clock.nowMs(), ...detail },
        }),
      );
    } catch (error) {
      throw storageUnavailable('UpdateItem (finish auth code)', error);
    }
  }

  /** The digest of the auth code a spent install state was used with (absent on states spent before it was kept). */
  async #spentWith(suiteId: string, stateId: string): Promise<string | undefined> {
    try {
      const { Item: item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: tableKeys.installState(suiteId, stateId),
          ConsistentRead: true,
          ProjectionExpression: 'authCodeDigest',
        }),
      );
      return typeof item?.authCodeDigest === 'string' ? item.authCodeDigest : undefined;
    } catch (error) {
      throw storageUnavailable('GetItem (install state)', error);
    }
  }

  async #statusOf(suiteId: string, authCode: string): Promise<string | undefined> {
    try {
      const { Item: item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: tableKeys.authCode(suiteId, authCode),
          ConsistentRead: true,
          ProjectionExpression: '#status',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      );
      return typeof item?.status === 'string' ? item.status : undefined;
    } catch (error) {
      throw storageUnavailable('GetItem (auth code)', error);
    }
  }
}

/** A pending code's item, written only if absent: a re-delivery must not make the stream exchange it twice. */
const pendingCodePut = (code: PendingAuthCode) => ({
  Item: {
    ...tableKeys.authCode(code.suiteId, code.authCode),
    entity: ENTITY.authCode,
    suiteId: code.suiteId,
    authCode: code.authCode,
    source: code.source,
    eventTimeStamp: code.timeStamp,
    state: code.state,
    installRef: code.installRef,
    status: 'pending',
    receivedAtMs: code.receivedAtMs,
    expiresAtEpoch: expiresAtEpoch(code.receivedAtMs, AUTH_CODE_RECORD_TTL_SECONDS),
  },
  ConditionExpression: 'attribute_not_exists(pk)',
});
