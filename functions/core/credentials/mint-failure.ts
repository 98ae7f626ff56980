import {
  AppError,
  AuthorizationBrokenError,
  CorpNotAuthorizedError,
  SuiteTicketMissingError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../errors.ts';

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

/** What of a failed mint is kept for the callers that were waiting on it (never a secret). */
export const describeMintFailure = (error: unknown, atMs: number): MintFailure => {
  if (error instanceof AuthorizationBrokenError) {
    const { refusal } = error;
    return {
      atMs,
      errorName: error.name,
      message: error.message,
      api: refusal.api,
      errcode: refusal.errcode,
      errmsg: refusal.errmsg,
    };
  }
  if (error instanceof WeComApiError) {
    return {
      atMs,
      errorName: error.name,
      message: error.message,
      api: error.api,
      errcode: error.errcode,
      errmsg: error.errmsg,
    };
  }
  if (error instanceof AppError) {
    return { atMs, errorName: error.name, message: error.message };
  }
  return { atMs, errorName: 'UpstreamUnavailableError', message: 'minting failed' };
};

/** The typed error a waiting caller throws for a mint that failed while it waited. */
export const errorFromMintFailure = (failure: MintFailure): AppError => {
  switch (failure.errorName) {
    case 'WeComApiError':
      return new WeComApiError(failure.api ?? 'unknown', failure.errcode ?? 0, failure.errmsg ?? '');
    case 'SuiteTicketMissingError':
      return new SuiteTicketMissingError(failure.message);
    case 'CorpNotAuthorizedError':
      return new CorpNotAuthorizedError(failure.message);
    default:
      return new UpstreamUnavailableError(failure.message);
  }
};

/** Failures further apart than this start a new streak. */
export const FAILURE_STREAK_MS = 5 * 60_000;
const MAX_FAILURE_BACKOFF_MS = 60_000;

/** `failure` described at `atMs`, counted in the streak of `previous` if that was recent. */
export const nextMintFailure = (
  error: unknown,
  atMs: number,
  previous: MintFailure | undefined,
): MintFailure => {
  // Only answers from WeCom, or no answer from it, make a streak: a missing ticket or a storage
  // fault never reached WeCom, and the next ticket push must be usable at once.
  const fromWeCom = error instanceof WeComApiError || error instanceof UpstreamUnavailableError;
  const streak =
    fromWeCom && previous !== undefined && atMs - previous.atMs < FAILURE_STREAK_MS
      ? (previous.consecutive ?? 1) + 1
      : 1;
  const failure = describeMintFailure(error, atMs);
  return { ...failure, consecutive: streak, retryAtMs: retryAfter(atMs, streak) };
};

/**
 * Until when nobody asks WeCom again after `failure`: a first failure may be retried at once (a
 * blip), a streak waits 2 s, 4 s, 8 s … up to a minute. So a credential WeCom keeps refusing for a
 * passing reason (60020 before the IP is allow-listed, -1, 45009) costs at most about 60 failing
 * calls an hour, however many callers ask (WeCom blocks a source for an hour after ~2000).
 */
export const mintRetryAtMs = (failure: MintFailure): number =>
  failure.retryAtMs ?? retryAfter(failure.atMs, failure.consecutive ?? 1);

const retryAfter = (atMs: number, streak: number): number =>
  streak < 2 ? atMs : atMs + Math.min(MAX_FAILURE_BACKOFF_MS, 1000 * 2 ** (streak - 1));
