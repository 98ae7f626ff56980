import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../functions/adapters/dynamodb/document-client.ts';
import { localCreateTableInput } from '../functions/adapters/dynamodb/table-schema.ts';
import type { ServiceMetrics } from '../functions/adapters/metrics.ts';
import { createAuthExchangeHandler } from '../functions/auth-exchange/auth-exchange-handler.ts';
import { SuiteRegistry } from '../functions/core/config/suite-registry.ts';
import type { SuiteRegistrySource } from '../functions/core/ports.ts';
import { createCorpTokenHandler } from '../functions/corp-token/corp-token-handler.ts';
import { createSuiteTokenHandler } from '../functions/suite-token/suite-token-handler.ts';
import { createCallbackHandler } from '../functions/wecom-callback/callback-handler.ts';
import { createCallbackDeps } from '../functions/wiring/callback-deps.ts';
import { createServiceRuntime } from '../functions/wiring/service-runtime.ts';
import {
  createCorpTokenDeps,
  createExchangeDeps,
  createSuiteTokenDeps,
} from '../functions/wiring/token-deps.ts';
import { type DynamoDbLocal, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from './dynamodb-local.ts';
import { readBody, toHttpApiEvent, writeHttpResult, writeInvokeResult } from './lambda-http.ts';
import { createSandboxConfig } from './sandbox-config.ts';
import { StreamPoller } from './stream-poller.ts';
import { WeComSimulator } from './wecom-simulator.ts';

export interface LocalStackOptions {
  /** HTTP port for the callback routes and the Lambda Invoke API. @default 3000 */
  readonly port?: number;
  /** Keep DynamoDB Local's data in this directory. @default in memory */
  readonly dbPath?: string;
  /** The configuration document (README, Configuration). Without it, the sandbox runs. */
  readonly configFile?: string;
  /** qyapi base URL. @default https://qyapi.weixin.qq.com, or the sandbox's simulator */
  readonly wecomApiBase?: string;
  /** Seconds between sandbox suite_ticket pushes. @default 600 */
  readonly ticketIntervalSeconds?: number;
  readonly maxSkewSeconds?: number;
  readonly logger?: Logger;
}

/** A running local stack. */
export interface LocalStack {
  readonly url: string;
  readonly port: number;
  readonly sandbox: boolean;
  readonly suiteIds: readonly string[];
  readonly providerCorpId: string;
  readonly tableName: string;
  readonly dynamoDbEndpoint: string;
  readonly wecomApiBase: string;
  readonly simulator?: WeComSimulator;
  stop(): Promise<void>;
}

/** Thrown for a start-up problem; its message is one sentence naming the problem and the fix. */
export class LocalStartError extends Error {
  override readonly name = 'LocalStartError';
}

const TABLE_NAME = 'wecom-credentials';

const QUIET_METRICS: ServiceMetrics = {
  suiteTicketReceived: () => undefined,
  authCodeReceived: () => undefined,
  wecomAnswered: () => undefined,
  requestRefused: () => undefined,
  exchangeOutcomeUnknown: () => undefined,
};
const CALLBACK_PATH = /^\/callback\/([^/]+)\/(command|data)$/;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * Runs the whole service on this machine: DynamoDB Local with the table from the same definition
 * CDK uses, the same handler code behind one HTTP server (callback routes and the Lambda Invoke
 * API), and the table's stream driving auth-exchange. Without a configuration file it also runs
 * a WeCom simulator that pushes tickets and can simulate installs (the sandbox).
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const logger = options.logger ?? new Logger({ serviceName: 'wecom-local' });
  const port = options.port ?? 3000;
  const url = `http://127.0.0.1:${port}`;
  const sandboxConfig = options.configFile === undefined ? createSandboxConfig() : undefined;
  const sandbox = sandboxConfig !== undefined;
  const sandboxRegistry = sandboxConfig === undefined ? undefined : new SuiteRegistry(sandboxConfig);

  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopper of stoppers.reverse()) {
      await stopper().catch(() => undefined);
    }
  };
  try {
    const server = await listen(port);
    stoppers.push(() => closeServer(server));
    let simulator: WeComSimulator | undefined;
    if (sandboxConfig !== undefined && options.wecomApiBase === undefined) {
      simulator = await new WeComSimulator({
        suites: sandboxConfig.suites,
        providerCorpId: sandboxConfig.provider.corpId,
        callbackBaseUrl: url,
      }).start();
      stoppers.push(() => (simulator as WeComSimulator).stop());
    }
    const wecomApiBase = simulator?.baseUrl ?? options.wecomApiBase ?? 'https://qyapi.weixin.qq.com';
    const dynamoDb: DynamoDbLocal = await startDynamoDbLocal(
      options.dbPath === undefined ? {} : { dbPath: options.dbPath },
    );
    stoppers.push(() => dynamoDb.stop());
    const admin = createDocumentClient({
      endpoint: dynamoDb.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await createTableIfMissing(admin, TABLE_NAME).finally(() => admin.destroy());

    // The same wiring as the Lambda entry points; only where things are differs.
    const runtime = createServiceRuntime(
      {
        TABLE_NAME,
        WECOM_API_BASE: wecomApiBase,
        WECOM_MAX_SKEW_SECONDS: String(options.maxSkewSeconds ?? 300),
        ...(options.configFile === undefined ? {} : { WECOM_CONFIG_FILE: options.configFile }),
      },
      {
        dynamoDb: { endpoint: dynamoDb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
        ...(sandboxRegistry === undefined ? {} : { registry: { current: async () => sandboxRegistry } }),
        logger: (service) => logger.createChild({ serviceName: service }),
        // CloudWatch metrics mean nothing on a laptop; their EMF lines would drown the log.
        metrics: () => QUIET_METRICS,
      },
    );
    // Loading once now turns a bad file into a start-up error instead of a failing first request.
    const registry = await loadConfigFile(runtime.registry('wecom-callback'), options.configFile ?? '');
    const callbackHandler = createCallbackHandler(createCallbackDeps(runtime));
    const functions = new Map<string, (payload: unknown) => Promise<unknown>>([
      ['suite-token', createSuiteTokenHandler(createSuiteTokenDeps(runtime))],
      ['corp-token', createCorpTokenHandler(createCorpTokenDeps(runtime))],
    ]);
    const exchange = createAuthExchangeHandler(createExchangeDeps(runtime));
    const poller = new StreamPoller({
      endpoint: dynamoDb.endpoint,
      tableName: TABLE_NAME,
      handler: exchange,
      onDeadLetter: (record) =>
        logger.error('stream record given up after retries (dead letter)', { eventId: record.eventID }),
    });
    await poller.start();
    stoppers.push(() => poller.stop());

    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void route(request, response, { callbackHandler, functions, simulator, logger }).catch(
        (error: unknown) => {
          logger.error('local server failed a request', { error: error as Error });
          if (!response.headersSent) {
            response.writeHead(500, { 'content-type': 'text/plain' });
          }
          response.end('internal error');
        },
      );
    });

    if (simulator !== undefined) {
      const sandboxSimulator = simulator;
      const pushTickets = async () => {
        for (const suiteId of registry.suiteIds) {
          const answer = await sandboxSimulator
            .pushSuiteTicket(suiteId)
            .catch((error: Error) => ({ status: 0, body: error.message }));
          if (answer.body !== 'success') {
            logger.warn('sandbox ticket push was not acknowledged', {
              suiteId,
              status: answer.status,
            });
          }
        }
      };
      await pushTickets();
      const timer = setInterval(() => void pushTickets(), (options.ticketIntervalSeconds ?? 600) * 1000);
      stoppers.push(async () => clearInterval(timer));
    }

    return {
      url,
      port,
      sandbox,
      suiteIds: registry.suiteIds,
      providerCorpId: registry.providerCorpId,
      tableName: TABLE_NAME,
      dynamoDbEndpoint: dynamoDb.endpoint,
      wecomApiBase,
      ...(simulator === undefined ? {} : { simulator }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

interface RouteDeps {
  readonly callbackHandler: ReturnType<typeof createCallbackHandler>;
  readonly functions: ReadonlyMap<string, (payload: unknown) => Promise<unknown>>;
  readonly simulator: WeComSimulator | undefined;
  readonly logger: Logger;
}

const route = async (request: IncomingMessage, response: ServerResponse, deps: RouteDeps): Promise<void> => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  const callback = CALLBACK_PATH.exec(url.pathname);
  if (callback !== null && (method === 'GET' || method === 'POST')) {
    const body = await readBody(request, 1024 * 1024);
    const [, suiteId = '', kind = ''] = callback;
    const event = toHttpApiEvent(request, body, {
      routeKey: `/callback/{suiteId}/${kind}`,
      pathParameters: { suiteId: decodeURIComponent(suiteId) },
    });
    writeHttpResult(response, await deps.callbackHandler(event));
    return;
  }
  const invoke = INVOKE_PATH.exec(url.pathname);
  if (invoke !== null && method === 'POST') {
    // Accept a bare name or an ARN, as the Invoke API does.
    const name =
      decodeURIComponent(invoke[1] ?? '')
        .split(':')
        .at(-1) ?? '';
    const fn = deps.functions.get(name);
    if (fn === undefined) {
      response.writeHead(404, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ResourceNotFoundException',
      });
      response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
      return;
    }
    const raw = (await readBody(request)).toString('utf8');
    let payload: unknown;
    try {
      payload = raw === '' ? {} : JSON.parse(raw);
    } catch {
      response.writeHead(400, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'InvalidRequestContentException',
      });
      response.end(JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }));
      return;
    }
    await writeInvokeResult(response, () => fn(payload));
    return;
  }
  if (url.pathname.startsWith('/sandbox/') && method === 'POST') {
    await sandboxRoute(url, response, deps);
    return;
  }
  // What API Gateway's HTTP API answers for a route it does not have, other methods included.
  response.writeHead(404, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ message: 'Not Found' }));
};

