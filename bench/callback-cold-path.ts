import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { RequestDeadlines } from '../functions/adapters/deadline/request-deadlines.ts';
import { createDocumentClient } from '../functions/adapters/dynamodb/document-client.ts';
import { localCreateTableInput } from '../functions/adapters/dynamodb/table-schema.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { signedPushEvent } from '../test/support/api-events.ts';
import { TEST_CONFIG, THIRD_PARTY_SUITE } from '../test/support/callback-harness.ts';
import { startFakeEventBridge } from '../test/support/fake-eventbridge.ts';
import { startFakeSecretsManager } from '../test/support/fake-secrets-manager.ts';
import type { BundleManifest } from '../test/support/synth-bundles.ts';
import { signPush, suiteEventXml } from '../test/support/wecom-pushes.ts';
import type { ColdStartOptions } from './cold-start.ts';
import { preloadLambdaRuntimeBuiltins } from './lambda-runtime-preload.ts';
import { drawLatency, type StatedLatency, startLatencyProxy } from './latency-proxy.ts';
import { median, percentile, round, seededRandom } from './stats.ts';

/**
 * The in-region figures injected for one cold create_auth, stated rather than measured (nothing
 * here reaches AWS). Each is a log-normal fitted to its median and 99th percentile.
 * docs/performance.md (row 12) lists them with their basis.
 */
export const STATED_AWS_LATENCY = {
  /**
   * Before our bundle starts loading: placing the execution environment and fetching the code
   * (Node's own start is measured, not modelled). Public measurements of near-empty Node.js 18/20
   * functions report Init Durations of 140–250 ms at the median with long tails; this counts the
   * part outside Node's own start.
   */
  platform: { p50Ms: 120, p99Ms: 400 },
  /** API Gateway HTTP API in front of Lambda, both ways. */
  apiGateway: { p50Ms: 8, p99Ms: 30 },
  /** TCP and TLS 1.3 to an AWS endpoint in the same region, once per endpoint for a cold container. */
  newConnection: { p50Ms: 12, p99Ms: 45 },
  secretsManager: { p50Ms: 20, p99Ms: 70 },
  /** On top of DynamoDB Local's own time, which is already in the single-digit milliseconds. */
  dynamoDb: { p50Ms: 4, p99Ms: 15 },
  eventBridge: { p50Ms: 25, p99Ms: 80 },
} as const satisfies Record<string, StatedLatency>;

/** Lambda gives a function one vCPU per 1,769 MB while it runs (Lambda developer guide, memory and computing power). */
const VCPU_MB = 1769;
const WECOM_WAIT_MS = 1000;

export interface CallbackColdPathResult {
  readonly name: string;
  readonly samples: number;
  readonly cpuModel: 'cgroup' | 'scaled';
  /** The callback's memory in the synthesized stack, which sets its CPU share. */
  readonly memoryMb: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly withinWaitCount: number;
  readonly answeredSuccess: number;
  /** Medians of the parts measured here: node start + bundle import, and the invocation. */
  readonly medianInitMs: number;
  readonly medianInvokeMs: number;
  /** The CPU time the invocation used (every thread of the process: what a CPU quota counts), median. */
  readonly medianInvokeCpuMs: number;
  readonly target: string;
  readonly met: boolean;
}

interface ChildReport {
  readonly importedAtMs: number;
  readonly answeredAtMs: number;
  readonly invokeMs: number;
  readonly invokeCpuMs: number;
  readonly status: number;
}

/**
 * A cold callback answering create_auth, end to end as WeCom waits for it: a fresh `node` (a new
 * Lambda container) imports the callback's bundle as `cdk synth` wrote it, and handles one signed
 * push; its secret read, DynamoDB write and PutEvents go through proxies adding the stated
 * in-region latencies (a new connection to each endpoint included). Lambda's CPU share is
 * reproduced with a cgroup where the machine allows one (a full vCPU during init, as on-demand
 * functions get, then memory/1769 of one while the handler runs); elsewhere the handler's CPU time is
 * scaled by that share. The platform's own start and API Gateway are added as draws.
 */
