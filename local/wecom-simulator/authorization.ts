import { randomBytes } from 'node:crypto';
import {
  type Grant,
  grantKey,
  isCustomizedTemplate,
  type SimulatedEdition,
  type SimulatorState,
  splitGrantKey,
} from './simulator-state.ts';
import { type SuiteApiHandler, withSuiteToken } from './suite-tokens.ts';
import { type ApiFamily, isWeComError, type WeComError, weComError } from './wecom-answer.ts';

const AUTH_CODE_LIFETIME_MS = 10 * 60 * 1000;

/**
 * A corp installs the app: returns the auth code WeCom would push in create_auth. `installState`:
 * the `state` of the link or QR code it installed through, which v2 get_permanent_code hands back.
 */
export const authorizeCorp = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  corpName = `Corp ${corpId}`,
  installState?: string,
): string => {
  state.requireSuite(suiteId);
  // WeCom's auth codes are 64–512 characters.
  const authCode = `authcode-${randomBytes(32).toString('hex')}`;
  state.codes.set(authCode, {
    suiteId,
    corpId,
    corpName,
    issuedAtMs: state.nowMs(),
    used: false,
    ...(installState === undefined || installState === '' ? {} : { state: installState }),
  });
  return authCode;
};

/**
 * A corp's admin scans a 代开发 QR code link (service/get_customized_auth_url) and authorizes
 * `suiteId`: returns the auth code, which remembers the state the link was made with.
 */
export const authorizeByQrCode = (
  state: SimulatorState,
  qrcodeUrl: string,
  suiteId: string,
  corpId: string,
): string => {
  const ticket = new URL(qrcodeUrl).searchParams.get('ticket') ?? '';
  return authorizeCorp(state, suiteId, corpId, undefined, state.customizedAuthStates.get(ticket));
};

/** The corp's paid edition changes (WeCom then pushes change_editon); get_auth_info reports it. */
export const setEdition = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  edition: SimulatedEdition,
): void => {
  const grant = state.grants.get(grantKey(suiteId, corpId));
  if (grant === undefined) {
    throw new Error(`${corpId} has not authorized ${suiteId}`);
  }
  grant.edition = edition;
};

/** The suites `corpId` has authorized and not uninstalled: the corps a sandbox control may act for. */
export const authorizedSuitesOf = (state: SimulatorState, corpId: string): string[] =>
  [...state.grants.entries()]
    .filter(([key, grant]) => !grant.revoked && splitGrantKey(key).corpId === corpId)
    .map(([key]) => splitGrantKey(key).suiteId);

/** The corp's paid edition of the suite, if it has one. */
export const editionOf = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
): SimulatedEdition | undefined => state.grants.get(grantKey(suiteId, corpId))?.edition;

/**
 * 代开发 only: the provider resets a corp's secret; the old one stops working at once (gettoken
 * answers 40001) and the reset_permanent_code push carries the auth code for the new one.
 */
export const resetPermanentCode = (state: SimulatorState, suiteId: string, corpId: string): string => {
  if (!isCustomizedTemplate(suiteId)) {
    throw new Error(`reset_permanent_code exists only for 代开发 templates (dk…), not ${suiteId}`);
  }
  const grant = state.grants.get(grantKey(suiteId, corpId));
  if (grant === undefined) {
    throw new Error(`${corpId} has not authorized ${suiteId}`);
  }
  state.grants.set(grantKey(suiteId, corpId), {
    ...grant,
    permanentCode: `reset-${randomBytes(8).toString('hex')}`,
  });
  state.corpTokens.delete(grantKey(suiteId, corpId));
  return authorizeCorp(state, suiteId, corpId, grant.corpName);
};

/** Revokes (the corp uninstalls) or restores the corp's authorization; revoking ends its tokens. */
export const setRevoked = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  revoked: boolean,
): void => {
  const grant = state.grants.get(grantKey(suiteId, corpId));
  if (grant !== undefined) {
    grant.revoked = revoked;
  }
  if (revoked) {
    state.corpTokens.delete(grantKey(suiteId, corpId));
  }
};

/** Whether the corp's authorization came through a test-mode pre-auth code (auth_type 1). */
export const authTypeOf = (state: SimulatorState, suiteId: string, corpId: string): 0 | 1 | undefined =>
  state.grants.get(grantKey(suiteId, corpId))?.authType;

/**
 * The corp's grant if `permanentCode` is its current one: 40084 for any other (an old code after a
 * re-install or reset), 48004 once the corp has uninstalled.
 */
