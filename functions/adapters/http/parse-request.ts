import { Buffer } from 'node:buffer';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type {
  SignedCallback,
  SignedQuery,
  SuiteCallbackRoute,
} from '../../core/callback/callback-request.ts';
import { InvalidRequestError } from '../../core/errors.ts';
import { isWeComId } from '../../core/wecom-id.ts';

/** The provider's system-event URL (系统事件接收URL): one per provider, registered once. */
export const SYSTEM_EVENT_PATH = '/callback/provider/system';

/** WeCom's pushes are a few KiB; anything this large is not WeCom. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A callback request, taken apart and checked for shape (not yet for authenticity). */
export type CallbackRequest = SignedCallback &
  ({ readonly method: 'GET'; readonly echostr: string } | { readonly method: 'POST'; readonly body: string });

// msg_signature is a SHA-1 in lower-case hex and timestamp Unix seconds (document/path/91144).
const SIGNATURE_PATTERN = /^[0-9a-f]{40}$/;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;
// WeCom documents no length for the nonce (document/path/91144; seen: 10 digits, 16 letters and
// digits), so none is imposed beyond printable characters: API Gateway bounds the request line.
const NONCE_PATTERN = /^[\x21-\x7e]+$/;
const STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SIGNED_PARAMETERS = new Set(['msg_signature', 'timestamp', 'nonce', 'echostr', 'corpid']);

/**
 * Turns an API Gateway HTTP API (payload 2.0) event into a CallbackRequest.
 *
 * The query is read from `rawQueryString` and each value decoded with `decodeURIComponent`, so a raw
 * `+` in `echostr` stays a `+`: form-style decoding would turn it into a space and break both the
 * signature and the ciphertext (docs/wecom-protocol.md §2.3).
 *
 * @throws InvalidRequestError for a missing, repeated or malformed parameter, an unsupported
 *   route or method, a bad base64 body, or a body over 64 KiB.
 */
export const parseCallbackRequest = (event: APIGatewayProxyEventV2): CallbackRequest => {
  const target = targetOf(event);
  const parameters = parseRawQuery(event.rawQueryString ?? '', SIGNED_PARAMETERS);
  const query: SignedQuery = {
    msgSignature: requireParameter(parameters, 'msg_signature', SIGNATURE_PATTERN),
    timestamp: requireParameter(parameters, 'timestamp', TIMESTAMP_PATTERN),
    nonce: requireParameter(parameters, 'nonce', NONCE_PATTERN),
  };
  const corpId = parameters.get('corpid');
  // The system-event URL names no corp: a `corpid` there is ignored like any other extra parameter.
  const corpIdHint = target.route !== 'system' && isWeComId(corpId) ? { corpIdHint: corpId } : {};
  const method = event.requestContext.http.method.toUpperCase();
  if (method === 'GET') {
    return { method, ...target, query, echostr: requireParameter(parameters, 'echostr'), ...corpIdHint };
  }
  if (method === 'POST') {
    return { method, ...target, query, body: readBody(event), ...corpIdHint };
  }
  throw new InvalidRequestError('UNSUPPORTED_ROUTE', `method ${method} is not supported`);
};

/** Which URL: `/callback/provider/system`, or a suite's (its id from the path) `/command` or `/data`. */
const targetOf = (
  event: APIGatewayProxyEventV2,
): { readonly route: 'system' } | { readonly route: SuiteCallbackRoute; readonly suiteId: string } => {
  const { routeKey } = event;
  if (routeKey.endsWith(SYSTEM_EVENT_PATH)) {
    return { route: 'system' };
  }
  const route = routeKey.endsWith('/command') ? 'command' : routeKey.endsWith('/data') ? 'data' : undefined;
  if (route === undefined) {
    throw new InvalidRequestError('UNSUPPORTED_ROUTE', 'not a callback route');
  }
  const suiteId = event.pathParameters?.suiteId;
  if (!isWeComId(suiteId)) {
    throw new InvalidRequestError('MALFORMED_PARAMETER', 'suite id in the path is malformed');
  }
  return { route, suiteId };
};

/**
 * A raw query string's parameters, each decoded with `decodeURIComponent` (a `+` stays a `+`).
 *
 * @throws InvalidRequestError when a parameter named in `unique` is repeated or any is not valid
 *   percent-encoding.
 */
export const parseRawQuery = (rawQueryString: string, unique: ReadonlySet<string>): Map<string, string> => {
  const parameters = new Map<string, string>();
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') {
      continue;
    }
    const separator = pair.indexOf('=');
    const name = decodeComponent(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? '' : decodeComponent(pair.slice(separator + 1));
    // A repeated parameter that matters makes the request ambiguous; others (e.g. tracking) are ignored.
    if (parameters.has(name) && unique.has(name)) {
      throw new InvalidRequestError('DUPLICATE_PARAMETER', `query parameter ${name} is repeated`);
    }
    parameters.set(name, value);
  }
  return parameters;
};

const decodeComponent = (component: string): string => {
  try {
    return decodeURIComponent(component);
  } catch (error) {
    throw new InvalidRequestError('MALFORMED_QUERY', 'query string has a malformed percent-escape', {
      cause: error,
    });
  }
};

const requireParameter = (parameters: Map<string, string>, name: string, pattern?: RegExp): string => {
  const value = parameters.get(name);
  if (value === undefined || value === '') {
    throw new InvalidRequestError('MISSING_PARAMETER', `query parameter ${name} is missing`);
  }
  if (pattern !== undefined && !pattern.test(value)) {
    throw new InvalidRequestError('MALFORMED_PARAMETER', `query parameter ${name} is malformed`);
  }
  return value;
};

const readBody = (event: APIGatewayProxyEventV2): string => {
  const raw = event.body;
  if (raw === undefined || raw === '') {
    throw new InvalidRequestError('MISSING_BODY', 'request body is empty');
  }
  // Checked on the raw text first so an oversized body is never decoded.
  const rawLimit = event.isBase64Encoded ? Math.ceil(MAX_BODY_BYTES / 3) * 4 : MAX_BODY_BYTES;
  if (raw.length > rawLimit) {
    throw new InvalidRequestError('BODY_TOO_LARGE', 'request body is larger than 64 KiB');
  }
  if (!event.isBase64Encoded) {
    if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
      throw new InvalidRequestError('BODY_TOO_LARGE', 'request body is larger than 64 KiB');
    }
    return raw;
  }
  if (raw.length % 4 !== 0 || !STANDARD_BASE64.test(raw)) {
    throw new InvalidRequestError('MALFORMED_BASE64', 'base64-encoded body is malformed');
  }
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new InvalidRequestError('BODY_TOO_LARGE', 'request body is larger than 64 KiB');
  }
  return bytes.toString('utf8');
};
