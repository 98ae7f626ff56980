/** An access token as the service caches and hands it out. */
export interface AccessToken {
  readonly value: string;
  /** Milliseconds since the epoch at which WeCom stops accepting it. */
  readonly expiresAtMs: number;
  /** Milliseconds since the epoch after which the next caller should mint again. */
  readonly refreshAtMs: number;
}

/**
 * Refresh 5 minutes before expiry. WeCom returns the *same* token when asked again while it is
 * valid (document/path/97164), so refreshing earlier cannot extend its life; the margin only has
 * to cover clock skew between us and WeCom, the callers' own cache margin (60 s in the client) and
 * slow requests.
 */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** Never hand out a token with less than this left: the caller could not use it. */
export const MINIMUM_REMAINING_MS = 30 * 1000;

/**
 * When a re-mint returns the token we already had, WeCom will not issue a new one before it
 * expires: try again after this long rather than on every request.
 */
export const SAME_TOKEN_RETRY_MS = 60 * 1000;

/** `fresh`: serve it; `refreshable`: serve it but one caller should mint; `expired`: mint first. */
export type TokenFreshness = 'fresh' | 'refreshable' | 'expired';

/** How usable a cached token is at `nowMs`. */
export const freshnessOf = (token: AccessToken, nowMs: number): TokenFreshness => {
  if (nowMs >= token.expiresAtMs - MINIMUM_REMAINING_MS) {
    return 'expired';
  }
  return nowMs < token.refreshAtMs ? 'fresh' : 'refreshable';
};

/**
 * The token to cache after WeCom answered a mint with `value` valid for `expiresInSeconds`.
 *
 * If WeCom handed back the token we already had, its life is not extended (whether `expires_in`
 * is then the remaining or the full lifetime is undocumented), and the next refresh waits
 * SAME_TOKEN_RETRY_MS instead of hammering WeCom.
 */
export const tokenFromMint = (
  value: string,
  expiresInSeconds: number,
  nowMs: number,
  previous?: AccessToken,
): AccessToken => {
  const reportedExpiryMs = nowMs + expiresInSeconds * 1000;
  if (previous !== undefined && previous.value === value) {
    const expiresAtMs = Math.min(previous.expiresAtMs, reportedExpiryMs);
    return { value, expiresAtMs, refreshAtMs: Math.min(expiresAtMs, nowMs + SAME_TOKEN_RETRY_MS) };
  }
  return { value, expiresAtMs: reportedExpiryMs, refreshAtMs: reportedExpiryMs - REFRESH_MARGIN_MS };
};
