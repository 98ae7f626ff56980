import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/free-port.ts';
import { startLocalStack } from '../../local/local-stack.ts';
import { WeComSimulator } from '../../local/wecom-simulator.ts';
import { TEST_CONFIG, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'wecom-persist-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('npm start with LOCAL_DB_PATH', () => {
  it('keeps tickets and tokens across a restart', async () => {
    const configFile = join(directory, 'config.json');
    await writeFile(configFile, JSON.stringify(TEST_CONFIG));
    const port = await findFreePort();
    const simulator = await new WeComSimulator({
      suites: TEST_CONFIG.suites,
      providerCorpId: TEST_CONFIG.provider.corpId,
      callbackBaseUrl: `http://127.0.0.1:${port}`,
    }).start();
    const logger = new Logger({ serviceName: 'persist-test', logLevel: 'SILENT' });
    const options = {
      port,
      configFile,
      wecomApiBase: simulator.baseUrl,
      dbPath: join(directory, 'db'),
      logger,
    };
    const suiteToken = async (url: string) => {
      const response = await fetch(`${url}/2015-03-31/functions/suite-token/invocations`, {
        method: 'POST',
        body: JSON.stringify({ suiteId: THIRD_PARTY_SUITE.suiteId }),
      });
      return ((await response.json()) as { accessToken: string }).accessToken;
    };
    try {
      const first = await startLocalStack(options);
      await simulator.pushSuiteTicket(THIRD_PARTY_SUITE.suiteId);
      const before = await suiteToken(first.url);
      await first.stop();
      const callsBefore = simulator.calls('service/get_suite_token');

      const second = await startLocalStack(options);
      const after = await suiteToken(second.url);
      await second.stop();

      expect(after).toBe(before);
      expect(simulator.calls('service/get_suite_token')).toBe(callsBefore);
    } finally {
      await simulator.stop();
    }
  }, 90_000);
});
