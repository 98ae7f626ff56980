import { randomBytes } from 'node:crypto';
import { withCorpToken } from './corp-tokens.ts';
import { isCustomizedTemplate, type SimulatorState } from './simulator-state.ts';
import { withSuiteToken } from './suite-tokens.ts';
import { type ApiFamily, type WeComAnswer, weComError } from './wecom-answer.ts';

const OAUTH_CODE_LIFETIME_MS = 5 * 60 * 1000;
const USER_TICKET_LIFETIME_SECONDS = 1800;

/**
 * Third-party apps ask with the suite access token (…3rd APIs); 代开发 apps ask as the corp, with
 * its access token.
 */
type AppKind = 'third_party' | 'customized';

/**
 * A user signs in to the app in `corpId` (OAuth, document/path/91121): the code WeCom appends to
 * the redirect. Single use, 5 minutes. Without `userId` the user is not a member (an openid).
 */
export const issueOAuthCode = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  userId?: string,
): string => {
  state.requireSuite(suiteId);
  const code = `oauth-${randomBytes(16).toString('hex')}`;
  state.oauthCodes.set(code, {
    suiteId,
    corpId,
    issuedAtMs: state.nowMs(),
    used: false,
    ...(userId === undefined ? {} : { userId }),
  });
  return code;
};

// getuserinfo: the OAuth code for who signed in; a member also gets a user_ticket for the details.
// A third-party app's code may be of any corp; a 代开发 app's only of the corp whose token it uses.
const getUserInfo = (
  state: SimulatorState,
  app: { readonly suiteId: string; readonly corpId?: string },
  query: URLSearchParams,
  kind: AppKind,
): WeComAnswer => {
  const code = state.oauthCodes.get(query.get('code') ?? '');
  if (
    code === undefined ||
    code.used ||
    code.suiteId !== app.suiteId ||
    (app.corpId !== undefined && code.corpId !== app.corpId) ||
    state.nowMs() - code.issuedAtMs > OAUTH_CODE_LIFETIME_MS
  ) {
    return weComError(40029, 'invalid code');
  }
  code.used = true;
  if (code.userId === undefined) {
    return { errcode: 0, errmsg: 'ok', openid: `openid-${randomBytes(8).toString('hex')}` };
  }
  const userTicket = `userticket-${randomBytes(16).toString('hex')}`;
  state.userTickets.set(userTicket, {
    suiteId: app.suiteId,
    corpId: code.corpId,
    userId: code.userId,
    issuedAtMs: state.nowMs(),
  });
  return {
    errcode: 0,
    errmsg: 'ok',
    ...(kind === 'third_party' ? { corpid: code.corpId, open_userid: `open-${code.userId}` } : {}),
    userid: code.userId,
    user_ticket: userTicket,
    expires_in: USER_TICKET_LIFETIME_SECONDS,
  };
};

// getuserdetail: the member's details for a live user_ticket; 代开发 apps see the sensitive fields.
const getUserDetail = (
  state: SimulatorState,
  suiteId: string,
  body: Record<string, unknown>,
  kind: AppKind,
): WeComAnswer => {
  const ticket = state.userTickets.get(String(body.user_ticket));
  if (ticket === undefined || ticket.suiteId !== suiteId) {
    return weComError(84015, 'invalid user ticket');
  }
  if (state.nowMs() - ticket.issuedAtMs > USER_TICKET_LIFETIME_SECONDS * 1000) {
    return weComError(84014, 'user ticket expired');
  }
  return {
    errcode: 0,
    errmsg: 'ok',
    corpid: ticket.corpId,
    userid: ticket.userId,
    gender: '1',
    avatar: `https://wework.qpic.cn/simulated/${ticket.userId}/0`,
    qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=${ticket.userId}`,
    ...(kind === 'customized'
      ? {
          mobile: '13800000000',
          email: `${ticket.userId}@example.com`,
          biz_mail: `${ticket.userId}@corp.example.com`,
          address: 'Simulated Road 1',
        }
      : {}),
  };
};

/** The sign-in (OAuth) APIs: who signed in, and a member's details. */
export const signInApis: ApiFamily = [
  [
    'service/auth/getuserinfo3rd',
    withSuiteToken((state, suiteId, { query }) =>
      isCustomizedTemplate(suiteId)
        ? weComError(48002, 'api forbidden for customized app templates; use auth/getuserinfo')
        : getUserInfo(state, { suiteId }, query, 'third_party'),
    ),
  ],
  [
    'auth/getuserinfo',
    withCorpToken((state, corp, { query }) => getUserInfo(state, corp, query, 'customized')),
  ],
  [
    'service/auth/getuserdetail3rd',
    withSuiteToken((state, suiteId, { body }) => getUserDetail(state, suiteId, body, 'third_party')),
  ],
  [
    'auth/getuserdetail',
    withCorpToken((state, corp, { body }) => getUserDetail(state, corp.suiteId, body, 'customized')),
  ],
];
