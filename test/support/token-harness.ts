import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isExchangeStreamRecord } from '../../functions/adapters/dynamodb/stream-filters.ts';
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionHandler,
  type FunctionModule,
  type FunctionName,
} from '../../functions/catalog.ts';
import type { ServiceConfig } from '../../functions/core/config/service-config.ts';
import type { Clock } from '../../functions/core/ports/clock.ts';
import { createExchangeDeps, type ExchangeFunctionDeps } from '../../functions/wiring/token-deps.ts';
import { publicRoutes } from '../../local/local-routes.ts';
import { StreamPoller } from '../../local/stream-poller.ts';
import { WeComSimulator } from '../../local/wecom-simulator/wecom-simulator.ts';
import { signedPushEvent } from './api-events.ts';
import { recordAwsCalls } from './aws-call-recorder.ts';
import {
  CUSTOMIZED_TEMPLATE,
  createCallbackHarness,
  TEST_CONFIG,
  THIRD_PARTY_SUITE,
} from './callback-harness.ts';
import { createTestTable, type TestTable } from './dynamodb.ts';
import { type FakeEventBridge, startFakeEventBridge } from './fake-eventbridge.ts';
import { startFakeSecretsManager } from './fake-secrets-manager.ts';
import { createTestRuntime, type TestLogLevel } from './test-runtime.ts';
import { signPush, suiteEventXml } from './wecom-pushes.ts';

