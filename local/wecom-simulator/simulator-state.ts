import { randomBytes } from 'node:crypto';

/** A suite the simulator knows, with the secrets WeCom and the provider share. */
export interface SimulatedSuite {
  readonly suiteId: string;
  readonly suiteSecret: string;
  /** Callback Token and EncodingAESKey: needed only to push callbacks. */
  readonly token?: string;
  readonly encodingAesKey?: string;
}

/** How the simulated WeCom is set up. */
export interface WeComSimulatorOptions {
  readonly suites: readonly SimulatedSuite[];
  readonly providerCorpId?: string;
  /** The provider's secret get_provider_token accepts. @default none: it answers 40001 */
  readonly providerSecret?: string;
  /** The Token and EncodingAESKey of the provider's system-event URL: needed only to push system events. */
  readonly providerCallback?: { readonly token: string; readonly encodingAesKey: string };
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

/** A token or ticket WeCom handed out, valid until `expiresAtMs`. */
export interface IssuedToken {
  readonly value: string;
  readonly expiresAtMs: number;
}

/** A suite_ticket WeCom pushed; it stays valid 30 minutes after `issuedAtMs`. */
export interface IssuedSuiteTicket {
  readonly value: string;
  readonly issuedAtMs: number;
  /** The push's TimeStamp, in seconds. */
  readonly timeStamp: number;
}

/** An auth code a corp's install produced, waiting to be exchanged for a permanent code. */
export interface PendingCode {
  readonly suiteId: string;
  readonly corpId: string;
  readonly corpName: string;
  readonly issuedAtMs: number;
  /** The auth_type of the pre-auth code the install came through, when it came through one. */
  readonly authType?: 0 | 1;
  /** The `state` of the link or QR code the corp installed through (v2 get_permanent_code returns it). */
  readonly state?: string;
  used: boolean;
}

/** A paid app's edition in a corp, as WeCom's edition_info.agent[] describes it (document/path/91911). */
export interface SimulatedEdition {
  readonly editionId: string;
  readonly editionName: string;
  /** 0–7: 0 no edition, 1 trial, 2 trial expired, 3 paid, 4 paid expired, 5 not paid after trial, … */
  readonly appStatus: number;
  readonly userLimit: number;
  /** Unix seconds. */
  readonly expiredTime: number;
  /** is_virtual_version: a virtual edition (e.g. one given on a trial); answered false when absent. */
  readonly isVirtualVersion?: boolean;
  /** is_shared_from_other_corp: the edition comes with an app shared by another corp; false when absent. */
  readonly isSharedFromOtherCorp?: boolean;
}

/** A corp's authorization of a suite: what the permanent code it holds unlocks. */
export interface Grant {
  permanentCode: string;
  readonly corpName: string;
  readonly agentId: number;
  revoked: boolean;
  /** 1: a test authorization (set_session_info auth_type 1 on the pre-auth code it came through). */
  readonly authType?: 0 | 1;
  /** The paid edition, once the corp has one (change_editon). */
  edition?: SimulatedEdition;
}

/** A pre-auth code for the install page, and the auth_type set_session_info gave it. */
export interface PreAuthCode {
  readonly suiteId: string;
  readonly issuedAtMs: number;
  authType: 0 | 1;
}

/**
 * The `scope` of the OAuth link a user followed (document/path/91120, 96441): `snsapi_base` signs
 * in silently, `snsapi_userinfo` (third-party apps only) and `snsapi_privateinfo` ask the member's
 * consent and are what a user_ticket comes with.
 */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_privateinfo';

/** Who signs in, and through which link. */
export interface OAuthSignIn {
  /** A member of the corp; absent for an outsider (who gets an openid). */
  readonly userId?: string;
  /** @default 'snsapi_base', the silent sign-in most apps use */
  readonly scope?: OAuthScope;
  /** An outsider who is a customer of the corp (代开发 apps see their external_userid). */
  readonly externalUserId?: string;
}

/** The code WeCom appends to an OAuth redirect when a user signs in to the app. */
export interface OAuthCode {
  readonly suiteId: string;
  readonly corpId: string;
  readonly userId?: string;
  readonly scope: OAuthScope;
  readonly externalUserId?: string;
  readonly issuedAtMs: number;
  used: boolean;
}

/** The user_ticket a member's sign-in yields, good for the member's details. */
export interface UserTicket {
  readonly suiteId: string;
  readonly corpId: string;
  readonly userId: string;
  readonly scope: OAuthScope;
  readonly issuedAtMs: number;
}

/** One fetch of a JS-SDK ticket, remembered for the hourly quota. */
export interface JsapiFetch {
  readonly type: 'corp' | 'agent';
  readonly suiteId: string;
  readonly corpId: string;
  readonly atMs: number;
  /** False when WeCom refused it for the quota. */
  readonly served: boolean;
}

/** A corp's authorization of a suite, by the two ids. */
export interface AuthorizedCorp {
  readonly suiteId: string;
  readonly corpId: string;
}

/** The key of a corp's authorization of a suite (and of its corp token): `suiteId|corpId`. */
export const grantKey = (suiteId: string, corpId: string): string => `${suiteId}|${corpId}`;

/** The two ids a {@link grantKey} joins. */
export const splitGrantKey = (key: string): AuthorizedCorp => {
  const [suiteId = '', corpId = ''] = key.split('|');
  return { suiteId, corpId };
};

/** 代开发 (customized app) template ids start with `dk`; third-party suite ids do not. */
export const isCustomizedTemplate = (suiteId: string): boolean => suiteId.startsWith('dk');

const DEFAULT_TOKEN_LIFETIME_SECONDS = 7200;

/**
 * What the simulated WeCom remembers, shared by the API families: the suites it knows, every
 * ticket, code, grant and token it handed out, and how often each API was called or issued.
 */
export class SimulatorState {
  readonly options: WeComSimulatorOptions;
  readonly nowMs: () => number;
  readonly suites: ReadonlyMap<string, SimulatedSuite>;
  // Every ticket of a suite stays valid 30 minutes after it was issued, as WeCom's do.
  readonly tickets = new Map<string, IssuedSuiteTicket[]>();
  readonly suiteTokens = new Map<string, IssuedToken>();
  readonly providerTokens = new Map<string, IssuedToken>();
  /** By grantKey. */
  readonly corpTokens = new Map<string, IssuedToken>();
  readonly codes = new Map<string, PendingCode>();
  readonly preAuthCodes = new Map<string, PreAuthCode>();
  readonly oauthCodes = new Map<string, OAuthCode>();
  readonly userTickets = new Map<string, UserTicket>();
  /** By `type|grantKey`. */
  readonly jsapiTickets = new Map<string, IssuedToken>();
  readonly jsapiFetches: JsapiFetch[] = [];
  /** By grantKey. */
  readonly grants = new Map<string, Grant>();
  /** What each 代开发 QR code link was created with, by the link's ticket (the link itself carries no state). */
  readonly customizedAuthStates = new Map<string, string>();
  /** The agent id the next new authorization gets, as WeCom numbers a corp's apps. */
  nextAgentId = 1000002;
  readonly #calls = new Map<string, number>();
  /** get_permanent_code calls that reached WeCom's check of the code, by the code they named. */
  readonly #permanentCodeAsks = new Map<string, number>();
  readonly #issued = new Map<string, number>();

