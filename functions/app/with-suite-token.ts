import { WeComApiError } from '../core/errors.ts';
import { getSuiteToken } from './get-suite-token.ts';
import type { TokenDeps } from './token-deps.ts';

// WeCom's answers for a suite_access_token it no longer accepts (docs/wecom-protocol.md §5.12).
const REJECTED_SUITE_TOKEN = new Set([40014, 40082, 42001, 42009]);

/**
 * Runs a WeCom call that needs the suite's token. If WeCom rejects the token, it is dropped (only
 * if it is still the cached one), minted once more, and the call retried once.
 */
export const withSuiteToken = async <T>(
  deps: TokenDeps,
  suiteId: string,
  call: (suiteAccessToken: string) => Promise<T>,
): Promise<T> => {
  const { token } = await getSuiteToken(deps, { suiteId });
  try {
    return await call(token.value);
  } catch (error) {
    if (!(error instanceof WeComApiError && REJECTED_SUITE_TOKEN.has(error.errcode))) {
      throw error;
    }
    const { token: renewed } = await getSuiteToken(deps, { suiteId, staleToken: token.value });
    return call(renewed.value);
  }
};