/** Everything the token flows need, real except WeCom (the simulator on 127.0.0.1). */
export interface TokenHarness {
  readonly table: TestTable;
  readonly simulator: WeComSimulator;
  /** The bus every function of the harness publishes to (EventBridge on loopback). */
  readonly eventBridge: FakeEventBridge;
  /** The runtime every function of the harness runs in (config from a loopback Secrets Manager). */
  readonly runtime: ReturnType<typeof createTestRuntime>;
  /** A fresh set of dependencies, as a new Lambda container would build them. */
  newContainer(): ExchangeFunctionDeps;
  /** A function's real handler (functions/catalog.ts), wired as in Lambda, in a fresh container. */
  handler<Name extends FunctionName>(name: Name): FunctionHandler<Name>;
  /**
   * Serves the public routes (callbacks, installs, trusted-domain files) on 127.0.0.1 as `npm
   * start` does, with this harness's functions; returns the base URL. Closed with the harness.
   */
  servePublicRoutes(): Promise<string>;
  /** Pushes a fresh suite_ticket through the real callback handler. */
  pushTicket(suiteId: string): Promise<void>;
  /** A corp installs (or a 代开发 secret is reset): the event goes through the callback handler. */
  /** Returns the auth code WeCom issued. */
  pushAuthCode(
    suiteId: string,
    corpId: string,
    kind: 'create_auth' | 'reset_permanent_code',
  ): Promise<string>;
  pushCancel(suiteId: string, corpId: string): Promise<void>;
  /** Pushes an instruction event's XML through the real callback handler, signed as WeCom would. */
  pushXml(suiteId: string, xml: string): Promise<void>;
  /** Starts delivering the table's stream to auth-exchange; returns a stop function. */
  startExchange(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const CONFIG_SECRET_ID = 'wecom/credentials-config';

export const createTokenHarness = async (
  options: {
    /**
     * Each WeCom call's timeout, for tests of timeouts. @default the client's own, as deployed: a
     * shorter one fires on a busy machine and turns an exchange's answer into a lost one.
     */
    readonly wecomTimeoutMs?: number;
    readonly logLevel?: TestLogLevel;
    /** One clock for the functions, WeCom and the pushes. @default the system clock */
    readonly clock?: Clock;
    readonly repeatedExpiresIn?: 'remaining' | 'full';
    /** The configuration document in the secret. @default TEST_CONFIG */
    readonly config?: ServiceConfig;
  } = {},
): Promise<TokenHarness> => {
  const config = options.config ?? TEST_CONFIG;
  const table = await createTestTable();
  const servers: Server[] = [];
  const clock = options.clock ?? { nowMs: () => Date.now() };
  const simulator = await new WeComSimulator({
    suites: config.suites,
    providerCorpId: config.provider.corpId,
    providerSecret: config.provider.providerSecret ?? '',
    nowMs: () => clock.nowMs(),
    ...(options.repeatedExpiresIn === undefined ? {} : { repeatedExpiresIn: options.repeatedExpiresIn }),
  }).start();
  const secretsManager = await startFakeSecretsManager();
  const eventBridge = await startFakeEventBridge();
  const bus = { endpoint: eventBridge.endpoint, busName: 'wecom-credentials-test' };
  secretsManager.setSecret(CONFIG_SECRET_ID, JSON.stringify(config));
  const runtime = createTestRuntime({
    dynamoDbEndpoint: table.endpoint,
    tableName: table.tableName,
    configSecret: { endpoint: secretsManager.endpoint, secretId: CONFIG_SECRET_ID },
    wecomApiBase: simulator.baseUrl,
    wecomOpenBase: simulator.baseUrl,
    eventBridge: bus,
    wecomClient: {
      ...(options.wecomTimeoutMs === undefined ? {} : { timeoutMs: options.wecomTimeoutMs }),
      baseBackoffMs: 10,
      rateLimitBackoffMs: 20,
    },
    clock,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
  });
  const callback = createCallbackHarness(table.endpoint, table.tableName, { eventBridge: bus, config });
  const clockNow = () => clock.nowMs();
  const push = async (suiteId: string, xml: string) => {
    const secrets = suiteId === CUSTOMIZED_TEMPLATE.suiteId ? CUSTOMIZED_TEMPLATE : THIRD_PARTY_SUITE;
    const timestamp = Math.floor(clockNow() / 1000);
    callback.clock.set(clockNow());
    const signed = signPush(secrets, xml, { receiveId: suiteId, timestamp });
    const response = await callback.handler(signedPushEvent(suiteId, signed));
    if (response.body !== 'success') {
      throw new Error(`push was refused: ${response.statusCode} ${response.body}`);
    }
  };

  const newContainer = (): ExchangeFunctionDeps => createExchangeDeps(runtime);
  // Every function's module, loaded once, so a fresh handler is built without waiting.
  const modules = Object.fromEntries(
    await Promise.all(FUNCTION_NAMES.map(async (name) => [name, await FUNCTIONS[name].load()] as const)),
  ) as Record<FunctionName, FunctionModule>;
  const buildHandler = <Name extends FunctionName>(name: Name): FunctionHandler<Name> =>
    modules[name].buildFunction(runtime) as FunctionHandler<Name>;

  return {
    table,
    simulator,
    eventBridge,
    runtime,
    newContainer,
    handler: (name) => buildHandler(name),
    servePublicRoutes: async () => {
      const server = createServer(
        publicRoutes({ 'wecom-callback': buildHandler('wecom-callback'), install: buildHandler('install') }),
      );
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    pushTicket: async (suiteId) => {
      const { suiteTicket, timeStamp } = simulator.issueSuiteTicket(suiteId);
      await push(suiteId, suiteEventXml.suiteTicket(suiteId, suiteTicket, timeStamp));
    },
    pushAuthCode: async (suiteId, corpId, kind) => {
      const timeStamp = Math.floor(clockNow() / 1000);
      const authCode =
        kind === 'create_auth'
          ? simulator.authorizeCorp(suiteId, corpId)
          : simulator.resetPermanentCode(suiteId, corpId);
      const xml =
        kind === 'create_auth'
          ? suiteEventXml.createAuth(suiteId, authCode, timeStamp)
          : suiteEventXml.resetPermanentCode(suiteId, authCode, timeStamp);
      await push(suiteId, xml);
      return authCode;
    },
    pushXml: push,
    pushCancel: async (suiteId, corpId) => {
      simulator.cancelAuthorization(suiteId, corpId);
      await push(suiteId, suiteEventXml.cancelAuth(suiteId, corpId, Math.floor(clockNow() / 1000)));
    },
    startExchange: async () => {
      const poller = new StreamPoller({
        endpoint: table.endpoint,
        tableName: table.tableName,
        handler: buildHandler('auth-exchange'),
        pollIntervalMs: 50,
        // What the Lambda event-source mapping lets through, nothing more (lib uses the same patterns).
        filter: isExchangeStreamRecord,
        observeStreamsClient: (client) => recordAwsCalls(client, 'auth-exchange'),
      });
      await poller.start();
      return () => poller.stop();
    },
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await simulator.stop();
      await secretsManager.close();
      await eventBridge.close();
      await table.drop();
    },
  };
};

/**
 * Polls `check` until it returns a value or `timeoutMs` passes. The default is generous: it costs
 * nothing when the condition comes, and a second test run on the same machine slows everything.
 */
export const eventually = async <T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `condition not met within ${timeoutMs} ms${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
};

/**
 * A corp installs the suite: WeCom's fresh ticket, create_auth through the callback, and the
 * exchange of the code; resolves once the authorization (with its agent) is stored.
 */
export const installCorp = async (harness: TokenHarness, suiteId: string, corpId: string): Promise<void> => {
  const container = harness.newContainer();
  await harness.pushTicket(suiteId);
  const stop = await harness.startExchange();
  try {
    await harness.pushAuthCode(suiteId, corpId, 'create_auth');
    await eventually(async () => (await container.authorizations.getAuthorization(suiteId, corpId))?.agentId);
  } finally {
    await stop();
  }
};
