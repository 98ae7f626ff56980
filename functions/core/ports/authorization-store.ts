import type {
  AuthInfo,
  AuthInfoRefreshCause,
  CorpAuthorization,
  ExchangedAuthorization,
  PendingAuthorizationChange,
} from '../authorization/corp-authorization.ts';

/** What the callback changes on a corp's authorization (change_auth, cancel_auth), and whether one stands. */
export interface AuthorizationStore {
  /**
   * Records that a corp changed its authorization (change_auth) or its paid edition
   * (change_editon), so its details get read again and the change announced after that.
   * `unknown_corp` when no active authorization is stored for it (never installed, or uninstalled).
   */
  markAuthorizationChanged(
    suiteId: string,
    corpId: string,
    timeStamp: number,
    cause?: AuthInfoRefreshCause,
  ): Promise<'recorded' | 'unknown_corp'>;
  /**
   * Marks the authorization revoked (cancel_auth), deletes its permanent code and cached tokens.
   * `stale` when the corp authorized again after this event's timeStamp, which then changes nothing.
   */
  revokeAuthorization(suiteId: string, corpId: string, timeStamp: number): Promise<'revoked' | 'stale'>;
  /** Whether the corp has an active authorization for the suite. */
  isAuthorized(suiteId: string, corpId: string): Promise<boolean>;
}

/** An authorization as anyone may see it: never its permanent code. */
export type AuthorizationStatus = Omit<
  CorpAuthorization,
  'permanentCode' | 'authInfoStale' | 'refreshFor' | 'pendingEvent'
> & {
  /** When the corp authorized (WeCom's TimeStamp, Unix seconds). */
  readonly authorizedTimeStamp?: number;
  /** When it uninstalled (cancel_auth's TimeStamp, Unix seconds). */
  readonly revokedTimeStamp?: number;
};

/** Reads what an authorization says without its secret (the `authorization` function). */
export interface AuthorizationStatusReader {
  /** `undefined` when nothing is stored for the corp and suite. */
  getAuthorizationStatus(suiteId: string, corpId: string): Promise<AuthorizationStatus | undefined>;
}

/** Reads a corp's authorization (its permanent code included) for minting its tokens. */
export interface AuthorizationReader {
  getAuthorization(suiteId: string, corpId: string): Promise<CorpAuthorization | undefined>;
}

/** What the auth-code exchange writes on a corp's authorization. */
export interface AuthorizationWriter {
  /**
   * Stores the corp's (new) permanent code as active and deletes its cached corp token, which
   * belonged to the old code. `superseded` when a cancel_auth newer than the event already
   * revoked the corp; then nothing changes.
   */
  saveExchangedAuthorization(exchanged: ExchangedAuthorization): Promise<'saved' | 'superseded'>;
  /**
   * Stores what get_auth_info said and clears `authInfoStale`; with `announce`, also leaves that
   * change to be published (and forgets `refreshFor`).
   */
  updateAuthInfo(
    suiteId: string,
    corpId: string,
    info: AuthInfo,
    announce?: PendingAuthorizationChange,
  ): Promise<void>;
  /** Forgets the change waiting to be published, once it was (only the one made at `atMs`). */
  clearPendingEvent(suiteId: string, corpId: string, atMs: number): Promise<void>;
}
