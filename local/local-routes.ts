import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import { functionsOfKind, type HttpFunctionName, type PublicRoute } from '../functions/catalog.ts';
import { isWeComId, WECOM_ID_RULE } from '../functions/core/wecom-id.ts';
import {
  BodyTooLargeError,
  readBody,
  toHttpApiEvent,
  writeHttpResult,
  writeInvokeResult,
} from './lambda-http.ts';
import type { LocalDeadLetters } from './local-dead-letters.ts';
import type { LocalEventBus } from './local-event-bus.ts';
import type { HttpApiHandler } from './local-functions.ts';
import { changeEdition } from './sandbox-edition.ts';
import type { WeComSimulator } from './wecom-simulator/wecom-simulator.ts';

/** API Gateway's payload limit for an HTTP API (10 MB); the callback itself refuses over 64 KiB. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** The Lambda Invoke API's limit for a synchronous request payload (6 MB). */
export const INVOKE_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

type Respond = (status: number, headers: Record<string, string>, body: string) => void;

const responder =
  (response: ServerResponse): Respond =>
  (status, headers, body) => {
    response.writeHead(status, headers);
    response.end(body);
  };

/** What API Gateway's HTTP API answers itself, before any function runs. */
const gatewayAnswer = (respond: Respond, status: 400 | 404 | 413): void => {
  const message = { 400: 'Bad Request', 404: 'Not Found', 413: 'Request Entity Too Large' }[status];
  respond(status, { 'content-type': 'application/json' }, JSON.stringify({ message }));
};

/** What the Lambda service answers for a refused Invoke call (x-amzn-errortype names the error). */
const lambdaServiceError = (respond: Respond, status: number, errorType: string, message: string): void => {
  respond(
    status,
    { 'content-type': 'application/json', 'x-amzn-errortype': errorType },
    JSON.stringify({ Type: 'User', message }),
  );
};

const decode = (component: string): string | undefined => {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
};

/** A public route of the catalogue, as a pattern over the request path. */
interface CompiledRoute {
  readonly fn: HttpFunctionName;
  readonly methods: readonly string[];
  /** The route's path as API Gateway names it in `routeKey`. */
  readonly path: string;
  readonly pattern: RegExp;
  readonly variables: readonly string[];
  /** Segments without a variable: API Gateway prefers the most specific route. */
  readonly literals: number;
}

const compile = (fn: HttpFunctionName, route: PublicRoute): CompiledRoute => {
  const segments = route.path.split('/').slice(1);
  const variables = segments.flatMap((segment) => /^\{(\w+)\}$/.exec(segment)?.[1] ?? []);
  const pattern = new RegExp(
    `^/${segments.map((segment) => (segment.startsWith('{') ? '([^/]+)' : segment)).join('/')}$`,
  );
  return {
    fn,
    methods: route.methods,
    path: route.path,
    pattern,
    variables,
    literals: segments.length - variables.length,
  };
};

/** Every public route of functions/catalog.ts, the most specific first. */
const PUBLIC_ROUTES: readonly CompiledRoute[] = functionsOfKind('http')
  .flatMap(([fn, entry]) => entry.routes.map((route) => compile(fn, route)))
  .sort((a, b) => b.literals - a.literals);

/** Which function and route API Gateway would pick for a request, or none (its own 404). */
const matchRoute = (
  method: string,
  path: string,
): { route: CompiledRoute; rawParameters: readonly string[] } | undefined => {
  for (const route of PUBLIC_ROUTES) {
    const match = route.pattern.exec(path);
    if (match !== null && route.methods.includes(method)) {
      return { route, rawParameters: match.slice(1) };
    }
  }
  return undefined;
};

/** The functions behind the public routes, by their catalogue name. */
export type PublicHandlers = Readonly<Record<HttpFunctionName, HttpApiHandler>>;

/**
 * The port a developer may expose to WeCom (PORT): only what WeCom or a browser reaches in AWS,
 * answered exactly as API Gateway would — GET and POST on the callback routes, GET on the install
 * routes and on `/{file}` (trusted-domain files), `404 Not Found` for any other method or path,
 * `400` for a path that is not valid percent-encoding, `413` for a body over API Gateway's limit
 * (read no further than that).
 */
export const publicRoutes =
  (handlers: PublicHandlers, options: { readonly publicUrl?: string } = {}) =>
  async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const respond = responder(response);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const matched = matchRoute(method, url.pathname);
    if (matched === undefined) {
      gatewayAnswer(respond, 404);
      return;
    }
    const { route, rawParameters } = matched;
    const values = rawParameters.map(decode);
    if (values.some((value) => value === undefined)) {
      gatewayAnswer(respond, 400);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request, API_GATEWAY_MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        gatewayAnswer(respond, 413);
        return;
      }
      throw error;
    }
    const event = toHttpApiEvent(
      request,
      body,
      {
        routeKey: route.path,
        pathParameters: Object.fromEntries(route.variables.map((name, index) => [name, values[index] ?? ''])),
      },
      options.publicUrl,
    );
    writeHttpResult(response, await handlers[route.fn](event));
  };

