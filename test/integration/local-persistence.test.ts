import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { prepareConfiguredStack } from '../support/configured-stack.ts';

describe('npm start with LOCAL_DB_PATH', () => {
  it('keeps tickets and tokens across a restart', async () => {
    const setup = await prepareConfiguredStack();
    const options = { dbPath: join(setup.directory, 'db') };
    const suiteToken = async (url: string) => {
      const response = await fetch(`${url}/2015-03-31/functions/suite-token/invocations`, {
        method: 'POST',
        body: JSON.stringify({ suiteId: THIRD_PARTY_SUITE.suiteId }),
      });
      return ((await response.json()) as { accessToken: string }).accessToken;
    };
    try {
      const first = await setup.start(options);
      await setup.simulator.pushSuiteTicket(THIRD_PARTY_SUITE.suiteId);
      const before = await suiteToken(first.lambdaUrl);
      await first.stop();
      const callsBefore = setup.simulator.calls('service/get_suite_token');

      const second = await setup.start(options);
      const after = await suiteToken(second.lambdaUrl);
      await second.stop();

      expect(after).toBe(before);
      expect(setup.simulator.calls('service/get_suite_token')).toBe(callsBefore);
    } finally {
      await setup.close();
    }
  }, 90_000);

  it('keeps the data directory and every file in it private to its owner (0700, 0600), files of an older run included', async () => {
    const setup = await prepareConfiguredStack();
    const dbPath = join(setup.directory, 'db');
    // What an earlier version left: a directory and a database file anyone on the machine could read.
    await mkdir(dbPath, { mode: 0o755 });
    await chmod(dbPath, 0o755);
    await writeFile(join(dbPath, 'LOCALOLDKEY_us-east-1.db'), '', { mode: 0o644 });
    await chmod(join(dbPath, 'LOCALOLDKEY_us-east-1.db'), 0o644);
    const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
    try {
      const stack = await setup.start({ dbPath });
      await setup.simulator.pushSuiteTicket(THIRD_PARTY_SUITE.suiteId);
      await stack.stop();
      const files = await readdir(dbPath);

      expect(await modeOf(dbPath)).toBe(0o700);
      expect(files.filter((name) => name.endsWith('.db')).length).toBeGreaterThanOrEqual(2);
      expect(files).toContain('local-credentials.json');
      expect(
        Object.fromEntries(
          await Promise.all(files.map(async (name) => [name, await modeOf(join(dbPath, name))])),
        ),
      ).toEqual(Object.fromEntries(files.map((name) => [name, 0o600])));
    } finally {
      await setup.close();
    }
  }, 90_000);
});
