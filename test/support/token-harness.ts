import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoAuthCodeStore } from '../../functions/adapters/dynamodb/auth-code-store.ts';
import { DynamoAuthorizationStore } from '../../functions/adapters/dynamodb/authorization-store.ts';
import { DynamoSuiteTicketStore } from '../../functions/adapters/dynamodb/suite-ticket-store.ts';
import { DynamoTokenCache } from '../../functions/adapters/dynamodb/token-cache.ts';
import { HttpWeComApi } from '../../functions/adapters/wecom/wecom-api-client.ts';
import type { ExchangeDeps } from '../../functions/app/complete-authorization.ts';
import type { TokenDeps } from '../../functions/app/token-deps.ts';
import { createAuthExchangeHandler } from '../../functions/auth-exchange/auth-exchange-handler.ts';
import { SuiteRegistry } from '../../functions/core/config/suite-registry.ts';
import { RecentAuthorizations } from '../../functions/core/credentials/recent-authorizations.ts';
import { TokenMemory } from '../../functions/core/credentials/token-memory.ts';
import type { Clock } from '../../functions/core/ports.ts';
import { StreamPoller } from '../../local/stream-poller.ts';
import { WeComSimulator } from '../../local/wecom-simulator.ts';
import { callbackEvent } from './api-events.ts';
import {
  CUSTOMIZED_TEMPLATE,
  createCallbackHarness,
  TEST_CONFIG,
  THIRD_PARTY_SUITE,
} from './callback-harness.ts';
import { createTestTable, type TestTable } from './dynamodb.ts';
import { signPush, suiteEventXml } from './wecom-pushes.ts';

const silentLogger = () => new Logger({ serviceName: 'token-test', logLevel: 'SILENT' });

/** Everything the token flows need, real except WeCom (the simulator on 127.0.0.1). */
export interface TokenHarness {
  readonly table: TestTable;
  readonly simulator: WeComSimulator;
  /** A fresh set of dependencies, as a new Lambda container would build them. */
  newContainer(): ExchangeDeps;
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
  /** Starts delivering the table's stream to auth-exchange; returns a stop function. */
  startExchange(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const systemClock: Clock = { nowMs: () => Date.now() };

export const createTokenHarness = async (
  options: { readonly wecomTimeoutMs?: number } = {},
): Promise<TokenHarness> => {
  const table = await createTestTable();
  const simulator = await new WeComSimulator({
    suites: TEST_CONFIG.suites,
    providerCorpId: TEST_CONFIG.provider.corpId,
  }).start();
  const registry = new SuiteRegistry(TEST_CONFIG);
  const callback = createCallbackHarness(table.client, table.tableName);
  const clockNow = () => Date.now();
  const push = async (suiteId: string, xml: string) => {
    const secrets = suiteId === CUSTOMIZED_TEMPLATE.suiteId ? CUSTOMIZED_TEMPLATE : THIRD_PARTY_SUITE;
    const timestamp = Math.floor(clockNow() / 1000);
    callback.clock.set(clockNow());
    const signed = signPush(secrets, xml, { receiveId: suiteId, timestamp });
    const response = await callback.handler(
      callbackEvent({
        method: 'POST',
        route: 'command',
        suiteId,
        rawQueryString: signed.rawQueryString,
        body: signed.body,
      }),
    );
    if (response.body !== 'success') {
      throw new Error(`push was refused: ${response.statusCode} ${response.body}`);
    }
  };

  const newContainer = (): ExchangeDeps => {
    const authorizationStore = new DynamoAuthorizationStore(table.client, table.tableName, systemClock);
    const deps: TokenDeps = {
      registry: { current: async () => registry },
      tickets: new DynamoSuiteTicketStore(table.client, table.tableName, systemClock),
      authorizations: authorizationStore,
      tokens: new DynamoTokenCache(table.client, table.tableName, systemClock),
      wecom: new HttpWeComApi({
        baseUrl: simulator.baseUrl,
        timeoutMs: options.wecomTimeoutMs ?? 500,
        baseBackoffMs: 10,
        rateLimitBackoffMs: 20,
      }),
      clock: systemClock,
      memory: new TokenMemory(),
      recentAuthorizations: new RecentAuthorizations(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      newLeaseOwner: randomUUID,
    };
    return {
      ...deps,
      authCodes: new DynamoAuthCodeStore(table.client, table.tableName, systemClock),
      authorizationWriter: authorizationStore,
    };
  };

  return {
    table,
    simulator,
    newContainer,
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
    pushCancel: async (suiteId, corpId) => {
      simulator.cancelAuthorization(suiteId, corpId);
      await push(suiteId, suiteEventXml.cancelAuth(suiteId, corpId, Math.floor(clockNow() / 1000)));
    },
    startExchange: async () => {
      const handler = createAuthExchangeHandler({ ...newContainer(), logger: silentLogger() });
      const poller = new StreamPoller({
        endpoint: table.endpoint,
        tableName: table.tableName,
        handler,
        pollIntervalMs: 50,
      });
      await poller.start();
      return () => poller.stop();
    },
    close: async () => {
      await simulator.stop();
      await table.drop();
    },
  };
};

/** Polls `check` until it returns a value or `timeoutMs` passes. */
export const eventually = async <T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> => {
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
