import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_STREAMS_NOT_BUNDLED } from '../../functions/adapters/no-event-streams.ts';
import { synthesizedBundles } from '../support/bundles.ts';

describe('the bundles CDK deploys', () => {
  it('bundles each function with esbuild into one ESM file that loads in a bare node and exports a handler', async () => {
    const { functions } = await synthesizedBundles();
    const bundles = Object.values(functions).map((fn) => fn.bundle);

    expect(bundles).toHaveLength(11);
    for (const bundle of bundles) {
      expect(existsSync(bundle)).toBe(true);
      expect(readdirSync(dirname(bundle)).sort()).toEqual(['index.mjs', 'index.mjs.map']);
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
  }, 600_000);

  it('imports no ES module namespace of process (functions/adapters/lambda-process.ts stands in for it)', async () => {
    const { functions } = await synthesizedBundles();
    for (const { bundle } of Object.values(functions)) {
      const code = readFileSync(bundle, 'utf8');
      // The SDK reads process.env and process.versions in every bundle, now through the stand-in.
      expect(code).toMatch(/process\.versions/);
      expect(code).not.toMatch(/from\s*["'](node:)?process["']|import\(\s*["'](node:)?process["']\s*\)/);
    }
  }, 600_000);

  it('carries no AWS event-stream codec (functions/adapters/no-event-streams.ts stands in for it)', async () => {
    const { functions } = await synthesizedBundles();
    for (const { bundle } of Object.values(functions)) {
      const code = readFileSync(bundle, 'utf8');
      // The `:message-type` header, which only the codec's EventStreamSerde and unmarshaller name.
      expect(code).not.toContain(':message-type');
      // The SDK's protocols still reach the stand-in, where an event-stream operation would fail.
      expect(code).toContain(EVENT_STREAMS_NOT_BUNDLED);
    }
  }, 600_000);
});
