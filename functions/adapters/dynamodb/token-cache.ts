import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessToken } from '../../core/credentials/access-token.ts';
import type { MintFailure, TokenCache, TokenKey, TokenRecord } from '../../core/ports.ts';
import { isConditionalCheckFailed, storageUnavailable } from './storage-errors.ts';
import { ENTITY, expiresAtEpoch, type ItemKey, tableKeys } from './table-keys.ts';

// DynamoDB's TTL deletes expired tokens eventually; a day past expiry keeps the item for inspection.
const TOKEN_TTL_SLACK_SECONDS = 24 * 60 * 60;

/**
 * Suite and corp tokens in DynamoDB, one item each, with the mint lease on the same item so that
 * "is a mint needed?" and "I am minting" are decided by one conditional write.
 */
export class DynamoTokenCache implements TokenCache {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: { nowMs(): number },
  ) {}

  async read(key: TokenKey): Promise<TokenRecord> {
    let item: Record<string, unknown> | undefined;
    try {
      ({ Item: item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: itemKey(key), ConsistentRead: true }),
      ));
    } catch (error) {
      throw storageUnavailable('GetItem (token)', error);
    }
    return item === undefined ? {} : toRecord(item);
  }

  async tryAcquireLease(
    key: TokenKey,
    owner: string,
    leaseMs: number,
    staleToken?: string,
  ): Promise<boolean> {
    const now = this.clock.nowMs();
    const needsMint =
      staleToken === undefined
        ? '(attribute_not_exists(accessToken) OR refreshAtMs <= :now)'
        : '(attribute_not_exists(accessToken) OR refreshAtMs <= :now OR accessToken = :stale)';
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKey(key),
          UpdateExpression: 'SET entity = :entity, leaseOwner = :owner, leaseExpiresAtMs = :leaseUntil',
          ConditionExpression: `(attribute_not_exists(leaseExpiresAtMs) OR leaseExpiresAtMs < :now) AND ${needsMint}`,
          ExpressionAttributeValues: {
            ':entity': key.kind === 'suite' ? ENTITY.suiteToken : ENTITY.corpToken,
            ':owner': owner,
            ':leaseUntil': now + leaseMs,
            ':now': now,
            ...(staleToken === undefined ? {} : { ':stale': staleToken }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        return false;
      }
      throw storageUnavailable('UpdateItem (token lease)', error);
    }
  }

  async storeMinted(key: TokenKey, owner: string, token: AccessToken): Promise<void> {
    const now = this.clock.nowMs();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKey(key),
          UpdateExpression:
            'SET accessToken = :token, expiresAtMs = :expiresAt, refreshAtMs = :refreshAt, mintedAtMs = :now, expiresAtEpoch = :ttl REMOVE leaseOwner, leaseExpiresAtMs, mintFailure',
          // Only the lease owner writes: a lease that expired and was taken over, or an item deleted by
          // cancel_auth or a permanent-code reset meanwhile, must not be overwritten with this token.
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: {
            ':token': token.value,
            ':expiresAt': token.expiresAtMs,
            ':refreshAt': token.refreshAtMs,
            ':now': now,
            ':ttl': expiresAtEpoch(token.expiresAtMs, TOKEN_TTL_SLACK_SECONDS),
            ':owner': owner,
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw storageUnavailable('UpdateItem (store token)', error);
      }
    }
  }

  async releaseAfterFailure(key: TokenKey, owner: string, failure: MintFailure): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKey(key),
          UpdateExpression: 'SET mintFailure = :failure REMOVE leaseOwner, leaseExpiresAtMs',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':failure': failure, ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw storageUnavailable('UpdateItem (release token lease)', error);
      }
    }
  }
}

const itemKey = (key: TokenKey): ItemKey =>
  key.kind === 'suite' ? tableKeys.suiteToken(key.suiteId) : tableKeys.corpToken(key.suiteId, key.corpId);

const toRecord = (item: Record<string, unknown>): TokenRecord => {
  const failure = item.mintFailure as Partial<MintFailure> | undefined;
  return {
    ...(typeof item.accessToken === 'string'
      ? {
          token: {
            value: item.accessToken,
            expiresAtMs: Number(item.expiresAtMs),
            refreshAtMs: Number(item.refreshAtMs),
          },
          mintedAtMs: Number(item.mintedAtMs),
        }
      : {}),
    ...(typeof item.leaseExpiresAtMs === 'number' ? { leaseExpiresAtMs: item.leaseExpiresAtMs } : {}),
    ...(failure !== undefined && typeof failure.atMs === 'number'
      ? {
          mintFailure: {
            atMs: failure.atMs,
            errorName: String(failure.errorName),
            message: String(failure.message),
            ...(typeof failure.errcode === 'number' ? { errcode: failure.errcode } : {}),
            ...(typeof failure.api === 'string' ? { api: failure.api } : {}),
            ...(typeof failure.errmsg === 'string' ? { errmsg: failure.errmsg } : {}),
          },
        }
      : {}),
  };
};
