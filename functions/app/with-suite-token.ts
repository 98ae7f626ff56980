import { getSuiteToken } from './get-suite-token.ts';
import type { TokenDeps } from './token-deps.ts';
import { withRenewedToken } from './with-renewed-token.ts';

// WeCom's answers for a suite_access_token it no longer accepts (docs/wecom-protocol.md §5.12).
const REJECTED_SUITE_TOKEN = new Set([40014, 40082, 42001, 42009]);

/**
 * Runs a WeCom call that needs the suite's token. If WeCom rejects the token, it is dropped (only
 * if it is still the cached one), minted once more, and the call retried once.
 */
export const withSuiteToken = <T>(
  deps: TokenDeps,
  suiteId: string,
  call: (suiteAccessToken: string) => Promise<T>,
): Promise<T> =>
  withRenewedToken(
    async (staleToken) =>
      (await getSuiteToken(deps, { suiteId, ...(staleToken === undefined ? {} : { staleToken }) })).token
        .value,
    REJECTED_SUITE_TOKEN,
    call,
  );
