/**
 * A separate process of token callers, for the concurrency tests: it builds one fresh set of
 * dependencies (one "Lambda container") per request, waits for "go" on stdin so every process
 * starts together, fires its requests at once and prints the outcomes as JSON.
 *
 * Env: DYNAMODB_ENDPOINT (and DYNAMODB_ACCESS_KEY_ID / DYNAMODB_SECRET_ACCESS_KEY for a private
 * DynamoDB Local; default the shared test credentials), TABLE_NAME, WECOM_API_BASE, TOKEN_KIND (suite|corp|jsapi: a signed wx.agentConfig, `nonceStr|timestamp|signature` as `token`), SUITE_ID, CORP_ID, REQUESTS,
 * and STRATEGY: `service` (default, the project's single-flight mint) or `naive` (for the benchmark:
 * a few lines of cache-aside, read the cache and mint on a miss, as most teams write it).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { RequestDeadlines } from '../../functions/adapters/deadline/request-deadlines.ts';
import { createDocumentClient } from '../../functions/adapters/dynamodb/document-client.ts';
import { LEASE_WAIT } from '../../functions/app/credentials/retry-layers.ts';
import { getCorpToken } from '../../functions/app/get-corp-token.ts';
import { signJsapiUrl } from '../../functions/app/get-jsapi-ticket.ts';
import { getSuiteToken } from '../../functions/app/get-suite-token.ts';
import type { TokenDeps } from '../../functions/app/token-deps.ts';
import { SuiteRegistry } from '../../functions/core/config/suite-registry.ts';
import { createServiceRuntime } from '../../functions/wiring/service-runtime.ts';
import { createCorpTokenDeps, createJsapiTicketDeps } from '../../functions/wiring/token-deps.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.ts';
import { recordAwsCalls } from './aws-call-recorder.ts';
import { TEST_CONFIG } from './callback-harness.ts';
import { RecordingEventPublisher } from './recording-events.ts';
import { RecordingMetrics } from './recording-metrics.ts';
import { TEST_DEADLINE_STRETCH } from './test-runtime.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set`);
  }
  return value;
};

// Only the naive strategy's own cache items go through this client; the service's calls go through
// the runtime, wired as in Lambda.
const credentials =
  process.env.DYNAMODB_ACCESS_KEY_ID === undefined
    ? LOCAL_CREDENTIALS
    : { accessKeyId: env('DYNAMODB_ACCESS_KEY_ID'), secretAccessKey: env('DYNAMODB_SECRET_ACCESS_KEY') };
const client = createDocumentClient(
  { endpoint: env('DYNAMODB_ENDPOINT'), region: LOCAL_REGION, credentials },
  new RequestDeadlines(Date.now, TEST_DEADLINE_STRETCH),
);
const tableName = env('TABLE_NAME');
const registry = new SuiteRegistry(TEST_CONFIG);
const metrics = new RecordingMetrics();
const runtime = createServiceRuntime(
  { TABLE_NAME: tableName, WECOM_API_BASE: env('WECOM_API_BASE') },
  {
    dynamoDb: {
      endpoint: env('DYNAMODB_ENDPOINT'),
      region: LOCAL_REGION,
      credentials,
      maxAttempts: 5,
    },
    // Loaded on purpose (hundreds of callers on two cores): DynamoDB Local answers slowly.
    deadlineStretch: TEST_DEADLINE_STRETCH,
    registry: { current: async () => registry },
    // Generous: on a loaded 2-core machine a 2 s timeout can expire and the (correct) retry would
    // count as a second upstream call. 3 x 4 s still ends inside the 15 s mint lease.
    wecomClient: { timeoutMs: 4000 },
    logger: (service) => new Logger({ serviceName: service, logLevel: 'SILENT' }),
    metrics: metrics.forService,
    events: () => new RecordingEventPublisher(),
    observeAwsClient: recordAwsCalls,
  },
);

/** Upstream attempts in this process that got no answer (each is retried, and counted by WeCom). */
const networkFailures = () =>
  metrics.recorded.filter((entry) => entry.name === 'wecomAnswered' && entry.outcome === 'network').length;

/** One fresh "Lambda container" of the corp-token function. */
// Hundreds of callers on two cores, possibly beside a second test run: a waiter gives the one mint
// longer than in Lambda before it gives up (the lease itself is unchanged, so still one mint).
const WORKER_LEASE_WAIT = { ...LEASE_WAIT, maxWaitMs: LEASE_WAIT.maxWaitMs * 3 };