  constructor(options: WeComSimulatorOptions) {
    this.options = options;
    this.nowMs = options.nowMs ?? Date.now;
    this.suites = new Map(options.suites.map((suite) => [suite.suiteId, suite]));
  }

  /** @throws Error when the simulator was not given the suite (a mistake in the test). */
  requireSuite(suiteId: string): SimulatedSuite {
    const suite = this.suites.get(suiteId);
    if (suite === undefined) {
      throw new Error(`the simulator has no suite ${suiteId}`);
    }
    return suite;
  }

  /** Counts a call to `api` (as `calls` reports it), faults and refusals included. */
  countCall(api: string): void {
    this.#calls.set(api, this.calls(api) + 1);
  }

  /** How many times an API was called, faults included. */
  calls(api: string): number {
    return this.#calls.get(api) ?? 0;
  }

  /** Counts a get_permanent_code that named `authCode` (as `permanentCodeAsks` reports it). */
  countPermanentCodeAsk(authCode: string): void {
    this.#permanentCodeAsks.set(authCode, this.permanentCodeAsks(authCode) + 1);
  }

  /** How many get_permanent_code calls named `authCode`, answered or refused (not the faults injected before WeCom reads it). */
  permanentCodeAsks(authCode: string): number {
    return this.#permanentCodeAsks.get(authCode) ?? 0;
  }

  /** Counts a token, code or ticket newly issued by `api` (as `issuedTokens` reports it). */
  countIssued(api: string): void {
    this.#issued.set(api, this.issuedTokens(api) + 1);
  }

  /** How many new tokens an API issued (a repeated fetch of a still-valid token does not count). */
  issuedTokens(api: string): number {
    return this.#issued.get(api) ?? 0;
  }

  /** WeCom's habit: the same token while it is valid, a new one (counted for `api`) after. */
  reuseOrIssue(tokens: Map<string, IssuedToken>, key: string, api: string, prefix: string): IssuedToken {
    const current = tokens.get(key);
    if (current !== undefined && current.expiresAtMs > this.nowMs()) {
      return current;
    }
    const token = {
      value: `${prefix}-token-${randomBytes(16).toString('hex')}`,
      expiresAtMs: this.nowMs() + this.#tokenLifetimeSeconds() * 1000,
    };
    tokens.set(key, token);
    this.countIssued(api);
    return token;
  }

  /** The `expires_in` WeCom reports for `token`, in seconds. */
  expiresIn(token: IssuedToken): number {
    // WeCom does not document whether a repeated fetch of a still-valid token reports its remaining
    // or its full lifetime; the simulator does either (`repeatedExpiresIn`).
    if (this.options.repeatedExpiresIn === 'full') {
      return this.#tokenLifetimeSeconds();
    }
    return Math.max(1, Math.round((token.expiresAtMs - this.nowMs()) / 1000));
  }

  /** Whether `token` is `value` and still valid. */
  accepts(token: IssuedToken | undefined, value: string): boolean {
    return token !== undefined && token.value === value && token.expiresAtMs > this.nowMs();
  }

  #tokenLifetimeSeconds(): number {
    return this.options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  }
}
