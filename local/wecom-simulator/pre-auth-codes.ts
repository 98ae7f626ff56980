import { randomBytes } from 'node:crypto';
import type { PreAuthCode, SimulatorState } from './simulator-state.ts';
import { type SuiteApiHandler, withSuiteToken } from './suite-tokens.ts';
import { type ApiFamily, weComError } from './wecom-answer.ts';

const PRE_AUTH_CODE_LIFETIME_SECONDS = 1200;

/** The suite's pre-auth code `value` while it is live, or why it is not. */
export const livePreAuthCode = (
  state: SimulatorState,
  suiteId: string,
  value: unknown,
): PreAuthCode | 'invalid' | 'expired' => {
  const code = state.preAuthCodes.get(String(value));
  if (code === undefined || code.suiteId !== suiteId) {
    return 'invalid';
  }
  return state.nowMs() - code.issuedAtMs > PRE_AUTH_CODE_LIFETIME_SECONDS * 1000 ? 'expired' : code;
};

// service/get_pre_auth_code: a new code on every call, each valid 1200 s (document/path/90601).
const getPreAuthCode: SuiteApiHandler = (state, suiteId) => {
  const code = `preauth-${randomBytes(24).toString('hex')}`;
  state.preAuthCodes.set(code, { suiteId, issuedAtMs: state.nowMs(), authType: 0 });
  state.countIssued('service/get_pre_auth_code');
  return { errcode: 0, errmsg: 'ok', pre_auth_code: code, expires_in: PRE_AUTH_CODE_LIFETIME_SECONDS };
};

// service/set_session_info: auth_type 1 makes the installs through this code test authorizations.
const setSessionInfo: SuiteApiHandler = (state, suiteId, { body }) => {
  const code = livePreAuthCode(state, suiteId, body.pre_auth_code);
  if (typeof code === 'string') {
    return code === 'expired'
      ? weComError(42007, 'pre_auth_code expired')
      : weComError(40077, 'invalid pre_auth_code');
  }
  const authType = (body.session_info as { auth_type?: unknown } | undefined)?.auth_type;
  if (authType !== 0 && authType !== 1) {
    return weComError(40097, 'invalid auth_type');
  }
  code.authType = authType;
  return { errcode: 0, errmsg: 'ok' };
};

/** The pre-auth code and session APIs that prepare an install from the provider's website. */
export const preAuthCodeApis: ApiFamily = [
  ['service/get_pre_auth_code', withSuiteToken(getPreAuthCode)],
  ['service/set_session_info', withSuiteToken(setSessionInfo)],
];
