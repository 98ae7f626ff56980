import { createServer, type IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { RequestDeadlines } from '../functions/adapters/deadline/request-deadlines.ts';
import { createDocumentClient } from '../functions/adapters/dynamodb/document-client.ts';
import { isExchangeStreamRecord } from '../functions/adapters/dynamodb/stream-filters.ts';
import { localCreateTableInput } from '../functions/adapters/dynamodb/table-schema.ts';
import type { ServiceMetrics } from '../functions/adapters/metrics.ts';
import { SuiteRegistry } from '../functions/core/config/suite-registry.ts';
import type { SuiteRegistrySource } from '../functions/core/ports/suite-registry-source.ts';
import { createServiceRuntime } from '../functions/wiring/service-runtime.ts';
import { type DynamoDbLocal, LOCAL_REGION, startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalCredentials, localCredentials } from './local-credentials.ts';
import { LocalDeadLetters } from './local-dead-letters.ts';
import { LocalEventBus } from './local-event-bus.ts';
import { buildLocalFunctions } from './local-functions.ts';
import { lambdaRoutes, publicRoutes } from './local-routes.ts';
import { createSandboxConfig, providerSecretsOf } from './sandbox-config.ts';
import { defaultRetryDelayMs } from './stream-delivery.ts';
import { StreamPoller } from './stream-poller.ts';
import { WeComSimulator } from './wecom-simulator/wecom-simulator.ts';

export interface LocalStackOptions {
  /** The port WeCom may reach (tunnel it): the callback routes only. @default 3000 */
  readonly port?: number;
  /** The port that stays on this machine: the Lambda Invoke API and the sandbox. @default 3001 */
  readonly lambdaPort?: number;
  /** Keep DynamoDB Local's data in this directory. @default in memory */
  readonly dbPath?: string;
  /** The configuration document (README, Configuration). Without it, the sandbox runs. */
  readonly configFile?: string;
  /** qyapi base URL. @default https://qyapi.weixin.qq.com, or the sandbox's simulator */
  readonly wecomApiBase?: string;
  /** Seconds between sandbox suite_ticket pushes. @default 600 */
  readonly ticketIntervalSeconds?: number;
  readonly maxSkewSeconds?: number;
  /**
   * WECOM_SYSTEM_EVENTS: `required` when the provider's system-event URL is wanted, so a
   * configuration file without provider.token and provider.encodingAesKey stops the start, naming
   * them. @default 'optional' (the URL answers 404 until they are set)
   */
  readonly systemEvents?: 'optional' | 'required';
  readonly logger?: Logger;
  /**
   * Told once, with the exit reason, when DynamoDB Local dies while the stack runs (the stack is
   * then of no use: `npm start` reports it and exits non-zero).
   */
  readonly onDatabaseExit?: (reason: string) => void;
  /** Where the local bus also POSTs each event (LOCAL_EVENT_WEBHOOK). @default none */
  readonly eventWebhook?: string;
  /**
   * The origin WeCom and browsers reach PORT at (PUBLIC_URL: a tunnel), as API Gateway's domain
   * is in AWS: install redirects are built on it. @default the Host and scheme of each request
   */
  readonly publicUrl?: string;
  /**
   * Multiplies the deadlines and AWS timeouts the functions run under (RuntimeSeams.deadlineStretch):
   * a machine busy with other work answers from DynamoDB Local more slowly than DynamoDB does.
   * @default 1, as deployed
   */
  readonly deadlineStretch?: number;
  /**
   * The pause before the stream's first retry of a failing auth-exchange batch, doubling for each
   * further retry (tests shorten it). @default 1000 ms
   */
  readonly streamRetryDelayMs?: number;
}

/** A running local stack. */
export interface LocalStack {
  /** The callback routes (PORT): the one address that may be exposed to WeCom. */
  readonly url: string;
  readonly port: number;
  /** The Lambda Invoke API and the sandbox (LAMBDA_PORT): never to be exposed. */
  readonly lambdaUrl: string;
  readonly lambdaPort: number;
  /** DynamoDB Local's per-start credentials (its data is visible only with them). */
  readonly dynamoDbCredentials: LocalCredentials;
  readonly sandbox: boolean;
  readonly suiteIds: readonly string[];
  readonly providerCorpId: string;
  /** Whether the configuration has the provider's system-event keys (else the URL answers 404). */
  readonly systemEventsConfigured: boolean;
  readonly tableName: string;
  readonly dynamoDbEndpoint: string;
  /** Whether DynamoDB Local listens on 127.0.0.1 only (else on every interface: see docs/local.md). */
  readonly dynamoDbLoopbackOnly: boolean;
  readonly wecomApiBase: string;
  readonly simulator?: WeComSimulator;
  /** The local stand-in for the EventBridge bus. */
  readonly eventBus: LocalEventBus;
  /** The local stand-in for the exchange mapping's dead-letter queue (also `GET /dead-letters`). */
  readonly deadLetters: LocalDeadLetters;
  stop(): Promise<void>;
}

/** Thrown for a start-up problem; its message is one sentence naming the problem and the fix. */
export class LocalStartError extends Error {
  override readonly name = 'LocalStartError';
}

// Table creation is no request of WeCom's and DynamoDB Local takes its time over it.
const ADMIN_STRETCH = 10;

const TABLE_NAME = 'wecom-credentials';

const QUIET_METRICS: ServiceMetrics = {
  suiteTicketReceived: () => undefined,
  authCodeReceived: () => undefined,
  wecomAnswered: () => undefined,
  requestRefused: () => undefined,
  installExchangeFailed: () => undefined,
  exchangeOutcomeUnknown: () => undefined,
  staleReportIgnored: () => undefined,
  suiteTokenSuspect: () => undefined,
};

/**
 * Runs the whole service on this machine: DynamoDB Local with the table from the same definition
 * CDK uses, the same handler code behind two HTTP servers on 127.0.0.1 as `sam local` splits them
 * (PORT: the callback routes, the only thing WeCom reaches in AWS; LAMBDA_PORT: the Lambda Invoke
 * API and the sandbox), and the table's stream driving auth-exchange. Without a configuration file
 * it also runs a WeCom simulator that pushes tickets and can simulate installs (the sandbox).
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const logger = options.logger ?? new Logger({ serviceName: 'wecom-local' });
  const port = options.port ?? 3000;
  const lambdaPort = options.lambdaPort ?? 3001;
  const url = `http://127.0.0.1:${port}`;
  const lambdaUrl = `http://127.0.0.1:${lambdaPort}`;
  const sandboxConfig = options.configFile === undefined ? createSandboxConfig() : undefined;
  const sandbox = sandboxConfig !== undefined;
  const sandboxRegistry = sandboxConfig === undefined ? undefined : new SuiteRegistry(sandboxConfig);

  const stoppers: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const stopper of stoppers.reverse()) {
      await stopper().catch(() => undefined);
    }
  };
  try {
    const server = await listen(port, 'PORT');
    stoppers.push(() => closeServer(server));
    const lambdaServer = await listen(lambdaPort, 'LAMBDA_PORT');
    stoppers.push(() => closeServer(lambdaServer));
    let simulator: WeComSimulator | undefined;
    if (sandboxConfig !== undefined && options.wecomApiBase === undefined) {
      simulator = await new WeComSimulator({
        suites: sandboxConfig.suites,
        providerCorpId: sandboxConfig.provider.corpId,
        ...providerSecretsOf(sandboxConfig),
        callbackBaseUrl: url,
      }).start();
      stoppers.push(() => (simulator as WeComSimulator).stop());
    }
    const wecomApiBase = simulator?.baseUrl ?? options.wecomApiBase ?? 'https://qyapi.weixin.qq.com';
    const runtimeEnv = {
      TABLE_NAME,
      WECOM_API_BASE: wecomApiBase,
      // The sandbox's simulator also plays WeCom's install page.
      ...(simulator === undefined ? {} : { WECOM_OPEN_BASE: simulator.baseUrl }),
      WECOM_MAX_SKEW_SECONDS: String(options.maxSkewSeconds ?? 300),
      WECOM_SYSTEM_EVENTS: options.systemEvents ?? 'optional',
      ...(options.configFile === undefined ? {} : { WECOM_CONFIG_FILE: options.configFile }),
    };
    if (sandboxRegistry === undefined) {
      // A bad file stops the start here, in a moment, not after Java has spent seconds on DynamoDB Local.
      const loaded = await loadConfigFile(
        createServiceRuntime(runtimeEnv, { metrics: () => QUIET_METRICS }).registry('wecom-callback'),
        options.configFile ?? '',
      );
      if (options.systemEvents === 'required' && loaded.missingSystemEventKeys.length > 0) {
        throw new LocalStartError(
          `The system-event URL is wanted (WECOM_SYSTEM_EVENTS=required) but ${options.configFile ?? ''} lacks ${loaded.missingSystemEventKeys.join(' and ')}: add them from 服务商管理后台 → 应用管理 → 通用开发参数 → 系统事件接收URL, or unset WECOM_SYSTEM_EVENTS.`,
        );
      }
    }
    const dynamoDb: DynamoDbLocal = await startDynamoDbLocal({
      sharedDb: false,
      ...(options.dbPath === undefined ? {} : { dbPath: options.dbPath }),
    });
    stoppers.push(() => dynamoDb.stop());
    void dynamoDb.exited.then((reason) => {
      if (!stopping) {
        options.onDatabaseExit?.(reason);
      }
    });
    const credentials = await localCredentials(
      options.dbPath === undefined ? undefined : resolve(options.dbPath),
    );
    // Creating a table in DynamoDB Local takes longer than an item call; it is no request of WeCom's.
    const admin = createDocumentClient(
      { endpoint: dynamoDb.endpoint, region: LOCAL_REGION, credentials },
      new RequestDeadlines(Date.now, ADMIN_STRETCH),
    );
    await createTableIfMissing(admin, TABLE_NAME).finally(() => admin.destroy());

    const eventBus = new LocalEventBus(
      logger.createChild({ serviceName: 'local-event-bus' }),
      options.eventWebhook,
    );
    stoppers.push(async () => eventBus.close());
    // The same wiring as the Lambda entry points; only where things are differs.
    const runtime = createServiceRuntime(runtimeEnv, {
      dynamoDb: { endpoint: dynamoDb.endpoint, region: LOCAL_REGION, credentials },
      ...(sandboxRegistry === undefined ? {} : { registry: { current: async () => sandboxRegistry } }),
      logger: (service) => logger.createChild({ serviceName: service }),
      // CloudWatch metrics mean nothing on a laptop; their EMF lines would drown the log.
      metrics: () => QUIET_METRICS,
      events: () => eventBus,
      deadlineStretch: options.deadlineStretch ?? 1,
    });
    const registry = await loadConfigFile(runtime.registry('wecom-callback'), options.configFile ?? '');
    const functions = await buildLocalFunctions(runtime);
    const deadLetters = new LocalDeadLetters(
      logger.createChild({ serviceName: 'local-dead-letters' }),
      options.dbPath === undefined ? undefined : resolve(options.dbPath),
    );
    const poller = new StreamPoller({
      endpoint: dynamoDb.endpoint,
      tableName: TABLE_NAME,
      handler: functions.exchange,
      // What the Lambda event-source mapping lets through (lib uses the same patterns).
      filter: isExchangeStreamRecord,
      credentials,
      onDeadLetter: (entry) => deadLetters.add(entry),
      ...(options.streamRetryDelayMs === undefined
        ? {}
        : { retryDelayMs: (retry: number) => defaultRetryDelayMs(retry, options.streamRetryDelayMs) }),
    });
    await poller.start();
    stoppers.push(() => poller.stop());

    serve(
      server,
      publicRoutes(functions.http, options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
      logger,
    );
    serve(
      lambdaServer,
      lambdaRoutes({
        functions: functions.invoked,
        simulator,
        logger,
        eventBus,
        deadLetters,
        publicUrl: url,
      }),
      logger,
    );

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
      lambdaUrl,
      lambdaPort,
      dynamoDbCredentials: credentials,
      sandbox,
      suiteIds: registry.suiteIds,
      providerCorpId: registry.providerCorpId,
      systemEventsConfigured: registry.missingSystemEventKeys.length === 0,
      tableName: TABLE_NAME,
      dynamoDbEndpoint: dynamoDb.endpoint,
      dynamoDbLoopbackOnly: dynamoDb.loopbackOnly,
      wecomApiBase,
      ...(simulator === undefined ? {} : { simulator }),
      eventBus,
      deadLetters,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

/**
 * Routes every request of `server`, whatever its method: CONNECT, which Node hands over as a bare
 * socket (and closes when nobody takes it), goes through the same routes, so it is answered as
 * API Gateway or the Lambda service answers any request without a route. A bug answers 500 once,
 * logged at ERROR with its stack, never a hang; a caller that hangs up mid-request is no bug and
 * is logged at INFO, without a stack.
 */
const serve = (
  server: Server,
  route: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  logger: Logger,
): void => {
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    void route(request, response).catch((error: unknown) => {
      if (request.readableAborted || response.destroyed) {
        logger.info('the caller closed the connection before the answer', {
          method: request.method,
          // The path alone: a query can carry a signature or an echostr.
          path: new URL(request.url ?? '/', 'http://localhost').pathname.slice(0, 200),
          reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message.slice(0, 100),
        });
        return;
      }
      logger.error('local server failed a request', { error: error as Error });
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
      }
      response.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  };
  server.on('request', handle);
  server.on('connect', (request: IncomingMessage, socket: Socket) => {
    // Node leaves a handed-over socket without an error listener: a reset would crash the process.
    socket.on('error', () => socket.destroy());
    const response = new ServerResponse(request);
    response.shouldKeepAlive = false;
    response.assignSocket(socket);
    response.once('finish', () => {
      response.detachSocket(socket);
      socket.end();
    });
    handle(request, response);
  });
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

const listen = (port: number, variable: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new LocalStartError(
              `Port ${port} (${variable}) ${error.code === 'EACCES' ? 'needs privileges' : 'is already in use'}: stop what uses it or set ${variable} to another port.`,
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
