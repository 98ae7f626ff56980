import { createHash, randomBytes } from 'node:crypto';
import { withCorpToken } from './corp-tokens.ts';
import {
  grantKey,
  isCustomizedTemplate,
  type OAuthCode,
  type OAuthSignIn,
  type SimulatorState,
} from './simulator-state.ts';
import { withSuiteToken } from './suite-tokens.ts';
import { type ApiFamily, type WeComAnswer, weComError } from './wecom-answer.ts';

const OAUTH_CODE_LIFETIME_MS = 5 * 60 * 1000;
// 代开发 auth/getuserinfo: "user_ticket … 有效期为1800s", and no expires_in (document/path/96442).
const USER_TICKET_LIFETIME_SECONDS = 1800;

/**
 * Third-party apps ask with the suite access token (…3rd APIs); 代开发 apps ask as the corp, with
 * its access token.
 */
type AppKind = 'third_party' | 'customized';

/**
 * A user signs in to the app in `corpId` (OAuth, document/path/91121, 96442): the code WeCom
 * appends to the redirect. Single use, 5 minutes. Without `userId` the user is not a member.
 */
export const issueOAuthCode = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  signIn: OAuthSignIn = {},
): string => {
  state.requireSuite(suiteId);
  const code = `oauth-${randomBytes(16).toString('hex')}`;
  state.oauthCodes.set(code, {
    suiteId,
    corpId,
    scope: signIn.scope ?? 'snsapi_base',
    issuedAtMs: state.nowMs(),
    used: false,
    ...(signIn.userId === undefined ? {} : { userId: signIn.userId }),
    ...(signIn.externalUserId === undefined ? {} : { externalUserId: signIn.externalUserId }),
  });
  return code;
};

// A stable stand-in for the encrypted userid WeCom gives a third-party app for a corp it has no
// authorization relationship with (document/path/91121).
const cipherUserId = (corpId: string, userId: string): string =>
  `wo${createHash('sha256').update(`${corpId}|${userId}`).digest('hex').slice(0, 30)}`;

const hasActiveGrant = (state: SimulatorState, suiteId: string, corpId: string): boolean => {
  const grant = state.grants.get(grantKey(suiteId, corpId));
  return grant !== undefined && !grant.revoked;
};

const issueUserTicket = (state: SimulatorState, code: OAuthCode, suiteId: string, userId: string): string => {
  const userTicket = `userticket-${randomBytes(16).toString('hex')}`;
  state.userTickets.set(userTicket, {
    suiteId,
    corpId: code.corpId,
    userId,
    scope: code.scope,
    issuedAtMs: state.nowMs(),
  });
  return userTicket;
};

// getuserinfo3rd (document/path/91121): any WeCom user who opens the app's OAuth link gets an
// answer, installed or not. A member: corpid, userid (encrypted when the corp has no authorization
// of the app), open_userid, and a user_ticket with expires_in only for snsapi_userinfo or
// snsapi_privateinfo and a member in the app's visible range (none without an authorization).
// Anyone else: an openid only.
const getUserInfo3rd = (state: SimulatorState, suiteId: string, code: OAuthCode): WeComAnswer => {
  if (code.userId === undefined) {
    return { errcode: 0, errmsg: 'ok', openid: `openid-${randomBytes(8).toString('hex')}` };
  }
  const authorized = hasActiveGrant(state, suiteId, code.corpId);
  const withTicket = authorized && code.scope !== 'snsapi_base';
  return {
    errcode: 0,
    errmsg: 'ok',
    corpid: code.corpId,
    userid: authorized ? code.userId : cipherUserId(code.corpId, code.userId),
    open_userid: `open-${code.userId}`,
    ...(withTicket
      ? {
          user_ticket: issueUserTicket(state, code, suiteId, code.userId),
          expires_in: USER_TICKET_LIFETIME_SECONDS,
        }
      : {}),
  };
};

// auth/getuserinfo for a 代开发 app (document/path/96442): a member's userid, and a user_ticket only
// for snsapi_privateinfo, without expires_in (it lives 1800 s); an outsider's openid, and their
// external_userid when they are a customer of the corp.
const getCustomizedUserInfo = (state: SimulatorState, suiteId: string, code: OAuthCode): WeComAnswer => {
  if (code.userId === undefined) {
    return {
      errcode: 0,
      errmsg: 'ok',
      openid: `openid-${randomBytes(8).toString('hex')}`,
      ...(code.externalUserId === undefined ? {} : { external_userid: code.externalUserId }),
    };
  }
  return {
    errcode: 0,
    errmsg: 'ok',
    userid: code.userId,
    ...(code.scope === 'snsapi_privateinfo'
      ? { user_ticket: issueUserTicket(state, code, suiteId, code.userId) }
      : {}),
  };
};

// The OAuth code, spent; 40029 for one unknown, used, expired, or of another app (a 代开发 app's
// code is only good with the token of the corp it was issued in).
const spendCode = (
  state: SimulatorState,
  app: { readonly suiteId: string; readonly corpId?: string },
  query: URLSearchParams,
): OAuthCode | undefined => {
  const code = state.oauthCodes.get(query.get('code') ?? '');
  if (
    code === undefined ||
    code.used ||
    code.suiteId !== app.suiteId ||
    (app.corpId !== undefined && code.corpId !== app.corpId) ||
    state.nowMs() - code.issuedAtMs > OAUTH_CODE_LIFETIME_MS
  ) {
    return undefined;
  }
  code.used = true;
  return code;
};

const getUserInfo = (
  state: SimulatorState,
  app: { readonly suiteId: string; readonly corpId?: string },
  query: URLSearchParams,
  kind: AppKind,
): WeComAnswer => {
  const code = spendCode(state, app, query);
  if (code === undefined) {
    return weComError(40029, 'invalid code');
  }
  return kind === 'third_party'
    ? getUserInfo3rd(state, app.suiteId, code)
    : getCustomizedUserInfo(state, app.suiteId, code);
};

// getuserdetail: the member's details for a live user_ticket. getuserdetail3rd gives third-party
// apps the userid as `name` (document/path/91122: no real names since 2020-06-30), and gender,
// avatar and qr_code for real only with snsapi_privateinfo consent; 代开发 apps (auth/getuserdetail)
// get no name but the sensitive fields.
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
  const consented = ticket.scope === 'snsapi_privateinfo';
  return {
    errcode: 0,
    errmsg: 'ok',
    ...(kind === 'third_party' ? { corpid: ticket.corpId, name: ticket.userId } : {}),
    userid: ticket.userId,
    gender: consented ? '1' : '0',
    avatar: consented
      ? `https://wework.qpic.cn/simulated/${ticket.userId}/0`
      : 'https://wework.qpic.cn/simulated/default/0',
    ...(consented
      ? { qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=${ticket.userId}` }
      : {}),
    ...(kind === 'customized' && consented
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
