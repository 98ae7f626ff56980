import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parseEncodingAesKey } from '../functions/core/crypto/aes-key.ts';
import { MessageCipher } from '../functions/core/crypto/message-cipher.ts';
import { computeSignature } from '../functions/core/crypto/signature.ts';

/** A suite the simulator knows, with the secrets WeCom and the provider share. */
export interface SimulatedSuite {
  readonly suiteId: string;
  readonly suiteSecret: string;
  /** Callback Token and EncodingAESKey: needed only to push callbacks. */
  readonly token?: string;
  readonly encodingAesKey?: string;
}

/** A fault the next matching call suffers instead of a normal answer. */
export type SimulatedFault =
  | { readonly kind: 'timeout'; readonly holdMs?: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'errcode'; readonly errcode: number; readonly errmsg?: string }
  /** WeCom acts on the request (a code is spent, a token issued), but the answer never arrives. */
  | { readonly kind: 'answer-lost' };

export interface WeComSimulatorOptions {
  readonly suites: readonly SimulatedSuite[];
  readonly providerCorpId?: string;
  /** The provider's secret get_provider_token accepts. @default none: it answers 40001 */
  readonly providerSecret?: string;
  /** Where pushes go: the service's base URL (the routes are /callback/{suiteId}/command). */
  readonly callbackBaseUrl?: string;
  readonly nowMs?: () => number;
  /** Token lifetime WeCom reports. @default 7200 */
  readonly tokenLifetimeSeconds?: number;
  /** Delay before every answer, like a far-away WeCom. @default 0 */
  readonly latencyMs?: number;
  /**
   * What `expires_in` says when a still-valid token is fetched again: its remaining lifetime
   * (default) or the full lifetime. Either way the token itself is the same.
   */
  readonly repeatedExpiresIn?: 'remaining' | 'full';
  readonly port?: number;
}

interface IssuedToken {
  readonly value: string;
  readonly expiresAtMs: number;
}

interface PendingCode {
  readonly suiteId: string;
  readonly corpId: string;
  readonly corpName: string;
  readonly issuedAtMs: number;
  used: boolean;
}

interface Grant {
  permanentCode: string;
  readonly corpName: string;
  readonly agentId: number;
  revoked: boolean;
  /** 1: a test authorization (set_session_info auth_type 1 on the pre-auth code it came through). */
  readonly authType?: 0 | 1;
}

interface PreAuthCode {
  readonly suiteId: string;
  readonly issuedAtMs: number;
  authType: 0 | 1;
}

/** What the browser saw on each hop of an install from the provider's website. */
export interface InstallHop {
  readonly url: string;
  readonly status: number;
  readonly location?: string;
  readonly body?: string;
}

const TICKET_LIFETIME_MS = 30 * 60 * 1000;
const AUTH_CODE_LIFETIME_MS = 10 * 60 * 1000;
const PRE_AUTH_CODE_LIFETIME_SECONDS = 1200;
const OAUTH_CODE_LIFETIME_MS = 5 * 60 * 1000;
const USER_TICKET_LIFETIME_SECONDS = 1800;
const HOUR_MS = 60 * 60 * 1000;
/** WeCom's hourly JS-SDK ticket quotas (document/path/90506): per corp, and per app of the corp (both kinds count). */
export const JSAPI_QUOTA_PER_HOUR = { corp: 400, agent: 100 } as const;

interface OAuthCode {
  readonly suiteId: string;
  readonly corpId: string;
  /** A member of the corp; absent for an outsider (who gets an openid). */
  readonly userId?: string;
  readonly issuedAtMs: number;
  used: boolean;
}

interface JsapiFetch {
  readonly type: 'corp' | 'agent';
  readonly suiteId: string;
  readonly corpId: string;
  readonly atMs: number;
  /** False when WeCom refused it for the quota. */
  readonly served: boolean;
}
/** The browser's WeCom session in the simulator: which corp's admin is signed in on the install page. */
export const SANDBOX_CORP_COOKIE = 'sandbox_corp';

/**
 * A stand-in for qyapi.weixin.qq.com on 127.0.0.1 that behaves like the real one where the
 * credential service depends on it: it accepts only each suite's newest live suite_ticket, auth
 * codes once within 10 minutes, only the current permanent code, returns the same token while it
 * is valid, counts every call and every newly issued token, and suffers injected faults.
 * It also plays WeCom's side of callbacks: it signs and pushes suite_ticket and auth events.
 */
