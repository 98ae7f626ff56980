import {
  authorizationApis,
  authorizeByQrCode,
  authorizeCorp,
  authorizedSuitesOf,
  authTypeOf,
  editionOf,
  resetPermanentCode,
  setEdition,
  setRevoked,
} from './authorization.ts';
import {
  type PushAnswer,
  pushCancel,
  pushChangeAuth,
  pushChangeEdition,
  pushCustomizedQrInstall,
  pushDataMessage,
  pushInstall,
  pushResetPermanentCode,
  pushSuiteEvent,
  pushSuiteTicket,
  pushSystemEvent,
  verifyCallbackUrl,
  verifySystemEventUrl,
} from './callback-pusher.ts';
import { corpTokenApis, invalidateCorpToken, isValidCorpToken } from './corp-tokens.ts';
import { FaultPlan, type SimulatedFault } from './faults.ts';
import { SimulatorServer } from './http-server.ts';
import { INSTALL_PAGE_PATH, type InstallHop, installPage, installViaWebsite } from './install-page.ts';
import { invalidateJsapiTicket, jsapiFetchTimes, jsapiTicketApis } from './jsapi-tickets.ts';
import { preAuthCodeApis } from './pre-auth-codes.ts';
import { isValidProviderToken, providerApis } from './provider.ts';
import { issueOAuthCode, signInApis } from './sign-in.ts';
import {
  type OAuthSignIn,
  type SimulatedEdition,
  SimulatorState,
  type WeComSimulatorOptions,
} from './simulator-state.ts';
import { issueSuiteTicket, isValidSuiteToken, suiteTokenApis } from './suite-tokens.ts';
import { PAID_APP_EVENT_SHAPES, SYSTEM_EVENT_SHAPES, unknownSystemEvent } from './system-events.ts';

export type { SimulatedFault } from './faults.ts';
export { type InstallHop, SANDBOX_CORP_COOKIE } from './install-page.ts';
export { JSAPI_QUOTA_PER_HOUR } from './jsapi-tickets.ts';
export type {
  OAuthScope,
  OAuthSignIn,
  SimulatedEdition,
  SimulatedSuite,
  WeComSimulatorOptions,
} from './simulator-state.ts';

/**
 * A stand-in for qyapi.weixin.qq.com on 127.0.0.1 that behaves like the real one where the
 * credential service depends on it: it accepts only each suite's newest live suite_ticket, auth
 * codes once within 10 minutes, only the current permanent code, returns the same token while it
 * is valid, counts every call and every newly issued token, and suffers injected faults.
 * It also plays WeCom's side of callbacks: it signs and pushes suite_ticket and auth events.
 *
 * The class is the tests' handle on it; each API family (one module each) answers from one shared
 * {@link SimulatorState}.
 */
export class WeComSimulator {
  readonly #state: SimulatorState;
  readonly #faults = new FaultPlan();
  readonly #server: SimulatorServer;

