import { type AccessToken, freshnessOf } from '../../core/credentials/access-token.ts';
import type { CredentialBlock } from '../../core/credentials/credential-block.ts';
import { errorFromBlock, isBlockingFailure, nextBlock } from '../../core/credentials/credential-block.ts';
import { type CredentialKey, memoryKeyOf } from '../../core/credentials/credential-key.ts';
import {
  describeMintFailure,
  errorFromMintFailure,
  mintRetryAtMs,
  nextMintFailure,
} from '../../core/credentials/mint-failure.ts';
import type { TokenRecord } from '../../core/credentials/token-record.ts';
import { UpstreamUnavailableError } from '../../core/errors.ts';
import type { LeaseGrant } from '../../core/ports/token-cache.ts';
import type { TokenDeps } from '../token-deps.ts';
import { CONFIRMED_VALUE_WINDOW_MS, LEASE_WAIT } from './retry-layers.ts';

/**
 * What the shared cache leaves a caller to do. It either has a value to use, or it holds the mint
 * lease. With the lease comes what the cache held: the previous value, which a repeated value
 * keeps the expiry of, and the block this mint is the periodic retry of.
 */
export type Turn =
  | { readonly kind: 'served'; readonly token: AccessToken }
  | {
      readonly kind: 'lease';
      readonly key: CredentialKey;
      readonly owner: string;
      readonly record: TokenRecord;
      readonly grant: LeaseGrant;
    };

/**
 * A caller's turn at the shared cache. One rule (freshnessOf) decides, re-read on every poll:
 *
 * 0. A report (`staleToken`, when `bounded`: a caller's, not WeCom's own rejection) naming the
 *    cached value WeCom handed over within the last CONFIRMED_VALUE_WINDOW_MS is ignored (counted through `signals.reportIgnored`): the value is
 *    served as if nobody had reported it, so reports cannot make WeCom be asked again.
 * 1. A blocked credential (WeCom refuses until the authorization changes) fails at once with the
 *    block's typed error, until its next attempt is due.
 * 2. A `fresh` credential is served, and so is one minted while this caller waited (the best WeCom
 *    gives, even if it is short-lived).
 * 3. During a failure streak's wait (mintRetryAtMs), the caller gets the still-valid credential or
 *    the last failure, without asking WeCom.
 * 4. Otherwise the caller tries to take the mint lease with a conditional write. The condition is
 *    the same rule: absent, `refresh_due` or `expired`, or still the caller's stale value.
 * 5. A caller that did not get the lease serves a still-valid (`refresh_due`) value. It throws the
 *    failure of a mint made while it waited. Otherwise it waits (LEASE_WAIT) and reads again.
 *
 * @throws the block's or the failure's typed error; UpstreamUnavailableError after maxWaitMs.
 */
export const awaitTurn = async (
  deps: TokenDeps,
  key: CredentialKey,
  startedAtMs: number,
  reportedStale: string | undefined,
  bounded = true,
): Promise<Turn> => {
  const wait = deps.leaseWait ?? LEASE_WAIT;
  // One lease owner per caller, however often it polls.
  const owner = deps.newLeaseOwner();
  let staleToken = reportedStale;
  for (let polls = 0; ; polls += 1) {
    const record = await deps.tokens.read(key);
    const now = deps.clock.nowMs();
    if (bounded && staleToken !== undefined && isRecentlyConfirmed(record, staleToken, now)) {
      deps.signals?.reportIgnored(key.kind);
      staleToken = undefined;
    }
    if (record.block !== undefined && now < record.block.nextAttemptAtMs) {
      throw errorFromBlock(record.block);
    }
    const cached = record.token !== undefined && record.token.value !== staleToken ? record.token : undefined;
    const freshness = cached === undefined ? undefined : freshnessOf(cached, now);
    const mintedWhileWaiting =
      freshness !== undefined && freshness !== 'expired' && (record.mintedAtMs ?? 0) >= startedAtMs;
    if (cached !== undefined && (freshness === 'fresh' || mintedWhileWaiting)) {
      deps.memory.set(memoryKeyOf(key), cached, now);
      return { kind: 'served', token: cached };
    }
    const failure = record.mintFailure;
    if (failure !== undefined && now < mintRetryAtMs(failure)) {
      if (cached !== undefined && freshness === 'refresh_due') {
        return { kind: 'served', token: cached };
      }
      throw errorFromMintFailure(failure);
    }
    const grant = await deps.tokens.tryAcquireLease(key, owner, wait.leaseMs, staleToken);
    if (grant !== undefined) {
      return { kind: 'lease', key, owner, record, grant };
    }
    if (cached !== undefined && freshness === 'refresh_due') {
      return { kind: 'served', token: cached };
    }
    if (record.mintFailure !== undefined && record.mintFailure.atMs >= startedAtMs) {
      throw errorFromMintFailure(record.mintFailure);
    }
    if (now - startedAtMs >= wait.maxWaitMs) {
      throw new UpstreamUnavailableError('timed out waiting for another caller to mint the token');
    }
    const backoffMs = Math.min(wait.maxPollMs, wait.pollMs * 1.5 ** polls);
    await deps.sleep(backoffMs * (0.5 + (deps.random ?? Math.random)() / 2));
  }
};

/** Whether `value` is the cached value and WeCom handed it over within CONFIRMED_VALUE_WINDOW_MS. */
const isRecentlyConfirmed = (record: TokenRecord, value: string, nowMs: number): boolean =>
  record.token !== undefined &&
  record.token.value === value &&
  record.mintedAtMs !== undefined &&
  nowMs - record.mintedAtMs < CONFIRMED_VALUE_WINDOW_MS &&
  freshnessOf(record.token, nowMs) !== 'expired';

/**
 * Records a failed mint and releases the lease. A failed mint is never cached. A failure that
 * means WeCom will refuse until the authorization changes blocks the credential (BLOCK_SCHEDULE_MS).
 * Any other failure is recorded for the callers waiting on it, and counted in the failure streak.
 *
 * @returns the block, when this failure began one (to be announced once).
 */
export const recordFailedMint = async (
  deps: TokenDeps,
  lease: Extract<Turn, { kind: 'lease' }>,
  error: unknown,
): Promise<CredentialBlock | undefined> => {
  const now = deps.clock.nowMs();
  if (!isBlockingFailure(error)) {
    await deps.tokens.releaseAfterFailure(
      lease.key,
      lease.owner,
      nextMintFailure(error, now, lease.grant.mintFailure),
    );
    return undefined;
  }
  const block = nextBlock(describeMintFailure(error, now), now, lease.record.block);
  await deps.tokens.block(lease.key, lease.owner, block);
  return block.refusals === 1 ? block : undefined;
};
