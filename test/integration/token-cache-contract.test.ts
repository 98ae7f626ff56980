import { randomUUID } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialItemKey } from '../../functions/adapters/dynamodb/table-keys.ts';
import { DynamoTokenCache } from '../../functions/adapters/dynamodb/token-cache.ts';
import type { AccessToken } from '../../functions/core/credentials/access-token.ts';
import type { CredentialBlock } from '../../functions/core/credentials/credential-block.ts';
import type { CredentialKey } from '../../functions/core/credentials/credential-key.ts';
import type { MintFailure } from '../../functions/core/credentials/mint-failure.ts';
import type { TokenCache } from '../../functions/core/ports/token-cache.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { InMemoryTokenCache } from '../support/in-memory-token-cache.ts';
import { ManualClock } from '../support/manual-clock.ts';

/**
 * The TokenCache port's contract, held by the DynamoDB adapter (on DynamoDB Local) and by the
 * in-memory fake the token use cases' unit tests run on, so the fake cannot drift from what is
 * deployed: the lease condition, owner-only writes, and what failures and blocks do to the item.
 */

let table: TestTable;

beforeAll(async () => {
  table = await createTestTable();
});

afterAll(async () => {
  await table.drop();
});

interface CacheUnderTest {
  readonly cache: TokenCache;
  readonly clock: ManualClock;
  /** Deletes the item, as cancel_auth and a new permanent code do. */
  remove(key: CredentialKey): Promise<void>;
}

const implementations: [string, () => CacheUnderTest][] = [
  [
    'DynamoTokenCache',
    () => {
      const clock = new ManualClock();
      return {
        cache: new DynamoTokenCache(table.client, table.tableName, clock),
        clock,
        remove: async (key) => {
          await table.client.send(
            new DeleteCommand({ TableName: table.tableName, Key: credentialItemKey(key) }),
          );
        },
      };
    },
  ],
  [
    'InMemoryTokenCache',
    () => {
      const clock = new ManualClock();
      const cache = new InMemoryTokenCache(clock);
      return { cache, clock, remove: async (key) => cache.remove(key) };
    },
  ],
];

const LEASE_MS = 15_000;

// A fresh credential per test, so the tests share one table without seeing each other's items.
const newKey = (): CredentialKey => ({
  kind: 'corp_token',
  suiteId: 'wwcontractsuite001',
  corpId: `wxcorp${randomUUID().slice(0, 8)}`,
});

const tokenAt = (value: string, nowMs: number, lifeMs = 7_200_000, refreshBeforeEndMs = 0): AccessToken => ({
  value,
  expiresAtMs: nowMs + lifeMs,
  refreshAtMs: nowMs + lifeMs - refreshBeforeEndMs,
});

const failureAt = (atMs: number, extra: Partial<MintFailure> = {}): MintFailure => ({
  atMs,
  errorName: 'WeComApiError',
  message: 'service/get_corp_token failed with errcode -1: system busy',
  api: 'service/get_corp_token',
  errcode: -1,
  errmsg: 'system busy',
  ...extra,
});

const blockAt = (atMs: number, waitMs = 60_000): CredentialBlock => ({
  failure: {
    atMs,
    errorName: 'CorpNotAuthorizedError',
    message: 'the authorization is broken',
    api: 'service/get_corp_token',
    errcode: 48004,
    errmsg: 'api forbidden',
  },
  sinceMs: atMs,
  refusals: 1,
  nextAttemptAtMs: atMs + waitMs,
});

