import { type AccessToken, tokenFromMint } from '../core/credentials/access-token.ts';
import { CorpNotAuthorizedError } from '../core/errors.ts';
import type { CorpAuthorization } from '../core/ports.ts';
import { obtainToken } from './obtain-token.ts';
import type { TokenDeps } from './token-deps.ts';
import { withSuiteToken } from './with-suite-token.ts';

export interface CorpTokenResult {
  readonly token: AccessToken;
  readonly agentId?: number;
}

/**
 * A corp's access_token for one suite, from the cache or minted once (README, Getting tokens).
 *
 * 1. Resolve the suite; read the corp's authorization (from the last 30 s in this container, unless
 *    the caller reports a stale token). Unknown or revoked: CorpNotAuthorizedError, without calling WeCom.
 * 2. obtainToken: third-party suites mint with service/get_corp_token (the suite token renewed
 *    once if WeCom rejects it); 代开发 templates with gettoken, the permanent code as corpsecret.
 */
export const mintCorpToken = async (
  deps: TokenDeps,
  input: { readonly suiteId?: string; readonly corpId: string; readonly staleToken?: string },
): Promise<CorpTokenResult> => {
  const registry = await deps.registry.current();
  const suite = registry.resolve(input.suiteId);
  const authorization = await readAuthorization(
    deps,
    suite.suiteId,
    input.corpId,
    input.staleToken !== undefined,
  );
  const permanentCode = authorization?.status === 'active' ? authorization.permanentCode : undefined;
  if (authorization === undefined || permanentCode === undefined) {
    throw new CorpNotAuthorizedError(`corp ${input.corpId} has no active authorization for ${suite.suiteId}`);
  }
  const token = await obtainToken(
    deps,
    { kind: 'corp', suiteId: suite.suiteId, corpId: input.corpId },
    async (previous) => {
      const minted =
        suite.kind === 'customized'
          ? await deps.wecom.getCustomizedCorpToken(input.corpId, permanentCode)
          : await withSuiteToken(deps, suite.suiteId, (suiteAccessToken) =>
              deps.wecom.getCorpToken(suiteAccessToken, input.corpId, permanentCode),
            );
      return tokenFromMint(minted.accessToken, minted.expiresInSeconds, deps.clock.nowMs(), previous);
    },
    input.staleToken,
  );
  return { token, ...(authorization.agentId === undefined ? {} : { agentId: authorization.agentId }) };
};

const readAuthorization = async (
  deps: TokenDeps,
  suiteId: string,
  corpId: string,
  mustBeFresh: boolean,
): Promise<CorpAuthorization | undefined> => {
  const now = deps.clock.nowMs();
  const recent = mustBeFresh ? undefined : deps.recentAuthorizations?.get(suiteId, corpId, now);
  if (recent !== undefined) {
    return recent;
  }
  const authorization = await deps.authorizations.getAuthorization(suiteId, corpId);
  // Only active authorizations are kept: an unknown or revoked corp is looked up every time.
  if (authorization?.status === 'active') {
    deps.recentAuthorizations?.set(authorization, now);
  }
  return authorization;
};