export const benchCallbackColdPath = async (
  bundles: BundleManifest,
  samples = 60,
  options: ColdStartOptions = {},
): Promise<CallbackColdPathResult> => {
  const random = seededRandom(2026_12_05);
  const dynamoDb = await startDynamoDbLocal();
  const secretsManager = await startFakeSecretsManager();
  const eventBridge = await startFakeEventBridge();
  const tableName = 'cold-path';
  const secretId = 'wecom/cold-path-config';
  secretsManager.setSecret(secretId, JSON.stringify(TEST_CONFIG));
  const admin = createDocumentClient(
    { endpoint: dynamoDb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
    new RequestDeadlines(Date.now, 10),
  );
  await admin.send(new CreateTableCommand(localCreateTableInput(tableName)));
  admin.destroy();
  const proxies = await Promise.all([
    startLatencyProxy(
      dynamoDb.endpoint,
      { perCall: STATED_AWS_LATENCY.dynamoDb, newConnection: STATED_AWS_LATENCY.newConnection },
      random,
    ),
    startLatencyProxy(
      secretsManager.endpoint,
      { perCall: STATED_AWS_LATENCY.secretsManager, newConnection: STATED_AWS_LATENCY.newConnection },
      random,
    ),
    startLatencyProxy(
      eventBridge.endpoint,
      { perCall: STATED_AWS_LATENCY.eventBridge, newConnection: STATED_AWS_LATENCY.newConnection },
      random,
    ),
  ]);
  const [dynamoDbProxy, secretsProxy, eventsProxy] = proxies;
  const callback = bundles.functions['wecom-callback'];
  // The memory the stack gives the callback decides its CPU share while it runs.
  const memoryMb = Number(
    (bundles.templates.service as { Resources: Record<string, { Properties: { MemorySize?: number } }> })
      .Resources[callback.logicalId]?.Properties.MemorySize ?? 128,
  );
  const cgroups = createCpuGroups(memoryMb);
  const totals: number[] = [];
  const inits: number[] = [];
  const invokes: number[] = [];
  const invokeCpus: number[] = [];
  let answeredSuccess = 0;
  try {
    for (let index = 0; index < samples; index += 1) {
      const platformMs = drawLatency(STATED_AWS_LATENCY.platform, random);
      const apiGatewayMs = drawLatency(STATED_AWS_LATENCY.apiGateway, random);
      const spawnedAtMs = Date.now();
      const report = await runColdCallback(callback, options.node ?? process.execPath, {
        env: {
          TABLE_NAME: tableName,
          WECOM_CONFIG_SECRET: secretId,
          EVENT_BUS_NAME: 'cold-path-bus',
          AWS_ENDPOINT_URL_DYNAMODB: dynamoDbProxy?.endpoint ?? '',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsProxy?.endpoint ?? '',
          AWS_ENDPOINT_URL_EVENTBRIDGE: eventsProxy?.endpoint ?? '',
        },
        // API Gateway stamps the request when it arrives, before the platform starts the container.
        timeEpochMs: Math.round(spawnedAtMs - platformMs - apiGatewayMs / 2),
        cgroups,
      });
      const initMs = report.importedAtMs - spawnedAtMs;
      const invokeMs =
        cgroups === undefined
          ? report.invokeMs -
            report.invokeCpuMs +
            report.invokeCpuMs * (VCPU_MB / Math.min(memoryMb, VCPU_MB))
          : report.invokeMs;
      inits.push(initMs);
      invokes.push(invokeMs);
      invokeCpus.push(report.invokeCpuMs);
      const answeredMs = cgroups === undefined ? initMs + invokeMs : report.answeredAtMs - spawnedAtMs;
      totals.push(platformMs + answeredMs + apiGatewayMs);
      if (report.status === 200) {
        answeredSuccess += 1;
      }
    }
  } finally {
    cgroups?.remove();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await eventBridge.close();
    await secretsManager.close();
    await dynamoDb.stop();
  }
  const sorted = [...totals].sort((a, b) => a - b);
  const p99Ms = round(percentile(sorted, 99), 1);
  return {
    name: 'callback cold path: create_auth on a new container',
    samples,
    cpuModel: cgroups === undefined ? 'scaled' : 'cgroup',
    memoryMb,
    p50Ms: round(percentile(sorted, 50), 1),
    p95Ms: round(percentile(sorted, 95), 1),
    p99Ms,
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN, 1),
    withinWaitCount: totals.filter((total) => total <= WECOM_WAIT_MS).length,
    answeredSuccess,
    medianInitMs: round(
      percentile(
        [...inits].sort((a, b) => a - b),
        50,
      ),
      1,
    ),
    medianInvokeMs: round(
      percentile(
        [...invokes].sort((a, b) => a - b),
        50,
      ),
      1,
    ),
    medianInvokeCpuMs: round(median(invokeCpus), 1),
    target: `p99 ≤ ${WECOM_WAIT_MS} ms (WeCom's wait for authorization events)`,
    met: p99Ms <= WECOM_WAIT_MS && answeredSuccess === samples,
  };
};

