import type { AuthInfo } from '../../functions/core/authorization/corp-authorization.ts';
import { WeComApiError } from '../../functions/core/errors.ts';
import type { Clock } from '../../functions/core/ports/clock.ts';
import type {
  JsapiTicketType,
  MintedToken,
  PermanentCodeGrant,
  WeComApi,
  WeComUserDetail,
  WeComUserIdentity,
} from '../../functions/core/ports/wecom-api.ts';
import { createGate, type Gate, simulatedIo } from './manual-clock.ts';

/** The APIs the fake answers, named as HttpWeComApi and the simulator name them. */
export type FakeWeComApiName =
  | 'service/get_suite_token'
  | 'service/get_corp_token'
  | 'gettoken'
  | 'service/get_provider_token'
  | 'get_jsapi_ticket'
  | 'ticket/get'
  | 'service/get_pre_auth_code'
  | 'service/set_session_info';

/** One call as the fake received it (arguments in the port's order). */
export interface FakeWeComCall {
  readonly api: FakeWeComApiName;
  readonly args: readonly string[];
  readonly atMs: number;
}

/**
 * What the next call of an API meets instead of WeCom's usual answer: an error thrown as the
 * client would (WeComApiError, UpstreamUnavailableError for a timeout), a given answer, or a gate
 * it waits at before answering as usual (or failing with `thenFail`, or answering `thenAnswer`).
 */
export type FakeWeComStep =
  | Error
  | { readonly answer: MintedToken }
  | { readonly wait: () => Promise<void>; readonly thenFail?: Error; readonly thenAnswer?: MintedToken };

interface Issued {
  readonly identity: string;
  readonly value: string;
  readonly expiresAtMs: number;
}

// WeCom's lifetimes: tokens and JS-SDK tickets 7200 s, pre-auth codes 1200 s.
const LIFETIME_SECONDS: Readonly<Record<FakeWeComApiName, number>> = {
  'service/get_suite_token': 7200,
  'service/get_corp_token': 7200,
  gettoken: 7200,
  'service/get_provider_token': 7200,
  get_jsapi_ticket: 7200,
  'ticket/get': 7200,
  'service/get_pre_auth_code': 1200,
  'service/set_session_info': 0,
};

// WeCom's answer for an access token it does not accept (docs/wecom-protocol.md §5.12).
const INVALID_ACCESS_TOKEN = 40014;

/**
 * WeCom's token APIs in memory, for the token use cases' unit tests. It answers like WeCom
 * (document/path/97164): the same value while it is valid, with its remaining lifetime (or the
 * full one: `repeatedExpiresIn`), a new one once it ended; a call made with an access token it did
 * not issue, or that ended, is refused with 40014. Tests script failures, answers and held calls
 * per API (`script`), and count and inspect the calls. Each call is one simulated round trip.
 */
