import { randomBytes } from 'node:crypto';
import type { SimulatorState } from './simulator-state.ts';
import {
  type ApiFamily,
  type ApiHandler,
  type ApiRequest,
  type WeComAnswer,
  type WeComError,
  weComError,
} from './wecom-answer.ts';

const TICKET_LIFETIME_MS = 30 * 60 * 1000;

/** Answers an API called with `?suite_access_token=`, for the suite the token belongs to. */
export type SuiteApiHandler = (state: SimulatorState, suiteId: string, request: ApiRequest) => WeComAnswer;

/** Issues a new suite_ticket (the old one stops working) and returns it with its TimeStamp. */
export const issueSuiteTicket = (
  state: SimulatorState,
  suiteId: string,
): { suiteTicket: string; timeStamp: number } => {
  state.requireSuite(suiteId);
  const suiteTicket = `ticket-${randomBytes(12).toString('hex')}`;
  const issuedAtMs = state.nowMs();
  const live = (state.tickets.get(suiteId) ?? []).filter(
    (ticket) => issuedAtMs - ticket.issuedAtMs <= TICKET_LIFETIME_MS,
  );
  // Real pushes are 10 minutes apart; when a test issues several within a second, each still
  // carries a newer TimeStamp than the last, as WeCom's would.
  const previous = live.at(-1)?.timeStamp ?? 0;
  const timeStamp = Math.max(Math.floor(issuedAtMs / 1000), previous + 1);
  state.tickets.set(suiteId, [...live, { value: suiteTicket, issuedAtMs, timeStamp }]);
  return { suiteTicket, timeStamp };
};

/** Whether `value` is a suite token WeCom would accept right now. */
export const isValidSuiteToken = (state: SimulatorState, suiteId: string, value: string): boolean =>
  state.accepts(state.suiteTokens.get(suiteId), value);

// 42009 when the token has expired, 40082 when WeCom never issued it.
const suiteOfToken = (state: SimulatorState, query: URLSearchParams): string | WeComError => {
  const value = query.get('suite_access_token');
  for (const [suiteId, token] of state.suiteTokens) {
    if (token.value === value) {
      return token.expiresAtMs > state.nowMs() ? suiteId : weComError(42009, 'suite_access_token expired');
    }
  }
  return weComError(40082, 'invalid suite_access_token or provider_access_token');
};

/**
 * An API WeCom answers only for a valid `suite_access_token`: the token's error comes before
 * anything the API itself checks.
 */
export const withSuiteToken =
  (answer: SuiteApiHandler): ApiHandler =>
  (state, request) => {
    const suiteId = suiteOfToken(state, request.query);
    return typeof suiteId === 'string' ? answer(state, suiteId, request) : suiteId;
  };

// service/get_suite_token: needs the suite's secret and any of its tickets still live.
const getSuiteToken = (state: SimulatorState, body: Record<string, unknown>): WeComAnswer => {
  const suite = state.suites.get(String(body.suite_id));
  if (suite === undefined) {
    return weComError(40083, 'invalid suite_id');
  }
  if (body.suite_secret !== suite.suiteSecret) {
    return weComError(40080, 'invalid suite_secret');
  }
  const ticket = state.tickets.get(suite.suiteId)?.find((issued) => issued.value === body.suite_ticket);
  if (ticket === undefined || state.nowMs() - ticket.issuedAtMs > TICKET_LIFETIME_MS) {
    return weComError(40085, 'invalid suite_ticket');
  }
  const token = state.reuseOrIssue(state.suiteTokens, suite.suiteId, 'service/get_suite_token', 'suite');
  // Like the real API: no errcode on success.
  return { suite_access_token: token.value, expires_in: state.expiresIn(token) };
};

/** The suite access token API. */
export const suiteTokenApis: ApiFamily = [
  ['service/get_suite_token', (state, { body }) => getSuiteToken(state, body)],
];
