import { type AccessToken, freshnessOf, withGrace } from '../core/credentials/access-token.ts';
import type { CredentialBlock } from '../core/credentials/credential-block.ts';
import { errorFromBlock, isBlockingFailure, nextBlock } from '../core/credentials/credential-block.ts';
import { type CredentialKey, memoryKeyOf } from '../core/credentials/credential-key.ts';
import {
  describeMintFailure,
  errorFromMintFailure,
  mintRetryAtMs,
  nextMintFailure,
} from '../core/credentials/mint-failure.ts';
import type { TokenRecord } from '../core/credentials/token-record.ts';
import { UpstreamUnavailableError } from '../core/errors.ts';
import type { LeaseGrant } from '../core/ports/token-cache.ts';
import { DEFAULT_MINT_TIMING, type TokenDeps } from './token-deps.ts';

// A value WeCom hands back at its end is asked for again this often, this many times (≈ 1 s).
const ENDED_VALUE_RETRY_MS = 200;
const ENDED_VALUE_RETRIES = 5;

/**
 * Told once when a credential becomes blocked (WeCom refuses until something changes), and once
 * when a periodic retry of a blocked credential succeeds. Either runs after the change is durable;
 * its failure reaches the caller that made the change.
 */
export interface BlockAnnouncements {
  readonly blocked?: (block: CredentialBlock) => Promise<void>;
  readonly recovered?: (block: CredentialBlock) => Promise<void>;
}

/**
 * Mints a credential from WeCom. `previous` is the cached one, if any, so a repeated value keeps
 * its expiry; `block` is set when this mint is the periodic retry of a blocked credential.
 */
export type Mint = (
  previous: AccessToken | undefined,
  block: CredentialBlock | undefined,
) => Promise<AccessToken>;

/**
 * Returns a valid credential for `key`, asking WeCom through `mint` at most once per refresh
 * point across every container (README, Getting tokens). One rule (freshnessOf) decides:
 *
 * 1. A `fresh` credential in this container's memory, or in the shared cache, is returned as is.
 * 2. A blocked credential (WeCom refuses until the authorization changes) fails at once with the
 *    block's typed error, until its next attempt is due. After a streak of failed mints for a
 *    passing reason (60020, -1, 45009, timeouts) callers get the last failure, or the still-valid
 *    credential, without asking WeCom until the streak's wait is over (mintRetryAtMs).
 * 0. Callers in one container asking at the same moment share one pass (TokenMemory.shared).
 * 3. Otherwise one caller takes the mint lease with a conditional write (the condition is the same
 *    rule: absent, `refresh_due` or `expired`, or the caller's stale value) and mints; a failed
 *    mint is never cached, only recorded for the callers waiting on it, or turned into a block.
 * 4. The others serve the cached credential while it is still valid (`refresh_due`), and wait for
 *    the lease holder's mint only once it has `expired`.
 *
 * @param staleToken a value WeCom rejected: it is replaced only if it is still the cached one.
 * @throws the mint's own typed errors; UpstreamUnavailableError when waiting times out.
 */
export const obtainToken = async (
  deps: TokenDeps,
  key: CredentialKey,
  mint: Mint,
  staleToken?: string,
  announce: BlockAnnouncements = {},
): Promise<AccessToken> => {
  const memoryKey = memoryKeyOf(key);
  const startedAtMs = deps.clock.nowMs();
  const remembered = deps.memory.get(memoryKey, startedAtMs, staleToken);
  if (remembered !== undefined) {
    return remembered;
  }
  return deps.memory.shared(`${memoryKey}|${staleToken ?? ''}`, () =>
    obtainFromCache(deps, key, memoryKey, mint, startedAtMs, staleToken, announce),
  );
};