export class InMemoryWeComApi implements WeComApi {
  readonly received: FakeWeComCall[] = [];
  readonly #scripts = new Map<FakeWeComApiName, FakeWeComStep[]>();
  readonly #current = new Map<string, Issued>();
  readonly #byValue = new Map<string, Issued>();
  #serial = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: {
      readonly repeatedExpiresIn?: 'remaining' | 'full';
      /**
       * WeCom starts a lifetime this much later than the caller sent its request (the answer's way
       * back, WeCom's clock a moment behind), so at the caller's end of a token WeCom still hands
       * it back for this long. @default 0
       */
      readonly issueLagMs?: number;
    } = {},
  ) {}

  /** The next calls of `api` meet `steps`, one each, before it answers as usual again. */
  script(api: FakeWeComApiName, ...steps: FakeWeComStep[]): void {
    this.#scripts.set(api, [...(this.#scripts.get(api) ?? []), ...steps]);
  }

  /**
   * The next call of `api` waits at the returned gate until the test releases it, then answers as
   * usual, or fails with `thenFail`.
   */
  hold(api: FakeWeComApiName, thenFail?: Error): Gate {
    const gate = createGate();
    this.script(api, { wait: gate.pass, ...(thenFail === undefined ? {} : { thenFail }) });
    return gate;
  }

  /** How many calls `api` received. */
  calls(api: FakeWeComApiName): number {
    return this.received.filter((call) => call.api === api).length;
  }

  /** Whether WeCom would accept `value` now: it issued it, and it has not ended or been invalidated. */
  isValid(value: string): boolean {
    const issued = this.#byValue.get(value);
    return (
      issued !== undefined &&
      this.#current.get(issued.identity) === issued &&
      this.clock.nowMs() < issued.expiresAtMs
    );
  }

  /** WeCom forgets the value (its end came early, e.g. a reset): the next call issues a new one. */
  invalidate(value: string): void {
    const issued = this.#byValue.get(value);
    if (issued !== undefined && this.#current.get(issued.identity) === issued) {
      this.#current.delete(issued.identity);
    }
  }

  getSuiteToken(suiteId: string, suiteSecret: string, suiteTicket: string): Promise<MintedToken> {
    return this.#mint('service/get_suite_token', [suiteId, suiteSecret, suiteTicket], `suite|${suiteId}`);
  }

  async getCorpToken(suiteAccessToken: string, corpId: string, permanentCode: string): Promise<MintedToken> {
    return this.#mint('service/get_corp_token', [suiteAccessToken, corpId, permanentCode], () => {
      const suite = this.#accepted('service/get_corp_token', suiteAccessToken);
      return `corp|${suite.identity}|${corpId}`;
    });
  }

  getCustomizedCorpToken(corpId: string, permanentCode: string): Promise<MintedToken> {
    return this.#mint('gettoken', [corpId, permanentCode], `corp|${corpId}|${permanentCode}`);
  }

  getProviderToken(providerCorpId: string, providerSecret: string): Promise<MintedToken> {
    return this.#mint('service/get_provider_token', [providerCorpId, providerSecret], 'provider');
  }

  getJsapiTicket(corpAccessToken: string, type: JsapiTicketType): Promise<MintedToken> {
    const api = type === 'corp' ? 'get_jsapi_ticket' : 'ticket/get';
    return this.#mint(api, [corpAccessToken, type], () => {
      const corp = this.#accepted(api, corpAccessToken);
      return `${api}|${corp.identity}`;
    });
  }

  getPreAuthCode(suiteAccessToken: string): Promise<MintedToken> {
    // Every call is a new code (WeCom does not hand a pre-auth code back).
    return this.#mint('service/get_pre_auth_code', [suiteAccessToken], () => {
      this.#accepted('service/get_pre_auth_code', suiteAccessToken);
      this.#serial += 1;
      return `pre_auth|${this.#serial}`;
    });
  }

  async setSessionInfo(suiteAccessToken: string, preAuthCode: string, authType: 0 | 1): Promise<void> {
    await this.#call('service/set_session_info', [suiteAccessToken, preAuthCode, String(authType)]);
    this.#accepted('service/set_session_info', suiteAccessToken);
  }

  async getCustomizedAuthUrl(): Promise<{ readonly qrcodeUrl: string; readonly expiresInSeconds: number }> {
    return notFaked('getCustomizedAuthUrl');
  }

  async getPermanentCode(): Promise<PermanentCodeGrant> {
    return notFaked('getPermanentCode');
  }

  async getAuthInfo(): Promise<AuthInfo> {
    return notFaked('getAuthInfo');
  }

  async getUserInfo3rd(): Promise<WeComUserIdentity> {
    return notFaked('getUserInfo3rd');
  }

  async getCustomizedUserInfo(): Promise<WeComUserIdentity> {
    return notFaked('getCustomizedUserInfo');
  }

  async getUserDetail3rd(): Promise<WeComUserDetail> {
    return notFaked('getUserDetail3rd');
  }

  async getCustomizedUserDetail(): Promise<WeComUserDetail> {
    return notFaked('getCustomizedUserDetail');
  }

  /** Records the call, takes one simulated round trip, and meets the next scripted step, if any. */
  async #call(
    api: FakeWeComApiName,
    args: readonly string[],
  ): Promise<{ readonly answer: MintedToken } | undefined> {
    this.received.push({ api, args, atMs: this.clock.nowMs() });
    await simulatedIo();
    const step = this.#scripts.get(api)?.shift();
    if (step instanceof Error) {
      throw step;
    }
    if (step !== undefined && 'wait' in step) {
      await step.wait();
      if (step.thenFail !== undefined) {
        throw step.thenFail;
      }
      return step.thenAnswer === undefined ? undefined : { answer: step.thenAnswer };
    }
    return step;
  }

  async #mint(
    api: FakeWeComApiName,
    args: readonly string[],
    identityOf: string | (() => string),
  ): Promise<MintedToken> {
    const scripted = await this.#call(api, args);
    if (scripted !== undefined) {
      return scripted.answer;
    }
    const identity = typeof identityOf === 'string' ? identityOf : identityOf();
    const now = this.clock.nowMs();
    const current = this.#current.get(identity);
    if (current !== undefined && now < current.expiresAtMs) {
      // As the simulator answers: whole seconds, never 0 for a value it still hands out.
      const remainingSeconds = Math.max(1, Math.round((current.expiresAtMs - now) / 1000));
      return {
        accessToken: current.value,
        expiresInSeconds:
          this.options.repeatedExpiresIn === 'full' ? LIFETIME_SECONDS[api] : remainingSeconds,
      };
    }
    this.#serial += 1;
    const issued: Issued = {
      identity,
      value: `${api.replace(/\W/g, '_')}-${this.#serial}`,
      expiresAtMs: now + (this.options.issueLagMs ?? 0) + LIFETIME_SECONDS[api] * 1000,
    };
    this.#current.set(identity, issued);
    this.#byValue.set(issued.value, issued);
    return { accessToken: issued.value, expiresInSeconds: LIFETIME_SECONDS[api] };
  }

  #accepted(api: FakeWeComApiName, accessToken: string): Issued {
    const issued = this.#byValue.get(accessToken);
    if (issued === undefined || !this.isValid(accessToken)) {
      throw new WeComApiError(api, INVALID_ACCESS_TOKEN, 'invalid access_token');
    }
    return issued;
  }
}

const notFaked = (method: string): never => {
  throw new Error(`InMemoryWeComApi does not fake ${method}`);
};
