import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableKeys } from '../../functions/adapters/dynamodb/table-keys.ts';
import { CUSTOMIZED_TEMPLATE, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { ShiftedClock } from '../support/fixed-clock.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';
import { suiteEventXml } from '../support/wecom-pushes.ts';

/**
 * Tokens at WeCom's edges, on a clock that runs hours ahead in moments: the end of every token's
 * life (WeCom hands back the same token while it is valid, reporting its remaining or its full
 * lifetime), and authorizations WeCom refuses to mint for.
 *
 * Both ways of reporting a repeated fetch run in memory in test/unit/app/token-lifetimes.test.ts;
 * here end to end only the full lifetime, the undocumented one. The remaining lifetime is the
 * simulator's default, which every other token test meets.
 */

const suiteId = THIRD_PARTY_SUITE.suiteId;
const templateId = CUSTOMIZED_TEMPLATE.suiteId;
const LIFETIME_MS = 7200 * 1000;

/** A corp installs (again): WeCom's fresh ticket, create_auth, and the exchange of its new code. */
const install = async (harness: TokenHarness, suite: string, corpId: string): Promise<void> => {
  const container = harness.newContainer();
  const previous = (await container.authorizations.getAuthorization(suite, corpId))?.permanentCode;
  await harness.pushTicket(suite);
  const stopExchange = await harness.startExchange();
  try {
    await harness.pushAuthCode(suite, corpId, 'create_auth');
    await eventually(async () => {
      const current = (await container.authorizations.getAuthorization(suite, corpId))?.permanentCode;
      return current !== previous ? current : undefined;
    });
  } finally {
    await stopExchange();
  }
};

const outcomeOf = async <T>(request: () => Promise<T>): Promise<T | Error> => {
  try {
    return await request();
  } catch (error) {
    return error as Error;
  }
};

describe.each(['full'] as const)(
  'the end of every token life, WeCom reporting the %s lifetime on a repeated fetch',
  (repeatedExpiresIn) => {
    const clock = new ShiftedClock();
    const corpId = `wxcorpedge${repeatedExpiresIn}`;
    const templateCorpId = `wxcorpedgedk${repeatedExpiresIn}`;
    let harness: TokenHarness;

    beforeAll(async () => {
      harness = await createTokenHarness({ clock, repeatedExpiresIn });
      await harness.pushTicket(suiteId);
      await harness.pushTicket(templateId);
      await install(harness, suiteId, corpId);
      await install(harness, templateId, templateCorpId);
    }, 60_000);

    afterAll(async () => {
      await harness.close();
    });

    it('serves every request across three lifetimes, with at most two upstream token calls per lifetime', async () => {
      const suiteToken = harness.handler('suite-token');
      const corpToken = harness.handler('corp-token');
      const requests = [
        {
          api: 'service/get_suite_token',
          call: () => suiteToken({ suiteId }),
          isValid: (value: string) => harness.simulator.isValidSuiteToken(suiteId, value),
        },
        {
          api: 'service/get_corp_token',
          call: () => corpToken({ suiteId, corpId }),
          isValid: (value: string) => harness.simulator.isValidCorpToken(suiteId, corpId, value),
        },
        {
          api: 'gettoken',
          call: () => corpToken({ suiteId: templateId, corpId: templateCorpId }),
          isValid: (value: string) => harness.simulator.isValidCorpToken(templateId, templateCorpId, value),
        },
      ];
      const callsBefore = requests.map(({ api }) => harness.simulator.calls(api));
      const startMs = clock.nowMs();
      let lastTicketMs = startMs;
      let soonestExpiryMs = startMs;
      const failures: string[] = [];
      let served = 0;

      while (clock.nowMs() - startMs < 3 * LIFETIME_MS) {
        // Fine steps through the last 6 minutes of a token's life and past its end, coarse elsewhere.
        clock.advance(soonestExpiryMs - clock.nowMs() < 6 * 60_000 ? 5_000 : 60_000);
        if (clock.nowMs() - lastTicketMs >= 10 * 60_000) {
          await harness.pushTicket(suiteId);
          await harness.pushTicket(templateId);
          lastTicketMs = clock.nowMs();
        }
        soonestExpiryMs = Number.POSITIVE_INFINITY;
        for (const request of requests) {
          const outcome = await outcomeOf(request.call);
          if (outcome instanceof Error || !request.isValid(outcome.accessToken)) {
            failures.push(`${request.api} at +${(clock.nowMs() - startMs) / 1000} s: ${String(outcome)}`);
            continue;
          }
          served += 1;
          soonestExpiryMs = Math.min(soonestExpiryMs, Date.parse(outcome.expiresAt));
        }
      }

      const calls = requests.map(
        ({ api }, index) => harness.simulator.calls(api) - (callsBefore[index] ?? 0),
      );
      expect(failures).toEqual([]);
      expect(served).toBeGreaterThan(1000);
      // Per lifetime: one early try (WeCom hands the same token back) and one at its true end.
      for (const count of calls) {
        expect(count).toBeLessThanOrEqual(2 * 3 + 1);
      }
    }, 120_000);

    it('gives 50 concurrent callers in 5 containers the next token at the true end of the last, with one upstream mint', async () => {
      const first = await harness.handler('suite-token')({ suiteId });
      clock.moveTo(Date.parse(first.expiresAt));
      await harness.pushTicket(suiteId);
      const issuedBefore = harness.simulator.issuedTokens('service/get_suite_token');
      const handlers = Array.from({ length: 5 }, () => harness.handler('suite-token'));

      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, index) => handlers[index % handlers.length]?.({ suiteId })),
      );

      const values = new Set(answers.map((answer) => answer?.accessToken));
      expect(values.size).toBe(1);
      expect(values.has(first.accessToken)).toBe(false);
      expect(harness.simulator.isValidSuiteToken(suiteId, [...values][0] ?? '')).toBe(true);
      expect(harness.simulator.issuedTokens('service/get_suite_token') - issuedBefore).toBe(1);
    });
  },
);

