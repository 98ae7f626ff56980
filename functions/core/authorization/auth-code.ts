/**
 * What delivered an auth code: a create_auth or reset_permanent_code push, or (`install`) the
 * browser's redirect after an install started on the provider's website, for which WeCom pushes nothing.
 */
export type AuthCodeSource = 'create_auth' | 'reset_permanent_code' | 'install';

/** An auth code to exchange for a permanent code (it lives 10 minutes, works once), as it was stored. */
export interface AuthCodeToExchange {
  readonly suiteId: string;
  readonly authCode: string;
  readonly source: AuthCodeSource;
  /** Unix seconds, from the event. */
  readonly timeStamp: number;
  /** The provider's `ref` of an install from its website, for the Authorization Changed event. */
  readonly installRef?: string;
  /** When the service stored the code (ms since the epoch); absent on codes stored before it was kept. */
  readonly receivedAtMs?: number;
}

/** An auth code just received, to store until it is exchanged. */
export interface PendingAuthCode extends AuthCodeToExchange {
  readonly state?: string;
  readonly receivedAtMs: number;
}

/** How an auth code ended. `outcome_unknown`: spent by an attempt whose answer was lost; the corp must reinstall. */
export type AuthCodeOutcome =
  | { readonly status: 'exchanged'; readonly corpId: string }
  | { readonly status: 'failed' | 'outcome_unknown'; readonly reason: string };
