import { randomBytes } from 'node:crypto';
import { type Grant, grantKey, isCustomizedTemplate, type SimulatorState } from './simulator-state.ts';
import { type SuiteApiHandler, withSuiteToken } from './suite-tokens.ts';
import { type ApiFamily, isWeComError, type WeComError, weComError } from './wecom-answer.ts';

const AUTH_CODE_LIFETIME_MS = 10 * 60 * 1000;

/** A corp installs the app: returns the auth code WeCom would push in create_auth. */
export const authorizeCorp = (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  corpName = `Corp ${corpId}`,
): string => {
  state.requireSuite(suiteId);
  // WeCom's auth codes are 64–512 characters.
  const authCode = `authcode-${randomBytes(32).toString('hex')}`;
  state.codes.set(authCode, { suiteId, corpId, corpName, issuedAtMs: state.nowMs(), used: false });
  return authCode;
};

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
  };
  state.grants.set(key, grant);
  // A new permanent code (re-install or 代开发 secret reset) invalidates the corp's old tokens.
  state.corpTokens.delete(key);
  state.countIssued('service/v2/get_permanent_code');
  return {
    errcode: 0,
    errmsg: 'ok',
    permanent_code: grant.permanentCode,
    auth_corp_info: { corpid: code.corpId, corp_name: code.corpName },
    auth_user_info: { userid: 'admin' },
  };
};

// service/get_auth_info: what the corp granted, for its current permanent code.
const getAuthInfo: SuiteApiHandler = (state, suiteId, { body }) => {
  const corpId = String(body.auth_corpid);
  const grant = grantFor(state, suiteId, corpId, body.permanent_code);
  if (isWeComError(grant)) {
    return grant;
  }
  return {
    errcode: 0,
    errmsg: 'ok',
    auth_corp_info: { corpid: corpId, corp_name: grant.corpName },
    auth_info: { agent: [{ agentid: grant.agentId, name: 'Simulated app', auth_mode: 0 }] },
  };
};

/** The authorization APIs: an auth code for the permanent code, and the authorization's info. */
export const authorizationApis: ApiFamily = [
  ['service/v2/get_permanent_code', withSuiteToken(getPermanentCode)],
  ['service/get_auth_info', withSuiteToken(getAuthInfo)],
];