describe('authorizations WeCom refuses to mint for', () => {
  const clock = new ShiftedClock();
  let harness: TokenHarness;

  beforeAll(async () => {
    harness = await createTokenHarness({ clock });
    await harness.pushTicket(suiteId);
    await harness.pushTicket(templateId);
  }, 60_000);

  afterAll(async () => {
    await harness.close();
  });

  const blockOf = async (suite: string, corpId: string) => {
    const key = tableKeys.corpToken(suite, corpId);
    return (await harness.table.scanAll()).find((item) => item.pk === key.pk && item.sk === key.sk);
  };

  it('takes 40082 with a suite token WeCom just confirmed as "not authorized", and asks again only after a minute, renewing the suite token first', async () => {
    const corpId = 'wxcorp40082';
    await install(harness, suiteId, corpId);
    const corpToken = harness.handler('corp-token');
    const suiteCalls = () => harness.simulator.calls('service/get_suite_token');
    const corpCalls = () => harness.simulator.calls('service/get_corp_token');
    await harness.handler('suite-token')({ suiteId });
    const [suiteBefore, corpBefore] = [suiteCalls(), corpCalls()];
    harness.simulator.injectFaults('service/get_corp_token', { kind: 'errcode', errcode: 40082 });

    const first = await outcomeOf(() => corpToken({ suiteId, corpId }));
    const [suiteAfterFirst, corpAfterFirst] = [suiteCalls(), corpCalls()];
    const during: (string | undefined)[] = [];
    for (let second = 5; second < 60; second += 5) {
      clock.advance(5_000);
      during.push(
        ((await outcomeOf(() => harness.handler('corp-token')({ suiteId, corpId }))) as Error).name,
      );
    }
    const corpAfterMinute = corpCalls();
    clock.advance(5_000);
    harness.simulator.injectFaults('service/get_corp_token', { kind: 'errcode', errcode: 40082 });
    const retried = await outcomeOf(() => corpToken({ suiteId, corpId }));

    expect(first).toMatchObject({ name: 'CorpNotAuthorizedError' });
    expect((first as Error).message).toContain('40082');
    // The suite token was minted a moment ago: WeCom vouched for it, so it is not asked for again,
    // and get_corp_token is not asked again with the same token.
    expect([suiteAfterFirst - suiteBefore, corpAfterFirst - corpBefore]).toEqual([0, 1]);
    expect(new Set(during)).toEqual(new Set(['CorpNotAuthorizedError']));
    expect(corpAfterMinute).toBe(corpAfterFirst);
    expect(retried).toMatchObject({ name: 'CorpNotAuthorizedError' });
    // The periodic retry renews the suite token first (a minute after WeCom confirmed it), then asks.
    expect([suiteCalls() - suiteAfterFirst, corpCalls() - corpAfterMinute]).toEqual([1, 1]);
    expect(await blockOf(suiteId, corpId)).toMatchObject({
      credentialStatus: 'broken',
      suiteId,
      corpId,
      block: { refusals: 2, failure: { errcode: 40082, api: 'service/get_corp_token' } },
    });
    expect(await blockOf(suiteId, corpId)).not.toHaveProperty('accessToken');

    await harness.pushXml(
      suiteId,
      suiteEventXml.changeAuth(suiteId, corpId, Math.floor(clock.nowMs() / 1000)),
    );
    const healed = await corpToken({ suiteId, corpId });

    expect(harness.simulator.isValidCorpToken(suiteId, corpId, healed.accessToken)).toBe(true);
  });

  it('announces the corp active again (wecom_accepted) when a later retry of a broken authorization succeeds', async () => {
    const corpId = 'wxcorprecovers';
    await install(harness, suiteId, corpId);
    harness.simulator.cancelAuthorization(suiteId, corpId);
    const changes = () =>
      harness.eventBridge.received
        .filter((event) => event.DetailType === 'WeCom Authorization Changed')
        .map((event) => JSON.parse(event.Detail) as Record<string, unknown>)
        .filter((detail) => detail.corpId === corpId && detail.cause !== 'create_auth');

    expect(await outcomeOf(() => harness.handler('corp-token')({ suiteId, corpId }))).toMatchObject({
      name: 'CorpNotAuthorizedError',
    });
    harness.simulator.restoreAuthorization(suiteId, corpId);
    clock.advance(61_000); // the block's first retry is due after a minute
    const recovered = await harness.handler('corp-token')({ suiteId, corpId });
    await harness.handler('corp-token')({ suiteId, corpId });

    expect(harness.simulator.isValidCorpToken(suiteId, corpId, recovered.accessToken)).toBe(true);
    expect(changes().map((detail) => [detail.status, detail.cause])).toEqual([
      ['broken', 'wecom_refused'],
      ['active', 'wecom_accepted'],
    ]);
  });

  it('asks WeCom about an uninstalled corp (48004) a handful of times in the first hour and about once an hour after', async () => {
    const corpId = 'wxcorp48004';
    await install(harness, suiteId, corpId);
    harness.simulator.cancelAuthorization(suiteId, corpId);
    const calls = () => harness.simulator.calls('service/get_corp_token');
    const startMs = clock.nowMs();
    const callsAt = [calls()];
    const names = new Set<string>();

    for (let elapsed = 0; elapsed < 2 * 3_600_000; elapsed += 30_000) {
      names.add(((await outcomeOf(() => harness.handler('corp-token')({ suiteId, corpId }))) as Error).name);
      clock.advance(30_000);
      if (clock.nowMs() - startMs >= 3_600_000 * callsAt.length) {
        callsAt.push(calls());
      }
    }

    const [start = 0, afterOneHour = 0, afterTwoHours = 0] = callsAt;
    expect(names).toEqual(new Set(['CorpNotAuthorizedError']));
    expect(afterOneHour - start).toBeLessThanOrEqual(5);
    expect(afterOneHour - start).toBeGreaterThanOrEqual(2);
    expect(afterTwoHours - afterOneHour).toBeLessThanOrEqual(2);
    expect(await blockOf(suiteId, corpId)).toMatchObject({
      credentialStatus: 'broken',
      block: { failure: { errcode: 48004 } },
    });
    const announced = harness.eventBridge.received
      .filter((event) => event.DetailType === 'WeCom Authorization Changed')
      .map((event) => JSON.parse(event.Detail) as Record<string, unknown>)
      .filter((detail) => detail.corpId === corpId && detail.status === 'broken');
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({ suiteId, cause: 'wecom_refused' });
    expect(String(announced[0]?.reason)).toContain('48004');

    await install(harness, suiteId, corpId);
    const reinstalled = await harness.handler('corp-token')({ suiteId, corpId });

    expect(harness.simulator.isValidCorpToken(suiteId, corpId, reinstalled.accessToken)).toBe(true);
  });

  it('blocks a 代开发 corp whose secret was reset (gettoken 40001) until the reset push brings the new one', async () => {
    const corpId = 'wxcorpdkreset';
    await install(harness, templateId, corpId);
    const before = await harness.handler('corp-token')({ suiteId: templateId, corpId });
    const authCode = harness.simulator.resetPermanentCode(templateId, corpId);
    const calls = () => harness.simulator.calls('gettoken');
    clock.advance(61_000); // a report within a minute of WeCom handing the token over is not heard

    const refused = await outcomeOf(() =>
      harness.handler('corp-token')({ suiteId: templateId, corpId, staleToken: before.accessToken }),
    );
    const callsAfterRefusal = calls();
    const again = await outcomeOf(() => harness.handler('corp-token')({ suiteId: templateId, corpId }));
    const container = harness.newContainer();
    const oldCode = (await container.authorizations.getAuthorization(templateId, corpId))?.permanentCode;
    await harness.pushTicket(templateId);
    const stopExchange = await harness.startExchange();
    try {
      await harness.pushXml(
        templateId,
        suiteEventXml.resetPermanentCode(templateId, authCode, Math.floor(clock.nowMs() / 1000)),
      );
      // Once the exchange stored the new code (and dropped the blocked item with it). Asked before,
      // a request could read the old code and then find the block gone: it would retry once with
      // the new code (that retry exists for exactly this), which is two calls, not the one counted.
      await eventually(async () => {
        const current = (await container.authorizations.getAuthorization(templateId, corpId))?.permanentCode;
        return current !== oldCode && (await blockOf(templateId, corpId)) === undefined ? current : undefined;
      }, 15_000);
      const renewed = await harness.handler('corp-token')({ suiteId: templateId, corpId });

      expect(refused).toMatchObject({ name: 'CorpNotAuthorizedError' });
      expect((refused as Error).message).toContain('40001');
      expect(again).toMatchObject({ name: 'CorpNotAuthorizedError' });
      expect(callsAfterRefusal).toBe(calls() - 1);
      expect(harness.simulator.isValidCorpToken(templateId, corpId, renewed.accessToken)).toBe(true);
    } finally {
      await stopExchange();
    }
  });

  it('does not call an authorization broken because this container still holds a code replaced by a reset', async () => {
    const corpId = 'wxcorpdkstale';
    await install(harness, templateId, corpId);
    // One warm container: it remembers the authorization (and so the permanent code) for 30 s, but
    // holds no token, because its mint failed for a passing reason.
    const warm = harness.handler('corp-token');
    harness.simulator.injectFaults(
      'gettoken',
      ...Array.from({ length: 3 }, () => ({ kind: 'http', status: 502 }) as const),
    );
    await expect(warm({ suiteId: templateId, corpId })).rejects.toMatchObject({
      name: 'UpstreamUnavailableError',
    });
    harness.simulator.clearFaults();
    const authCode = harness.simulator.resetPermanentCode(templateId, corpId);
    await harness.pushTicket(templateId);
    const stopExchange = await harness.startExchange();
    try {
      await harness.pushXml(
        templateId,
        suiteEventXml.resetPermanentCode(templateId, authCode, Math.floor(clock.nowMs() / 1000)),
      );
      await eventually(
        async () => ((await blockOf(templateId, corpId)) === undefined ? true : undefined),
        15_000,
      );
      const container = harness.newContainer();
      await eventually(async () => {
        const current = await container.authorizations.getAuthorization(templateId, corpId);
        return current?.authInfoStale === false ? current : undefined;
      }, 15_000);

      const after = await warm({ suiteId: templateId, corpId });

      expect(harness.simulator.isValidCorpToken(templateId, corpId, after.accessToken)).toBe(true);
      expect(await blockOf(templateId, corpId)).not.toHaveProperty('block');
    } finally {
      await stopExchange();
    }
  });
});
