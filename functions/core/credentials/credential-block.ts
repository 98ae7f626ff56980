import { type AppError, AuthorizationBrokenError } from '../errors.ts';
import { errorFromMintFailure, type MintFailure } from './mint-failure.ts';

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

/**
 * How long WeCom is left alone after its n-th refusal of a broken authorization: never more than
 * once a minute, and a handful of times in the first hour (WeCom blocks a caller for an hour after
 * about 2000 failed token calls, docs/wecom-protocol.md §5.11), then hourly until a new auth code
 * or change_auth lifts the block.
 */
export const BLOCK_SCHEDULE_MS: readonly number[] = [1, 5, 15, 30, 60].map((minutes) => minutes * 60_000);

/** Whether a failed mint means WeCom will keep refusing until the authorization changes. */
export const isBlockingFailure = (error: unknown): error is AuthorizationBrokenError =>
  error instanceof AuthorizationBrokenError;

/** The block after WeCom refused (again) at `nowMs`. */
export const nextBlock = (
  failure: MintFailure,
  nowMs: number,
  previous?: CredentialBlock,
): CredentialBlock => {
  const refusals = (previous?.refusals ?? 0) + 1;
  // The schedule rises, so the longest of its first `refusals` waits is the one due, its last after that.
  const waitMs = Math.max(...BLOCK_SCHEDULE_MS.slice(0, refusals));
  return { failure, sinceMs: previous?.sinceMs ?? nowMs, refusals, nextAttemptAtMs: nowMs + waitMs };
};

/** The typed error a caller gets while a block stands, saying when WeCom is asked again. */
export const errorFromBlock = (block: CredentialBlock): AppError => {
  const error = errorFromMintFailure(block.failure);
  error.message = `${error.message}; WeCom is asked again after ${new Date(block.nextAttemptAtMs).toISOString()}`;
  return error;
};