export class WeComSimulator {
  readonly #suites: ReadonlyMap<string, SimulatedSuite>;
  // Every ticket of a suite stays valid 30 minutes after it was issued, as WeCom's do.
  readonly #tickets = new Map<string, { value: string; issuedAtMs: number; timeStamp: number }[]>();
  readonly #suiteTokens = new Map<string, IssuedToken>();
  readonly #providerTokens = new Map<string, IssuedToken>();
  readonly #corpTokens = new Map<string, IssuedToken>();
  readonly #codes = new Map<string, PendingCode & { readonly authType?: 0 | 1 }>();
  readonly #preAuthCodes = new Map<string, PreAuthCode>();
  readonly #oauthCodes = new Map<string, OAuthCode>();
  readonly #userTickets = new Map<
    string,
    { suiteId: string; corpId: string; userId: string; issuedAtMs: number }
  >();
  readonly #jsapiTickets = new Map<string, IssuedToken>();
  readonly #jsapiFetches: JsapiFetch[] = [];
  readonly #grants = new Map<string, Grant>();
  readonly #faults = new Map<string, SimulatedFault[]>();
  readonly #calls = new Map<string, number>();
  readonly #issued = new Map<string, number>();
  readonly #sockets = new Set<Socket>();
  readonly #nowMs: () => number;
  #server: Server | undefined;
  #baseUrl = '';
  #nextAgentId = 1000002;
  #ipAllowListed = true;

  constructor(private readonly options: WeComSimulatorOptions) {
    this.#suites = new Map(options.suites.map((suite) => [suite.suiteId, suite]));
    this.#nowMs = options.nowMs ?? Date.now;
  }

  /** The base URL to use as WECOM_API_BASE. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.#baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    this.#server = server;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) =>
      this.#server === undefined ? resolve() : this.#server.close(() => resolve()),
    );
  }

  /** How many times an API (e.g. `service/get_corp_token`) was called, faults included. */
  calls(api: string): number {
    return this.#calls.get(api) ?? 0;
  }

  /** How many new tokens an API issued (a repeated fetch of a still-valid token does not count). */
  issuedTokens(api: string): number {
    return this.#issued.get(api) ?? 0;
  }

