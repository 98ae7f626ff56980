import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { addCredentialStacks } from '../lib/credential-app.ts';
import { readStageConfig } from '../lib/stage-config.ts';
import { median, round } from './stats.ts';

export interface ColdStartResult {
  readonly functionName: string;
  readonly bundleKiB: number;
  readonly initOverheadMs: number;
  readonly initSpreadMs: readonly [number, number];
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

const timeNode = (args: string[]): number => {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...ENVIRONMENT },
    stdio: 'ignore',
  });
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  }
  return performance.now() - started;
};

/**
 * Bundles the four functions exactly as `cdk synth` does (esbuild through NodejsFunction), then
 * times a fresh `node` that imports each bundle (module load and module-scope initialisation:
 * config, SDK clients, logger) against a bare `node -e 0`, 15 alternating runs each.
 */
export const benchColdStart = (): ColdStartResult[] => {
  const app = new App();
  const { service } = addCredentialStacks(app, readStageConfig(app));
  const assembly = app.synth();
  // The service's own functions, not the custom-resource function of the Elastic IP lookups.
  const functions = Template.fromStack(service).findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: Match.anyValue() } } },
  });
  return Object.entries(functions).map(([logicalId, resource]) => {
    const functionName = logicalId.replace(/Function[0-9A-F]{8}$/, '');
    const bundle = join(
      assembly.directory,
      `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`,
      'index.mjs',
    );
    const load = ['--input-type=module', '-e', `await import(${JSON.stringify(bundle)});`];
    timeNode(load);
    timeNode(['-e', '0']);
    const overheads: number[] = [];
    for (let run = 0; run < 15; run += 1) {
      const bare = timeNode(['-e', '0']);
      overheads.push(timeNode(load) - bare);
    }
    const bundleKiB = round(statSync(bundle).size / 1024, 1);
    const initOverheadMs = round(median(overheads), 1);
    const isCallback = functionName === 'Callback';
    return {
      functionName,
      bundleKiB,
      initOverheadMs,
      initSpreadMs: [round(Math.min(...overheads), 1), round(Math.max(...overheads), 1)],
      target: isCallback ? 'bundle ≤ 300 KiB, init ≤ 100 ms' : 'init ≤ 100 ms',
      met: initOverheadMs <= 100 && (!isCallback || bundleKiB <= 300),
    };
  });
};
