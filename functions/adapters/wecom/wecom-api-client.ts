import type { AuthInfo } from '../../core/authorization/corp-authorization.ts';
import type { SuiteKind } from '../../core/config/service-config.ts';
import { OutcomeUnknownError, UpstreamUnavailableError, WeComApiError } from '../../core/errors.ts';
import type {
  JsapiTicketType,
  MintedToken,
  PermanentCodeGrant,
  WeComApi,
  WeComUserDetail,
  WeComUserIdentity,
} from '../../core/ports/wecom-api.ts';
import { MIN_CALL_MS } from '../deadline/request-deadlines.ts';
import { authInfoOf, permanentCodeGrantOf } from './authorization-mapping.ts';
import { detailOf, identityOf, minted } from './wire-mapping.ts';
import type {
  WireAccessTokenResponse,
  WireAuthInfoResponse,
  WireCustomizedAuthUrlResponse,
  WirePermanentCodeResponse,
  WirePreAuthCodeResponse,
  WireProviderTokenResponse,
  WireStatus,
  WireSuiteTokenResponse,
  WireTicketResponse,
  WireUserDetailResponse,
  WireUserInfoResponse,
} from './wire-types.ts';

export interface WeComApiClientOptions {
  /** e.g. `https://qyapi.weixin.qq.com` (no trailing slash). */
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
  /** Per attempt. @default 3000 */
  readonly timeoutMs?: number;
  /** Attempts for retryable failures. @default 3 */
  readonly maxAttempts?: number;
  /** First backoff; doubles per attempt, with full jitter. @default 100 */
  readonly baseBackoffMs?: number;
  /** Backoff after a rate-limit answer (45009/45033). @default 1000 */
  readonly rateLimitBackoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Told of every answer (errcode, 0 for success) or failure to get one (`network`), for metrics. */
  readonly observe?: (api: string, outcome: number | 'network') => void;
  /**
   * The current request's deadline: each attempt (and each backoff) is shortened to what is left of
   * it, and no attempt starts once too little is left. @default none: only `timeoutMs` bounds a call
   */
  readonly deadlines?: { remainingMs(): number | undefined };
}

/**
 * Whether a call may be sent again after a failure whose effect is unknown. Token APIs are
 * idempotent (WeCom returns the same token while it is valid); get_permanent_code is not: an auth
 * code works once, so a timeout after sending must not be retried blindly.
 */
type Idempotency = 'idempotent' | 'single_use';

const SYSTEM_BUSY = -1;
const RATE_LIMITED = new Set([45009, 45033]);