  /** The next calls to `api` suffer these faults, in order. */
  injectFaults(api: string, ...faults: SimulatedFault[]): void {
    this.#faults.set(api, [...(this.#faults.get(api) ?? []), ...faults]);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /** Issues a new suite_ticket (the old one stops working) and returns it with its TimeStamp. */
  issueSuiteTicket(suiteId: string): { suiteTicket: string; timeStamp: number } {
    this.#requireSuite(suiteId);
    const suiteTicket = `ticket-${randomBytes(12).toString('hex')}`;
    const issuedAtMs = this.#nowMs();
    const live = (this.#tickets.get(suiteId) ?? []).filter(
      (ticket) => issuedAtMs - ticket.issuedAtMs <= TICKET_LIFETIME_MS,
    );
    // Real pushes are 10 minutes apart; when a test issues several within a second, each still
    // carries a newer TimeStamp than the last, as WeCom's would.
    const previous = live.at(-1)?.timeStamp ?? 0;
    const timeStamp = Math.max(Math.floor(issuedAtMs / 1000), previous + 1);
    this.#tickets.set(suiteId, [...live, { value: suiteTicket, issuedAtMs, timeStamp }]);
    return { suiteTicket, timeStamp };
  }

  /**
   * Whether WeCom accepts calls from the service's address: off, every API answers 60020 (the
   * egress IP is not on the provider's allow-list).
   */
  setIpAllowListed(allowed: boolean): void {
    this.#ipAllowListed = allowed;
  }

  /** A corp installs the app: returns the auth code WeCom would push in create_auth. */
  authorizeCorp(suiteId: string, corpId: string, corpName = `Corp ${corpId}`): string {
    this.#requireSuite(suiteId);
    // WeCom's auth codes are 64–512 characters.
    const authCode = `authcode-${randomBytes(32).toString('hex')}`;
    this.#codes.set(authCode, { suiteId, corpId, corpName, issuedAtMs: this.#nowMs(), used: false });
    return authCode;
  }

  /**
   * 代开发 only: the provider resets a corp's secret; the old one stops working at once (gettoken
   * answers 40001) and the reset_permanent_code push carries the auth code for the new one.
   */
  resetPermanentCode(suiteId: string, corpId: string): string {
    if (!suiteId.startsWith('dk')) {
      throw new Error(`reset_permanent_code exists only for 代开发 templates (dk…), not ${suiteId}`);
    }
    const grant = this.#grants.get(grantKey(suiteId, corpId));
    if (grant === undefined) {
      throw new Error(`${corpId} has not authorized ${suiteId}`);
    }
    this.#grants.set(grantKey(suiteId, corpId), {
      ...grant,
      permanentCode: `reset-${randomBytes(8).toString('hex')}`,
    });
    this.#corpTokens.delete(grantKey(suiteId, corpId));
    return this.authorizeCorp(suiteId, corpId, grant.corpName);
  }

  /** The corp uninstalls: its permanent code and tokens stop working. */
  cancelAuthorization(suiteId: string, corpId: string): void {
    const grant = this.#grants.get(grantKey(suiteId, corpId));
    if (grant !== undefined) {
      grant.revoked = true;
    }
    this.#corpTokens.delete(grantKey(suiteId, corpId));
  }

  /** WeCom accepts a cancelled authorization again (it refused it for a while, e.g. in error). */
  restoreAuthorization(suiteId: string, corpId: string): void {
    const grant = this.#grants.get(grantKey(suiteId, corpId));
    if (grant !== undefined) {
      grant.revoked = false;
    }
  }

  /** Makes a token invalid before its time, as WeCom sometimes does. */
  invalidateCorpToken(suiteId: string, corpId: string): void {
    this.#corpTokens.delete(grantKey(suiteId, corpId));
  }

  invalidateSuiteToken(suiteId: string): void {
    this.#suiteTokens.delete(suiteId);
  }

  /** Whether `value` is a corp token WeCom would accept right now. */
  isValidCorpToken(suiteId: string, corpId: string, value: string): boolean {
    const token = this.#corpTokens.get(grantKey(suiteId, corpId));
    return token !== undefined && token.value === value && token.expiresAtMs > this.#nowMs();
  }

  isValidSuiteToken(suiteId: string, value: string): boolean {
    const token = this.#suiteTokens.get(suiteId);
    return token !== undefined && token.value === value && token.expiresAtMs > this.#nowMs();
  }

  /** Signs and POSTs an instruction event to the service's command URL; returns its answer. */
  async pushSuiteEvent(
    suiteId: string,
    eventXml: string,
    receiveId = suiteId,
  ): Promise<{ status: number; body: string }> {
    return this.#post(suiteId, 'command', eventXml, receiveId, '');
  }

  async #post(
    suiteId: string,
    route: 'command' | 'data',
    eventXml: string,
    receiveId: string,
    extraQuery: string,
  ): Promise<{ status: number; body: string }> {
    const suite = this.#requireSuite(suiteId);
    if (
      this.options.callbackBaseUrl === undefined ||
      suite.token === undefined ||
      suite.encodingAesKey === undefined
    ) {
      throw new Error('pushing needs callbackBaseUrl and the suite token and encodingAesKey');
    }
    const encrypt = new MessageCipher(parseEncodingAesKey(suite.encodingAesKey)).encrypt(eventXml, receiveId);
    const timestamp = String(Math.floor(this.#nowMs() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e10));
    const signature = computeSignature({ token: suite.token, timestamp, nonce, encrypt });
    const response = await fetch(
      `${this.options.callbackBaseUrl}/callback/${suiteId}/${route}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}${extraQuery}`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<xml><ToUserName><![CDATA[${receiveId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`,
      },
    );
    return { status: response.status, body: await response.text() };
  }

  /**
   * What WeCom does when an admin saves a callback URL: a signed GET with an encrypted `echostr`
   * (for the provider corp id, as observed for provider-level URLs); the URL passes if the answer
   * is the plaintext exactly.
   */
  async verifyCallbackUrl(
    suiteId: string,
    route: 'command' | 'data',
  ): Promise<{ ok: boolean; status: number }> {
    const suite = this.#requireSuite(suiteId);
    if (
      this.options.callbackBaseUrl === undefined ||
      suite.token === undefined ||
      suite.encodingAesKey === undefined
    ) {
      throw new Error('verifying needs callbackBaseUrl and the suite token and encodingAesKey');
    }
    const plaintext = String(Math.floor(Math.random() * 1e18));
    const echostr = new MessageCipher(parseEncodingAesKey(suite.encodingAesKey)).encrypt(
      plaintext,
      this.options.providerCorpId ?? suiteId,
    );
    const timestamp = String(Math.floor(this.#nowMs() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e10));
    const signature = computeSignature({ token: suite.token, timestamp, nonce, encrypt: echostr });
    const response = await fetch(
      `${this.options.callbackBaseUrl}/callback/${suiteId}/${route}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(echostr)}`,
    );
    return { ok: response.status === 200 && (await response.text()) === plaintext, status: response.status };
  }

  /** Issues a ticket and pushes it, as WeCom does every 10 minutes. */
  async pushSuiteTicket(suiteId: string): Promise<{ status: number; body: string }> {
    const { suiteTicket, timeStamp } = this.issueSuiteTicket(suiteId);
    return this.pushSuiteEvent(
      suiteId,
      `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>${timeStamp}</TimeStamp><SuiteTicket><![CDATA[${suiteTicket}]]></SuiteTicket></xml>`,
    );
  }

  /**
   * A corp installs the app and WeCom pushes create_auth, encrypted for the suite id or, as some
   * pushes are, for the provider's corp id.
   */
  async pushInstall(
    suiteId: string,
    corpId: string,
    corpName?: string,
    receiveId: 'suite' | 'provider' = 'suite',
  ): Promise<{ status: number; body: string }> {
    const authCode = this.authorizeCorp(suiteId, corpId, corpName);
    return this.pushSuiteEvent(
      suiteId,
      `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><AuthCode><![CDATA[${authCode}]]></AuthCode><InfoType><![CDATA[create_auth]]></InfoType><TimeStamp>${Math.floor(this.#nowMs() / 1000)}</TimeStamp><State><![CDATA[sandbox]]></State></xml>`,
      receiveId === 'provider' ? (this.options.providerCorpId ?? suiteId) : suiteId,
    );
  }

  /** The corp changes what it granted (or its admin changes the app's visibility): change_auth. */
  async pushChangeAuth(suiteId: string, corpId: string): Promise<{ status: number; body: string }> {
    return this.pushSuiteEvent(
      suiteId,
      `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[change_auth]]></InfoType><TimeStamp>${Math.floor(this.#nowMs() / 1000)}</TimeStamp><AuthCorpId><![CDATA[${corpId}]]></AuthCorpId></xml>`,
    );
  }

  /**
   * A user of `corpId` writes to the app: WeCom POSTs the message to the data URL registered with
   * `?corpid=$CORPID$` (WeCom fills in the corp), encrypted for that corp.
   */
  async pushDataMessage(
    suiteId: string,
    corpId: string,
    text: string,
    agentId = 1000002,
  ): Promise<{ status: number; body: string }> {
    const now = Math.floor(this.#nowMs() / 1000);
    const xml = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[sandbox-user]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${Date.now()}</MsgId><AgentID>${agentId}</AgentID></xml>`;
    return this.#post(suiteId, 'data', xml, corpId, `&corpid=${encodeURIComponent(corpId)}`);
  }

  /** 代开发: the provider resets the secret and WeCom pushes reset_permanent_code. */
  async pushResetPermanentCode(suiteId: string, corpId: string): Promise<{ status: number; body: string }> {
    const authCode = this.resetPermanentCode(suiteId, corpId);
    return this.pushSuiteEvent(
      suiteId,
      `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><AuthCode><![CDATA[${authCode}]]></AuthCode><InfoType><![CDATA[reset_permanent_code]]></InfoType><TimeStamp>${Math.floor(this.#nowMs() / 1000)}</TimeStamp></xml>`,
    );
  }

  /** The corp uninstalls and WeCom pushes cancel_auth. */
  async pushCancel(suiteId: string, corpId: string): Promise<{ status: number; body: string }> {
    this.cancelAuthorization(suiteId, corpId);
    return this.pushSuiteEvent(
      suiteId,
      `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[cancel_auth]]></InfoType><TimeStamp>${Math.floor(this.#nowMs() / 1000)}</TimeStamp><AuthCorpId><![CDATA[${corpId}]]></AuthCorpId></xml>`,
    );
  }

  #requireSuite(suiteId: string): SimulatedSuite {
    const suite = this.#suites.get(suiteId);
    if (suite === undefined) {
      throw new Error(`the simulator has no suite ${suiteId}`);
    }
    return suite;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/3rdapp/install') {
      this.#installPage(url.searchParams, String(request.headers.cookie ?? ''), response);
      return;
    }
    const api = url.pathname.replace(/^\/cgi-bin\//, '');
    this.#calls.set(api, this.calls(api) + 1);
    const body = await readJson(request);
    if (this.options.latencyMs !== undefined && this.options.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    }
    const fault = this.#faults.get(api)?.shift();
    if (fault !== undefined && fault.kind !== 'answer-lost') {
      this.#applyFault(fault, request, response);
      return;
    }
    if (!this.#ipAllowListed) {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(error(60020, 'not allow to access from your ip')));
      return;
    }
    const answer = this.#answer(api, url.searchParams, body);
    if (fault?.kind === 'answer-lost') {
      request.socket.destroy();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(answer));
  }

  #applyFault(
    fault: Exclude<SimulatedFault, { kind: 'answer-lost' }>,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    switch (fault.kind) {
      case 'timeout':
        setTimeout(() => request.socket.destroy(), fault.holdMs ?? 10_000).unref();
        return;
      case 'reset':
        request.socket.destroy();
        return;
      case 'http':
        response.writeHead(fault.status, { 'content-type': 'text/html' });
        response.end('<html><body>Bad Gateway</body></html>');
        return;
      case 'errcode':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            errcode: fault.errcode,
            errmsg: fault.errmsg ?? `injected errcode ${fault.errcode}`,
          }),
        );
        return;
    }
  }

  #answer(api: string, query: URLSearchParams, body: Record<string, unknown>): Record<string, unknown> {
    switch (api) {
      case 'service/get_provider_token':
        return this.#getProviderToken(body);
      case 'service/get_customized_auth_url':
        return this.#getCustomizedAuthUrl(query, body);
      case 'service/get_suite_token':
        return this.#getSuiteToken(body);
      case 'service/auth/getuserinfo3rd':
        return this.#getUserInfo(query, 'third_party');
      case 'auth/getuserinfo':
        return this.#getUserInfo(query, 'customized');
      case 'service/auth/getuserdetail3rd':
        return this.#getUserDetail(query, body, 'third_party');
      case 'auth/getuserdetail':
        return this.#getUserDetail(query, body, 'customized');
      case 'get_jsapi_ticket':
        return this.#getJsapiTicket(query, 'corp');
      case 'ticket/get':
        return query.get('type') === 'agent_config'
          ? this.#getJsapiTicket(query, 'agent')
          : error(40003, 'invalid type');
      case 'service/get_pre_auth_code':
        return this.#getPreAuthCode(query);
      case 'service/set_session_info':
        return this.#setSessionInfo(query, body);
      case 'service/v2/get_permanent_code':
        return this.#getPermanentCode(query, body);
      case 'service/get_auth_info':
        return this.#getAuthInfo(query, body);
      case 'service/get_corp_token':
        return this.#getCorpToken(query, body);
      case 'gettoken':
        return this.#getToken(query);
      default:
        return error(404, `unknown api ${api}`);
    }
  }

  #getProviderToken(body: Record<string, unknown>): Record<string, unknown> {
    if (this.options.providerCorpId === undefined || body.corpid !== this.options.providerCorpId) {
      return error(40013, 'invalid corpid');
    }
    if (this.options.providerSecret === undefined || body.provider_secret !== this.options.providerSecret) {
      return error(40001, 'invalid provider_secret');
    }
    const token = this.#reuseOrIssue(
      this.#providerTokens,
      'provider',
      'service/get_provider_token',
      'provider',
    );
    // Like the real API: no errcode on success.
    return { provider_access_token: token.value, expires_in: this.#expiresIn(token) };
  }

  #getCustomizedAuthUrl(query: URLSearchParams, body: Record<string, unknown>): Record<string, unknown> {
    const token = this.#providerTokens.get('provider');
    if (token === undefined || token.value !== query.get('provider_access_token')) {
      return error(40082, 'invalid provider_access_token');
    }
    if (token.expiresAtMs <= this.#nowMs()) {
      return error(42009, 'provider_access_token expired');
    }
    const ids = body.templateid_list;
    if (
      !Array.isArray(ids) ||
      ids.length === 0 ||
      ids.length > 9 ||
      !ids.every((id) => typeof id === 'string' && id.startsWith('dk') && this.#suites.has(id))
    ) {
      return error(40058, 'invalid templateid_list');
    }
    const state = typeof body.state === 'string' ? `&state=${encodeURIComponent(body.state)}` : '';
    return {
      errcode: 0,
      errmsg: 'ok',
      qrcode_url: `https://open.work.weixin.qq.com/3rdservice/wework/customized-auth?ticket=${randomBytes(12).toString('hex')}${state}`,
      expires_in: 864000,
    };
  }

  /** Whether `value` is the provider token WeCom would accept right now. */
  isValidProviderToken(value: string): boolean {
    const token = this.#providerTokens.get('provider');
    return token !== undefined && token.value === value && token.expiresAtMs > this.#nowMs();
  }

  #getSuiteToken(body: Record<string, unknown>): Record<string, unknown> {
    const suite = this.#suites.get(String(body.suite_id));
    if (suite === undefined) {
      return error(40083, 'invalid suite_id');
    }
    if (body.suite_secret !== suite.suiteSecret) {
      return error(40080, 'invalid suite_secret');
    }
    const ticket = this.#tickets.get(suite.suiteId)?.find((issued) => issued.value === body.suite_ticket);
    if (ticket === undefined || this.#nowMs() - ticket.issuedAtMs > TICKET_LIFETIME_MS) {
      return error(40085, 'invalid suite_ticket');
    }
    const token = this.#reuseOrIssue(this.#suiteTokens, suite.suiteId, 'service/get_suite_token', 'suite');
    // Like the real API: no errcode on success.
    return { suite_access_token: token.value, expires_in: this.#expiresIn(token) };
  }

  #suiteOfToken(query: URLSearchParams): string | Record<string, unknown> {
    const value = query.get('suite_access_token');
    for (const [suiteId, token] of this.#suiteTokens) {
      if (token.value === value) {
        return token.expiresAtMs > this.#nowMs() ? suiteId : error(42009, 'suite_access_token expired');
      }
    }
    return error(40082, 'invalid suite_access_token or provider_access_token');
  }

  #getPermanentCode(query: URLSearchParams, body: Record<string, unknown>): Record<string, unknown> {
    const suiteId = this.#suiteOfToken(query);
    if (typeof suiteId !== 'string') {
      return suiteId;
    }
    const code = this.#codes.get(String(body.auth_code));
    if (
      code === undefined ||
      code.used ||
      code.suiteId !== suiteId ||
      this.#nowMs() - code.issuedAtMs > AUTH_CODE_LIFETIME_MS
    ) {
      return error(40078, 'invalid auth_code');
    }
    code.used = true;
    const key = grantKey(suiteId, code.corpId);
    const previous = this.#grants.get(key);
    const grant: Grant = {
      permanentCode: `permanent-${randomBytes(16).toString('hex')}`,
      corpName: code.corpName,
      agentId: previous?.agentId ?? this.#nextAgentId++,
      revoked: false,
      ...(code.authType === undefined ? {} : { authType: code.authType }),
    };
    this.#grants.set(key, grant);
    // A new permanent code (re-install or 代开发 secret reset) invalidates the corp's old tokens.
    this.#corpTokens.delete(key);
    this.#issued.set('service/v2/get_permanent_code', this.issuedTokens('service/v2/get_permanent_code') + 1);
    return {
      errcode: 0,
      errmsg: 'ok',
      permanent_code: grant.permanentCode,
      auth_corp_info: { corpid: code.corpId, corp_name: code.corpName },
      auth_user_info: { userid: 'admin' },
    };
  }

  /**
   * A user signs in to the app in `corpId` (OAuth, document/path/91121): the code WeCom appends to
   * the redirect. Single use, 5 minutes. Without `userId` the user is not a member (an openid).
   */
  issueOAuthCode(suiteId: string, corpId: string, userId?: string): string {
    this.#requireSuite(suiteId);
    const code = `oauth-${randomBytes(16).toString('hex')}`;
    this.#oauthCodes.set(code, {
      suiteId,
      corpId,
      issuedAtMs: this.#nowMs(),
      used: false,
      ...(userId === undefined ? {} : { userId }),
    });
    return code;
  }

  /** Ends a JS-SDK ticket before its time, as WeCom may (the next fetch gets a new one). */
  invalidateJsapiTicket(suiteId: string, corpId: string, type: 'corp' | 'agent'): void {
    this.#jsapiTickets.delete(`${type}|${grantKey(suiteId, corpId)}`);
  }

  /** When each JS-SDK ticket fetch for the corp happened (of `type`), quota-limited ones included. */
  jsapiFetchTimes(corpId: string, type: 'corp' | 'agent'): number[] {
    return this.#jsapiFetches
      .filter((fetch) => fetch.corpId === corpId && fetch.type === type)
      .map((f) => f.atMs);
  }

  /** The corp-token grant an access_token belongs to, or WeCom's error for it. */
  #grantOfCorpToken(query: URLSearchParams): { suiteId: string; corpId: string } | Record<string, unknown> {
    const value = query.get('access_token');
    for (const [key, token] of this.#corpTokens) {
      if (token.value === value) {
        if (token.expiresAtMs <= this.#nowMs()) {
          return error(42001, 'access_token expired');
        }
        const [suiteId = '', corpId = ''] = key.split('|');
        return { suiteId, corpId };
      }
    }
    return error(40014, 'invalid access_token');
  }

  #getUserInfo(query: URLSearchParams, kind: 'third_party' | 'customized'): Record<string, unknown> {
    let suiteId: string;
    let corpId: string | undefined;
    if (kind === 'third_party') {
      const owner = this.#suiteOfToken(query);
      if (typeof owner !== 'string') {
        return owner;
      }
      if (owner.startsWith('dk')) {
        return error(48002, 'api forbidden for customized app templates; use auth/getuserinfo');
      }
      suiteId = owner;
    } else {
      const grant = this.#grantOfCorpToken(query);
      if (!('suiteId' in grant) || typeof grant.suiteId !== 'string') {
        return grant;
      }
      suiteId = grant.suiteId;
      corpId = String(grant.corpId);
    }
    const code = this.#oauthCodes.get(query.get('code') ?? '');
    if (
      code === undefined ||
      code.used ||
      code.suiteId !== suiteId ||
      (corpId !== undefined && code.corpId !== corpId) ||
      this.#nowMs() - code.issuedAtMs > OAUTH_CODE_LIFETIME_MS
    ) {
      return error(40029, 'invalid code');
    }
    code.used = true;
    if (code.userId === undefined) {
      return { errcode: 0, errmsg: 'ok', openid: `openid-${randomBytes(8).toString('hex')}` };
    }
    const userTicket = `userticket-${randomBytes(16).toString('hex')}`;
    this.#userTickets.set(userTicket, {
      suiteId,
      corpId: code.corpId,
      userId: code.userId,
      issuedAtMs: this.#nowMs(),
    });
    return {
      errcode: 0,
      errmsg: 'ok',
      ...(kind === 'third_party' ? { corpid: code.corpId, open_userid: `open-${code.userId}` } : {}),
      userid: code.userId,
      user_ticket: userTicket,
      expires_in: USER_TICKET_LIFETIME_SECONDS,
    };
  }

  #getUserDetail(
    query: URLSearchParams,
    body: Record<string, unknown>,
    kind: 'third_party' | 'customized',
  ): Record<string, unknown> {
    const owner = kind === 'third_party' ? this.#suiteOfToken(query) : this.#grantOfCorpToken(query);
    if (typeof owner !== 'string' && !('suiteId' in owner && typeof owner.suiteId === 'string')) {
      return owner;
    }
    const suiteId = typeof owner === 'string' ? owner : String(owner.suiteId);
    const ticket = this.#userTickets.get(String(body.user_ticket));
    if (ticket === undefined || ticket.suiteId !== suiteId) {
      return error(84015, 'invalid user ticket');
    }
    if (this.#nowMs() - ticket.issuedAtMs > USER_TICKET_LIFETIME_SECONDS * 1000) {
      return error(84014, 'user ticket expired');
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
  }

  #getJsapiTicket(query: URLSearchParams, type: 'corp' | 'agent'): Record<string, unknown> {
    const grant = this.#grantOfCorpToken(query);
    if (!('suiteId' in grant) || typeof grant.suiteId !== 'string') {
      return grant;
    }
    const suiteId = grant.suiteId;
    const corpId = String(grant.corpId);
    const now = this.#nowMs();
    // A corp may fetch 400 tickets an hour, one app of it 100 (both kinds count); refused calls
    // are recorded (jsapiFetchTimes) but use no quota.
    const lastHour = this.#jsapiFetches.filter(
      (fetch) => fetch.corpId === corpId && now - fetch.atMs < HOUR_MS && fetch.served,
    );
    const overQuota =
      lastHour.length >= JSAPI_QUOTA_PER_HOUR.corp ||
      lastHour.filter((fetch) => fetch.suiteId === suiteId).length >= JSAPI_QUOTA_PER_HOUR.agent;
    this.#jsapiFetches.push({ type, suiteId, corpId, atMs: now, served: !overQuota });
    if (overQuota) {
      return error(45009, 'api freq out of limit');
    }
    const ticket = this.#reuseOrIssue(
      this.#jsapiTickets,
      `${type}|${grantKey(suiteId, corpId)}`,
      type === 'corp' ? 'get_jsapi_ticket' : 'ticket/get',
      `jsapi-${type}`,
    );
    return { errcode: 0, errmsg: 'ok', ticket: ticket.value, expires_in: this.#expiresIn(ticket) };
  }

  #getPreAuthCode(query: URLSearchParams): Record<string, unknown> {
    const suiteId = this.#suiteOfToken(query);
    if (typeof suiteId !== 'string') {
      return suiteId;
    }
    // A new code on every call, each valid 1200 s (document/path/90601).
    const code = `preauth-${randomBytes(24).toString('hex')}`;
    this.#preAuthCodes.set(code, { suiteId, issuedAtMs: this.#nowMs(), authType: 0 });
    this.#issued.set('service/get_pre_auth_code', this.issuedTokens('service/get_pre_auth_code') + 1);
    return { errcode: 0, errmsg: 'ok', pre_auth_code: code, expires_in: PRE_AUTH_CODE_LIFETIME_SECONDS };
  }

  #setSessionInfo(query: URLSearchParams, body: Record<string, unknown>): Record<string, unknown> {
    const suiteId = this.#suiteOfToken(query);
    if (typeof suiteId !== 'string') {
      return suiteId;
    }
    const code = this.#livePreAuthCode(suiteId, body.pre_auth_code);
    if (typeof code === 'string') {
      return code === 'expired'
        ? error(42007, 'pre_auth_code expired')
        : error(40077, 'invalid pre_auth_code');
    }
    const authType = (body.session_info as { auth_type?: unknown } | undefined)?.auth_type;
    if (authType !== 0 && authType !== 1) {
      return error(40097, 'invalid auth_type');
    }
    code.authType = authType;
    return { errcode: 0, errmsg: 'ok' };
  }

  #livePreAuthCode(suiteId: string, value: unknown): PreAuthCode | 'invalid' | 'expired' {
    const code = this.#preAuthCodes.get(String(value));
    if (code === undefined || code.suiteId !== suiteId) {
      return 'invalid';
    }
    return this.#nowMs() - code.issuedAtMs > PRE_AUTH_CODE_LIFETIME_SECONDS * 1000 ? 'expired' : code;
  }

  /**
   * WeCom's install page (open.work.weixin.qq.com/3rdapp/install): the signed-in admin (the
   * `sandbox_corp` cookie) consents at once, and the browser is sent to `redirect_uri` with a
   * fresh auth code, `expires_in=600` and the `state` as given. A bad pre-auth code or state is
   * WeCom's error page (200, no redirect), as in the real flow.
   */
  #installPage(query: URLSearchParams, cookie: string, response: ServerResponse): void {
    this.#calls.set('3rdapp/install', this.calls('3rdapp/install') + 1);
    const page = (text: string) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<html><body>${text}</body></html>`);
    };
    const suiteId = query.get('suite_id') ?? '';
    const state = query.get('state') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    const corpId = /(?:^|;\s*)sandbox_corp=([A-Za-z0-9_-]{1,64})/.exec(cookie)?.[1];
    const code = this.#suites.has(suiteId)
      ? this.#livePreAuthCode(suiteId, query.get('pre_auth_code'))
      : 'invalid';
    if (typeof code === 'string') {
      page('preauthcode校验失败');
      return;
    }
    if (!/^[A-Za-z0-9]{0,128}$/.test(state) || !/^https?:\/\//.test(redirectUri)) {
      page('参数错误');
      return;
    }
    if (corpId === undefined) {
      page('请使用企业管理员扫码登录');
      return;
    }
    const authCode = this.authorizeCorp(suiteId, corpId);
    const pending = this.#codes.get(authCode);
    if (pending !== undefined) {
      this.#codes.set(authCode, { ...pending, authType: code.authType });
    }
    const target = new URL(redirectUri);
    target.searchParams.set('auth_code', authCode);
    target.searchParams.set('expires_in', '600');
    target.searchParams.set('state', state);
    response.writeHead(302, { location: target.toString() });
    response.end();
  }

  /** Whether the corp's authorization came through a test-mode pre-auth code (auth_type 1). */
  authTypeOf(suiteId: string, corpId: string): 0 | 1 | undefined {
    return this.#grants.get(grantKey(suiteId, corpId))?.authType;
  }

  /**
   * The browser's side of an install from the provider's website: GET `startUrl` (the service's
   * `/install/{suiteId}`), follow its 302 to the install page signed in as `corpId`'s admin, and
   * follow WeCom's 302 back to the service. Returns every hop; the last is the service's answer.
   */
  async installViaWebsite(startUrl: string, corpId: string): Promise<InstallHop[]> {
    const hops: InstallHop[] = [];
    let url = startUrl;
    for (let hop = 0; hop < 5; hop += 1) {
      const onWeCom = url.startsWith(`${this.#baseUrl}/`);
      const response = await fetch(url, {
        redirect: 'manual',
        headers: onWeCom ? { cookie: `${SANDBOX_CORP_COOKIE}=${corpId}` } : {},
      });
      const location = response.headers.get('location') ?? undefined;
      const body = await response.text();
      hops.push({ url, status: response.status, ...(location === undefined ? { body } : { location }) });
      // The browser stops at the provider's own page (installCompleteUrl) or at any non-redirect.
      if (location === undefined || (hop > 0 && !onWeCom && !location.startsWith(`${this.#baseUrl}/`))) {
        return hops;
      }
      url = location;
    }
    return hops;
  }

  #grantFor(suiteId: string, corpId: string, permanentCode: unknown): Grant | Record<string, unknown> {
    const grant = this.#grants.get(grantKey(suiteId, corpId));
    if (grant === undefined || grant.permanentCode !== permanentCode) {
      return error(40084, 'invalid permanent_code');
    }
    if (grant.revoked) {
      return error(48004, 'auth relation invalid');
    }
    return grant;
  }

  #getAuthInfo(query: URLSearchParams, body: Record<string, unknown>): Record<string, unknown> {
    const suiteId = this.#suiteOfToken(query);
    if (typeof suiteId !== 'string') {
      return suiteId;
    }
    const corpId = String(body.auth_corpid);
    const grant = this.#grantFor(suiteId, corpId, body.permanent_code);
    if (!isGrant(grant)) {
      return grant;
    }
    return {
      errcode: 0,
      errmsg: 'ok',
      auth_corp_info: { corpid: corpId, corp_name: grant.corpName },
      auth_info: { agent: [{ agentid: grant.agentId, name: 'Simulated app', auth_mode: 0 }] },
    };
  }

  #getCorpToken(query: URLSearchParams, body: Record<string, unknown>): Record<string, unknown> {
    const suiteId = this.#suiteOfToken(query);
    if (typeof suiteId !== 'string') {
      return suiteId;
    }
    if (suiteId.startsWith('dk')) {
      return error(48002, 'api forbidden for customized app templates; use gettoken');
    }
    const corpId = String(body.auth_corpid);
    const grant = this.#grantFor(suiteId, corpId, body.permanent_code);
    if (!isGrant(grant)) {
      return grant;
    }
    const token = this.#reuseOrIssue(
      this.#corpTokens,
      grantKey(suiteId, corpId),
      'service/get_corp_token',
      'corp',
    );
    return { access_token: token.value, expires_in: this.#expiresIn(token) };
  }

  #getToken(query: URLSearchParams): Record<string, unknown> {
    const corpId = query.get('corpid') ?? '';
    for (const [key, grant] of this.#grants) {
      const [suiteId, grantCorpId] = key.split('|');
      if (
        grantCorpId === corpId &&
        suiteId?.startsWith('dk') &&
        grant.permanentCode === query.get('corpsecret')
      ) {
        if (grant.revoked) {
          return error(48004, 'auth relation invalid');
        }
        const token = this.#reuseOrIssue(this.#corpTokens, key, 'gettoken', 'corp');
        return { errcode: 0, errmsg: 'ok', access_token: token.value, expires_in: this.#expiresIn(token) };
      }
    }
    return error(40001, 'invalid secret');
  }

  #reuseOrIssue(tokens: Map<string, IssuedToken>, key: string, api: string, prefix: string): IssuedToken {
    const current = tokens.get(key);
    if (current !== undefined && current.expiresAtMs > this.#nowMs()) {
      return current;
    }
    const token = {
      value: `${prefix}-token-${randomBytes(16).toString('hex')}`,
      expiresAtMs: this.#nowMs() + (this.options.tokenLifetimeSeconds ?? 7200) * 1000,
    };
    tokens.set(key, token);
    this.#issued.set(api, this.issuedTokens(api) + 1);
    return token;
  }

  // WeCom does not document whether a repeated fetch of a still-valid token reports its remaining
  // or its full lifetime; the simulator does either (`repeatedExpiresIn`).
  #expiresIn(token: IssuedToken): number {
    if (this.options.repeatedExpiresIn === 'full') {
      return this.options.tokenLifetimeSeconds ?? 7200;
    }
    return Math.max(1, Math.round((token.expiresAtMs - this.#nowMs()) / 1000));
  }
}

const grantKey = (suiteId: string, corpId: string) => `${suiteId}|${corpId}`;

const isGrant = (value: Grant | Record<string, unknown>): value is Grant => 'permanentCode' in value;

const error = (errcode: number, errmsg: string) => ({ errcode, errmsg: `${errmsg}, hint: [simulated]` });

const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
  let text = '';
  for await (const chunk of request) {
    text += (chunk as Buffer).toString();
  }
  if (text === '') {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
