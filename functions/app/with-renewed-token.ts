import { WeComApiError } from '../core/errors.ts';

/**
 * Runs a WeCom call with a cached token. If WeCom answers one of `rejectedBy` (the token is no
 * longer accepted), the token is replaced through `token(stale)` — only if it is still the cached
 * one, like `staleToken` — and the call retried once.
 */
export const withRenewedToken = async <T>(
  token: (staleToken?: string) => Promise<string>,
  rejectedBy: ReadonlySet<number>,
  call: (accessToken: string) => Promise<T>,
): Promise<T> => {
  const current = await token();
  try {
    return await call(current);
  } catch (error) {
    if (!(error instanceof WeComApiError && rejectedBy.has(error.errcode))) {
      throw error;
    }
    return call(await token(current));
  }
};