describe.each(implementations)('%s, the TokenCache contract', (_name, create) => {
  it('reads a credential never written as an empty record', async () => {
    const { cache } = create();

    expect(await cache.read(newKey())).toEqual({});
  });

  it('grants the lease on an absent credential to one owner, and to another only after it expired', async () => {
    const { cache, clock } = create();
    const key = newKey();
    const start = clock.nowMs();

    const first = await cache.tryAcquireLease(key, 'owner-a', LEASE_MS);
    const whileLive = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);
    clock.advance(LEASE_MS);
    const atItsEnd = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);
    clock.advance(1);
    const after = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);

    expect(first).toEqual({});
    expect(whileLive).toBeUndefined();
    expect(atItsEnd).toBeUndefined();
    expect(after).toEqual({});
    expect(await cache.read(key)).toEqual({ leaseExpiresAtMs: start + 2 * LEASE_MS + 1 });
  });

  it('grants the lease to exactly one of 20 owners racing for it', async () => {
    const { cache } = create();
    const key = newKey();

    const grants = await Promise.all(
      Array.from({ length: 20 }, (_, index) => cache.tryAcquireLease(key, `owner-${index}`, LEASE_MS)),
    );

    expect(grants.filter((grant) => grant !== undefined)).toEqual([{}]);
  });

  it('stores the owner’s minted value, releasing the lease, and grants the next lease at its refresh point', async () => {
    const { cache, clock } = create();
    const key = newKey();
    await cache.tryAcquireLease(key, 'owner-a', LEASE_MS);
    const token = tokenAt('token-1', clock.nowMs(), 7_200_000, 300_000);
    clock.advance(100);

    await cache.storeMinted(key, 'owner-a', token);
    const stored = await cache.read(key);
    const whileFresh = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);
    clock.moveTo(token.refreshAtMs - 1);
    const justBefore = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);
    clock.moveTo(token.refreshAtMs);
    const atRefresh = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);

    expect(stored).toEqual({ token, mintedAtMs: token.expiresAtMs - 7_200_000 + 100 });
    expect(whileFresh).toBeUndefined();
    expect(justBefore).toBeUndefined();
    expect(atRefresh).toEqual({});
    expect((await cache.read(key)).token).toEqual(token);
  });

  it('grants the lease on a fresh value only to a caller reporting that very value stale', async () => {
    const { cache, clock } = create();
    const key = newKey();
    await cache.tryAcquireLease(key, 'owner-a', LEASE_MS);
    await cache.storeMinted(key, 'owner-a', tokenAt('token-2', clock.nowMs()));

    const oldReport = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS, 'token-1');
    const currentReport = await cache.tryAcquireLease(key, 'owner-c', LEASE_MS, 'token-2');

    expect(oldReport).toBeUndefined();
    expect(currentReport).toEqual({});
  });

  it('ignores every write of a caller that does not hold the lease', async () => {
    const { cache, clock } = create();
    const key = newKey();
    await cache.tryAcquireLease(key, 'owner-a', LEASE_MS);
    const before = await cache.read(key);

    await cache.storeMinted(key, 'intruder', tokenAt('forged', clock.nowMs()));
    await cache.releaseAfterFailure(key, 'intruder', failureAt(clock.nowMs()));
    await cache.block(key, 'intruder', blockAt(clock.nowMs()));

    expect(await cache.read(key)).toEqual(before);
  });

  it('ignores the writes of an owner whose lease expired and was taken over', async () => {
    const { cache, clock } = create();
    const key = newKey();
    await cache.tryAcquireLease(key, 'slow-owner', LEASE_MS);
    clock.advance(LEASE_MS + 1);
    await cache.tryAcquireLease(key, 'new-owner', LEASE_MS);
    const newToken = tokenAt('token-new', clock.nowMs());
    await cache.storeMinted(key, 'new-owner', newToken);

    await cache.storeMinted(key, 'slow-owner', tokenAt('token-late', clock.nowMs()));
    await cache.releaseAfterFailure(key, 'slow-owner', failureAt(clock.nowMs()));
    await cache.block(key, 'slow-owner', blockAt(clock.nowMs()));

    expect(await cache.read(key)).toEqual({ token: newToken, mintedAtMs: clock.nowMs() });
  });

  it('does not bring back an item deleted while its owner was minting', async () => {
    const { cache, clock, remove } = create();
    const key = newKey();
    await cache.tryAcquireLease(key, 'owner-a', LEASE_MS);

    await remove(key);
    await cache.storeMinted(key, 'owner-a', tokenAt('token-for-the-old-code', clock.nowMs()));

    expect(await cache.read(key)).toEqual({});
  });

  it('records a failed mint and frees the lease, keeping the cached value, and hands the failure to the next lease', async () => {
    const { cache, clock } = create();
    const key = newKey();
    await cache.tryAcquireLease(key, 'owner-a', LEASE_MS);
    const token = tokenAt('token-1', clock.nowMs(), 7_200_000, 300_000);
    await cache.storeMinted(key, 'owner-a', token);
    clock.moveTo(token.refreshAtMs);
    await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);
    const failure = failureAt(clock.nowMs(), { consecutive: 1, retryAtMs: clock.nowMs() });

    await cache.releaseAfterFailure(key, 'owner-b', failure);
    const recorded = await cache.read(key);
    const next = await cache.tryAcquireLease(key, 'owner-c', LEASE_MS);

    expect(recorded).toEqual({ token, mintedAtMs: token.expiresAtMs - 7_200_000, mintFailure: failure });
    expect(next).toEqual({ mintFailure: failure });
  });

  it('grants no lease before a streak’s retryAtMs, and grants it at that moment', async () => {
    const { cache, clock } = create();
    const key = newKey();
    await cache.tryAcquireLease(key, 'owner-a', LEASE_MS);
    const failure = failureAt(clock.nowMs(), { consecutive: 2, retryAtMs: clock.nowMs() + 2_000 });
    await cache.releaseAfterFailure(key, 'owner-a', failure);

    clock.advance(1_999);
    const during = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);
    const reportingStale = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS, 'token-x');
    clock.advance(1);
    const after = await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);

    expect(during).toBeUndefined();
    expect(reportingStale).toBeUndefined();
    expect(after).toEqual({ mintFailure: failure });
  });

  it('blocks a credential: drops its value, failure and lease, and grants no lease before nextAttemptAtMs', async () => {
    const { cache, clock } = create();
    const key = newKey();
    await cache.tryAcquireLease(key, 'owner-a', LEASE_MS);
    const token = tokenAt('token-1', clock.nowMs(), 60_000);
    await cache.storeMinted(key, 'owner-a', token);
    clock.moveTo(token.refreshAtMs);
    await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);
    await cache.releaseAfterFailure(key, 'owner-b', failureAt(clock.nowMs()));
    await cache.tryAcquireLease(key, 'owner-c', LEASE_MS);
    const block = blockAt(clock.nowMs());

    await cache.block(key, 'owner-c', block);
    const blocked = await cache.read(key);
    clock.moveTo(block.nextAttemptAtMs - 1);
    const before = await cache.tryAcquireLease(key, 'owner-d', LEASE_MS);
    const reportingStale = await cache.tryAcquireLease(key, 'owner-d', LEASE_MS, 'token-1');
    clock.moveTo(block.nextAttemptAtMs);
    const retry = await cache.tryAcquireLease(key, 'owner-d', LEASE_MS);

    expect(blocked).toEqual({ block });
    expect(before).toBeUndefined();
    expect(reportingStale).toBeUndefined();
    expect(retry).toEqual({});
  });

  it('keeps the block through a retry that failed for a passing reason, and lifts it with a minted value', async () => {
    const { cache, clock } = create();
    const key = newKey();
    await cache.tryAcquireLease(key, 'owner-a', LEASE_MS);
    const block = blockAt(clock.nowMs());
    await cache.block(key, 'owner-a', block);
    clock.moveTo(block.nextAttemptAtMs);
    await cache.tryAcquireLease(key, 'owner-b', LEASE_MS);
    const failure = failureAt(clock.nowMs());

    await cache.releaseAfterFailure(key, 'owner-b', failure);
    const afterFailedRetry = await cache.read(key);
    await cache.tryAcquireLease(key, 'owner-c', LEASE_MS);
    const token = tokenAt('token-recovered', clock.nowMs());
    await cache.storeMinted(key, 'owner-c', token);

    expect(afterFailedRetry).toEqual({ block, mintFailure: failure });
    expect(await cache.read(key)).toEqual({ token, mintedAtMs: clock.nowMs() });
  });
});
