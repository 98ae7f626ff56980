import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableKeys } from '../../functions/adapters/dynamodb/table-keys.ts';
import { THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { ShiftedClock } from '../support/fixed-clock.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';

/**
 * 40082 ("invalid suite_access_token") on get_corp_token while WeCom keeps handing back the same
 * suite token: one corp meeting it is that corp's broken authorization, several corps of the suite
 * within a minute are the suite token's problem (SUITE_WIDE_40082). The simulator counts the calls.
 */

const SUITE = THIRD_PARTY_SUITE.suiteId;
const CORPS = ['wwwide40082c001', 'wwwide40082c002', 'wwwide40082c003', 'wwwide40082c004', 'wwwide40082c005'];

const clock = new ShiftedClock();
let harness: TokenHarness;

const outcomeOf = async <T>(request: () => Promise<T>): Promise<T | Error> => {
  try {
    return await request();
  } catch (error) {
    return error as Error;
  }
};

beforeAll(async () => {
  harness = await createTokenHarness({ clock });
  await harness.pushTicket(SUITE);
  const container = harness.newContainer();
  const stop = await harness.startExchange();
  try {
    for (const corpId of CORPS) {
      await harness.pushAuthCode(SUITE, corpId, 'create_auth');
      await eventually(async () => (await container.authorizations.getAuthorization(SUITE, corpId))?.agentId);
    }
  } finally {
    await stop();
  }
}, 120_000);

afterAll(async () => {
  await harness.close();
});

describe('40082 for several corps of one suite within a minute', () => {
  it('is one suite-token problem: signalled once per corp after the second, no corp blocked beyond its first minute, one get_suite_token a minute', async () => {
    await harness.handler('suite-token')({ suiteId: SUITE }); // a minute ago, WeCom handed it over
    clock.advance(61_000);
    const suiteCalls = () => harness.simulator.calls('service/get_suite_token');
    const corpCalls = () => harness.simulator.calls('service/get_corp_token');
    const [suiteBefore, corpBefore] = [suiteCalls(), corpCalls()];
    harness.simulator.injectFaults(
      'service/get_corp_token',
      ...Array.from({ length: 20 }, () => ({ kind: 'errcode' as const, errcode: 40082 })),
    );

    const outcomes = [];
    for (const corpId of CORPS) {
      outcomes.push(await outcomeOf(() => harness.handler('corp-token')({ suiteId: SUITE, corpId })));
      clock.advance(2_000);
    }

    // The first corp's 40082 renewed the suite token (WeCom handed back the same one); the others
    // met a suite token WeCom had confirmed within the minute: no more renewals, one ask each.
    expect(suiteCalls() - suiteBefore).toBe(1);
    expect(corpCalls() - corpBefore).toBe(CORPS.length);
    expect(outcomes.map((outcome) => (outcome as Error).name)).toEqual([
      'CorpNotAuthorizedError',
      'CorpNotAuthorizedError',
      'WeComApiError',
      'WeComApiError',
      'WeComApiError',
    ]);
    const suspected = harness.runtime.metricsLog.recorded.filter(
      (metric) => metric.name === 'suiteTokenSuspect',
    );
    expect(suspected).toHaveLength(3);
    expect(
      suspected.every(
        (metric) => metric.service === 'corp-token' && 'suiteId' in metric && metric.suiteId === SUITE,
      ),
    ).toBe(true);
    const items = await harness.table.scanAll();
    const blocked = CORPS.filter((corpId) => {
      const key = tableKeys.corpToken(SUITE, corpId);
      return items.some((item) => item.pk === key.pk && item.sk === key.sk && item.block !== undefined);
    });
    expect(blocked).toEqual(CORPS.slice(0, 2));

    // The blocks' periodic retry, a minute later, while WeCom still refuses: the suite token is
    // renewed first (once for all), and neither corp is blocked for five more minutes.
    clock.advance(60_000 - CORPS.length * 2_000 + 2_000); // both blocks are due
    const retried = [];
    for (const corpId of CORPS.slice(0, 2)) {
      retried.push(await outcomeOf(() => harness.handler('corp-token')({ suiteId: SUITE, corpId })));
    }
    expect(retried.map((outcome) => (outcome as Error).name)).toEqual(['WeComApiError', 'WeComApiError']);
    expect(suiteCalls() - suiteBefore).toBe(2);
    const after = await harness.table.scanAll();
    for (const corpId of CORPS.slice(0, 2)) {
      const key = tableKeys.corpToken(SUITE, corpId);
      const item = after.find((candidate) => candidate.pk === key.pk && candidate.sk === key.sk);
      expect((item?.block as { refusals?: number } | undefined)?.refusals).toBe(1);
    }

    // WeCom serves again: every corp gets its token as soon as its failure streak allows.
    harness.simulator.clearFaults();
    clock.advance(61_000);
    for (const corpId of CORPS) {
      const { accessToken } = (await harness.handler('corp-token')({ suiteId: SUITE, corpId })) as {
        accessToken: string;
      };
      expect(harness.simulator.isValidCorpToken(SUITE, corpId, accessToken)).toBe(true);
    }
  });
});