interface CpuGroups {
  readonly init: string;
  readonly invoke: string;
  remove(): void;
}

const CGROUP_CPU = '/sys/fs/cgroup/cpu';

/** Two cgroup (v1) CPU groups: one full vCPU for init, Lambda's share of one for the handler; undefined where not allowed. */
const createCpuGroups = (memoryMb: number): CpuGroups | undefined => {
  const root = `${CGROUP_CPU}/wecom-cold-path-${process.pid}`;
  const init = `${root}/init`;
  const invoke = `${root}/invoke`;
  try {
    mkdirSync(init, { recursive: true });
    mkdirSync(invoke, { recursive: true });
    const period = 100_000;
    for (const [group, share] of [
      [init, 1],
      [invoke, Math.min(memoryMb, VCPU_MB) / VCPU_MB],
    ] as const) {
      writeFileSync(`${group}/cpu.cfs_period_us`, String(period));
      writeFileSync(`${group}/cpu.cfs_quota_us`, String(Math.round(period * share)));
    }
  } catch {
    return undefined;
  }
  return {
    init,
    invoke,
    remove: () => {
      for (const group of [init, invoke, root]) {
        try {
          rmdirSync(group);
        } catch {
          // A process still listed keeps its group; the next boot clears it.
        }
      }
    },
  };
};

// The child: loads what Lambda's runtime loads, imports the bundle (init), moves itself to Lambda's
// CPU share, handles one push.
const childScript = (runtime: string): string => `${preloadLambdaRuntimeBuiltins(runtime)}
import { writeFileSync } from 'node:fs';
const { BUNDLE, EVENT, INVOKE_CGROUP } = process.env;
const module = await import(BUNDLE);
const importedAtMs = Date.now();
if (INVOKE_CGROUP) writeFileSync(INVOKE_CGROUP + '/cgroup.procs', String(process.pid));
const context = { getRemainingTimeInMillis: () => 5000, awsRequestId: 'cold', functionName: 'callback' };
const cpu = process.cpuUsage();
const started = performance.now();
const result = await module.handler(JSON.parse(EVENT), context);
const invokeMs = performance.now() - started;
const used = process.cpuUsage(cpu);
process.stderr.write('\\nCOLD_PATH ' + JSON.stringify({ importedAtMs, answeredAtMs: Date.now(), invokeMs,
  invokeCpuMs: (used.user + used.system) / 1000, status: result.statusCode }) + '\\n');
process.exit(0);
`;

const runColdCallback = (
  callback: BundleManifest['functions']['wecom-callback'],
  node: string,
  options: {
    readonly env: Record<string, string>;
    readonly timeEpochMs: number;
    readonly cgroups: CpuGroups | undefined;
  },
): Promise<ChildReport> => {
  const suite = THIRD_PARTY_SUITE;
  const timestamp = Math.floor(Date.now() / 1000);
  // A fresh code each time, as long as WeCom's (the callback stores it; the exchange is not running).
  const authCode = randomBytes(48).toString('base64url');
  const signed = signPush(suite, suiteEventXml.createAuth(suite.suiteId, authCode, timestamp), {
    receiveId: suite.suiteId,
    timestamp,
  });
  const push = signedPushEvent(suite.suiteId, signed);
  const event = { ...push, requestContext: { ...push.requestContext, timeEpoch: options.timeEpochMs } };
  // With the NODE_OPTIONS the stack gives the callback, as Lambda starts it.
  const child = spawn(
    node,
    [...callback.nodeOptions, '--input-type=module', '-e', childScript(callback.runtime)],
    {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_SERVICE_NAME: 'wecom-callback',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'WeComCredentials',
        ...options.env,
        BUNDLE: callback.bundle,
        EVENT: JSON.stringify(event),
        ...(options.cgroups === undefined ? {} : { INVOKE_CGROUP: options.cgroups.invoke }),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  if (options.cgroups !== undefined && child.pid !== undefined) {
    writeFileSync(`${options.cgroups.init}/cgroup.procs`, String(child.pid));
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const line = stderr.split('\n').find((text) => text.startsWith('COLD_PATH '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`the cold callback exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      const report = JSON.parse(line.slice('COLD_PATH '.length)) as ChildReport;
      if (report.status !== 200) {
        // The table counts it; its log says why.
        process.stderr.write(`a cold callback answered ${report.status}:\n${stderr.slice(-3000)}\n`);
      }
      resolve(report);
    });
  });
};