  constructor(options: WeComSimulatorOptions) {
    this.#state = new SimulatorState(options);
    this.#server = new SimulatorServer(this.#state, this.#faults, {
      apis: new Map([
        ...suiteTokenApis,
        ...preAuthCodeApis,
        ...authorizationApis,
        ...corpTokenApis,
        ...signInApis,
        ...jsapiTicketApis,
        ...providerApis,
      ]),
      pages: new Map([[INSTALL_PAGE_PATH, installPage]]),
    });
  }

  /** The base URL to use as WECOM_API_BASE. */
  get baseUrl(): string {
    return this.#server.baseUrl;
  }

  async start(): Promise<this> {
    await this.#server.start(this.#state.options.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    await this.#server.stop();
  }

  /** How many times an API (e.g. `service/get_corp_token`) was called, faults included. */
  calls(api: string): number {
    return this.#state.calls(api);
  }

  /** How many get_permanent_code calls named `authCode`, answered or refused. */
  permanentCodeAsks(authCode: string): number {
    return this.#state.permanentCodeAsks(authCode);
  }

  /** How many new tokens an API issued (a repeated fetch of a still-valid token does not count). */
  issuedTokens(api: string): number {
    return this.#state.issuedTokens(api);
  }

  /** The next calls to `api` suffer these faults, in order. */
  injectFaults(api: string, ...faults: SimulatedFault[]): void {
    this.#faults.inject(api, faults);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /**
   * Whether WeCom accepts calls from the service's address: off, every API answers 60020 (the
   * egress IP is not on the provider's allow-list).
   */
  setIpAllowListed(allowed: boolean): void {
    this.#faults.setIpAllowListed(allowed);
  }

  /** Issues a new suite_ticket (the old one stops working) and returns it with its TimeStamp. */
  issueSuiteTicket(suiteId: string): { suiteTicket: string; timeStamp: number } {
    return issueSuiteTicket(this.#state, suiteId);
  }

  /**
   * A corp installs the app: returns the auth code WeCom would push in create_auth. `installState`:
   * the state of the link or QR code it came through (v2 get_permanent_code returns it).
   */
  authorizeCorp(suiteId: string, corpId: string, corpName?: string, installState?: string): string {
    return authorizeCorp(this.#state, suiteId, corpId, corpName, installState);
  }

  /**
   * A corp's admin scans a 代开发 QR code link and authorizes `templateId`: the auth code WeCom
   * would push in create_auth (without State; v2 get_permanent_code returns the link's state).
   */
  authorizeByQrCode(qrcodeUrl: string, templateId: string, corpId: string): string {
    return authorizeByQrCode(this.#state, qrcodeUrl, templateId, corpId);
  }

  /**
   * 代开发 only: the provider resets a corp's secret; the old one stops working at once (gettoken
   * answers 40001) and the reset_permanent_code push carries the auth code for the new one.
   */
  resetPermanentCode(suiteId: string, corpId: string): string {
    return resetPermanentCode(this.#state, suiteId, corpId);
  }

  /** The corp uninstalls: its permanent code and tokens stop working. */
  cancelAuthorization(suiteId: string, corpId: string): void {
    setRevoked(this.#state, suiteId, corpId, true);
  }

  /** WeCom accepts a cancelled authorization again (it refused it for a while, e.g. in error). */
  restoreAuthorization(suiteId: string, corpId: string): void {
    setRevoked(this.#state, suiteId, corpId, false);
  }

  /** Whether the corp's authorization came through a test-mode pre-auth code (auth_type 1). */
  authTypeOf(suiteId: string, corpId: string): 0 | 1 | undefined {
    return authTypeOf(this.#state, suiteId, corpId);
  }

  /** Makes a token invalid before its time, as WeCom sometimes does. */
  invalidateCorpToken(suiteId: string, corpId: string): void {
    invalidateCorpToken(this.#state, suiteId, corpId);
  }

  invalidateSuiteToken(suiteId: string): void {
    this.#state.suiteTokens.delete(suiteId);
  }

  /** Whether `value` is a corp token WeCom would accept right now. */
  isValidCorpToken(suiteId: string, corpId: string, value: string): boolean {
    return isValidCorpToken(this.#state, suiteId, corpId, value);
  }

  isValidSuiteToken(suiteId: string, value: string): boolean {
    return isValidSuiteToken(this.#state, suiteId, value);
  }

  /** Whether `value` is the provider token WeCom would accept right now. */
  isValidProviderToken(value: string): boolean {
    return isValidProviderToken(this.#state, value);
  }

  /**
   * A user signs in to the app in `corpId` (OAuth, document/path/91121, 96442): the code WeCom
   * appends to the redirect. Single use, 5 minutes. Without `userId` the user is not a member; a
   * user_ticket comes only with the scope that brings one (`snsapi_base` by default brings none).
   */
  issueOAuthCode(suiteId: string, corpId: string, signIn: OAuthSignIn = {}): string {
    return issueOAuthCode(this.#state, suiteId, corpId, signIn);
  }

  /** Ends a JS-SDK ticket before its time, as WeCom may (the next fetch gets a new one). */
  invalidateJsapiTicket(suiteId: string, corpId: string, type: 'corp' | 'agent'): void {
    invalidateJsapiTicket(this.#state, suiteId, corpId, type);
  }

  /** When each JS-SDK ticket fetch for the corp happened (of `type`), quota-limited ones included. */
  jsapiFetchTimes(corpId: string, type: 'corp' | 'agent'): number[] {
    return jsapiFetchTimes(this.#state, corpId, type);
  }

  /**
   * The browser's side of an install from the provider's website: GET `startUrl` (the service's
   * `/install/{suiteId}`), follow its 302 to the install page signed in as `corpId`'s admin, and
   * follow WeCom's 302 back to the service. Returns every hop; the last is the service's answer.
   */
  installViaWebsite(startUrl: string, corpId: string): Promise<InstallHop[]> {
    return installViaWebsite(this.baseUrl, startUrl, corpId);
  }

  /** Signs and POSTs an instruction event to the service's command URL; returns its answer. */
  pushSuiteEvent(suiteId: string, eventXml: string, receiveId = suiteId): Promise<PushAnswer> {
    return pushSuiteEvent(this.#state, suiteId, eventXml, receiveId);
  }

  /**
   * What WeCom does when an admin saves a callback URL: a signed GET with an encrypted `echostr`
   * (for the provider corp id, as observed for provider-level URLs); the URL passes if the answer
   * is the plaintext exactly.
   */
  verifyCallbackUrl(suiteId: string, route: 'command' | 'data'): Promise<{ ok: boolean; status: number }> {
    return verifyCallbackUrl(this.#state, suiteId, route);
  }

  /** Issues a ticket and pushes it, as WeCom does every 10 minutes. */
  pushSuiteTicket(suiteId: string): Promise<PushAnswer> {
    return pushSuiteTicket(this.#state, suiteId);
  }

  /**
   * A corp installs the app and WeCom pushes create_auth, encrypted for the suite id or, as some
   * pushes are, for the provider's corp id.
   */
  pushInstall(
    suiteId: string,
    corpId: string,
    corpName?: string,
    receiveId: 'suite' | 'provider' = 'suite',
    installState?: string,
  ): Promise<PushAnswer> {
    return pushInstall(this.#state, suiteId, corpId, corpName, receiveId, installState);
  }

  /**
   * A corp's admin scans a 代开发 QR code link and authorizes `templateId`: create_auth without
   * State; the state the link was made with comes back from v2 get_permanent_code only.
   */
  pushCustomizedQrInstall(qrcodeUrl: string, templateId: string, corpId: string): Promise<PushAnswer> {
    return pushCustomizedQrInstall(this.#state, qrcodeUrl, templateId, corpId);
  }

  /** The corp's paid edition changes (get_auth_info reports it from now on); WeCom would push change_editon. */
  setEdition(suiteId: string, corpId: string, edition: SimulatedEdition): void {
    setEdition(this.#state, suiteId, corpId, edition);
  }

  /** The suites `corpId` has authorized and not uninstalled. */
  authorizedSuites(corpId: string): string[] {
    return authorizedSuitesOf(this.#state, corpId);
  }

  /** The corp's paid edition of the suite, as get_auth_info reports it; none before one was set. */
  editionOf(suiteId: string, corpId: string): SimulatedEdition | undefined {
    return editionOf(this.#state, suiteId, corpId);
  }

  /** The corp's paid edition changes and WeCom pushes change_editon; get_auth_info reports the new one. */
  pushChangeEdition(suiteId: string, corpId: string, edition: SimulatedEdition): Promise<PushAnswer> {
    setEdition(this.#state, suiteId, corpId, edition);
    return pushChangeEdition(this.#state, suiteId, corpId);
  }

  /** The corp changes what it granted (or its admin changes the app's visibility): change_auth. */
  pushChangeAuth(suiteId: string, corpId: string): Promise<PushAnswer> {
    return pushChangeAuth(this.#state, suiteId, corpId);
  }

  /**
   * A user of `corpId` writes to the app: WeCom POSTs the message to the data URL registered with
   * `?corpid=$CORPID$` (WeCom fills in the corp), encrypted for that corp, with the app's agent id
   * in the corp (the authorization's, unless `agentId` says otherwise) in the message and its envelope.
   */
  pushDataMessage(suiteId: string, corpId: string, text: string, agentId?: number): Promise<PushAnswer> {
    return pushDataMessage(this.#state, suiteId, corpId, text, agentId);
  }

  /** 代开发: the provider resets the secret and WeCom pushes reset_permanent_code. */
  pushResetPermanentCode(suiteId: string, corpId: string): Promise<PushAnswer> {
    return pushResetPermanentCode(this.#state, suiteId, corpId);
  }

  /** The corp uninstalls and WeCom pushes cancel_auth. */
  pushCancel(suiteId: string, corpId: string): Promise<PushAnswer> {
    return pushCancel(this.#state, suiteId, corpId);
  }

  /**
   * WeCom pushes a system event about `corpId` to the provider's system-event URL, in the shape
   * WeCom documents for `infoType` (SYSTEM_EVENT_SHAPES), or for an InfoType it does not know, the
   * envelope every system event shares. Returns the service's answer and the XML pushed.
   */
  async pushSystemEvent(infoType: string, corpId: string): Promise<PushAnswer & { readonly xml: string }> {
    const context = {
      providerCorpId: this.#state.options.providerCorpId ?? '',
      corpId,
      timeStamp: Math.floor(this.#state.nowMs() / 1000),
    };
    const shape = SYSTEM_EVENT_SHAPES[infoType];
    const xml = shape === undefined ? unknownSystemEvent(infoType, context) : shape(context);
    return { ...(await pushSystemEvent(this.#state, xml)), xml };
  }

  /** What WeCom does when the provider saves the system-event URL: a signed GET with an encrypted `echostr`. */
  verifySystemEventUrl(): Promise<{ ok: boolean; status: number }> {
    return verifySystemEventUrl(this.#state);
  }

  /**
   * A paid-app (收银台) event about `corpId`'s order of the suite, pushed to the suite's command URL
   * in the shape WeCom documents for `infoType` (PAID_APP_EVENT_SHAPES).
   * @throws Error for an InfoType that is not a paid-app event.
   */
  async pushPaidAppEvent(
    suiteId: string,
    infoType: string,
    corpId: string,
  ): Promise<PushAnswer & { readonly xml: string }> {
    const shape = PAID_APP_EVENT_SHAPES[infoType];
    if (shape === undefined) {
      throw new Error(`infoType must be one of ${Object.keys(PAID_APP_EVENT_SHAPES).join(', ')}`);
    }
    const xml = shape({
      providerCorpId: this.#state.options.providerCorpId ?? '',
      corpId,
      suiteId,
      timeStamp: Math.floor(this.#state.nowMs() / 1000),
    });
    return { ...(await pushSuiteEvent(this.#state, suiteId, xml)), xml };
  }
}
