import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface CallbackEventInput {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly route: 'command' | 'data';
  readonly suiteId: string;
  readonly rawQueryString: string;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/** An API Gateway HTTP API (payload 2.0) event as the deployed API sends it for a callback route. */
export const callbackEvent = (input: CallbackEventInput): APIGatewayProxyEventV2 => {
  const rawPath = `/callback/${input.suiteId}/${input.route}`;
  return {
    version: '2.0',
    routeKey: `${input.method} /callback/{suiteId}/${input.route}`,
    rawPath,
    rawQueryString: input.rawQueryString,
    headers: { 'content-type': 'text/xml', host: 'example.execute-api.localhost' },
    pathParameters: { suiteId: input.suiteId },
    isBase64Encoded: input.isBase64Encoded ?? false,
    ...(input.body === undefined ? {} : { body: input.body }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'example.execute-api.localhost',
      domainPrefix: 'example',
      http: {
        method: input.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'request-id',
      routeKey: `${input.method} /callback/{suiteId}/${input.route}`,
      stage: '$default',
      time: '22/Nov/2026:08:00:00 +0000',
      timeEpoch: 0,
    },
  };
};

/** A push signPush signed, POSTed to the suite's callback route as WeCom sends it. */
export const signedPushEvent = (
  suiteId: string,
  signed: { readonly rawQueryString: string; readonly body: string },
  route: CallbackEventInput['route'] = 'command',
): APIGatewayProxyEventV2 =>
  callbackEvent({
    method: 'POST',
    route,
    suiteId,
    rawQueryString: signed.rawQueryString,
    body: signed.body,
  });

/** A push to the provider's system-event URL, as the deployed API sends it (no path variable). */
export const systemCallbackEvent = (
  input: Omit<CallbackEventInput, 'route' | 'suiteId'>,
): APIGatewayProxyEventV2 => {
  const event = callbackEvent({ ...input, route: 'command', suiteId: 'provider' });
  const routeKey = `${input.method} /callback/provider/system`;
  return {
    ...event,
    routeKey,
    rawPath: '/callback/provider/system',
    pathParameters: {},
    requestContext: {
      ...event.requestContext,
      http: { ...event.requestContext.http, path: '/callback/provider/system' },
      routeKey,
    },
  };
};

/** A browser's GET as the deployed API sends it to a public route (installs, trusted-domain files). */
export const browserGetEvent = (
  route: string,
  url: URL,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 => {
  const event = callbackEvent({ method: 'GET', route: 'command', suiteId: '', rawQueryString: '' });
  return {
    ...event,
    routeKey: `GET ${route}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: { host: url.host, 'x-forwarded-proto': 'https' },
    pathParameters,
    requestContext: {
      ...event.requestContext,
      domainName: url.host,
      http: { ...event.requestContext.http, path: url.pathname },
      routeKey: `GET ${route}`,
    },
  };
};
