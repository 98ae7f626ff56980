import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../functions/adapters/dynamodb/document-client.ts';
import { localCreateTableInput } from '../functions/adapters/dynamodb/table-schema.ts';
import { completeAuthorization } from '../functions/app/complete-authorization.ts';
import { SuiteRegistry } from '../functions/core/config/suite-registry.ts';
import { createCorpTokenHandler } from '../functions/corp-token/corp-token-handler.ts';
import { createJsapiTicketHandler } from '../functions/jsapi-ticket/jsapi-ticket-handler.ts';
import { createSuiteTokenHandler } from '../functions/suite-token/suite-token-handler.ts';
import { createCallbackHandler } from '../functions/wecom-callback/callback-handler.ts';
import { createCallbackDeps } from '../functions/wiring/callback-deps.ts';
import { createServiceRuntime } from '../functions/wiring/service-runtime.ts';
import {
  createCorpTokenDeps,
  createExchangeDeps,
  createJsapiTicketDeps,
  createSuiteTokenDeps,
} from '../functions/wiring/token-deps.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { WeComSimulator } from '../local/wecom-simulator/wecom-simulator.ts';
import { signedPushEvent } from '../test/support/api-events.ts';
import { CUSTOMIZED_TEMPLATE, TEST_CONFIG, THIRD_PARTY_SUITE } from '../test/support/callback-harness.ts';
import { ShiftedClock } from '../test/support/fixed-clock.ts';
import { RecordingEventPublisher } from '../test/support/recording-events.ts';
import { RecordingMetrics } from '../test/support/recording-metrics.ts';
import { signPush, suiteEventXml } from '../test/support/wecom-pushes.ts';
import { percentile, round } from './stats.ts';

export interface TokenDayResults {
  readonly simulatedHours: number;
  readonly requests: number;
  readonly failedRequests: number;
  /** Upstream token calls per token lifetime, for each token kind (target ≤ 2). */
  readonly upstreamCallsPerLifetime: Readonly<Record<string, number>>;
  /** JS-SDK ticket fetches per simulated day for the one corp (WeCom allows 400 an hour, 100 per app). */
  readonly ticketFetchesPerDay: { readonly corp: number; readonly agent: number };
  readonly boundary: { readonly samples: number; readonly p50: number; readonly p99: number };
  readonly warm: { readonly p50: number; readonly p99: number };
  readonly target: string;
  readonly met: boolean;
}

const SIMULATED_HOURS = 24;
const STEP_MS = 30_000;
const LIFETIME_HOURS = 2;

/**
 * A simulated day of token traffic: callers ask for a suite token, a third-party corp token and a
 * 代开发 corp token every 30 s of simulated time, on a clock that runs a day ahead in seconds,
 * against a WeCom simulator that hands back the same token while it is valid. Wired with the
 * same create…Deps the Lambda entry points use, on DynamoDB Local.
 */
