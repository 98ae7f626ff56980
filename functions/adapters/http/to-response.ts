import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  CallbackAuthError,
  InvalidRequestError,
  StorageUnavailableError,
  UnknownSuiteError,
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
  if (error instanceof StorageUnavailableError) {
    return text(503, 'temporarily unavailable, retry');
  }
  return text(500, 'internal error');
};

const text = (statusCode: number, body: string): HttpResult => ({ statusCode, headers: TEXT, body });