/** The one client for qyapi, over an injected `fetch`; wire-mapping.ts turns its snake_case answers into domain types. */
export class HttpWeComApi implements WeComApi {
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #baseBackoffMs: number;
  readonly #rateLimitBackoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(private readonly options: WeComApiClientOptions) {
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#baseBackoffMs = options.baseBackoffMs ?? 100;
    this.#rateLimitBackoffMs = options.rateLimitBackoffMs ?? 1000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
  }

  async getProviderToken(providerCorpId: string, providerSecret: string): Promise<MintedToken> {
    const response = await this.#call<WireProviderTokenResponse>('service/get_provider_token', 'idempotent', {
      body: { corpid: providerCorpId, provider_secret: providerSecret },
    });
    return minted('service/get_provider_token', response.provider_access_token, response.expires_in);
  }

  async getCustomizedAuthUrl(
    providerAccessToken: string,
    templateIds: readonly string[],
    state?: string,
  ): Promise<{ readonly qrcodeUrl: string; readonly expiresInSeconds: number }> {
    const api = 'service/get_customized_auth_url';
    const response = await this.#call<WireCustomizedAuthUrlResponse>(api, 'idempotent', {
      query: { provider_access_token: providerAccessToken },
      body: { templateid_list: [...templateIds], ...(state === undefined ? {} : { state }) },
    });
    if (typeof response.qrcode_url !== 'string' || typeof response.expires_in !== 'number') {
      throw new UpstreamUnavailableError(`${api} answered without qrcode_url or expires_in`);
    }
    return { qrcodeUrl: response.qrcode_url, expiresInSeconds: response.expires_in };
  }

  async getPreAuthCode(suiteAccessToken: string): Promise<MintedToken> {
    const api = 'service/get_pre_auth_code';
    const response = await this.#call<WirePreAuthCodeResponse>(api, 'idempotent', {
      query: { suite_access_token: suiteAccessToken },
    });
    return minted(api, response.pre_auth_code, response.expires_in);
  }

  async setSessionInfo(suiteAccessToken: string, preAuthCode: string, authType: 0 | 1): Promise<void> {
    await this.#call<WireStatus>('service/set_session_info', 'idempotent', {
      query: { suite_access_token: suiteAccessToken },
      body: { pre_auth_code: preAuthCode, session_info: { auth_type: authType } },
    });
  }

  async getSuiteToken(suiteId: string, suiteSecret: string, suiteTicket: string): Promise<MintedToken> {
    const response = await this.#call<WireSuiteTokenResponse>('service/get_suite_token', 'idempotent', {
      body: { suite_id: suiteId, suite_secret: suiteSecret, suite_ticket: suiteTicket },
    });
    return minted('service/get_suite_token', response.suite_access_token, response.expires_in);
  }

  async getPermanentCode(suiteAccessToken: string, authCode: string): Promise<PermanentCodeGrant> {
    const api = 'service/v2/get_permanent_code';
    const response = await this.#call<WirePermanentCodeResponse>(api, 'single_use', {
      query: { suite_access_token: suiteAccessToken },
      body: { auth_code: authCode },
    });
    return permanentCodeGrantOf(api, response);
  }

  async getAuthInfo(
    suiteAccessToken: string,
    corpId: string,
    permanentCode: string,
    kind: SuiteKind,
  ): Promise<AuthInfo> {
    // 代开发 documents v2 (document/path/100795); third-party suites have v1 only (document/14943).
    const api = kind === 'customized' ? 'service/v2/get_auth_info' : 'service/get_auth_info';
    const response = await this.#call<WireAuthInfoResponse>(api, 'idempotent', {
      query: { suite_access_token: suiteAccessToken },
      body: { auth_corpid: corpId, permanent_code: permanentCode },
    });
    return authInfoOf(response);
  }

  async getCorpToken(suiteAccessToken: string, corpId: string, permanentCode: string): Promise<MintedToken> {
    const response = await this.#call<WireAccessTokenResponse>('service/get_corp_token', 'idempotent', {
      query: { suite_access_token: suiteAccessToken },
      body: { auth_corpid: corpId, permanent_code: permanentCode },
    });
    return minted('service/get_corp_token', response.access_token, response.expires_in);
  }

  async getCustomizedCorpToken(corpId: string, permanentCode: string): Promise<MintedToken> {
    const response = await this.#call<WireAccessTokenResponse>('gettoken', 'idempotent', {
      query: { corpid: corpId, corpsecret: permanentCode },
    });
    return minted('gettoken', response.access_token, response.expires_in);
  }

  async getUserInfo3rd(suiteAccessToken: string, code: string): Promise<WeComUserIdentity> {
    const response = await this.#call<WireUserInfoResponse>('service/auth/getuserinfo3rd', 'single_use', {
      query: { suite_access_token: suiteAccessToken, code },
    });
    return identityOf(response);
  }

  async getCustomizedUserInfo(corpAccessToken: string, code: string): Promise<WeComUserIdentity> {
    const response = await this.#call<WireUserInfoResponse>('auth/getuserinfo', 'single_use', {
      query: { access_token: corpAccessToken, code },
    });
    return identityOf(response);
  }

  async getUserDetail3rd(suiteAccessToken: string, userTicket: string): Promise<WeComUserDetail> {
    const api = 'service/auth/getuserdetail3rd';
    const response = await this.#call<WireUserDetailResponse>(api, 'idempotent', {
      query: { suite_access_token: suiteAccessToken },
      body: { user_ticket: userTicket },
    });
    return detailOf(api, response);
  }

  async getCustomizedUserDetail(corpAccessToken: string, userTicket: string): Promise<WeComUserDetail> {
    const api = 'auth/getuserdetail';
    const response = await this.#call<WireUserDetailResponse>(api, 'idempotent', {
      query: { access_token: corpAccessToken },
      body: { user_ticket: userTicket },
    });
    return detailOf(api, response);
  }

  async getJsapiTicket(corpAccessToken: string, type: JsapiTicketType): Promise<MintedToken> {
    const api = type === 'corp' ? 'get_jsapi_ticket' : 'ticket/get';
    const response = await this.#call<WireTicketResponse>(api, 'idempotent', {
      query: { access_token: corpAccessToken, ...(type === 'agent' ? { type: 'agent_config' } : {}) },
    });
    return minted(api, response.ticket, response.expires_in);
  }

  // Never logs: URLs and bodies carry secrets (suite_secret, tokens, permanent codes).
  async #call<T extends WireStatus>(
    api: string,
    idempotency: Idempotency,
    request: { readonly query?: Record<string, string>; readonly body?: Record<string, unknown> },
  ): Promise<T> {
    const url = new URL(`${this.options.baseUrl}/cgi-bin/${api}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      url.searchParams.set(name, value);
    }
    let lastFailure: Error | undefined;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      if (attempt > 1) {
        const backoffMs = this.#backoffMs(attempt, lastFailure);
        if (backoffMs + MIN_CALL_MS > (this.#remainingMs() ?? Number.POSITIVE_INFINITY)) {
          break;
        }
        await this.#sleep(backoffMs);
      }
      const remainingMs = this.#remainingMs();
      if (remainingMs !== undefined && remainingMs < MIN_CALL_MS) {
        lastFailure ??= new Error('no time left before the deadline');
        break;
      }
      const outcome = await this.#attempt<T>(
        api,
        url,
        request.body,
        Math.min(this.#timeoutMs, remainingMs ?? Number.POSITIVE_INFINITY),
      );
      if (outcome.kind === 'answer') {
        const errcode = outcome.body.errcode ?? 0;
        this.options.observe?.(api, errcode);
        if (errcode === 0) {
          return outcome.body;
        }
        const error = new WeComApiError(api, errcode, outcome.body.errmsg ?? '');
        // A rate limit means WeCom did not act on the request, so even a single-use call may retry;
        // -1 (system busy) may have acted, so a single-use call stops there with its outcome unknown.
        if (errcode === SYSTEM_BUSY && idempotency === 'single_use') {
          throw new OutcomeUnknownError(`${api} answered -1 (system busy); it may have been applied`, {
            cause: error,
          });
        }
        if (errcode !== SYSTEM_BUSY && !RATE_LIMITED.has(errcode)) {
          throw error;
        }
        lastFailure = error;
        continue;
      }
      this.options.observe?.(api, 'network');
      lastFailure = outcome.error;
      if (idempotency === 'single_use' && !outcome.notSent) {
        throw new OutcomeUnknownError(
          `${api} got no answer (${outcome.error.message}); it may have been applied`,
          {
            cause: outcome.error,
          },
        );
      }
    }
    if (lastFailure instanceof WeComApiError) {
      throw lastFailure;
    }
    throw new UpstreamUnavailableError(
      `${api} is unreachable: ${lastFailure?.message ?? 'no attempt made'}`,
      {
        cause: lastFailure,
      },
    );
  }

  #remainingMs(): number | undefined {
    return this.options.deadlines?.remainingMs();
  }

  async #attempt<T>(
    api: string,
    url: URL,
    body: Record<string, unknown> | undefined,
    timeoutMs: number,
  ): Promise<{ kind: 'answer'; body: T } | { kind: 'failure'; error: Error; notSent: boolean }> {
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const failure = describeNetworkFailure(error);
      return {
        kind: 'failure',
        error: new Error(failure.message, { cause: error }),
        notSent: failure.notSent,
      };
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      return { kind: 'failure', error: new Error(`HTTP ${response.status}`), notSent: false };
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch (error) {
      return {
        kind: 'failure',
        error: new Error(`${api} answered HTTP ${response.status} without JSON`, { cause: error }),
        notSent: false,
      };
    }
    if (typeof parsed !== 'object' || parsed === null) {
      return { kind: 'failure', error: new Error(`${api} answered with a non-object`), notSent: false };
    }
    return { kind: 'answer', body: parsed as T };
  }

  #backoffMs(attempt: number, lastFailure: Error | undefined): number {
    if (lastFailure instanceof WeComApiError && RATE_LIMITED.has(lastFailure.errcode)) {
      return this.#rateLimitBackoffMs * (0.5 + this.#random() / 2);
    }
    return this.#random() * this.#baseBackoffMs * 2 ** (attempt - 2);
  }
}

// A refused connection never reached WeCom; anything else (timeout, reset) may have.
const describeNetworkFailure = (error: unknown): { message: string; notSent: boolean } => {
  const cause =
    error instanceof Error
      ? (error.cause as { code?: string; errors?: { code?: string }[] } | undefined)
      : undefined;
  // With several addresses (IPv4 and IPv6) undici reports an AggregateError of refusals.
  const refused =
    cause?.code === 'ECONNREFUSED' || cause?.errors?.every((inner) => inner.code === 'ECONNREFUSED') === true;
  if (refused) {
    return { message: 'connection refused', notSent: true };
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return { message: 'timed out', notSent: false };
  }
  return { message: cause?.code ?? 'network error', notSent: false };
};
