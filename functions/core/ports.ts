import type { SuiteRegistry } from './config/suite-registry.ts';

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

/** Which event delivered an auth code. */
export type AuthCodeSource = 'create_auth' | 'reset_permanent_code';

/** An auth code waiting to be exchanged for a permanent code (it lives 10 minutes, works once). */
export interface PendingAuthCode {
  readonly suiteId: string;
  readonly authCode: string;
  readonly source: AuthCodeSource;
  /** Unix seconds, from the event. */
  readonly timeStamp: number;
  readonly state?: string;
  /** Milliseconds since the epoch. */
  readonly receivedAtMs: number;
}

export interface AuthCodeStore {
  /** Stores the code once; a re-delivery of the same code is a `duplicate` and changes nothing. */
  recordAuthCode(code: PendingAuthCode): Promise<'stored' | 'duplicate'>;
}

export interface AuthorizationStore {
  /**
   * Records that a corp changed its authorization (change_auth), so its details get refreshed.
   * `unknown_corp` when no authorization is stored for it.
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
