/** A credential (token or ticket) as the service caches and hands it out. */
export interface AccessToken {
  readonly value: string;
  /** Milliseconds since the epoch at which WeCom stops accepting it. */
  readonly expiresAtMs: number;
  /**
   * Milliseconds since the epoch from which one caller should ask WeCom again. Never after
   * `expiresAtMs`, so a mint is always due by the time a token stops being served.
   */
  readonly refreshAtMs: number;
}

/**
 * The one rule of a cached credential's life, so that serving and minting cannot disagree:
 * - `fresh`: serve it; nobody needs to ask WeCom.
 * - `refresh_due`: still valid, so serve it, and one caller (the lease holder) asks WeCom. Tokens
 *   never are (they are asked for at their end); a kind refreshed ahead of its end would be.
 * - `expired`: WeCom no longer accepts it; callers wait for the lease holder's mint.
 *
 * A credential is served until its true end: a caller handed one with little time left that WeCom
 * then refuses reports it as stale and gets the next one.
 */
export type TokenFreshness = 'fresh' | 'refresh_due' | 'expired';

/** How usable a cached credential is at `nowMs`. */
export const freshnessOf = (token: AccessToken, nowMs: number): TokenFreshness => {
  if (nowMs >= token.expiresAtMs) {
    return 'expired';
  }
  return nowMs < token.refreshAtMs ? 'fresh' : 'refresh_due';
};

/**
 * The credential to cache after WeCom answered a request sent at `requestedAtMs` with `value`,
 * valid for `expiresInSeconds`. The send time, not the answer's arrival, starts the lifetime, so
 * network delay can only make the expiry earlier than WeCom's, never later.
 *
 * WeCom returns the *same* value while it is valid (document/path/97164) and a new one only after
 * it ends, so the next one is asked for at the end (`refreshAtMs` = `expiresAtMs`): one call per
 * lifetime. A value we already had keeps its expiry (whether WeCom then reports the remaining or
 * the full lifetime is undocumented, hence the minimum).
 */
export const tokenFromMint = (
  value: string,
  expiresInSeconds: number,
  requestedAtMs: number,
  previous?: AccessToken,
): AccessToken => {
  const reportedExpiryMs = requestedAtMs + expiresInSeconds * 1000;
  const expiresAtMs =
    previous !== undefined && previous.value === value
      ? Math.min(previous.expiresAtMs, reportedExpiryMs)
      : reportedExpiryMs;
  return { value, expiresAtMs, refreshAtMs: expiresAtMs };
};

/**
 * How long to serve a value WeCom still hands back after our clock says it ended (its clock runs
 * behind ours by more than the retries below waited): long enough not to ask in a tight loop,
 * short enough that a caller rarely holds a value WeCom is about to refuse.
 */
export const ENDED_VALUE_GRACE_MS = 1000;

/** A value WeCom handed back although it ended by our clock, served for ENDED_VALUE_GRACE_MS. */
export const withGrace = (token: AccessToken, nowMs: number): AccessToken => ({
  ...token,
  expiresAtMs: nowMs + ENDED_VALUE_GRACE_MS,
  refreshAtMs: nowMs + ENDED_VALUE_GRACE_MS,
});
