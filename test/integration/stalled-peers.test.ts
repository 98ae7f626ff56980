import { readdirSync, readFileSync } from 'node:fs';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCreateTableInput } from '../../functions/adapters/dynamodb/table-schema.ts';
import { createAuthExchangeHandler } from '../../functions/auth-exchange/auth-exchange-handler.ts';
import { SuiteRegistry } from '../../functions/core/config/suite-registry.ts';
import { UpstreamUnavailableError } from '../../functions/core/errors.ts';
import { createCorpTokenHandler } from '../../functions/corp-token/corp-token-handler.ts';
import { createInstallHandler } from '../../functions/install/install-handler.ts';
import { createSuiteTokenHandler } from '../../functions/suite-token/suite-token-handler.ts';
import { createCallbackHandler } from '../../functions/wecom-callback/callback-handler.ts';
import { createCallbackDeps } from '../../functions/wiring/callback-deps.ts';
import { createInstallDeps } from '../../functions/wiring/install-deps.ts';
import {
  createCorpTokenDeps,
  createExchangeDeps,
  createSuiteTokenDeps,
} from '../../functions/wiring/token-deps.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { browserGetEvent, signedPushEvent } from '../support/api-events.ts';
import {
  createCallbackHarness,
  NOW_SECONDS,
  TEST_CONFIG,
  THIRD_PARTY_SUITE,
} from '../support/callback-harness.ts';
import { localDocumentClient } from '../support/dynamodb.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { type StalledPeer, startStalledPeer } from '../support/stalled-peer.ts';
import { createTestRuntime } from '../support/test-runtime.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';
import { signPush, suiteEventXml } from '../support/wecom-pushes.ts';

/**
 * Every outbound call has a timeout that fires, sized from its caller's deadline: a peer that
 * accepts the connection and never answers (a stalled DynamoDB, EventBridge, Secrets Manager or
 * WeCom) ends in a 503 to WeCom or a typed error to the invoking service, while they still wait.
 *
 * No test here reads the wall clock: the peer never answers, so any answer at all proves a timeout
 * fired (without one, a call waits for the test's own timeout), and where a deadline decides how
 * many attempts fit, the attempts the peer saw are counted. How long each takes is a figure for the
 * bench, not an assertion a busy machine could break.
 */

const suite = THIRD_PARTY_SUITE;
let stalled: StalledPeer;

beforeAll(async () => {
  stalled = await startStalledPeer();
});

afterAll(async () => {
  await stalled.close();
});

/** A signed suite_ticket push; `timestamp` must be within the replay window of the runtime's clock. */
const ticketPush = (timestamp = NOW_SECONDS) => {
  const signed = signPush(suite, suiteEventXml.suiteTicket(suite.suiteId, 'ticket-stalled', timestamp), {
    receiveId: suite.suiteId,
    timestamp,
  });
  return signedPushEvent(suite.suiteId, signed);
};

const createAuthPush = (authCode: string, timestamp: number) => {
  const signed = signPush(suite, suiteEventXml.createAuth(suite.suiteId, authCode, timestamp), {
    receiveId: suite.suiteId,
    timestamp,
  });
  return signedPushEvent(suite.suiteId, signed);
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A runtime whose table is the stalled peer (and whose configuration needs no secret read). */
const stalledTableRuntime = () => {
  const registry = new SuiteRegistry(TEST_CONFIG);
  return createTestRuntime({
    deadlineStretch: 1,
    dynamoDbEndpoint: stalled.endpoint,
    tableName: 'stalled-table',
    registry: { current: async () => registry },
  });
};

/** Runs `work` and returns what it settled with. */
const settled = <T>(work: () => Promise<T>) =>
  work().then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );

describe('a stalled DynamoDB', () => {
  it('makes the callback answer a ticket push 503 within WeCom’s wait, not hang', async () => {
    const harness = createCallbackHarness(stalled.endpoint, 'stalled-table', { deadlineStretch: 1 });

    const { value } = await settled(() => harness.handler(ticketPush()));

    expect(value?.statusCode).toBe(503);
  });

  it('makes corp-token throw UpstreamUnavailableError within a few seconds, well before the Lambda timeout', async () => {
    const runtime = stalledTableRuntime();
    const handler = createCorpTokenHandler(createCorpTokenDeps(runtime));

    const { error } = await settled(() =>
      handler({ suiteId: suite.suiteId, corpId: 'wwstalledcorp' }, lambdaContext(20_000)),
    );

    expect(error).toBeInstanceOf(UpstreamUnavailableError);
  });

  it('makes auth-exchange report the batch’s records as failed before its Lambda timeout, to be delivered again', async () => {
    const runtime = stalledTableRuntime();
    const handler = createAuthExchangeHandler(createExchangeDeps(runtime));
    const record = (sequence: string) => ({
      eventID: `event-${sequence}`,
      eventName: 'INSERT' as const,
      dynamodb: {
        SequenceNumber: sequence,
        NewImage: marshall({
          entity: 'AuthCode',
          suiteId: suite.suiteId,
          authCode: `stalled-auth-code-${sequence}`,
          source: 'create_auth',
          eventTimeStamp: nowSeconds(),
          receivedAtMs: Date.now(),
        }) as Record<string, never>,
      },
    });

    const { value } = await settled(() =>
      handler({ Records: [record('100'), record('101')] }, lambdaContext(4000)),
    );

    expect(value?.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['100', '101']);
  });

  it('makes GET /install answer 503 within the install function’s timeout', async () => {
    const runtime = stalledTableRuntime();
    const handler = createInstallHandler(createInstallDeps(runtime));
    const url = new URL(`https://install.example.com/install/${suite.suiteId}`);

    const { value } = await settled(() =>
      handler(browserGetEvent('/install/{suiteId}', url, { suiteId: suite.suiteId }), lambdaContext(4000)),
    );

    expect(value?.statusCode).toBe(503);
  });
});

