import type { SuiteRegistry } from './config/suite-registry.ts';
import type { AccessToken } from './credentials/access-token.ts';
import type { CredentialKey } from './credentials/credential-key.ts';
import type { ServiceEvent } from './events/service-events.ts';

/** The current time; injected so tests and the replay window are deterministic. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

/** The current configuration, loaded lazily and cached by the adapter behind it. */
export interface SuiteRegistrySource {
  /**
   * @throws ConfigurationError when the document is invalid; StorageUnavailableError when it
   *   cannot be fetched right now.
   */
  current(): Promise<SuiteRegistry>;
}

/** A suite_ticket as WeCom stamped it. */
export interface TicketStamp {
  readonly suiteTicket: string;
  /** Unix seconds. */
  readonly timeStamp: number;
}

/** The newest ticket of a suite and the one before it (the fallback on 40085). */
export interface StoredSuiteTicket {
  readonly suiteId: string;
  readonly current: TicketStamp;
  readonly previous?: TicketStamp;
}

/** `stored`: it is now the newest; `stale`: a newer (or the same) ticket was already stored. */
export type TicketWriteOutcome = 'stored' | 'stale';

export interface SuiteTicketStore {
  /** Keeps the ticket only if its timeStamp is newer than the stored one; never rolls back. */
  recordTicket(suiteId: string, ticket: TicketStamp): Promise<TicketWriteOutcome>;
  getTicket(suiteId: string): Promise<StoredSuiteTicket | undefined>;
}

/**
 * What delivered an auth code: a create_auth or reset_permanent_code push, or (`install`) the
 * browser's redirect after an install started on the provider's website, for which WeCom pushes nothing.
 */
export type AuthCodeSource = 'create_auth' | 'reset_permanent_code' | 'install';

/** An auth code waiting to be exchanged for a permanent code (it lives 10 minutes, works once). */
export interface PendingAuthCode {
  readonly suiteId: string;
  readonly authCode: string;
  readonly source: AuthCodeSource;
  /** Unix seconds, from the event. */
  readonly timeStamp: number;
  readonly state?: string;
  /** The provider's `ref` of an install from its website, for the Authorization Changed event. */
  readonly installRef?: string;
  /** Milliseconds since the epoch. */
  readonly receivedAtMs: number;
}

export interface AuthCodeStore {
  /** Stores the code once; a re-delivery of the same code is a `duplicate` and changes nothing. */
  recordAuthCode(code: PendingAuthCode): Promise<'stored' | 'duplicate'>;
}

/** Stores the auth code of an install redirect, spending the install `state` that came with it. */
export interface InstallCodeStore {
  /**
   * In one transaction: marks `stateId` used (kept until `stateExpiresAtMs`) and stores the code
   * exactly like a pushed one. `state_used` when the state was spent before, `duplicate` when the
   * code was stored before; either way nothing changes.
   */
  recordInstallCode(
    code: PendingAuthCode,
    stateId: string,
    stateExpiresAtMs: number,
  ): Promise<'stored' | 'state_used' | 'duplicate'>;
}

export interface AuthorizationStore {
  /**
   * Records that a corp changed its authorization (change_auth), so its details get refreshed.
   * `unknown_corp` when no active authorization is stored for it (never installed, or uninstalled).
   */
  markAuthorizationChanged(
    suiteId: string,
    corpId: string,
    timeStamp: number,
  ): Promise<'recorded' | 'unknown_corp'>;
  /**
   * Marks the authorization revoked (cancel_auth), deletes its permanent code and cached tokens.
   * `stale` when the corp authorized again after this event's timeStamp, which then changes nothing.
   */
  revokeAuthorization(suiteId: string, corpId: string, timeStamp: number): Promise<'revoked' | 'stale'>;
  /** Whether the corp has an active authorization for the suite. */
  isAuthorized(suiteId: string, corpId: string): Promise<boolean>;
}

/** What an authorization exchange left behind for a corp and suite. */
export interface CorpAuthorization {
  readonly suiteId: string;
  readonly corpId: string;
  readonly status: 'active' | 'revoked';
  /** For 代开发 this is the app secret. Absent once revoked. */
  readonly permanentCode?: string;
  readonly corpName?: string;
  readonly agentId?: number;
  /** set by change_auth until get_auth_info has been read again. */
  readonly authInfoStale?: boolean;
  /** A change written but not yet published as an Authorization Changed event (the item's outbox). */
  readonly pendingEvent?: PendingAuthorizationChange;
}

/** What an authorization item holds until its change is published. */
export interface PendingAuthorizationChange {
  readonly status: 'active';
  readonly cause: AuthCodeSource;
  readonly installRef?: string;
  /** When the change was made: the event's `at`, and with the rest its id. */
  readonly atMs: number;
}

