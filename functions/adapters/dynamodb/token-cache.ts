import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessToken } from '../../core/credentials/access-token.ts';
import type { CredentialBlock } from '../../core/credentials/credential-block.ts';
import type { CredentialKey } from '../../core/credentials/credential-key.ts';
import type { MintFailure } from '../../core/credentials/mint-failure.ts';
import type { TokenRecord } from '../../core/credentials/token-record.ts';
import type { LeaseGrant, TokenCache } from '../../core/ports/token-cache.ts';
import { isConditionalCheckFailed, storageUnavailable } from './storage-errors.ts';
import { CREDENTIAL_ENTITY, credentialItemKey, credentialOwner, expiresAtEpoch } from './table-keys.ts';

// DynamoDB's TTL deletes expired tokens eventually; a day past expiry keeps the item for inspection.
const TOKEN_TTL_SLACK_SECONDS = 24 * 60 * 60;

// Refusals older than the window are dropped once the map holds this many corps, so it stays small.
const MAX_KEPT_REFUSALS = 16;

/**
 * Cached credentials in DynamoDB, one item each, with the mint lease and any block on the same
 * item so that "is a mint needed and allowed?" and "I am minting" are decided by one conditional
 * write. The need is the core rule (freshnessOf): absent, or past `refreshAtMs`, which is never
 * after expiry.
 */
export class DynamoTokenCache implements TokenCache {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: { nowMs(): number },
  ) {}

  async read(key: CredentialKey): Promise<TokenRecord> {
    let item: Record<string, unknown> | undefined;
    try {
      ({ Item: item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: credentialItemKey(key), ConsistentRead: true }),
      ));
    } catch (error) {
      throw storageUnavailable('GetItem (token)', error);
    }
    return item === undefined ? {} : toRecord(item);
  }

  async tryAcquireLease(
    key: CredentialKey,
    owner: string,
    leaseMs: number,
    staleToken?: string,
  ): Promise<LeaseGrant | undefined> {
    const now = this.clock.nowMs();
    const needsMint =
      staleToken === undefined
        ? '(attribute_not_exists(accessToken) OR refreshAtMs <= :now)'
        : '(attribute_not_exists(accessToken) OR refreshAtMs <= :now OR accessToken = :stale)';
    try {
      const { Attributes: before } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: credentialItemKey(key),
          UpdateExpression:
            'SET entity = :entity, credentialKind = :kind, leaseOwner = :owner, leaseExpiresAtMs = :leaseUntil',
          // The streak's wait (mintFailure.retryAtMs) is part of the condition, so a caller that
          // read the item before a failure cannot mint again at once.
          ConditionExpression: `(attribute_not_exists(leaseExpiresAtMs) OR leaseExpiresAtMs < :now) AND (attribute_not_exists(#block) OR #block.nextAttemptAtMs <= :now) AND (attribute_not_exists(mintFailure.retryAtMs) OR mintFailure.retryAtMs <= :now) AND ${needsMint}`,
          // The failure the item held when the lease was taken: the streak this mint continues.
          ReturnValues: 'ALL_OLD',
          ExpressionAttributeNames: { '#block': 'block' },
          ExpressionAttributeValues: {
            ':entity': CREDENTIAL_ENTITY[key.kind],
            ':kind': key.kind,
            ':owner': owner,
            ':leaseUntil': now + leaseMs,
            ':now': now,
            ...(staleToken === undefined ? {} : { ':stale': staleToken }),
          },
        }),
      );
      const failure = toMintFailure(before?.mintFailure);
      return failure === undefined ? {} : { mintFailure: failure };
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        return undefined;
      }
      throw storageUnavailable('UpdateItem (token lease)', error);
    }
  }

  async storeMinted(key: CredentialKey, owner: string, token: AccessToken): Promise<void> {
    const now = this.clock.nowMs();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: credentialItemKey(key),
          UpdateExpression:
            'SET accessToken = :token, expiresAtMs = :expiresAt, refreshAtMs = :refreshAt, mintedAtMs = :now, expiresAtEpoch = :ttl REMOVE leaseOwner, leaseExpiresAtMs, mintFailure, #block, credentialStatus',
          // Only the lease owner writes: a lease that expired and was taken over, or an item deleted by
          // cancel_auth or a permanent-code reset meanwhile, must not be overwritten with this token.
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeNames: { '#block': 'block' },
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

  async releaseAfterFailure(key: CredentialKey, owner: string, failure: MintFailure): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: credentialItemKey(key),
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

  async block(key: CredentialKey, leaseOwner: string, block: CredentialBlock): Promise<void> {
    const owner = credentialOwner(key);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: credentialItemKey(key),
          // The block is the item's visible status: who, since when, what WeCom said, when next.
          UpdateExpression: `SET #block = :block, credentialStatus = :broken, expiresAtEpoch = :ttl, ${Object.keys(
            owner,
          )
            .map((name) => `${name} = :${name}`)
            .join(
              ', ',
            )} REMOVE accessToken, expiresAtMs, refreshAtMs, mintedAtMs, leaseOwner, leaseExpiresAtMs, mintFailure`,
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeNames: { '#block': 'block' },
          ExpressionAttributeValues: {
            ...Object.fromEntries(Object.entries(owner).map(([name, value]) => [`:${name}`, value])),
            ':block': block,
            ':broken': 'broken',
            // Kept a day past the next attempt, so an abandoned block disappears by itself.
            ':ttl': expiresAtEpoch(block.nextAttemptAtMs, TOKEN_TTL_SLACK_SECONDS),
            ':owner': leaseOwner,
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw storageUnavailable('UpdateItem (block credential)', error);
      }
    }
  }

  async noteCorpRefusal(suiteId: string, corpId: string, windowMs: number): Promise<number> {
    const now = this.clock.nowMs();
    const key = credentialItemKey({ kind: 'suite_token', suiteId });
    const note = async (whole: boolean) => {
      // corpRefusals maps corp id → when; a nested SET needs the map to exist, so the first note
      // writes the whole map, conditionally, and a race between two first notes retries nested.
      const { Attributes: item } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: whole ? 'SET corpRefusals = :refusals' : 'SET corpRefusals.#corp = :now',
          ConditionExpression: whole
            ? 'attribute_not_exists(corpRefusals)'
            : 'attribute_exists(corpRefusals)',
          ...(whole ? {} : { ExpressionAttributeNames: { '#corp': corpId } }),
          ExpressionAttributeValues: whole ? { ':refusals': { [corpId]: now } } : { ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return item?.corpRefusals as Record<string, number> | undefined;
    };
    let refusals: Record<string, number> | undefined;
    try {
      for (const whole of [false, true, false]) {
        try {
          refusals = await note(whole);
          break;
        } catch (error) {
          if (!isConditionalCheckFailed(error)) {
            throw error;
          }
        }
      }
    } catch (error) {
      throw storageUnavailable('UpdateItem (note corp refusal)', error);
    }
    const entries = Object.entries(refusals ?? { [corpId]: now });
    const old = entries.filter(([, atMs]) => now - Number(atMs) >= windowMs).map(([corp]) => corp);
    if (entries.length > MAX_KEPT_REFUSALS && old.length > 0) {
      await this.#forget(key, old);
    }
    return entries.length - old.length;
  }

  // Best effort: a failure only leaves old entries, which are not counted anyway.
  async #forget(key: ReturnType<typeof credentialItemKey>, corps: readonly string[]): Promise<void> {
    const names = Object.fromEntries(corps.map((corp, index) => [`#c${index}`, corp]));
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `REMOVE ${Object.keys(names)
            .map((name) => `corpRefusals.${name}`)
            .join(', ')}`,
          ExpressionAttributeNames: names,
        }),
      )
      .catch(() => undefined);
  }
}

