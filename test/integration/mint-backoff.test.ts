import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMIZED_TEMPLATE, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { createTokenHarness, type TokenHarness } from '../support/token-harness.ts';

/**
 * A streak of failed mints for a passing reason: WeCom is asked again only after 2 s, 4 s, …,
 * however many callers and containers ask in between (docs/callers.md, Failures that pass).
 */

let offsetMs = 0;
const clock = { nowMs: () => Date.now() + offsetMs };
let harness: TokenHarness;

beforeAll(async () => {
  harness = await createTokenHarness({ clock });
}, 60_000);

afterAll(async () => {
  await harness.close();
});

const outcomeOf = async (request: () => Promise<unknown>): Promise<string> => {
  try {
    await request();
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
};

describe('failed mints for a passing reason', () => {
  it('allow one retry at once, then make every caller wait 2 s, 4 s … before WeCom is asked again', async () => {
    const suiteId = THIRD_PARTY_SUITE.suiteId;
    await harness.pushTicket(suiteId);
    const calls = () => harness.simulator.calls('service/get_suite_token');
    const before = calls();
    harness.simulator.setIpAllowListed(false); // 60020 until the IP is allow-listed
    try {
      const ask = () => outcomeOf(() => harness.handler('suite-token')({ suiteId }));

      expect(await ask()).toBe('WeComApiError');
      expect(await ask()).toBe('WeComApiError');
      expect(calls() - before).toBe(2);
      // The streak's wait: 20 callers in fresh containers, none reaches WeCom.
      const waiting = await Promise.all(Array.from({ length: 20 }, ask));
      expect(new Set(waiting)).toEqual(new Set(['WeComApiError']));
      expect(calls() - before).toBe(2);

      offsetMs += 2_100;
      expect(await ask()).toBe('WeComApiError');
      expect(calls() - before).toBe(3);
      offsetMs += 2_100; // the third failure waits 4 s
      expect(await ask()).toBe('WeComApiError');
      expect(calls() - before).toBe(3);

      harness.simulator.setIpAllowListed(true);
      offsetMs += 2_000;
      expect(await ask()).toBe('ok');
      expect(await ask()).toBe('ok');
      expect(calls() - before).toBe(4);
    } finally {
      harness.simulator.setIpAllowListed(true);
    }
  });

  it('does not make a streak of failures that never reached WeCom (no suite_ticket yet)', async () => {
    const suiteId = CUSTOMIZED_TEMPLATE.suiteId;
    const ask = () => outcomeOf(() => harness.handler('suite-token')({ suiteId }));

    expect(await ask()).toBe('SuiteTicketMissingError');
    expect(await ask()).toBe('SuiteTicketMissingError');
    expect(await ask()).toBe('SuiteTicketMissingError');
    await harness.pushTicket(suiteId);

    expect(await ask()).toBe('ok');
  });
});
