import type { AuthCodeSource } from './auth-code.ts';

/** What get_auth_info returns that the service keeps. */
export interface AuthInfo {
  readonly corpName?: string;
  readonly agentId?: number;
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
