import { grantFor } from './authorization.ts';
import {
  type AuthorizedCorp,
  grantKey,
  isCustomizedTemplate,
  type SimulatorState,
  splitGrantKey,
} from './simulator-state.ts';
import { type SuiteApiHandler, withSuiteToken } from './suite-tokens.ts';
import {
  type ApiFamily,
  type ApiHandler,
  type ApiRequest,
  isWeComError,
  type WeComAnswer,
  type WeComError,
  weComError,
} from './wecom-answer.ts';

/** Answers an API called with a corp's `?access_token=`, for the authorization it was issued for. */
export type CorpApiHandler = (
  state: SimulatorState,
  corp: AuthorizedCorp,
  request: ApiRequest,
) => WeComAnswer;

/** Whether `value` is a corp token WeCom would accept right now. */
export const isValidCorpToken = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  value: string,
): boolean => state.accepts(state.corpTokens.get(grantKey(suiteId, corpId)), value);

/** Makes the corp's token invalid before its time, as WeCom sometimes does. */
export const invalidateCorpToken = (state: SimulatorState, suiteId: string, corpId: string): void => {
  state.corpTokens.delete(grantKey(suiteId, corpId));
};

// 42001 when the token has expired, 40014 when WeCom never issued it (or has ended it).
const corpOfToken = (state: SimulatorState, query: URLSearchParams): AuthorizedCorp | WeComError => {
  const value = query.get('access_token');
  for (const [key, token] of state.corpTokens) {
    if (token.value === value) {
      return token.expiresAtMs > state.nowMs()
        ? splitGrantKey(key)
        : weComError(42001, 'access_token expired');
    }
  }
  return weComError(40014, 'invalid access_token');
};

/**
 * An API WeCom answers only for a valid corp `access_token`: the token's error comes before
 * anything the API itself checks.
 */
export const withCorpToken =
  (answer: CorpApiHandler): ApiHandler =>
  (state, request) => {
    const corp = corpOfToken(state, request.query);
    return isWeComError(corp) ? corp : answer(state, corp, request);
  };

// service/get_corp_token: third-party apps only; 代开发 templates (dk…) use gettoken.
const getCorpToken: SuiteApiHandler = (state, suiteId, { body }) => {
  if (isCustomizedTemplate(suiteId)) {
    return weComError(48002, 'api forbidden for customized app templates; use gettoken');
  }
  const corpId = String(body.auth_corpid);
  const grant = grantFor(state, suiteId, corpId, body.permanent_code);
  if (isWeComError(grant)) {
    return grant;
  }
  const token = state.reuseOrIssue(
    state.corpTokens,
    grantKey(suiteId, corpId),
    'service/get_corp_token',
    'corp',
  );
  return { access_token: token.value, expires_in: state.expiresIn(token) };
};

// gettoken: a 代开发 app's permanent code is the corp's secret for it.
const getToken = (state: SimulatorState, query: URLSearchParams): WeComAnswer => {
  const corpId = query.get('corpid') ?? '';
  for (const [key, grant] of state.grants) {
    const authorized = splitGrantKey(key);
    if (
      authorized.corpId === corpId &&
      isCustomizedTemplate(authorized.suiteId) &&
      grant.permanentCode === query.get('corpsecret')
    ) {
      if (grant.revoked) {
        return weComError(48004, 'auth relation invalid');
      }
      const token = state.reuseOrIssue(state.corpTokens, key, 'gettoken', 'corp');
      return { errcode: 0, errmsg: 'ok', access_token: token.value, expires_in: state.expiresIn(token) };
    }
  }
  return weComError(40001, 'invalid secret');
};

/** The corp access token APIs: the third-party one and 代开发's gettoken. */
export const corpTokenApis: ApiFamily = [
  ['service/get_corp_token', withSuiteToken(getCorpToken)],
  ['gettoken', (state, { query }) => getToken(state, query)],
];