export interface LambdaRouteDeps {
  readonly functions: ReadonlyMap<string, (payload: unknown) => Promise<unknown>>;
  readonly simulator: WeComSimulator | undefined;
  readonly logger: Logger;
  readonly eventBus: LocalEventBus;
  readonly deadLetters: LocalDeadLetters;
  /** Where the public routes are (PORT): the sandbox's browser starts website installs there. */
  readonly publicUrl: string;
}

/**
 * The port that must stay on this machine (LAMBDA_PORT): the Lambda Invoke API
 * (`POST /2015-03-31/functions/{name}/invocations`, answered as the Lambda service does), the
 * local bus's `GET /events`, the local dead-letter queue's `GET /dead-letters` and the sandbox
 * controls.
 */
export const lambdaRoutes =
  (deps: LambdaRouteDeps) =>
  async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const respond = responder(response);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const invoke = INVOKE_PATH.exec(url.pathname);
    if (invoke !== null && method === 'POST') {
      // A bare name or an ARN, as the Invoke API accepts; an undecodable name is simply unknown.
      const name =
        decode(invoke[1] ?? '')
          ?.split(':')
          .at(-1) ?? '';
      const fn = deps.functions.get(name);
      if (fn === undefined) {
        lambdaServiceError(
          respond,
          404,
          'ResourceNotFoundException',
          `Function not found: ${name.slice(0, 64)}`,
        );
        return;
      }
      let raw: string;
      try {
        raw = (await readBody(request, INVOKE_MAX_PAYLOAD_BYTES)).toString('utf8');
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          lambdaServiceError(
            respond,
            413,
            'RequestTooLargeException',
            `Request must be smaller than ${INVOKE_MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
          );
          return;
        }
        throw error;
      }
      let payload: unknown;
      try {
        payload = raw === '' ? {} : JSON.parse(raw);
      } catch {
        lambdaServiceError(
          respond,
          400,
          'InvalidRequestContentException',
          'Could not parse request body into json',
        );
        return;
      }
      await writeInvokeResult(response, () => fn(payload));
      return;
    }
    if (url.pathname === '/events' && method === 'GET') {
      // Events carry decrypted messages: served here, on the port that is never exposed.
      deps.eventBus.stream(request, response);
      return;
    }
    if (url.pathname === '/dead-letters' && method === 'GET') {
      // Keys and sequence numbers only, but of this machine's data: served on the port never exposed.
      respond(200, { 'content-type': 'application/json' }, JSON.stringify(deps.deadLetters.entries));
      return;
    }
    if (url.pathname === '/sandbox/event-bus' && method === 'POST') {
      const failing = url.searchParams.get('failing') === 'true';
      deps.eventBus.setFailing(failing);
      respond(200, { 'content-type': 'application/json' }, JSON.stringify({ failing }));
      return;
    }
    if (url.pathname.startsWith('/sandbox/') && method === 'POST') {
      await sandboxRoute(url, respond, deps.simulator, deps.publicUrl);
      return;
    }
    lambdaServiceError(respond, 404, 'UnknownOperationException', 'Unknown operation');
  };

/** Sandbox controls: simulate what a company or WeCom would do. */
const sandboxRoute = async (
  url: URL,
  respond: Respond,
  simulator: WeComSimulator | undefined,
  publicUrl: string,
): Promise<void> => {
  const json = (status: number, body: unknown) =>
    respond(status, { 'content-type': 'application/json' }, JSON.stringify(body));
  if (simulator === undefined) {
    json(404, { error: 'the sandbox controls exist only in sandbox mode' });
    return;
  }
  if (url.pathname === '/sandbox/ip-allow-list') {
    // WeCom answers 60020 to every call from an address not on the provider's allow-list.
    const allowed = url.searchParams.get('allowed') !== 'false';
    simulator.setIpAllowListed(allowed);
    json(200, { allowed });
    return;
  }
  if (url.pathname === '/sandbox/change-edition') {
    // Before the random corpId below: an edition changes only for a corp that installed the app.
    const answer = await changeEdition(url.searchParams, simulator).catch((error: Error) => ({
      status: 502,
      body: { error: error.message.slice(0, 300) },
    }));
    json(answer.status, answer.body);
    return;
  }
  const corpId = url.searchParams.get('corpId') ?? `wwsandboxcorp${Math.floor(Math.random() * 1e6)}`;
  if (url.pathname === '/sandbox/system-event') {
    // The provider's URL: no suite. Any InfoType of WeCom's form, known shapes or not (an unknown one is published too).
    const infoType = url.searchParams.get('infoType') ?? 'license_pay_success';
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(infoType) || !isWeComId(corpId)) {
      json(400, { error: `infoType must be like license_pay_success, corpId ${WECOM_ID_RULE}` });
      return;
    }
    const answer = await simulator.pushSystemEvent(infoType, corpId).catch((error: Error) => error);
    if (answer instanceof Error) {
      json(400, { error: answer.message.slice(0, 300) });
      return;
    }
    json(200, { infoType, corpId, callback: { status: answer.status, body: answer.body } });
    return;
  }
  const suiteId = url.searchParams.get('suiteId') ?? '';
  // The same ids the token functions accept, so a sandbox corp can always get its token.
  for (const [name, value] of [
    ['suiteId', suiteId],
    ['corpId', corpId],
  ] as const) {
    if (!isWeComId(value)) {
      json(400, { error: `${name} must be ${WECOM_ID_RULE}` });
      return;
    }
  }
  try {
    switch (url.pathname) {
      case '/sandbox/install':
        if (url.searchParams.get('via') === 'website') {
          // The browser's side: the service's install route, WeCom's page, and back.
          const start = new URL(`/install/${encodeURIComponent(suiteId)}`, publicUrl);
          const ref = url.searchParams.get('ref');
          if (ref !== null) {
            start.searchParams.set('ref', ref);
          }
          json(200, { suiteId, corpId, hops: await simulator.installViaWebsite(start.toString(), corpId) });
          return;
        }
        json(200, {
          suiteId,
          corpId,
          callback: await simulator.pushInstall(
            suiteId,
            corpId,
            url.searchParams.get('corpName') ?? undefined,
            url.searchParams.get('receiveId') === 'provider' ? 'provider' : 'suite',
          ),
        });
        return;
      case '/sandbox/oauth-code': {
        // A user of corpId signs in to the app: the code WeCom appends to the OAuth redirect.
        const userId = url.searchParams.get('userId') ?? undefined;
        // Narrower than WeCom's userid (which also allows @ and .), and enough for a sandbox member.
        if (userId !== undefined && !isWeComId(userId)) {
          json(400, { error: `userId must be ${WECOM_ID_RULE}` });
          return;
        }
        // Which OAuth link the user followed: a user_ticket comes only with a consenting scope.
        const scope = url.searchParams.get('scope') ?? 'snsapi_base';
        if (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo' && scope !== 'snsapi_privateinfo') {
          json(400, { error: 'scope must be snsapi_base, snsapi_userinfo or snsapi_privateinfo' });
          return;
        }
        const code = simulator.issueOAuthCode(suiteId, corpId, {
          scope,
          ...(userId === undefined ? {} : { userId }),
        });
        json(200, { suiteId, corpId, scope, code });
        return;
      }
      case '/sandbox/verify-urls':
        json(200, {
          suiteId,
          command: await simulator.verifyCallbackUrl(suiteId, 'command'),
          data: await simulator.verifyCallbackUrl(suiteId, 'data'),
          system: await simulator.verifySystemEventUrl(),
        });
        return;
      case '/sandbox/paid-app-event': {
        const infoType = url.searchParams.get('infoType') ?? 'open_order';
        const { status, body } = await simulator.pushPaidAppEvent(suiteId, infoType, corpId);
        json(200, { suiteId, corpId, infoType, callback: { status, body } });
        return;
      }
      case '/sandbox/ticket':
        json(200, { suiteId, callback: await simulator.pushSuiteTicket(suiteId) });
        return;
      case '/sandbox/reset-secret':
        json(200, { suiteId, corpId, callback: await simulator.pushResetPermanentCode(suiteId, corpId) });
        return;
      case '/sandbox/uninstall':
        json(200, { suiteId, corpId, callback: await simulator.pushCancel(suiteId, corpId) });
        return;
      case '/sandbox/change-auth':
        json(200, { suiteId, corpId, callback: await simulator.pushChangeAuth(suiteId, corpId) });
        return;
      case '/sandbox/message':
        json(200, {
          suiteId,
          corpId,
          callback: await simulator.pushDataMessage(
            suiteId,
            corpId,
            (url.searchParams.get('text') ?? 'hello').slice(0, 2000),
          ),
        });
        return;
      default:
        json(404, {
          error:
            'unknown sandbox action; use verify-urls, install, ticket, reset-secret, uninstall, change-auth, change-edition, message, oauth-code, ip-allow-list, system-event or paid-app-event',
        });
    }
  } catch (error) {
    json(400, { error: (error as Error).message.slice(0, 300) });
  }
};
