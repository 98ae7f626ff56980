import type { CorpAuthorization } from '../core/authorization/corp-authorization.ts';
import type { RegisteredSuite } from '../core/config/suite-registry.ts';
import { type AccessToken, tokenFromMint } from '../core/credentials/access-token.ts';
import { AuthorizationBrokenError, CorpNotAuthorizedError, WeComApiError } from '../core/errors.ts';
import { authorizationChangedEvent } from '../core/events/service-events.ts';
import type { MintedToken } from '../core/ports/wecom-api.ts';
import { getSuiteToken } from './get-suite-token.ts';
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
 * 3. An answer that means the authorization itself is broken becomes AuthorizationBrokenError, so
 *    the cache blocks further asks (obtainToken) and callers get CorpNotAuthorizedError at once.
 */
export const getCorpToken = async (
  deps: TokenDeps,
  input: { readonly suiteId?: string; readonly corpId: string; readonly staleToken?: string },
): Promise<CorpTokenResult> => {
  const registry = await deps.registry.current();
  const suite = registry.resolve(input.suiteId);
  const { authorization, permanentCode } = await requireActiveAuthorization(
    deps,
    suite.suiteId,
    input.corpId,
    input.staleToken !== undefined,
  );
  const token = await obtainToken(
    deps,
    { kind: 'corp_token', suiteId: suite.suiteId, corpId: input.corpId },
    async (previous, block) => {
      const requestedAtMs = deps.clock.nowMs();
      let minted: MintedToken;
      try {
        minted = await mintFromWeCom(deps, suite, input.corpId, permanentCode, block !== undefined);
      } catch (error) {
        const refusal = classifyRefusal(error, suite, input.corpId);
        // This container may hold a permanent code replaced since (a reset or reinstall within the
        // last 30 s): before calling the authorization broken, read it again and retry once with the new one.
        const fresh =
          refusal instanceof AuthorizationBrokenError
            ? await freshPermanentCode(deps, suite, input.corpId)
            : undefined;
        if (fresh === undefined || fresh === permanentCode) {
          throw refusal;
        }
        try {
          minted = await mintFromWeCom(deps, suite, input.corpId, fresh, true);
        } catch (retryError) {
          throw classifyRefusal(retryError, suite, input.corpId);
        }
      }
      return tokenFromMint(minted.accessToken, minted.expiresInSeconds, requestedAtMs, previous);
    },
    input.staleToken,
    // Announced once when the block begins, and once when WeCom accepts the corp again on a later
    // retry (each after it is durable). If the bus refuses, this caller gets the bus's error
    // (logged as a failure) and the change stands; the event is not retried.
    {
      blocked: async (block) => {
        await deps.events?.publish([
          authorizationChangedEvent(
            {
              suiteId: suite.suiteId,
              corpId: input.corpId,
              status: 'broken',
              cause: 'wecom_refused',
              reason: block.failure.message,
              ...(authorization.agentId === undefined ? {} : { agentId: authorization.agentId }),
            },
            block.sinceMs,
          ),
        ]);
      },
      recovered: async () => {
        await deps.events?.publish([
          authorizationChangedEvent(
            {
              suiteId: suite.suiteId,
              corpId: input.corpId,
              status: 'active',
              cause: 'wecom_accepted',
              ...(authorization.agentId === undefined ? {} : { agentId: authorization.agentId }),
            },
            deps.clock.nowMs(),
          ),
        ]);
      },
    },
  );
  return { token, ...(authorization.agentId === undefined ? {} : { agentId: authorization.agentId }) };
};

/**
 * The corp's active authorization for the suite (from the last 30 s in this container unless
 * `mustBeFresh`).
 *
 * @throws CorpNotAuthorizedError when it is unknown or revoked.
 */
export const requireActiveAuthorization = async (
  deps: TokenDeps,
  suiteId: string,
  corpId: string,
  mustBeFresh = false,
): Promise<{ readonly authorization: CorpAuthorization; readonly permanentCode: string }> => {
  const authorization = await readAuthorization(deps, suiteId, corpId, mustBeFresh);
  const permanentCode = authorization?.status === 'active' ? authorization.permanentCode : undefined;
  if (authorization === undefined || permanentCode === undefined) {
    throw new CorpNotAuthorizedError(`corp ${corpId} has no active authorization for ${suiteId}`);
  }
  return { authorization, permanentCode };
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
  const read = () => deps.authorizations.getAuthorization(suiteId, corpId);
  // A caller reporting a stale token reads on its own: a read already under way may predate the change.
  const authorization =
    mustBeFresh || deps.recentAuthorizations === undefined
      ? await read()
      : await deps.recentAuthorizations.shared(suiteId, corpId, read);
  // Only active authorizations are kept: an unknown or revoked corp is looked up every time.
  if (authorization?.status === 'active') {
    deps.recentAuthorizations?.set(authorization, now);
  }
  return authorization;
};

/**
 * Asks WeCom for the corp token. The periodic retry of a blocked authorization (`retryingBlock`)
 * does not renew the suite token on 40082: that was tried when the block began.
 */
const mintFromWeCom = async (
  deps: TokenDeps,
  suite: RegisteredSuite,
  corpId: string,
  permanentCode: string,
  retryingBlock: boolean,
): Promise<MintedToken> => {
  if (suite.kind === 'customized') {
    return deps.wecom.getCustomizedCorpToken(corpId, permanentCode);
  }
  if (retryingBlock) {
    const { token } = await getSuiteToken(deps, { suiteId: suite.suiteId });
    return deps.wecom.getCorpToken(token.value, corpId, permanentCode);
  }
  return withSuiteToken(deps, suite.suiteId, (suiteAccessToken) =>
    deps.wecom.getCorpToken(suiteAccessToken, corpId, permanentCode),
  );
};

// WeCom's answers that mean the authorization, not the request, is at fault (docs/wecom-protocol.md
// §5.12). 40082 reaches here only after a retry with a renewed suite token (withSuiteToken): WeCom
// staff say it then means the corp has not authorized the app.
const BROKEN_AUTHORIZATION: Readonly<Record<RegisteredSuite['kind'], ReadonlySet<number>>> = {
  third_party: new Set([40082, 40084, 48004]),
  customized: new Set([40001, 40084, 48004]),
};

const classifyRefusal = (error: unknown, suite: RegisteredSuite, corpId: string): unknown => {
  if (!(error instanceof WeComApiError) || !BROKEN_AUTHORIZATION[suite.kind].has(error.errcode)) {
    return error;
  }
  return new AuthorizationBrokenError(
    error,
    `the authorization of corp ${corpId} for ${suite.suiteId} is broken: ${error.message}`,
  );
};

/** The corp's current permanent code, read from the table (not this container's memory). */
const freshPermanentCode = async (
  deps: TokenDeps,
  suite: RegisteredSuite,
  corpId: string,
): Promise<string | undefined> => {
  const authorization = await deps.authorizations.getAuthorization(suite.suiteId, corpId);
  if (authorization?.status !== 'active' || authorization.permanentCode === undefined) {
    return undefined;
  }
  deps.recentAuthorizations?.set(authorization, deps.clock.nowMs());
  return authorization.permanentCode;
};