const obtainFromCache = async (
  deps: TokenDeps,
  key: CredentialKey,
  memoryKey: string,
  mint: Mint,
  startedAtMs: number,
  staleToken: string | undefined,
  announce: BlockAnnouncements,
): Promise<AccessToken> => {
  const timing = deps.timing ?? DEFAULT_MINT_TIMING;
  // One lease owner per caller, however often it polls.
  const owner = deps.newLeaseOwner();
  for (let polls = 0; ; polls += 1) {
    const record = await deps.tokens.read(key);
    const now = deps.clock.nowMs();
    if (record.block !== undefined && now < record.block.nextAttemptAtMs) {
      throw errorFromBlock(record.block);
    }
    const cached = record.token !== undefined && record.token.value !== staleToken ? record.token : undefined;
    const freshness = cached === undefined ? undefined : freshnessOf(cached, now);
    // A credential minted while we waited is the best WeCom will give, even if it is short-lived.
    const mintedWhileWaiting =
      freshness !== undefined && freshness !== 'expired' && (record.mintedAtMs ?? 0) >= startedAtMs;
    if (cached !== undefined && (freshness === 'fresh' || mintedWhileWaiting)) {
      deps.memory.set(memoryKey, cached, now);
      return cached;
    }
    // A streak of failed mints: nobody asks WeCom again until it has waited (mintRetryAtMs).
    const failure = record.mintFailure;
    if (failure !== undefined && now < mintRetryAtMs(failure)) {
      if (cached !== undefined && freshness === 'refresh_due') {
        return cached;
      }
      throw errorFromMintFailure(failure);
    }
    const lease = await deps.tokens.tryAcquireLease(key, owner, timing.leaseMs, staleToken);
    if (lease !== undefined) {
      return mintUnderLease(deps, key, memoryKey, owner, mint, record, lease, announce);
    }
    if (cached !== undefined && freshness === 'refresh_due') {
      return cached;
    }
    if (record.mintFailure !== undefined && record.mintFailure.atMs >= startedAtMs) {
      throw errorFromMintFailure(record.mintFailure);
    }
    if (now - startedAtMs >= timing.maxWaitMs) {
      throw new UpstreamUnavailableError('timed out waiting for another caller to mint the token');
    }
    const backoffMs = Math.min(timing.maxPollMs, timing.pollMs * 1.5 ** polls);
    await deps.sleep(backoffMs * (0.5 + Math.random() / 2));
  }
};

const mintUnderLease = async (
  deps: TokenDeps,
  key: CredentialKey,
  memoryKey: string,
  owner: string,
  mint: Mint,
  record: TokenRecord,
  lease: LeaseGrant,
  announce: BlockAnnouncements,
): Promise<AccessToken> => {
  const { token: previous, block } = record;
  let token: AccessToken;
  try {
    token = await mint(previous, block);
    // WeCom handed back the value that has just ended by our clock: its clock is a moment behind
    // ours (we start a lifetime when we send, it when it answers). Ask again shortly rather than
    // hand out a value WeCom is about to refuse; if it keeps answering so, serve it briefly.
    for (let retry = 1; freshnessOf(token, deps.clock.nowMs()) === 'expired'; retry += 1) {
      if (retry > ENDED_VALUE_RETRIES) {
        token = withGrace(token, deps.clock.nowMs());
        break;
      }
      await deps.sleep(ENDED_VALUE_RETRY_MS);
      token = await mint(token, block);
    }
  } catch (error) {
    const now = deps.clock.nowMs();
    if (isBlockingFailure(error)) {
      const failure = describeMintFailure(error, now);
      const next = nextBlock(failure, now, block);
      await deps.tokens.block(key, owner, next);
      if (next.refusals === 1) {
        await announce.blocked?.(next);
      }
    } else {
      await deps.tokens.releaseAfterFailure(key, owner, nextMintFailure(error, now, lease.mintFailure));
    }
    throw error;
  }
  await deps.tokens.storeMinted(key, owner, token);
  deps.memory.set(memoryKey, token, deps.clock.nowMs());
  if (block !== undefined) {
    // The periodic retry of a blocked credential succeeded: storeMinted lifted the block.
    await announce.recovered?.(block);
  }
  return token;
};
