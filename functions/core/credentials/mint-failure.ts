import {
  AppError,
  AuthorizationBrokenError,
  CorpNotAuthorizedError,
  SuiteTicketMissingError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../errors.ts';
import type { MintFailure } from '../ports.ts';

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