describe('stalled peers beside a working table', () => {
  let harness: TokenHarness;

  beforeAll(async () => {
    harness = await createTokenHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  it('makes the callback answer create_auth 503 within WeCom’s 1000 ms wait when the event bus stalls', async () => {
    const runtime = createTestRuntime({
      deadlineStretch: 1,
      dynamoDbEndpoint: harness.table.endpoint,
      tableName: harness.table.tableName,
      registry: { current: async () => new SuiteRegistry(TEST_CONFIG) },
      eventBridge: { endpoint: stalled.endpoint, busName: 'stalled-bus' },
    });
    const handler = createCallbackHandler(createCallbackDeps(runtime));
    const authCode = harness.simulator.authorizeCorp(suite.suiteId, 'wwstalledbuscorp');

    const { value } = await settled(() => {
      const push = createAuthPush(authCode, nowSeconds());
      // As API Gateway stamps it: WeCom's wait counts from here.
      return handler({ ...push, requestContext: { ...push.requestContext, timeEpoch: Date.now() } });
    });

    expect(value?.statusCode).toBe(503);
  });

  it('makes the callback answer 503 when Secrets Manager stalls on the configuration read', async () => {
    const runtime = createTestRuntime({
      deadlineStretch: 1,
      dynamoDbEndpoint: harness.table.endpoint,
      tableName: harness.table.tableName,
      configSecret: { endpoint: stalled.endpoint, secretId: 'wecom/stalled-config' },
    });
    const handler = createCallbackHandler(createCallbackDeps(runtime));

    const { value } = await settled(() => handler(ticketPush(nowSeconds())));

    expect(value?.statusCode).toBe(503);
  });

  it('makes suite-token throw UpstreamUnavailableError before its Lambda timeout when WeCom stalls', async () => {
    await harness.pushTicket(suite.suiteId);
    const runtime = createTestRuntime({
      deadlineStretch: 1,
      dynamoDbEndpoint: harness.table.endpoint,
      tableName: harness.table.tableName,
      registry: { current: async () => new SuiteRegistry(TEST_CONFIG) },
      wecomApiBase: stalled.endpoint,
    });
    const handler = createSuiteTokenHandler(createSuiteTokenDeps(runtime));
    const connectionsBefore = stalled.connections();

    // A 4 s function: WeCom's 3 s per attempt would outlive it without the deadline.
    const { error } = await settled(() => handler({ suiteId: suite.suiteId }, lambdaContext(4000)));

    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    // One attempt, cut to what was left of the 3 s deadline; without the deadline the client makes
    // its three 3 s attempts and outlives the function.
    expect(stalled.connections() - connectionsBefore).toBe(1);
  });
});

describe('a stopped DynamoDB Local (SIGSTOP: connections accepted, nothing answered)', () => {
  let database: DynamoDbLocal;
  let javaPid: number;
  let table: string;
  let runtime: ReturnType<typeof createTestRuntime>;

  beforeAll(async () => {
    database = await startDynamoDbLocal();
    javaPid = javaPidListeningOn(database.port);
    table = 'stopped-table';
    const admin = localDocumentClient(database.endpoint);
    await admin.send(new CreateTableCommand(localCreateTableInput(table)));
    admin.destroy();
    const registry = new SuiteRegistry(TEST_CONFIG);
    runtime = createTestRuntime({
      dynamoDbEndpoint: database.endpoint,
      tableName: table,
      registry: { current: async () => registry },
      deadlineStretch: 1,
    });
    process.kill(javaPid, 'SIGSTOP');
  }, 120_000);

  afterAll(async () => {
    process.kill(javaPid, 'SIGCONT');
    await database.stop();
  });

  it('gets 503 for a ticket push, a typed error for a new corp’s token and 503 for GET /install, then recovers', async () => {
    const callback = createCallbackHandler(createCallbackDeps(runtime));
    const corpToken = createCorpTokenHandler(createCorpTokenDeps(runtime));
    const install = createInstallHandler(createInstallDeps(runtime));
    const installUrl = new URL(`https://install.example.com/install/${suite.suiteId}`);

    const push = await settled(() => callback(ticketPush(nowSeconds())));
    const token = await settled(() =>
      corpToken({ suiteId: suite.suiteId, corpId: 'wwnewcorp' }, lambdaContext(20_000)),
    );
    const redirect = await settled(() =>
      install(
        browserGetEvent('/install/{suiteId}', installUrl, { suiteId: suite.suiteId }),
        lambdaContext(4000),
      ),
    );
    process.kill(javaPid, 'SIGCONT');
    const afterResume = await eventually(async () => {
      const response = await callback(ticketPush(nowSeconds()));
      return response.statusCode === 200 ? response : undefined;
    }, 30_000);

    expect(push.value?.statusCode).toBe(503);
    expect(token.error).toBeInstanceOf(UpstreamUnavailableError);
    expect(redirect.value?.statusCode).toBe(503);
    expect(afterResume.body).toBe('success');
  }, 90_000);
});

/** The pid of the DynamoDB Local JVM started with `-port <port>` (its guard shell is its parent). */
const javaPidListeningOn = (port: number): number => {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    let commandLine: string[];
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const portAt = commandLine.indexOf('-port');
    if (
      commandLine[0]?.endsWith('java') === true &&
      portAt !== -1 &&
      commandLine[portAt + 1] === String(port)
    ) {
      return Number(entry);
    }
  }
  throw new Error(`no java process with -port ${port}`);
};
