/** Every failure the credential service reports; `errorType` is the Lambda errorType it sent. */
export class CredentialServiceError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request was malformed (e.g. no suiteId while several suites are configured). */
export class InvalidRequestError extends CredentialServiceError {
  override readonly name = 'InvalidRequestError';
}

/** The suite is not configured in the service. */
export class UnknownSuiteError extends CredentialServiceError {
  override readonly name = 'UnknownSuiteError';
}

/** WeCom has not pushed a suite_ticket yet (new deployment, or the callback URL is not registered). */
export class SuiteTicketMissingError extends CredentialServiceError {
  override readonly name = 'SuiteTicketMissingError';
}

/** The corp never installed the app, or uninstalled it. */
export class CorpNotAuthorizedError extends CredentialServiceError {
  override readonly name = 'CorpNotAuthorizedError';
}

/** WeCom refused; `errcode` is parsed from the message when present. */
export class WeComApiError extends CredentialServiceError {
  override readonly name = 'WeComApiError';
  readonly errcode: number | undefined;

  constructor(errorType: string, message: string) {
    super(errorType, message);
    const match = /errcode (-?\d+)/.exec(message);
    this.errcode = match === null ? undefined : Number(match[1]);
  }
}

/** The service's configuration has no provider.providerSecret (provider-token). */
export class ProviderNotConfiguredError extends CredentialServiceError {
  override readonly name = 'ProviderNotConfiguredError';
}

/** WeCom or the service's storage is unreachable right now: retry with backoff. */
export class UpstreamUnavailableError extends CredentialServiceError {
  override readonly name = 'UpstreamUnavailableError';
}

const BY_TYPE: Record<string, new (errorType: string, message: string) => CredentialServiceError> = {
  InvalidRequestError,
  UnknownSuiteError,
  SuiteTicketMissingError,
  CorpNotAuthorizedError,
  WeComApiError,
  ProviderNotConfiguredError,
  UpstreamUnavailableError,
};

/** The typed error for a Lambda `{ errorType, errorMessage }`; unknown types stay CredentialServiceError. */
export const errorFromLambda = (errorType: string, errorMessage: string): CredentialServiceError => {
  const ErrorClass = BY_TYPE[errorType];
  return ErrorClass === undefined
    ? new CredentialServiceError(errorType, errorMessage)
    : new ErrorClass(errorType, errorMessage);
};
