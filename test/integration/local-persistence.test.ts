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
});
