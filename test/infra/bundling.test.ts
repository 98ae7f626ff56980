import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesizeApp } from '../support/infra.ts';

describe('the bundles CDK deploys', () => {
  it('bundles each function with esbuild into one ESM file that loads and exports a handler', () => {
    const { app, service } = synthesizeApp({}, { bundle: true });
    const assembly = app.synth();
    // The service's own functions (the Elastic IP lookups' custom-resource function is CDK's).
    const functions = service.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: Match.anyValue() } } },
    });
    const assetDirectories = Object.values(functions).map((fn) => {
      const s3Key = String(fn.Properties.Code.S3Key);
      return join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`);
    });

    expect(assetDirectories).toHaveLength(10);
    for (const directory of assetDirectories) {
      const bundle = join(directory, 'index.mjs');
      expect(existsSync(bundle)).toBe(true);
      expect(readdirSync(directory).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      expect(statSync(bundle).size).toBeGreaterThan(10_000);
      const exported = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
        ],
        {
          env: {
            PATH: process.env.PATH ?? '',
            TABLE_NAME: 'table',
            WECOM_CONFIG_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:config',
            EVENT_BUS_NAME: 'bus',
            AWS_REGION: 'us-east-1',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
          encoding: 'utf8',
        },
      );
      expect(exported.trim()).toBe('function');
    }
  }, 120_000);
});
