import { getCorpToken } from './get-corp-token.ts';
import type { TokenDeps } from './token-deps.ts';
import { withRenewedToken } from './with-renewed-token.ts';

// WeCom's answers for an access_token it no longer accepts (docs/wecom-protocol.md §5.12).
const REJECTED_CORP_TOKEN = new Set([40014, 42001, 42009]);

/**
 * Runs a WeCom call that needs a corp's token. If WeCom rejects the token, it is replaced (only if
 * it is still the cached one, `staleToken`) and the call retried once.
 *
 * @throws CorpNotAuthorizedError when the corp has no active authorization, before calling WeCom.
 */
export const withCorpToken = <T>(
  deps: TokenDeps,
  suiteId: string,
  corpId: string,
  call: (corpAccessToken: string) => Promise<T>,
): Promise<T> =>
  withRenewedToken(
    async (staleToken) =>
      (await getCorpToken(deps, { suiteId, corpId, ...(staleToken === undefined ? {} : { staleToken }) }))
        .token.value,
    REJECTED_CORP_TOKEN,
    call,
  );
