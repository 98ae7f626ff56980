import { type AccessToken, freshnessOf } from '../core/credentials/access-token.ts';
import { describeMintFailure, errorFromMintFailure } from '../core/credentials/mint-failure.ts';
import { UpstreamUnavailableError } from '../core/errors.ts';
import type { TokenKey } from '../core/ports.ts';
import { DEFAULT_MINT_TIMING, type TokenDeps } from './token-deps.ts';

/** Mints a token from WeCom; `previous` is the cached token, if any, so a repeated value keeps its expiry. */
export type Mint = (previous: AccessToken | undefined) => Promise<AccessToken>;

/**
 * Returns a valid token for `key`, minting through `mint` at most once per token lifetime across
 * every container (README, Getting tokens).
 *
 * 1. A fresh token in this container's memory, or in the shared cache, is returned as is.
 * 2. Otherwise one caller takes the mint lease with a conditional write and mints; a failed mint
 *    is never cached, only recorded for the callers waiting on it.
 * 3. The others keep using the cached token while it is still valid, or wait briefly for the
 *    new one.
 *
 * @param staleToken a token WeCom rejected: it is replaced only if it is still the cached one.
 * @throws the mint's own typed errors; UpstreamUnavailableError when waiting times out.
 */
export const obtainToken = async (
  deps: TokenDeps,
  key: TokenKey,
  mint: Mint,
  staleToken?: string,
): Promise<AccessToken> => {
  const timing = deps.timing ?? DEFAULT_MINT_TIMING;
  const memoryKey = key.kind === 'suite' ? `suite|${key.suiteId}` : `corp|${key.suiteId}|${key.corpId}`;
  const startedAtMs = deps.clock.nowMs();
  const remembered = deps.memory.get(memoryKey, startedAtMs, staleToken);
  if (remembered !== undefined) {
    return remembered;
  }
  // One lease owner per caller, however often it polls.
  const owner = deps.newLeaseOwner();
  for (;;) {
    const record = await deps.tokens.read(key);
    const now = deps.clock.nowMs();
    const cached = record.token !== undefined && record.token.value !== staleToken ? record.token : undefined;
    const freshness = cached === undefined ? undefined : freshnessOf(cached, now);
    // A token minted while we waited is the best WeCom will give, even if it is short-lived.
    const mintedWhileWaiting =
      cached !== undefined && (record.mintedAtMs ?? 0) >= startedAtMs && cached.expiresAtMs > now;
    if (cached !== undefined && (freshness === 'fresh' || mintedWhileWaiting)) {
      deps.memory.set(memoryKey, cached, now);
      return cached;
    }
    if (await deps.tokens.tryAcquireLease(key, owner, timing.leaseMs, staleToken)) {
      return mintUnderLease(deps, key, memoryKey, owner, mint, record.token);
    }
    if (cached !== undefined && freshness === 'refreshable') {
      return cached;
    }
    if (record.mintFailure !== undefined && record.mintFailure.atMs >= startedAtMs) {
      throw errorFromMintFailure(record.mintFailure);
    }
    if (now - startedAtMs >= timing.maxWaitMs) {
      throw new UpstreamUnavailableError('timed out waiting for another caller to mint the token');
    }
    await deps.sleep(timing.pollMs);
  }
};

const mintUnderLease = async (
  deps: TokenDeps,
  key: TokenKey,
  memoryKey: string,
  owner: string,
  mint: Mint,
  previous: AccessToken | undefined,
): Promise<AccessToken> => {
  let token: AccessToken;
  try {
    token = await mint(previous);
  } catch (error) {
    await deps.tokens.releaseAfterFailure(key, owner, describeMintFailure(error, deps.clock.nowMs()));
    throw error;
  }
  await deps.tokens.storeMinted(key, owner, token);
  deps.memory.set(memoryKey, token, deps.clock.nowMs());
  return token;
};
