import type { AccessToken } from '../core/credentials/access-token.ts';
import { resolveCorpToken } from './credentials/credential-request.ts';
import { getCredential } from './credentials/get-credential.ts';
import type { TokenDeps } from './token-deps.ts';

export interface CorpTokenResult {
  readonly token: AccessToken;
  readonly agentId?: number;
}

/**
 * A corp's access_token for one suite, from the cache or minted once (docs/callers.md, How tokens are kept).
 *
 * 1. Resolve the suite, and read the corp's authorization. It comes from the last 30 s in this
 *    container, unless the caller reports a stale token. An unknown or revoked corp gets
 *    CorpNotAuthorizedError, without a call to WeCom.
 * 2. getCredential. Third-party suites mint with service/get_corp_token and the suite token
 *    (renewed once if WeCom rejects it). 代开发 templates mint with gettoken and the permanent
 *    code as corpsecret. An answer that means the authorization is broken blocks the corp: callers
 *    get CorpNotAuthorizedError at once, and the change is announced.
 */
export const getCorpToken = async (
  deps: TokenDeps,
  input: { readonly suiteId?: string; readonly corpId: string; readonly staleToken?: string },
): Promise<CorpTokenResult> => {
  const credential = await resolveCorpToken(deps, input.suiteId, input.corpId, input.staleToken);
  const token = await getCredential(deps, credential, input.staleToken);
  const { agentId } = credential.authorization;
  return { token, ...(agentId === undefined ? {} : { agentId }) };
};