const toRecord = (item: Record<string, unknown>): TokenRecord => {
  const failure = toMintFailure(item.mintFailure);
  const block = item.block as Partial<CredentialBlock> | undefined;
  const blockFailure = toMintFailure(block?.failure);
  return {
    ...(block !== undefined &&
    blockFailure !== undefined &&
    typeof block.nextAttemptAtMs === 'number' &&
    typeof block.sinceMs === 'number' &&
    typeof block.refusals === 'number'
      ? {
          block: {
            failure: blockFailure,
            sinceMs: block.sinceMs,
            refusals: block.refusals,
            nextAttemptAtMs: block.nextAttemptAtMs,
          },
        }
      : {}),
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
    ...(failure === undefined ? {} : { mintFailure: failure }),
  };
};

const toMintFailure = (value: unknown): MintFailure | undefined => {
  const failure = value as Partial<MintFailure> | undefined;
  if (failure === undefined || typeof failure.atMs !== 'number') {
    return undefined;
  }
  return {
    atMs: failure.atMs,
    errorName: String(failure.errorName),
    message: String(failure.message),
    ...(typeof failure.errcode === 'number' ? { errcode: failure.errcode } : {}),
    ...(typeof failure.api === 'string' ? { api: failure.api } : {}),
    ...(typeof failure.errmsg === 'string' ? { errmsg: failure.errmsg } : {}),
    ...(typeof failure.consecutive === 'number' ? { consecutive: failure.consecutive } : {}),
    ...(typeof failure.retryAtMs === 'number' ? { retryAtMs: failure.retryAtMs } : {}),
  };
};
