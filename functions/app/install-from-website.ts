import type { RegisteredSuite } from '../core/config/suite-registry.ts';
import { InstallStateError, InvalidRequestError } from '../core/errors.ts';
import {
  installStateKey,
  isInstallRef,
  issueInstallState,
  openInstallState,
} from '../core/install/install-state.ts';
import type { InstallCodeStore } from '../core/ports/auth-code-store.ts';
import { AUTH_CODE_RULE, isAuthCode } from '../core/wecom-values.ts';
import { PRE_AUTH_CODE_RESERVE_MS } from './credentials/ask-wecom.ts';
import { getCredential } from './credentials/get-credential.ts';
import type { TokenDeps } from './token-deps.ts';

/** What the install routes need beyond the token machinery. */
export interface InstallDeps extends TokenDeps {
  readonly installCodes: InstallCodeStore;
  /** Where WeCom's install page is (`https://open.work.weixin.qq.com`; the sandbox's simulator locally). */
  readonly wecomOpenBase: string;
  readonly randomBytes: (size: number) => Uint8Array;
}

/**
 * `GET /install/{suiteId}[?ref=…]`: where to send the browser to install a third-party suite
 * from the provider's website (docs/wecom-protocol.md §5.4–5.5).
 *
 * 1. The suite must be a configured third-party suite (UnknownSuiteError; 代开发 templates are
 *    authorized with customized-auth-url) and `ref`, if any, [A-Za-z0-9_-] 1–64.
 * 2. The suite's pre-auth code from the shared credential cache: minted single-flight (with
 *    set_session_info auth_type 1 when the suite is in installTestMode) and shared by every
 *    install while it has PRE_AUTH_CODE_RESERVE_MS left. So anonymous traffic cannot spend
 *    WeCom's quotas: a flood costs WeCom nothing beyond that one call per 10 minutes.
 * 3. A state bound to the suite, carrying `ref`, expiring with the pre-auth code; issuing it
 *    writes nothing.
 */
export const beginInstall = async (
  deps: InstallDeps,
  input: { readonly suiteId: string; readonly ref?: string; readonly completeUrl: string },
): Promise<{ readonly location: string }> => {
  const suite = await installableSuite(deps, input.suiteId);
  if (input.ref !== undefined && !isInstallRef(input.ref)) {
    throw new InvalidRequestError('MALFORMED_PARAMETER', 'ref must be 1-64 letters, digits, - or _');
  }
  const preAuthCode = await getPreAuthCode(deps, suite);
  const state = issueInstallState(installStateKey(suite.suiteSecret), {
    suiteId: suite.suiteId,
    expiresAtMs: preAuthCode.endsAtMs,
    nonce: deps.randomBytes(8),
    ...(input.ref === undefined ? {} : { ref: input.ref }),
  });
  const location = new URL('/3rdapp/install', deps.wecomOpenBase);
  location.search = new URLSearchParams({
    suite_id: suite.suiteId,
    pre_auth_code: preAuthCode.value,
    redirect_uri: input.completeUrl,
    state,
  }).toString();
  return { location: location.toString() };
};

/** What a completed install redirect led to. */
export interface InstallReceipt {
  /**
   * `duplicate`: the same code came back with a fresh state (it is stored once); `repeated`: the
   * same state and code again (a reload of the completion page), answered as the first time.
   */
  readonly outcome: 'stored' | 'duplicate' | 'repeated';
  readonly ref?: string;
  /** The suite's installCompleteUrl, if configured. */
  readonly completeUrl?: string;
}

/**
 * `GET /install/{suiteId}/complete?auth_code=…&state=…`: the browser back from WeCom.
 *
 * 1. The state must be one this service issued for this suite, unexpired (InstallStateError);
 *    checked before anything else, so a forged request learns nothing and changes nothing.
 * 2. The auth code is stored exactly like a create_auth push, in one transaction with the
 *    state's single use. The same state with the same code again (the browser reloads the page,
 *    or goes back and forward) stores nothing and is answered as the first time, so the redirect
 *    repeats without a second exchange; with another code it is refused (InstallStateError
 *    `REUSED`). The table's stream hands the code to auth-exchange, the same path as a pushed code.
 */
export const completeInstall = async (
  deps: InstallDeps,
  input: { readonly suiteId: string; readonly authCode?: string; readonly state?: string },
): Promise<InstallReceipt> => {
  const suite = await installableSuite(deps, input.suiteId);
  if (input.state === undefined || input.state === '') {
    throw new InstallStateError('MISSING', 'the redirect carries no state');
  }
  const nowMs = deps.clock.nowMs();
  const opened = openInstallState(installStateKey(suite.suiteSecret), suite.suiteId, input.state, nowMs);
  if (input.authCode === undefined || input.authCode === '') {
    throw new InvalidRequestError('MISSING_PARAMETER', 'the redirect carries no auth_code');
  }
  if (!isAuthCode(input.authCode)) {
    throw new InvalidRequestError('MALFORMED_PARAMETER', `auth_code must be ${AUTH_CODE_RULE}`);
  }
  const outcome = await deps.installCodes.recordInstallCode(
    {
      suiteId: suite.suiteId,
      authCode: input.authCode,
      source: 'install',
      timeStamp: Math.floor(nowMs / 1000),
      receivedAtMs: nowMs,
      ...(opened.ref === undefined ? {} : { installRef: opened.ref }),
    },
    opened.stateId,
    opened.expiresAtMs,
  );
  if (outcome === 'state_used') {
    throw new InstallStateError('REUSED', 'the install link was already used; start the installation again');
  }
  return {
    outcome,
    ...(opened.ref === undefined ? {} : { ref: opened.ref }),
    ...(suite.installCompleteUrl === undefined ? {} : { completeUrl: suite.installCompleteUrl }),
  };
};

const installableSuite = async (deps: InstallDeps, suiteId: string): Promise<RegisteredSuite> => {
  const suite = (await deps.registry.current()).get(suiteId);
  if (suite.kind === 'customized') {
    throw new InvalidRequestError(
      'MALFORMED_PARAMETER',
      '代开发 templates are not installed from a link; use customized-auth-url',
    );
  }
  return suite;
};

const getPreAuthCode = async (
  deps: InstallDeps,
  suite: RegisteredSuite,
): Promise<{ readonly value: string; readonly endsAtMs: number }> => {
  const code = await getCredential(deps, { kind: 'pre_auth_code', suite });
  return { value: code.value, endsAtMs: code.expiresAtMs + PRE_AUTH_CODE_RESERVE_MS };
};