/** A permanent code just obtained from WeCom, to store for the corp. */
export interface ExchangedAuthorization {
  readonly suiteId: string;
  readonly corpId: string;
  readonly permanentCode: string;
  readonly corpName?: string;
  /** TimeStamp of the create_auth / reset_permanent_code event, Unix seconds. */
  readonly authorizedTimeStamp: number;
  /** Which event brought the code (the `cause` of the Authorization Changed event). */
  readonly source: AuthCodeSource;
  /** The provider's `ref` of an install from its website. */
  readonly installRef?: string;
}

export interface AuthorizationReader {
  getAuthorization(suiteId: string, corpId: string): Promise<CorpAuthorization | undefined>;
}

export interface AuthorizationWriter {
  /**
   * Stores the corp's (new) permanent code as active and deletes its cached corp token, which
   * belonged to the old code. `superseded` when a cancel_auth newer than the event already
   * revoked the corp; then nothing changes.
   */
  saveExchangedAuthorization(exchanged: ExchangedAuthorization): Promise<'saved' | 'superseded'>;
  /** Stores what get_auth_info said and clears `authInfoStale`. */
  updateAuthInfo(suiteId: string, corpId: string, info: AuthInfo): Promise<void>;
  /** Forgets the change waiting to be published, once it was (only the one made at `atMs`). */
  clearPendingEvent(suiteId: string, corpId: string, atMs: number): Promise<void>;
}

/**
 * The outcome of claiming a pending auth code for exchange. `claimed_after_unknown_outcome`: an
 * earlier attempt sent it to WeCom and got no usable answer, so WeCom may already have spent it.
 */
export type AuthCodeClaim =
  | 'claimed'
  | 'claimed_after_unknown_outcome'
  | 'already_done'
  | 'claimed_by_another';

/** How an auth code ended. `outcome_unknown`: spent by an attempt whose answer was lost; the corp must reinstall. */
export type AuthCodeOutcome =
  | { readonly status: 'exchanged'; readonly corpId: string }
  | { readonly status: 'failed' | 'outcome_unknown'; readonly reason: string };

export interface AuthCodeLifecycle {
  /** Claims a pending code for `claimMs`; a claim whose holder died can be taken over after it. */
  claimAuthCode(suiteId: string, authCode: string, owner: string, claimMs: number): Promise<AuthCodeClaim>;
  /**
   * Gives a claimed code back (a transient failure); the stream retries it. `outcomeUnknown`: it
   * was sent and the answer lost, which the next claim reports.
   */
  releaseAuthCode(
    suiteId: string,
    authCode: string,
    owner: string,
    options?: { readonly outcomeUnknown?: boolean },
  ): Promise<void>;
  /** Marks the code done (exchanged, failed for good, or outcome unknown). The code itself is deleted. */
  finishAuthCode(suiteId: string, authCode: string, outcome: AuthCodeOutcome): Promise<void>;
}

/** A token WeCom just issued. */
export interface MintedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

/** What get_permanent_code (v2) returns that the service keeps. */
export interface PermanentCodeGrant {
  readonly permanentCode: string;
  readonly corpId: string;
  readonly corpName?: string;
}

/** What get_auth_info returns that the service keeps. */
export interface AuthInfo {
  readonly corpName?: string;
  readonly agentId?: number;
}

/** The qyapi calls the service makes (docs/wecom-protocol.md §5). Errors: WeComApiError, UpstreamUnavailableError. */
export interface WeComApi {
  /** service/get_provider_token: the provider's own credential (login, licences, 代开发 links). */
  getProviderToken(providerCorpId: string, providerSecret: string): Promise<MintedToken>;
  /**
   * service/get_customized_auth_url: a QR-code link with which a corp authorizes 代开发 templates.
   * `state`: [A-Za-z0-9], at most 32.
   */
  getCustomizedAuthUrl(
    providerAccessToken: string,
    templateIds: readonly string[],
    state?: string,
  ): Promise<{ readonly qrcodeUrl: string; readonly expiresInSeconds: number }>;
  getSuiteToken(suiteId: string, suiteSecret: string, suiteTicket: string): Promise<MintedToken>;
  /** service/get_pre_auth_code: the code an install link from the provider's website carries (1200 s). */
  getPreAuthCode(suiteAccessToken: string): Promise<MintedToken>;
  /** service/set_session_info: `authType` 1 makes installs with this pre-auth code test authorizations. */
  setSessionInfo(suiteAccessToken: string, preAuthCode: string, authType: 0 | 1): Promise<void>;
  getPermanentCode(suiteAccessToken: string, authCode: string): Promise<PermanentCodeGrant>;
  getAuthInfo(suiteAccessToken: string, corpId: string, permanentCode: string): Promise<AuthInfo>;
  /** Third-party suites: service/get_corp_token. */
  getCorpToken(suiteAccessToken: string, corpId: string, permanentCode: string): Promise<MintedToken>;
  /** 代开发 templates: gettoken with the permanent code as corpsecret. */
  getCustomizedCorpToken(corpId: string, permanentCode: string): Promise<MintedToken>;
  /** Third-party suites: service/auth/getuserinfo3rd (an OAuth code, single use). */
  getUserInfo3rd(suiteAccessToken: string, code: string): Promise<WeComUserIdentity>;
  /** 代开发 templates: auth/getuserinfo with the corp's token (an OAuth code, single use). */
  getCustomizedUserInfo(corpAccessToken: string, code: string): Promise<WeComUserIdentity>;
  /** Third-party suites: service/auth/getuserdetail3rd. */
  getUserDetail3rd(suiteAccessToken: string, userTicket: string): Promise<WeComUserDetail>;
  /** 代开发 templates: auth/getuserdetail with the corp's token. */
  getCustomizedUserDetail(corpAccessToken: string, userTicket: string): Promise<WeComUserDetail>;
  /** get_jsapi_ticket (`corp`, for wx.config) or ticket/get?type=agent_config (`agent`), with the corp's token. */
  getJsapiTicket(corpAccessToken: string, type: JsapiTicketType): Promise<MintedToken>;
}

