/**
 * The service's error classes. Every failure the service knows about is one of these, so the single
 * error→response map (`adapters/http/to-response.ts`) and the Lambda `errorType` seen by callers can
 * rely on `instanceof`. Messages never carry secret values: they name the field or the check, not
 * what was in it.
 */
export abstract class AppError extends Error {
  /** Stable UPPER_SNAKE identifier, safe for logs, metrics and clients. */
  abstract readonly code: string;
}

/** Why a request was refused as malformed. Logged; the client only sees a short fixed text. */
export type InvalidRequestReason =
  | 'MISSING_PARAMETER'
  | 'MALFORMED_PARAMETER'
  | 'DUPLICATE_PARAMETER'
  | 'MALFORMED_QUERY'
  | 'MISSING_BODY'
  | 'BODY_TOO_LARGE'
  | 'MALFORMED_BASE64'
  | 'MALFORMED_XML'
  | 'FORBIDDEN_XML_CONSTRUCT'
  | 'MISSING_XML_FIELD'
  | 'BAD_CIPHERTEXT_LENGTH'
  | 'BAD_PADDING'
  | 'BAD_PLAINTEXT_LAYOUT'
  | 'BAD_PLAINTEXT_ENCODING'
  | 'UNSUPPORTED_ROUTE'
  | 'INVALID_PAYLOAD';

/** A request that cannot be understood: missing or malformed query, body, base64, XML or plaintext. */
export class InvalidRequestError extends AppError {
  override readonly name = 'InvalidRequestError';
  readonly code = 'INVALID_REQUEST';

  constructor(
    readonly reason: InvalidRequestReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Why a callback was refused as unauthenticated. */
export type CallbackAuthReason =
  | 'SIGNATURE_MISMATCH'
  | 'RECEIVE_ID_MISMATCH'
  | 'SUITE_ID_MISMATCH'
  | 'STALE_TIMESTAMP';

/** A callback whose signature, receiveId, inner SuiteId or timestamp does not check out. */
export class CallbackAuthError extends AppError {
  override readonly name = 'CallbackAuthError';
  readonly code = 'CALLBACK_AUTH_FAILED';

  /**
   * @param observedReceiveId the receiveId found in a decrypted message; it is an id, not a secret,
   *   and operators need it to fix a misconfigured suite or provider corp id.
   */
  constructor(
    readonly reason: CallbackAuthReason,
    message: string,
    readonly observedReceiveId?: string,
  ) {
    super(message);
  }
}

/** The suite id named by the route or request is not in the configuration. */
export class UnknownSuiteError extends AppError {
  override readonly name = 'UnknownSuiteError';
  readonly code = 'UNKNOWN_SUITE';
}

/** The table could not be read or written; the caller should retry (WeCom does, on a 503). */
export class StorageUnavailableError extends AppError {
  override readonly name = 'StorageUnavailableError';
  readonly code = 'STORAGE_UNAVAILABLE';
}

/** The configuration is missing or invalid. The message names the field, never its value. */
export class ConfigurationError extends AppError {
  override readonly name = 'ConfigurationError';
  readonly code = 'CONFIGURATION_INVALID';
}
