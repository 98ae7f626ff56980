import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A request body over the limit; nothing past the limit was kept. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

// Past the limit the rest of a body is read and dropped (so the client sees the answer rather than
// a reset), up to this much; beyond it the connection is closed.
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads a request body, keeping at most `limit` bytes: a body declared (Content-Length) or found
 * to be larger is read to its end and dropped, never buffered, so the client gets the answer.
 *
 * @throws BodyTooLargeError
 */
export const readBody = async (request: IncomingMessage, limit: number): Promise<Buffer> => {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = declared > limit;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      tooLarge = true;
    }
    if (size > DRAIN_LIMIT_BYTES) {
      request.socket.destroy();
      break;
    }
    if (!tooLarge) {
      chunks.push(chunk as Buffer);
    }
  }
  if (tooLarge) {
    throw new BodyTooLargeError(`request body is larger than ${limit} bytes`);
  }
  return Buffer.concat(chunks);
};

/**
 * The API Gateway HTTP API (payload 2.0) event the deployed API would send for this request. Text
 * bodies are passed as text, anything else base64-encoded, as API Gateway does.
 */
export const toHttpApiEvent = (
  request: IncomingMessage,
  body: Buffer,
  route: { readonly routeKey: string; readonly pathParameters: Record<string, string> },
  /** The origin clients reach this server at (a tunnel), as API Gateway names its domain. */
  publicUrl?: string,
): APIGatewayProxyEventV2 => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  const contentType = String(request.headers['content-type'] ?? '');
  const isText = body.length === 0 || /^(text\/|application\/(xml|json))/.test(contentType);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  // API Gateway sets the scheme the client used; here it is plain http unless PUBLIC_URL or a
  // tunnel in front (the way to reach PORT from WeCom) says it is https.
  const origin = publicUrl === undefined ? undefined : new URL(publicUrl);
  headers['x-forwarded-proto'] =
    origin !== undefined
      ? origin.protocol.replace(':', '')
      : headers['x-forwarded-proto'] === 'https'
        ? 'https'
        : 'http';
  return {
    version: '2.0',
    routeKey: `${method} ${route.routeKey}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    pathParameters: route.pathParameters,
    isBase64Encoded: !isText,
    ...(body.length === 0 ? {} : { body: isText ? body.toString('utf8') : body.toString('base64') }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: origin?.host ?? String(request.headers.host ?? 'localhost'),
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: String(request.headers['user-agent'] ?? ''),
      },
      requestId: `local-${Date.now().toString(36)}`,
      routeKey: `${method} ${route.routeKey}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
};

/** Writes a handler's structured result as the HTTP response. */
export const writeHttpResult = (
  response: ServerResponse,
  result: APIGatewayProxyStructuredResultV2,
): void => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    headers[name] = String(value);
  }
  const body = result.body ?? '';
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.isBase64Encoded === true ? Buffer.from(body, 'base64') : body);
};

/**
 * Runs one invocation the way the Lambda Invoke API reports it: HTTP 200 with the JSON result, or
 * HTTP 200 with `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage }` when the
 * function threw, so `LambdaClient` and the project's caller client behave as against AWS.
 */
export const writeInvokeResult = async (
  response: ServerResponse,
  invoke: () => Promise<unknown>,
): Promise<void> => {
  try {
    const result = await invoke();
    response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
    response.end(JSON.stringify(result ?? null));
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    response.writeHead(200, {
      'content-type': 'application/json',
      'x-amz-executed-version': '$LATEST',
      'x-amz-function-error': 'Unhandled',
    });
    response.end(JSON.stringify({ errorType: failure.name, errorMessage: failure.message, trace: [] }));
  }
};