/** Mint leases this process's containers took, by credential kind: each one is a mint begun. */
const leasesTaken: Record<string, number> = {};

/** The container's token cache, counting the mint leases it is granted. */
const countingLeases = (tokens: TokenDeps['tokens']): TokenDeps['tokens'] =>
  new Proxy(tokens, {
    get: (target, property) => {
      const value = Reflect.get(target, property);
      if (property === 'tryAcquireLease') {
        return async (...args: Parameters<TokenDeps['tokens']['tryAcquireLease']>) => {
          const grant = await target.tryAcquireLease(...args);
          if (grant !== undefined) {
            leasesTaken[args[0].kind] = (leasesTaken[args[0].kind] ?? 0) + 1;
          }
          return grant;
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

const newContainer = (): TokenDeps => {
  const deps = createCorpTokenDeps(runtime);
  return { ...deps, tokens: countingLeases(deps.tokens), leaseWait: WORKER_LEASE_WAIT };
};

// What a provider's team usually writes: read the cache; on a miss, mint and store. No lease.
const naiveCorpToken = async (deps: TokenDeps): Promise<{ value: string; expiresAtMs: number }> => {
  const key = { pk: `NAIVE#${env('CORP_ID')}`, sk: 'TOKEN' };
  const { Item: cached } = await client.send(new GetCommand({ TableName: tableName, Key: key }));
  if (typeof cached?.accessToken === 'string') {
    return { value: cached.accessToken, expiresAtMs: Number(cached.expiresAtMs) };
  }
  const authorization = await deps.authorizations.getAuthorization(env('SUITE_ID'), env('CORP_ID'));
  const { token: suiteToken } = await getSuiteToken(deps, { suiteId: env('SUITE_ID') });
  const minted = await deps.wecom.getCorpToken(
    suiteToken.value,
    env('CORP_ID'),
    authorization?.permanentCode ?? '',
  );
  const expiresAtMs = Date.now() + minted.expiresInSeconds * 1000;
  await client.send(
    new PutCommand({ TableName: tableName, Item: { ...key, accessToken: minted.accessToken, expiresAtMs } }),
  );
  return { value: minted.accessToken, expiresAtMs };
};

const jsapiContainers = Array.from({ length: Number(process.env.JSAPI_CONTAINERS ?? '1') }, () => {
  const deps = createJsapiTicketDeps(runtime);
  return { ...deps, tokens: countingLeases(deps.tokens), leaseWait: WORKER_LEASE_WAIT };
});

const request = async (index: number): Promise<Record<string, unknown>> => {
  try {
    if (process.env.STRATEGY === 'naive') {
      const token = await naiveCorpToken(newContainer());
      return { ok: true, token: token.value, expiresAtMs: token.expiresAtMs };
    }
    if (env('TOKEN_KIND') === 'jsapi') {
      // Requests spread over JSAPI_CONTAINERS warm "containers" of jsapi-ticket (a consumer's
      // instances each serve many page loads at once), signing a page as a browser would ask.
      const deps = jsapiContainers[index % jsapiContainers.length] as TokenDeps;
      const signed = await signJsapiUrl(deps, {
        suiteId: env('SUITE_ID'),
        corpId: env('CORP_ID'),
        type: 'agent',
        url: 'https://app.example.com/page?from=worker#top',
      });
      // The test checks each signature against the one ticket (it never leaves the service).
      return { ok: true, token: `${signed.nonceStr}|${signed.timestamp}|${signed.signature}` };
    }
    const deps = newContainer();
    const token =
      env('TOKEN_KIND') === 'suite'
        ? (await getSuiteToken(deps, { suiteId: env('SUITE_ID') })).token
        : (await getCorpToken(deps, { suiteId: env('SUITE_ID'), corpId: env('CORP_ID') })).token;
    return { ok: true, token: token.value, expiresAtMs: token.expiresAtMs };
  } catch (error) {
    return { ok: false, errorName: (error as Error).name, message: (error as Error).message };
  }
};

process.stdin.once('data', async () => {
  const outcomes = await Promise.all(
    Array.from({ length: Number(env('REQUESTS')) }, (_, index) => request(index)),
  );
  process.stdout.write(
    `${JSON.stringify(outcomes.map((outcome) => ({ ...outcome, networkFailures: networkFailures(), leasesTaken })))}\n`,
  );
  client.destroy();
  process.exit(0);
});
process.stdout.write('ready\n');
