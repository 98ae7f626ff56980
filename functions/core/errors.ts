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
  override readonly name: string = 'StorageUnavailableError';
  readonly code: string = 'STORAGE_UNAVAILABLE';
}

/**
 * The event bus did not accept every event (an error, or a partial PutEvents). Like storage
 * trouble: the callback answers 503 so WeCom retries, and its effects are idempotent.
 */
export class EventBusUnavailableError extends StorageUnavailableError {
  override readonly name = 'EventBusUnavailableError';
  override readonly code = 'EVENT_BUS_UNAVAILABLE';
}

/** The configuration is missing or invalid. The message names the field, never its value. */
export class ConfigurationError extends AppError {
  override readonly name = 'ConfigurationError';
  readonly code = 'CONFIGURATION_INVALID';
}

/** Why an install redirect's `state` was refused (functions/core/install/install-state.ts). */
export type InstallStateReason = 'MISSING' | 'MALFORMED' | 'FORGED' | 'EXPIRED' | 'REUSED';

/** An install redirect whose `state` is not a live, unused state this service issued for the suite. */
export class InstallStateError extends AppError {
  override readonly name = 'InstallStateError';
  readonly code = 'INSTALL_STATE_REJECTED';

  constructor(
    readonly reason: InstallStateReason,
    message: string,
  ) {
    super(message);
  }
}

/** A suite token was asked for before WeCom pushed any suite_ticket for the suite. */
export class SuiteTicketMissingError extends AppError {
  override readonly name = 'SuiteTicketMissingError';
  readonly code = 'SUITE_TICKET_MISSING';
}

/** The configuration has no `provider.providerSecret`, so there is no provider token to mint. */
export class ProviderNotConfiguredError extends AppError {
  override readonly name = 'ProviderNotConfiguredError';
  readonly code = 'PROVIDER_NOT_CONFIGURED';
}

/**
 * A push to the provider's system-event URL when the configuration has no provider.token and
 * provider.encodingAesKey: nobody set that URL up here, so it answers 404 like an unknown suite.
 */
export class SystemEventsNotConfiguredError extends AppError {
  override readonly name = 'SystemEventsNotConfiguredError';
  readonly code = 'SYSTEM_EVENTS_NOT_CONFIGURED';
}

/** The corp has no active authorization for the suite (never installed, or uninstalled). */
export class CorpNotAuthorizedError extends AppError {
  override readonly name = 'CorpNotAuthorizedError';
  readonly code = 'CORP_NOT_AUTHORIZED';
}

/**
 * WeCom refused a corp token because the corp's authorization itself is broken (40082 again after
 * a fresh suite token, 40084, 48004, or 40001 from gettoken after a 代开发 secret reset). Callers
 * see CorpNotAuthorizedError; the token cache blocks further asks for a while.
 */
export class AuthorizationBrokenError extends CorpNotAuthorizedError {
  constructor(
    /** WeCom's answer. */
    readonly refusal: WeComApiError,
    message: string,
  ) {
    super(message, { cause: refusal });
  }
}

/** WeCom answered with a non-zero errcode. The message carries errcode and errmsg. */
export class WeComApiError extends AppError {
  override readonly name = 'WeComApiError';
  readonly code = 'WECOM_API_ERROR';

  constructor(
    /** Which API answered, e.g. `service/get_corp_token`. */
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
    options?: ErrorOptions,
  ) {
    super(`${api} failed with errcode ${errcode}: ${describeErrcode(errcode, errmsg)}`, options);
  }
}

/** WeCom could not be reached or kept failing transiently (timeouts, resets, 5xx, busy). */
export class UpstreamUnavailableError extends AppError {
  override readonly name = 'UpstreamUnavailableError';
  readonly code = 'UPSTREAM_UNAVAILABLE';
}

/**
 * A single-use call (get_permanent_code) was sent and no usable answer came back (a timeout, a
 * dropped connection, or -1 "system busy"): WeCom may or may not have acted on it, so it is not
 * sent again in the same attempt.
 */
export class OutcomeUnknownError extends UpstreamUnavailableError {}

// Codes whose errmsg alone does not tell an operator what to do.
const ERRCODE_ADVICE: Readonly<Record<number, string>> = {
  60020:
    'the calling IP is not on the provider allow-list; add the egress IP in the provider console (服务商管理后台 → 服务商信息 → 基本信息 → IP白名单)',
  40085:
    'the suite_ticket is invalid or expired; wait for the next push or press 刷新ticket in the provider console',
  40078: 'the auth code is invalid or was already used',
  40084: 'the permanent code is invalid; the corp must re-authorize',
  48004: 'the authorization is no longer valid (cancelled)',
  40082: 'the suite_access_token is invalid, or the corp has not authorized this suite',
  40077: 'the pre_auth_code is invalid',
  42007: 'the pre_auth_code expired',
  40001:
    'the secret is invalid; for a 代开发 template the corp may have reset it (a reset_permanent_code push brings the new one)',
};

const describeErrcode = (errcode: number, errmsg: string): string => {
  const advice = ERRCODE_ADVICE[errcode];
  return advice === undefined ? errmsg : `${advice} (${errmsg})`;
};
