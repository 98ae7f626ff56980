import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalProcess, startLocalProcess, stopLocalProcess } from '../support/local-process.ts';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../../examples/python/wecom_credentials.py', import.meta.url));

/**
 * The Python caller (examples/python/) run against `npm start`. It needs python3 with boto3
 * (Debian: python3-boto3; .ci/run installs it where it is missing). Without them this test fails
 * saying so, locally as in CI: it is never skipped, so a green run always means the example ran.
 */
const missingPython = async (): Promise<string | undefined> => {
  try {
    await run('python3', ['-c', 'import boto3']);
    return undefined;
  } catch (error) {
    return `the Python example needs python3 with boto3 (Debian/Ubuntu: apt-get install python3-boto3; .ci/run installs it): ${(error as Error).message}`;
  }
};

let local: LocalProcess;
let lambdaPort: number;

beforeAll(async () => {
  ({ local, lambdaPort } = await startLocalProcess());
}, 180_000);

afterAll(async () => {
  await stopLocalProcess(local);
}, 40_000);

describe('the Python example (boto3)', () => {
  it('gets tokens and a JS-SDK signature from npm start, caches, and replaces a token WeCom refused', async () => {
    const missing = await missingPython();
    expect(missing, missing).toBeUndefined();

    const { stdout } = await run('python3', [EXAMPLE, `http://127.0.0.1:${lambdaPort}`, 'wwpythoncorp'], {
      // No AWS configuration: the example's local client supplies region and placeholder credentials.
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' },
    });
    const result = JSON.parse(stdout) as Record<string, unknown>;

    expect(result.suiteToken).toMatch(/^suite-token-/);
    expect(result.suiteTokenCached).toBe(true);
    expect(result.corpToken).toMatch(/^corp-token-/);
    expect(result.retried).toEqual({ errcode: 0 });
    expect(result.staleTokenSent).toBe(true);
    expect(result.signature).toMatchObject({
      appId: 'wwpythoncorp',
      signature: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    // The second suite token came from the cache: one suite-token invocation only.
    expect((result.invocations as string[]).filter((name) => name === 'suite-token')).toEqual([
      'suite-token',
    ]);
  }, 120_000);
});
