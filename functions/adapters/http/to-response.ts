import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  CallbackAuthError,
  InstallStateError,
  InvalidRequestError,
  StorageUnavailableError,
  SuiteTicketMissingError,
  SystemEventsNotConfiguredError,
  UnknownSuiteError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../../core/errors.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2;

const TEXT = { 'content-type': 'text/plain; charset=utf-8' } as const;

/** URL verification: the decrypted echostr exactly, no quotes, no newline. */
export const echoResponse = (plaintext: string): HttpResult => ({
  statusCode: 200,
  headers: TEXT,
  body: plaintext,
});

/** Instruction callbacks: WeCom requires the literal lowercase `success`. */
export const successResponse = (): HttpResult => ({ statusCode: 200, headers: TEXT, body: 'success' });

/** Data callbacks: 200 with an empty body acknowledges without a passive reply. */
export const emptyResponse = (): HttpResult => ({ statusCode: 200, headers: TEXT, body: '' });

/** A name nobody configured (API Gateway's own 404 body for a missing route). */
export const notFoundResponse = (): HttpResult => ({
  statusCode: 404,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'Not Found' }),
});

/**
 * The single error→HTTP map. Bad input is 4xx and never 500; storage trouble is 503 so WeCom
 * retries. Bodies are a few fixed words plus, for 4xx, the stable reason code: never a value
 * from the request, the configuration or the table.
 */
export const errorResponse = (error: unknown): HttpResult => {
  if (error instanceof InvalidRequestError) {
    const status = error.reason === 'BODY_TOO_LARGE' ? 413 : error.reason === 'UNSUPPORTED_ROUTE' ? 405 : 400;
    return text(status, `bad request: ${error.reason}`);
  }
  if (error instanceof CallbackAuthError) {
    return text(403, `forbidden: ${error.reason}`);
  }
  if (error instanceof UnknownSuiteError) {
    return text(404, 'unknown suite');
  }
  if (error instanceof SystemEventsNotConfiguredError) {
    return text(404, 'system-event URL not configured: set provider.token and provider.encodingAesKey');
  }
  if (error instanceof InstallStateError) {
    return text(400, `bad request: INSTALL_STATE_${error.reason}`);
  }
  // Only the install routes call WeCom; the browser may try again in a moment.
  if (error instanceof WeComApiError) {
    return text(502, 'WeCom refused the request, retry later');
  }
  if (error instanceof UpstreamUnavailableError || error instanceof SuiteTicketMissingError) {
    return text(503, 'temporarily unavailable, retry');
  }
  if (error instanceof StorageUnavailableError) {
    return text(503, 'temporarily unavailable, retry');
  }
  return text(500, 'internal error');
};

const text = (statusCode: number, body: string): HttpResult => ({ statusCode, headers: TEXT, body });
