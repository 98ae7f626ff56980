import type { AuthCodeOutcome, PendingAuthCode } from '../authorization/auth-code.ts';

/** Where pushed auth codes wait for their exchange. */
export interface AuthCodeStore {
  /** Stores the code once; a re-delivery of the same code is a `duplicate` and changes nothing. */
  recordAuthCode(code: PendingAuthCode): Promise<'stored' | 'duplicate'>;
}

/** Stores the auth code of an install redirect, spending the install `state` that came with it. */
export interface InstallCodeStore {
  /**
   * In one transaction: marks `stateId` used with this code (kept until `stateExpiresAtMs`) and
   * stores the code exactly like a pushed one. `repeated` when the state was spent before with
   * this same code (a reload of the completion URL), `state_used` when with another one,
   * `duplicate` when the code was stored before; in each case nothing changes.
   */
  recordInstallCode(
    code: PendingAuthCode,
    stateId: string,
    stateExpiresAtMs: number,
  ): Promise<'stored' | 'repeated' | 'state_used' | 'duplicate'>;
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

/** A stored auth code's way to its end: claimed by one worker, given back, or finished. */
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