export const grantFor = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  permanentCode: unknown,
): Grant | WeComError => {
  const grant = state.grants.get(grantKey(suiteId, corpId));
  if (grant === undefined || grant.permanentCode !== permanentCode) {
    return weComError(40084, 'invalid permanent_code');
  }
  if (grant.revoked) {
    return weComError(48004, 'auth relation invalid');
  }
  return grant;
};

// service/v2/get_permanent_code: each auth code once, within 10 minutes, by its own suite.
const getPermanentCode: SuiteApiHandler = (state, suiteId, { body }) => {
  state.countPermanentCodeAsk(String(body.auth_code));
  const code = state.codes.get(String(body.auth_code));
  if (
    code === undefined ||
    code.used ||
    code.suiteId !== suiteId ||
    state.nowMs() - code.issuedAtMs > AUTH_CODE_LIFETIME_MS
  ) {
    return weComError(40078, 'invalid auth_code');
  }
  code.used = true;
  const key = grantKey(suiteId, code.corpId);
  const previous = state.grants.get(key);
  const grant: Grant = {
    permanentCode: `permanent-${randomBytes(16).toString('hex')}`,
    corpName: code.corpName,
    agentId: previous?.agentId ?? state.nextAgentId++,
    revoked: false,
    ...(code.authType === undefined ? {} : { authType: code.authType }),
    ...(previous?.edition === undefined ? {} : { edition: previous.edition }),
  };
  state.grants.set(key, grant);
  // A new permanent code (re-install or 代开发 secret reset) invalidates the corp's old tokens.
  state.corpTokens.delete(key);
  state.countIssued('service/v2/get_permanent_code');
  // As document/path/100776 shows it: no access_token, no agents, no dealer; the installer's
  // name is their userid for a third-party app (WeCom no longer gives real names, 91122); `state`
  // is the link's or QR code's, whichever path the install took.
  return {
    errcode: 0,
    errmsg: 'ok',
    permanent_code: grant.permanentCode,
    auth_corp_info: { corpid: code.corpId, corp_name: code.corpName },
    auth_user_info: {
      userid: 'ZhangSan',
      open_userid: `wo${code.corpId.slice(2)}ZhangSan`,
      name: 'ZhangSan',
      avatar: 'https://wework.qpic.cn/wwhead/simulated/0',
    },
    ...(code.state === undefined ? {} : { state: code.state }),
  };
};

// service/get_auth_info and, for 代开发, service/v2/get_auth_info: what the corp granted, for its
// current permanent code, in the shape of document/14943 (paid fields: document/path/91912).
const getAuthInfo =
  (version: 'v1' | 'v2'): SuiteApiHandler =>
  (state, suiteId, { body }) => {
    if (version === 'v2' && !isCustomizedTemplate(suiteId)) {
      // The v2 path is documented for 代开发 templates only (document/path/100795).
      return weComError(48002, 'api forbidden');
    }
    const corpId = String(body.auth_corpid);
    const grant = grantFor(state, suiteId, corpId, body.permanent_code);
    if (isWeComError(grant)) {
      return grant;
    }
    return {
      errcode: 0,
      errmsg: 'ok',
      auth_corp_info: { corpid: corpId, corp_name: grant.corpName },
      auth_info: {
        agent: [
          {
            agentid: grant.agentId,
            name: 'Simulated app',
            round_logo_url: 'https://p.qlogo.cn/simulated/round',
            square_logo_url: 'https://p.qlogo.cn/simulated/square',
            auth_mode: 0,
            is_customized_app: isCustomizedTemplate(suiteId),
            auth_from_thirdapp: false,
            privilege: {
              level: 1,
              allow_party: [1],
              allow_user: [],
              allow_tag: [],
              extra_party: [],
              extra_user: [],
              extra_tag: [],
            },
          },
        ],
      },
      ...(grant.edition === undefined
        ? {}
        : {
            edition_info: {
              agent: [
                {
                  agentid: grant.agentId,
                  edition_id: grant.edition.editionId,
                  edition_name: grant.edition.editionName,
                  app_status: grant.edition.appStatus,
                  user_limit: grant.edition.userLimit,
                  expired_time: grant.edition.expiredTime,
                  is_virtual_version: grant.edition.isVirtualVersion ?? false,
                  is_shared_from_other_corp: grant.edition.isSharedFromOtherCorp ?? false,
                },
              ],
            },
          }),
    };
  };

/** The authorization APIs: an auth code for the permanent code, and the authorization's info. */
export const authorizationApis: ApiFamily = [
  ['service/v2/get_permanent_code', withSuiteToken(getPermanentCode)],
  ['service/get_auth_info', withSuiteToken(getAuthInfo('v1'))],
  ['service/v2/get_auth_info', withSuiteToken(getAuthInfo('v2'))],
];
