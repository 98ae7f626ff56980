import { withCorpToken } from './corp-tokens.ts';
import { type AuthorizedCorp, grantKey, type SimulatorState } from './simulator-state.ts';
import { type ApiFamily, type WeComAnswer, weComError } from './wecom-answer.ts';

const HOUR_MS = 60 * 60 * 1000;
/** WeCom's hourly JS-SDK ticket quotas (document/path/90506): per corp, and per app of the corp (both kinds count). */
export const JSAPI_QUOTA_PER_HOUR = { corp: 400, agent: 100 } as const;

/** The corp's JS-SDK ticket (`corp`, for wx.config) or the app's (`agent`, for wx.agentConfig). */
type JsapiTicketType = 'corp' | 'agent';

const ticketKey = (suiteId: string, corpId: string, type: JsapiTicketType) =>
  `${type}|${grantKey(suiteId, corpId)}`;

/** Ends a JS-SDK ticket before its time, as WeCom may (the next fetch gets a new one). */
export const invalidateJsapiTicket = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  type: JsapiTicketType,
): void => {
  state.jsapiTickets.delete(ticketKey(suiteId, corpId, type));
};

/** When each JS-SDK ticket fetch for the corp happened (of `type`), quota-limited ones included. */
export const jsapiFetchTimes = (state: SimulatorState, corpId: string, type: JsapiTicketType): number[] =>
  state.jsapiFetches.filter((fetch) => fetch.corpId === corpId && fetch.type === type).map((f) => f.atMs);

// get_jsapi_ticket and ticket/get: the same ticket while it is valid, within the hourly quotas.
const getJsapiTicket = (
  state: SimulatorState,
  { suiteId, corpId }: AuthorizedCorp,
  type: JsapiTicketType,
): WeComAnswer => {
  const now = state.nowMs();
  // A corp may fetch 400 tickets an hour, one app of it 100 (both kinds count); refused calls
  // are recorded (jsapiFetchTimes) but use no quota.
  const lastHour = state.jsapiFetches.filter(
    (fetch) => fetch.corpId === corpId && now - fetch.atMs < HOUR_MS && fetch.served,
  );
  const overQuota =
    lastHour.length >= JSAPI_QUOTA_PER_HOUR.corp ||
    lastHour.filter((fetch) => fetch.suiteId === suiteId).length >= JSAPI_QUOTA_PER_HOUR.agent;
  state.jsapiFetches.push({ type, suiteId, corpId, atMs: now, served: !overQuota });
  if (overQuota) {
    return weComError(45009, 'api freq out of limit');
  }
  const ticket = state.reuseOrIssue(
    state.jsapiTickets,
    ticketKey(suiteId, corpId, type),
    type === 'corp' ? 'get_jsapi_ticket' : 'ticket/get',
    `jsapi-${type}`,
  );
  return { errcode: 0, errmsg: 'ok', ticket: ticket.value, expires_in: state.expiresIn(ticket) };
};

const getAgentTicket = withCorpToken((state, corp) => getJsapiTicket(state, corp, 'agent'));

/** The JS-SDK ticket APIs: the corp's (wx.config) and the app's (wx.agentConfig). */
export const jsapiTicketApis: ApiFamily = [
  ['get_jsapi_ticket', withCorpToken((state, corp) => getJsapiTicket(state, corp, 'corp'))],
  [
    'ticket/get',
    // WeCom checks the type before the token.
    (state, request) =>
      request.query.get('type') === 'agent_config'
        ? getAgentTicket(state, request)
        : weComError(40003, 'invalid type'),
  ],
];
