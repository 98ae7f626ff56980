import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { BundleManifest } from '../test/support/synth-bundles.ts';
import { median, round } from './stats.ts';

export interface ColdStartResult {
  readonly functionName: string;
  readonly bundleKiB: number;
  readonly initOverheadMs: number;
  readonly initSpreadMs: readonly [number, number];
  /**
   * The CPU time the import adds (user + system, median): unlike the wall-clock figures it holds on
   * a busy machine, where a process also waits for a core.
   */
  readonly initCpuMs: number;
  readonly target: string;
  readonly met: boolean;
}

const ENVIRONMENT = {
  TABLE_NAME: 'table',
  WECOM_CONFIG_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:config',
  EVENT_BUS_NAME: 'bus',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

// Each child prints the CPU time it has used when its script ends: node's own start, plus the import.
const PRINT_CPU =
  'const cpu = process.cpuUsage(); process.stdout.write(String((cpu.user + cpu.system) / 1000));';

/** Runs a fresh `node` with `args`: its wall-clock time here, and the CPU time it reports. */
const timeNode = (args: string[]): { wallMs: number; cpuMs: number } => {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...ENVIRONMENT },
    stdio: ['ignore', 'pipe', 'ignore'],
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  }
  return { wallMs, cpuMs: Number(result.stdout) };
};

/** The name of the floor's row: no function, only the AWS SDK clients every token function holds. */
export const SDK_FLOOR = 'floor: AWS SDK clients alone';

/**
 * Bundles a module that only builds the two AWS SDK clients every function makes at start
 * (DynamoDB's document client, Secrets Manager's), the way lib/constructs/service-function.ts has
 * esbuild bundle a function (ESM, minified, Lambda's credential provider aliased in): what a
 * function's init cannot go below while it holds those clients.
 */
const buildSdkFloorBundle = (outdir: string): string => {
  const entry = join(outdir, 'sdk-floor-entry.mjs');
  const bundle = join(outdir, 'sdk-floor.mjs');
  writeFileSync(
    entry,
    [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
      "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
      'export const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
      'export const secrets = new SecretsManagerClient({});',
    ].join('\n'),
  );
  buildSync({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    mainFields: ['module', 'main'],
    nodePaths: [fileURLToPath(new URL('../node_modules', import.meta.url))],
    alias: {
      '@aws-sdk/credential-provider-node': fileURLToPath(
        new URL('../functions/adapters/lambda-credentials.ts', import.meta.url),
      ),
    },
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return bundle;
};

/**
 * Times a fresh `node` that imports each bundle `cdk synth` wrote (module load and module-scope
 * initialisation: config, SDK clients, logger) against a bare `node -e`, 15 alternating runs each,
 * by the clock and by the CPU time each child reports; and the same for the SDK floor, so each
 * function's own share is its figure less the floor's, measured in the same minute.
 */
export const benchColdStart = (bundles: BundleManifest): ColdStartResult[] =>
  [
    ...Object.entries(bundles.functions).map(([functionName, { bundle }]) => ({ functionName, bundle })),
    { functionName: SDK_FLOOR, bundle: buildSdkFloorBundle(bundles.directory) },
  ].map(({ functionName, bundle }) => {
    const load = ['--input-type=module', '-e', `await import(${JSON.stringify(bundle)}); ${PRINT_CPU}`];
    const bareNode = ['-e', PRINT_CPU];
    timeNode(load);
    timeNode(bareNode);
    const overheads: number[] = [];
    const cpuOverheads: number[] = [];
    for (let run = 0; run < 15; run += 1) {
      const bare = timeNode(bareNode);
      const loaded = timeNode(load);
      overheads.push(loaded.wallMs - bare.wallMs);
      cpuOverheads.push(loaded.cpuMs - bare.cpuMs);
    }
    const bundleKiB = round(statSync(bundle).size / 1024, 1);
    const initOverheadMs = round(median(overheads), 1);
    const isCallback = functionName === 'wecom-callback';
    const measured = {
      functionName,
      bundleKiB,
      initOverheadMs,
      initSpreadMs: [round(Math.min(...overheads), 1), round(Math.max(...overheads), 1)] as const,
      initCpuMs: round(median(cpuOverheads), 1),
    };
    if (functionName === SDK_FLOOR) {
      return { ...measured, target: 'reference', met: true };
    }
    return {
      ...measured,
      target: isCallback ? 'bundle ≤ 300 KiB, init ≤ 100 ms' : 'init ≤ 100 ms',
      met: initOverheadMs <= 100 && (!isCallback || bundleKiB <= 300),
    };
  });