/** Which JS-SDK ticket: the corp's (wx.config) or the app's (wx.agentConfig). */
export type JsapiTicketType = 'corp' | 'agent';

/** Who an OAuth code belongs to, as WeCom says (a member has a userId, anyone else an openId). */
export interface WeComUserIdentity {
  readonly corpId?: string;
  readonly userId?: string;
  readonly openUserId?: string;
  readonly openId?: string;
  readonly userTicket?: string;
  /** Seconds the user ticket stays valid. */
  readonly userTicketExpiresInSeconds?: number;
}

/** A member's details (sensitive fields only with the member's consent, snsapi_privateinfo). */
export interface WeComUserDetail {
  readonly corpId?: string;
  readonly userId: string;
  readonly name?: string;
  readonly gender?: string;
  readonly avatar?: string;
  readonly qrCode?: string;
  readonly mobile?: string;
  readonly email?: string;
  readonly bizMail?: string;
  readonly address?: string;
}

/** A failed mint, kept on the cache item so callers waiting on it fail with the same error. */
export interface MintFailure {
  readonly atMs: number;
  readonly errorName: string;
  readonly message: string;
  /** For WeComApiError: which API, and what it answered. */
  readonly api?: string;
  readonly errcode?: number;
  readonly errmsg?: string;
  /** Mints in a row that failed, each within FAILURE_STREAK_MS of the one before. @default 1 */
  readonly consecutive?: number;
  /** Nobody takes the mint lease before this (the streak's wait; the lease write checks it). */
  readonly retryAtMs?: number;
}

/**
 * WeCom refuses to issue a credential until something changes (a corp's authorization is broken:
 * 40082 after a retry, 40084, 48004, 40001 on gettoken). Nobody asks again before
 * `nextAttemptAtMs`; a new auth code or a change_auth drops the block with the cache item.
 */
export interface CredentialBlock {
  /** What WeCom answered the last time; callers get the typed error it describes. */
  readonly failure: MintFailure;
  /** When WeCom first refused (the block's start). */
  readonly sinceMs: number;
  /** How many times WeCom refused since `sinceMs`. */
  readonly refusals: number;
  readonly nextAttemptAtMs: number;
}

/** The cache item of one credential: the value (if any), its mint lease, the last failed mint, a block. */
export interface TokenRecord {
  readonly token?: AccessToken;
  readonly mintedAtMs?: number;
  readonly leaseExpiresAtMs?: number;
  readonly mintFailure?: MintFailure;
  readonly block?: CredentialBlock;
}

/** A mint lease taken: with the failed mint the item held, whose streak this mint continues. */
export interface LeaseGrant {
  readonly mintFailure?: MintFailure;
}

/**
 * The shared token cache with a mint lease, so that across every container exactly one caller
 * mints per token lifetime.
 */
export interface TokenCache {
  read(key: CredentialKey): Promise<TokenRecord>;
  /**
   * Takes the mint lease for `leaseMs` if nobody holds a live one, no block or streak of failures
   * forbids asking WeCom yet, and the credential still needs minting: absent, past its refresh
   * point, or still equal to `staleToken`. `undefined` when it is not taken.
   */
  tryAcquireLease(
    key: CredentialKey,
    owner: string,
    leaseMs: number,
    staleToken?: string,
  ): Promise<LeaseGrant | undefined>;
  /** Stores a minted credential, lifts any block and releases the lease; only the lease's owner can. */
  storeMinted(key: CredentialKey, owner: string, token: AccessToken): Promise<void>;
  /** Releases the lease after a failed mint, recording the failure; only the owner can. */
  releaseAfterFailure(key: CredentialKey, owner: string, failure: MintFailure): Promise<void>;
  /** Drops the cached value and blocks minting until `block.nextAttemptAtMs`; only the owner can. */
  block(key: CredentialKey, owner: string, block: CredentialBlock): Promise<void>;
}

/**
 * Where the service's events go (EventBridge in AWS, the local bus under `npm start`).
 *
 * @throws EventBusUnavailableError unless every event was accepted.
 */
export interface EventPublisher {
  publish(events: readonly ServiceEvent[]): Promise<void>;
}