export const benchTokenDay = async (): Promise<TokenDayResults> => {
  const dynamoDb = await startDynamoDbLocal();
  const clock = new ShiftedClock();
  const simulator = await new WeComSimulator({
    suites: TEST_CONFIG.suites,
    providerCorpId: TEST_CONFIG.provider.corpId,
    nowMs: () => clock.nowMs(),
  }).start();
  const tableName = 'bench-token-day';
  const admin = createDocumentClient({
    endpoint: dynamoDb.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await admin.send(new CreateTableCommand(localCreateTableInput(tableName)));
    const registry = new SuiteRegistry(TEST_CONFIG);
    const metrics = new RecordingMetrics();
    const runtime = createServiceRuntime(
      { TABLE_NAME: tableName, WECOM_API_BASE: simulator.baseUrl },
      {
        dynamoDb: { endpoint: dynamoDb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
        registry: { current: async () => registry },
        clock,
        logger: (service) => new Logger({ serviceName: service, logLevel: 'SILENT' }),
        metrics: metrics.forService,
        events: () => new RecordingEventPublisher(),
      },
    );
    const callback = createCallbackHandler(createCallbackDeps(runtime));
    const push = async (suite: typeof THIRD_PARTY_SUITE | typeof CUSTOMIZED_TEMPLATE, xml: string) => {
      const signed = signPush(suite, xml, {
        receiveId: suite.suiteId,
        timestamp: Math.floor(clock.nowMs() / 1000),
      });
      await callback(signedPushEvent(suite.suiteId, signed));
    };
    const pushTickets = async () => {
      for (const suite of [THIRD_PARTY_SUITE, CUSTOMIZED_TEMPLATE]) {
        const { suiteTicket, timeStamp } = simulator.issueSuiteTicket(suite.suiteId);
        await push(suite, suiteEventXml.suiteTicket(suite.suiteId, suiteTicket, timeStamp));
      }
    };
    await pushTickets();
    // Installs: create_auth through the callback, exchanged with the use case the stream drives.
    const corps = { third: 'wxbenchdaycorp', customized: 'wxbenchdaydk' };
    for (const [suite, corpId] of [
      [THIRD_PARTY_SUITE, corps.third],
      [CUSTOMIZED_TEMPLATE, corps.customized],
    ] as const) {
      const authCode = simulator.authorizeCorp(suite.suiteId, corpId);
      await push(suite, suiteEventXml.createAuth(suite.suiteId, authCode, Math.floor(clock.nowMs() / 1000)));
      await completeAuthorization(createExchangeDeps(runtime), {
        suiteId: suite.suiteId,
        authCode,
        source: 'create_auth',
        timeStamp: Math.floor(clock.nowMs() / 1000),
      });
    }

    const suiteToken = createSuiteTokenHandler(createSuiteTokenDeps(runtime));
    const corpToken = createCorpTokenHandler(createCorpTokenDeps(runtime));
    const jsapiTicket = createJsapiTicketHandler(createJsapiTicketDeps(runtime));
    const ticketOf = async (type: 'corp' | 'agent') => {
      const answer = (await jsapiTicket({
        suiteId: THIRD_PARTY_SUITE.suiteId,
        corpId: corps.third,
        type,
      })) as {
        ticket: string;
      };
      return { accessToken: answer.ticket };
    };
    const kinds = [
      { api: 'service/get_suite_token', call: () => suiteToken({ suiteId: THIRD_PARTY_SUITE.suiteId }) },
      {
        api: 'service/get_corp_token',
        call: () => corpToken({ suiteId: THIRD_PARTY_SUITE.suiteId, corpId: corps.third }),
      },
      {
        api: 'gettoken',
        call: () => corpToken({ suiteId: CUSTOMIZED_TEMPLATE.suiteId, corpId: corps.customized }),
      },
      // The JS-SDK tickets of the third-party corp's app, asked for like a page load would.
      { api: 'get_jsapi_ticket', call: () => ticketOf('corp') },
      { api: 'ticket/get', call: () => ticketOf('agent') },
    ];
    // The suite-token calls the exchanges made are not part of the day.
    const callsBefore = kinds.map(({ api }) => simulator.calls(api));
    const lastValue = new Map<string, string>();
    const warm: number[] = [];
    const boundary: number[] = [];
    let requests = 0;
    let failed = 0;
    const startMs = clock.nowMs();
    let lastTicketMs = startMs;
    while (clock.nowMs() - startMs < SIMULATED_HOURS * 3_600_000) {
      clock.advance(STEP_MS);
      if (clock.nowMs() - lastTicketMs >= 10 * 60_000) {
        await pushTickets();
        lastTicketMs = clock.nowMs();
      }
      for (const kind of kinds) {
        requests += 1;
        const started = performance.now();
        try {
          const { accessToken } = await kind.call();
          const elapsed = performance.now() - started;
          // The first request that gets a new value is the one at a lifetime boundary.
          (lastValue.has(kind.api) && lastValue.get(kind.api) !== accessToken ? boundary : warm).push(
            elapsed,
          );
          lastValue.set(kind.api, accessToken);
        } catch {
          failed += 1;
        }
      }
    }
    const lifetimes = SIMULATED_HOURS / LIFETIME_HOURS;
    const upstreamCallsPerLifetime = Object.fromEntries(
      kinds.map(({ api }, index) => [
        api,
        round((simulator.calls(api) - (callsBefore[index] ?? 0)) / lifetimes),
      ]),
    );
    const ticketFetchesPerDay = {
      corp: round((simulator.calls('get_jsapi_ticket') - (callsBefore[3] ?? 0)) / (SIMULATED_HOURS / 24)),
      agent: round((simulator.calls('ticket/get') - (callsBefore[4] ?? 0)) / (SIMULATED_HOURS / 24)),
    };
    warm.sort((a, b) => a - b);
    boundary.sort((a, b) => a - b);
    const met = failed === 0 && Object.values(upstreamCallsPerLifetime).every((calls) => calls <= 2);
    return {
      simulatedHours: SIMULATED_HOURS,
      requests,
      failedRequests: failed,
      upstreamCallsPerLifetime,
      ticketFetchesPerDay,
      boundary: {
        samples: boundary.length,
        p50: round(percentile(boundary, 50)),
        p99: round(percentile(boundary, 99)),
      },
      warm: { p50: round(percentile(warm, 50)), p99: round(percentile(warm, 99)) },
      target: '0 failed; ≤ 2 upstream calls per lifetime',
      met,
    };
  } finally {
    admin.destroy();
    await simulator.stop();
    await dynamoDb.stop();
  }
};
