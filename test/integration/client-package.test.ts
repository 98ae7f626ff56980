import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalProcess, startLocalProcess, stopLocalProcess } from '../support/local-process.ts';

const run = promisify(execFile);
const CLIENT_DIR = fileURLToPath(new URL('../../client/', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/node/get-credentials.mjs', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const TYPE_ROOTS = fileURLToPath(new URL('../../node_modules/@types', import.meta.url));

/**
 * The client as another repository gets it: `npm pack` (which builds it), the tarball installed
 * into a scratch project, and plain `node` (no TypeScript runner, no AWS configuration) getting a
 * suite token, a corp token and a JS-SDK signature from `npm start`.
 */
let scratch: string;
let tarball: string;
let packedFiles: string[];

// Without AWS configuration of any kind, as on a newcomer's laptop: what the SDK needs must come
// from the client (localLambdaClient), not from the environment or ~/.aws.
const bareEnv = (home: string): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: home,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...(process.env.npm_config_cache === undefined ? {} : { npm_config_cache: process.env.npm_config_cache }),
});

/**
 * The environment for the npm commands, without what `npm test` itself exported (npm_package_*,
 * npm_config_local_prefix, …), which must not point them at the repository; the cache stays.
 */
const npmEnv = (): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.toLowerCase().startsWith('npm_') || name.toLowerCase() === 'npm_config_cache',
    ),
  );

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'wecom-client-package-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', scratch], {
    cwd: CLIENT_DIR,
    env: { ...npmEnv(), npm_config_loglevel: 'error' },
  });
  const [report] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  if (report === undefined) {
    throw new Error(`npm pack reported nothing: ${packed.stdout}`);
  }
  tarball = join(scratch, report.filename);
  packedFiles = report.files.map((file) => file.path).sort();
  await writeFile(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  // The Lambda client comes from npm's cache when it is there (CI's `npm ci` filled it).
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: scratch,
    env: { ...npmEnv(), CI: '' },
  });
}, 240_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the packed client', () => {
  it('ships the built JavaScript, its declarations, README and CHANGELOG, and no TypeScript source', () => {
    expect(packedFiles).toContain('dist/credentials-client.js');
    expect(packedFiles).toContain('dist/credentials-client.d.ts');
    expect(packedFiles).toContain('dist/events.js');
    expect(packedFiles).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'package.json']));
    expect(packedFiles.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('depends on the Lambda client alone', async () => {
    const installed = JSON.parse(
      await readFile(join(scratch, 'node_modules/@wecom-credentials/client/package.json'), 'utf8'),
    ) as { dependencies: Record<string, string>; version: string };

    expect(Object.keys(installed.dependencies)).toEqual(['@aws-sdk/client-lambda']);
    expect(installed.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('type-checks a consumer against its declarations', async () => {
    await writeFile(
      join(scratch, 'consumer.ts'),
      [
        "import { CredentialsClient, type InvokeContract, localLambdaClient } from '@wecom-credentials/client';",
        "import { isWeComEvent } from '@wecom-credentials/client/events';",
        'const client = new CredentialsClient({ lambda: localLambdaClient() });',
        "const token: Promise<{ accessToken: string; expiresAt: Date }> = client.getSuiteToken({ suiteId: 'ww1' });",
        "const request: InvokeContract['corp-token']['request'] = { corpId: 'ww1' };",
        '// @ts-expect-error a corp token needs a corpId',
        "client.getCorpToken({ suiteId: 'ww1' });",
        'export { isWeComEvent, request, token };',
      ].join('\n'),
    );
    await writeFile(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        // A Node project's usual setup. Checking the AWS SDK's own declarations takes minutes on a
        // busy machine, so libraries are skipped; the consumer's uses are still checked against
        // the package's declarations, and the @ts-expect-error line fails if they resolve to `any`.
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          noEmit: true,
          skipLibCheck: true,
          typeRoots: [TYPE_ROOTS],
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );

    const checked = await run(process.execPath, [TSC, '-p', scratch]).catch(
      (error: { stdout: string }) => error,
    );

    expect(checked.stdout).toBe('');
  }, 120_000);

  describe('against npm start', () => {
    let local: LocalProcess;
    let lambdaPort: number;

    beforeAll(async () => {
      ({ local, lambdaPort } = await startLocalProcess());
    }, 180_000);

    afterAll(async () => {
      await stopLocalProcess(local);
    }, 40_000);

    it('gets a suite token, a corp token and a JS-SDK signature with plain node', async () => {
      await copyFile(EXAMPLE, join(scratch, 'get-credentials.mjs'));

      const { stdout } = await run(
        process.execPath,
        ['get-credentials.mjs', `http://127.0.0.1:${lambdaPort}`, 'wwpackagecorp'],
        { cwd: scratch, env: bareEnv(scratch) },
      );
      const result = JSON.parse(stdout) as Record<string, unknown>;

      expect(result.suiteToken).toMatch(/^suite-token-/);
      expect(Date.parse(String(result.suiteTokenExpiresAt))).toBeGreaterThan(Date.now());
      expect(result.corpToken).toMatch(/^corp-token-/);
      expect(result.signature).toMatchObject({
        appId: 'wwpackagecorp',
        agentId: expect.any(Number),
        nonceStr: expect.any(String),
        timestamp: expect.any(Number),
        signature: expect.stringMatching(/^[0-9a-f]{40}$/),
      });
    }, 120_000);
  });
});