/** Sandbox controls: simulate what a company or WeCom would do. */
const sandboxRoute = async (url: URL, response: ServerResponse, deps: RouteDeps): Promise<void> => {
  const simulator = deps.simulator;
  const json = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (simulator === undefined) {
    json(404, { error: 'the sandbox controls exist only in sandbox mode' });
    return;
  }
  const suiteId = url.searchParams.get('suiteId') ?? '';
  const corpId = url.searchParams.get('corpId') ?? `wwsandboxcorp${Math.floor(Math.random() * 1e6)}`;
  try {
    switch (url.pathname) {
      case '/sandbox/install':
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
      case '/sandbox/verify-urls':
        json(200, {
          suiteId,
          command: await simulator.verifyCallbackUrl(suiteId, 'command'),
          data: await simulator.verifyCallbackUrl(suiteId, 'data'),
        });
        return;
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
          callback: await simulator.pushDataMessage(suiteId, corpId, url.searchParams.get('text') ?? 'hello'),
        });
        return;
      case '/sandbox/ip-allow-list': {
        // WeCom answers 60020 to every call from an address not on the provider's allow-list.
        const allowed = url.searchParams.get('allowed') !== 'false';
        simulator.setIpAllowListed(allowed);
        json(200, { allowed });
        return;
      }
      default:
        json(404, {
          error:
            'unknown sandbox action; use verify-urls, install, ticket, reset-secret, uninstall, change-auth, message or ip-allow-list',
        });
    }
  } catch (error) {
    json(400, { error: (error as Error).message });
  }
};

const loadConfigFile = async (source: SuiteRegistrySource, path: string): Promise<SuiteRegistry> => {
  try {
    return await source.current();
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('cannot be read')) {
      throw new LocalStartError(
        `The configuration file ${path} cannot be read: check WECOM_CONFIG_FILE, or unset it to run the sandbox.`,
      );
    }
    if (message.includes('not valid JSON')) {
      throw new LocalStartError(
        `The configuration file ${path} is not valid JSON: fix its syntax (see README, Configuration).`,
      );
    }
    throw new LocalStartError(`The configuration file ${path} is invalid: ${message}.`);
  }
};

const listen = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalStartError(
              `Port ${port} is already in use: stop what uses it or set PORT to another port.`,
            )
          : error,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

const createTableIfMissing = async (
  client: ReturnType<typeof createDocumentClient>,
  tableName: string,
): Promise<void> => {
  try {
    await client.send(new CreateTableCommand(localCreateTableInput(tableName)));
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') {
      throw error;
    }
  }
};
