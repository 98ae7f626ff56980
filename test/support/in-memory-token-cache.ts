import type { AccessToken } from '../../functions/core/credentials/access-token.ts';
import type { CredentialBlock } from '../../functions/core/credentials/credential-block.ts';
import { type CredentialKey, memoryKeyOf } from '../../functions/core/credentials/credential-key.ts';
import type { MintFailure } from '../../functions/core/credentials/mint-failure.ts';
import type { TokenRecord } from '../../functions/core/credentials/token-record.ts';
import type { Clock } from '../../functions/core/ports/clock.ts';
import type { LeaseGrant, TokenCache } from '../../functions/core/ports/token-cache.ts';
import { simulatedIo } from './manual-clock.ts';

/** What one DynamoDB item of DynamoTokenCache holds that the port can see or that its conditions test. */
interface CacheItem {
  readonly token?: AccessToken;
  readonly mintedAtMs?: number;
  readonly leaseOwner?: string;
  readonly leaseExpiresAtMs?: number;
  readonly mintFailure?: MintFailure;
  readonly block?: CredentialBlock;
}

/** How often each method was called, for tests that count round trips to the shared cache. */
export interface TokenCacheCalls {
  read: number;
  tryAcquireLease: number;
  storeMinted: number;
  releaseAfterFailure: number;
  block: number;
  noteCorpRefusal: number;
}

/**
 * The shared token cache in memory, with the conditional semantics of DynamoTokenCache
 * (functions/adapters/dynamodb/token-cache.ts), which test/integration/token-cache-contract.test.ts
 * holds both to:
 *
 * - the lease is taken only if no live lease (`leaseExpiresAtMs < now`), no block before
 *   `nextAttemptAtMs`, no streak wait before `mintFailure.retryAtMs`, and the value is absent, at or
 *   past `refreshAtMs`, or still equal to the stale one; it returns the failure the item held;
 * - storeMinted, releaseAfterFailure and block write only while the caller still owns the lease;
 *   otherwise they change nothing and do not throw;
 * - `now` is read when the call is made (DynamoTokenCache sends it as `:now`), and the decision
 *   taken after one simulated round trip, atomically, so concurrent callers interleave like real I/O.
 */
export class InMemoryTokenCache implements TokenCache {
  readonly #items = new Map<string, CacheItem>();
  readonly calls: TokenCacheCalls = {
    read: 0,
    tryAcquireLease: 0,
    storeMinted: 0,
    releaseAfterFailure: 0,
    block: 0,
    noteCorpRefusal: 0,
  };
  // On the suite token's item in DynamoDB; apart here, since the writes above replace whole items.
  readonly #corpRefusals = new Map<string, Map<string, number>>();
  /** Every call in order with the credential it was about, for tests of which credential is touched when. */
  readonly operations: { readonly call: keyof TokenCacheCalls; readonly key: CredentialKey }[] = [];

  constructor(private readonly clock: Clock) {}

  async read(key: CredentialKey): Promise<TokenRecord> {
    this.#count('read', key);
    await simulatedIo();
    return this.peek(key);
  }

  async tryAcquireLease(
    key: CredentialKey,
    owner: string,
    leaseMs: number,
    staleToken?: string,
  ): Promise<LeaseGrant | undefined> {
    this.#count('tryAcquireLease', key);
    const now = this.clock.nowMs();
    await simulatedIo();
    const item = this.#items.get(memoryKeyOf(key)) ?? {};
    const leaseFree = item.leaseExpiresAtMs === undefined || item.leaseExpiresAtMs < now;
    const notBlocked = item.block === undefined || item.block.nextAttemptAtMs <= now;
    const streakWaited = item.mintFailure?.retryAtMs === undefined || item.mintFailure.retryAtMs <= now;
    const needsMint =
      item.token === undefined ||
      item.token.refreshAtMs <= now ||
      (staleToken !== undefined && item.token.value === staleToken);
    if (!(leaseFree && notBlocked && streakWaited && needsMint)) {
      return undefined;
    }
    this.#items.set(memoryKeyOf(key), { ...item, leaseOwner: owner, leaseExpiresAtMs: now + leaseMs });
    return item.mintFailure === undefined ? {} : { mintFailure: structuredClone(item.mintFailure) };
  }

  async storeMinted(key: CredentialKey, owner: string, token: AccessToken): Promise<void> {
    this.#count('storeMinted', key);
    const now = this.clock.nowMs();
    await simulatedIo();
    this.#updateIfOwner(key, owner, () => ({ token: structuredClone(token), mintedAtMs: now }));
  }

  async releaseAfterFailure(key: CredentialKey, owner: string, failure: MintFailure): Promise<void> {
    this.#count('releaseAfterFailure', key);
    await simulatedIo();
    this.#updateIfOwner(key, owner, ({ token, mintedAtMs, block }) => ({
      ...(token === undefined ? {} : { token, mintedAtMs }),
      ...(block === undefined ? {} : { block }),
      mintFailure: structuredClone(failure),
    }));
  }

  async block(key: CredentialKey, owner: string, block: CredentialBlock): Promise<void> {
    this.#count('block', key);
    await simulatedIo();
    this.#updateIfOwner(key, owner, () => ({ block: structuredClone(block) }));
  }

  async noteCorpRefusal(suiteId: string, corpId: string, windowMs: number): Promise<number> {
    this.#count('noteCorpRefusal', { kind: 'suite_token', suiteId });
    const now = this.clock.nowMs();
    await simulatedIo();
    const refusals = this.#corpRefusals.get(suiteId) ?? new Map<string, number>();
    refusals.set(corpId, now);
    this.#corpRefusals.set(suiteId, refusals);
    return [...refusals.values()].filter((atMs) => now - atMs < windowMs).length;
  }

  /** The record as `read` would return it, without a round trip and without being counted. */
  peek(key: CredentialKey): TokenRecord {
    const item = this.#items.get(memoryKeyOf(key));
    if (item === undefined) {
      return {};
    }
    const { leaseOwner: _owner, ...record } = item;
    return structuredClone(record);
  }

  /** Deletes the item, as cancel_auth or a new permanent code does to a corp's cached token. */
  remove(key: CredentialKey): void {
    this.#items.delete(memoryKeyOf(key));
  }

  #count(call: keyof TokenCacheCalls, key: CredentialKey): void {
    this.calls[call] += 1;
    this.operations.push({ call, key });
  }

  // DynamoDB's `ConditionExpression: 'leaseOwner = :owner'`: a missing item or another owner is a
  // conditional-check failure, which DynamoTokenCache swallows.
  #updateIfOwner(key: CredentialKey, owner: string, next: (item: CacheItem) => CacheItem): void {
    const item = this.#items.get(memoryKeyOf(key));
    if (item?.leaseOwner !== owner) {
      return;
    }
    this.#items.set(memoryKeyOf(key), next(item));
  }
}
