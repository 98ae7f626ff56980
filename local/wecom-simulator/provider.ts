import { randomBytes } from 'node:crypto';
import { isCustomizedTemplate, type SimulatorState } from './simulator-state.ts';
import { type ApiFamily, type WeComAnswer, weComError } from './wecom-answer.ts';

// The provider has one token at a time.
const PROVIDER = 'provider';

/** Whether `value` is the provider token WeCom would accept right now. */
export const isValidProviderToken = (state: SimulatorState, value: string): boolean =>
  state.accepts(state.providerTokens.get(PROVIDER), value);

// service/get_provider_token: the provider's corp id and secret.
const getProviderToken = (state: SimulatorState, body: Record<string, unknown>): WeComAnswer => {
  const { providerCorpId, providerSecret } = state.options;
  if (providerCorpId === undefined || body.corpid !== providerCorpId) {
    return weComError(40013, 'invalid corpid');
  }
  if (providerSecret === undefined || body.provider_secret !== providerSecret) {
    return weComError(40001, 'invalid provider_secret');
  }
  const token = state.reuseOrIssue(state.providerTokens, PROVIDER, 'service/get_provider_token', 'provider');
  // Like the real API: no errcode on success.
  return { provider_access_token: token.value, expires_in: state.expiresIn(token) };
};

// service/get_customized_auth_url: the QR code URL a corp scans to authorize 1–9 代开发 templates.
const getCustomizedAuthUrl = (
  state: SimulatorState,
  query: URLSearchParams,
  body: Record<string, unknown>,
): WeComAnswer => {
  const token = state.providerTokens.get(PROVIDER);
  if (token === undefined || token.value !== query.get('provider_access_token')) {
    return weComError(40082, 'invalid provider_access_token');
  }
  if (token.expiresAtMs <= state.nowMs()) {
    return weComError(42009, 'provider_access_token expired');
  }
  const ids = body.templateid_list;
  if (
    !Array.isArray(ids) ||
    ids.length === 0 ||
    ids.length > 9 ||
    !ids.every((id) => typeof id === 'string' && isCustomizedTemplate(id) && state.suites.has(id))
  ) {
    return weComError(40058, 'invalid templateid_list');
  }
  // The link carries no state: WeCom keeps it and hands it back on the install (create_auth's
  // State, v2 get_permanent_code's state), so the simulator remembers it by the link's ticket.
  const ticket = randomBytes(12).toString('hex');
  if (typeof body.state === 'string' && body.state !== '') {
    state.customizedAuthStates.set(ticket, body.state);
  }
  return {
    errcode: 0,
    errmsg: 'ok',
    qrcode_url: `https://open.work.weixin.qq.com/3rdservice/wework/customized-auth?ticket=${ticket}`,
    expires_in: 864000,
  };
};

/** The provider APIs: the provider access token and the 代开发 authorization URL it unlocks. */
export const providerApis: ApiFamily = [
  ['service/get_provider_token', (state, { body }) => getProviderToken(state, body)],
  ['service/get_customized_auth_url', (state, { query, body }) => getCustomizedAuthUrl(state, query, body)],
];
