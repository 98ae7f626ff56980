import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { createTokenHarness, installCorp, type TokenHarness } from '../support/token-harness.ts';

/**
 * Reports are bounded (functions/app/credentials/retry-layers.ts, CONFIRMED_VALUE_WINDOW_MS): WeCom
 * hands back the same token or ticket while it is valid, so a report naming the value WeCom
 * handed over within the last minute is answered from the cache. Reports alone cost at most one
 * upstream call per credential per minute, whatever their number; the simulator counts the calls.
 */

const SUITE = THIRD_PARTY_SUITE.suiteId;

let offsetMs = 0;
const clock = { nowMs: () => Date.now() + offsetMs };
let harness: TokenHarness;

const install = (corpId: string) => installCorp(harness, SUITE, corpId);

const ignoredReports = (credential: string) =>
  harness.runtime.metricsLog.recorded.filter(
    (metric) => metric.name === 'staleReportIgnored' && metric.credential === credential,
  ).length;

beforeAll(async () => {
  harness = await createTokenHarness({ clock });
}, 60_000);

afterAll(async () => {
  await harness.close();
});

describe('stale-token reports', () => {
  it('20 reports of the current corp token cost at most one get_corp_token, and the ignored ones are counted', async () => {
    const corpId = 'wwboundedcorp001';
    await install(corpId);
    const corpToken = harness.handler('corp-token');
    const { accessToken } = (await corpToken({ suiteId: SUITE, corpId })) as { accessToken: string };
    offsetMs += 90_000; // the token was handed over a while ago: the first report may ask WeCom
    const callsBefore = harness.simulator.calls('service/get_corp_token');
    const ignoredBefore = ignoredReports('corp_token');

    const answers: string[] = [];
    for (let report = 0; report < 20; report += 1) {
      const answer = (await harness.handler('corp-token')({
        suiteId: SUITE,
        corpId,
        staleToken: accessToken,
      })) as {
        accessToken: string;
      };
      answers.push(answer.accessToken);
    }

    expect(harness.simulator.calls('service/get_corp_token') - callsBefore).toBeLessThanOrEqual(1);
    expect(new Set(answers)).toEqual(new Set([accessToken])); // WeCom's value is still valid
    expect(ignoredReports('corp_token') - ignoredBefore).toBeGreaterThanOrEqual(19);
  });

  it('a report within a minute of WeCom handing the value over is answered without any call', async () => {
    const callsBefore = harness.simulator.calls('service/get_suite_token');
    const { accessToken } = (await harness.handler('suite-token')({ suiteId: SUITE, staleToken: 'x' })) as {
      accessToken: string;
    };
    // Whatever was cached, this report makes WeCom confirm the value now (at most one call) …
    await harness.handler('suite-token')({ suiteId: SUITE, staleToken: accessToken });
    const afterConfirmation = harness.simulator.calls('service/get_suite_token');

    // … and every report of it within the minute is answered from the cache.
    const reports = await Promise.all(
      Array.from({ length: 20 }, () =>
        harness.handler('suite-token')({ suiteId: SUITE, staleToken: accessToken }),
      ),
    );

    expect(afterConfirmation - callsBefore).toBeLessThanOrEqual(1);
    expect(harness.simulator.calls('service/get_suite_token')).toBe(afterConfirmation);
    expect(reports.map((answer) => (answer as { accessToken: string }).accessToken)).toEqual(
      Array(20).fill(accessToken),
    );
  });

  it('a value WeCom really ended early is replaced by the first report after the minute', async () => {
    const corpId = 'wwboundedcorp002';
    await install(corpId);
    const { accessToken } = (await harness.handler('corp-token')({ suiteId: SUITE, corpId })) as {
      accessToken: string;
    };
    harness.simulator.invalidateCorpToken(SUITE, corpId);

    const withinMinute = (await harness.handler('corp-token')({
      suiteId: SUITE,
      corpId,
      staleToken: accessToken,
    })) as {
      accessToken: string;
    };
    offsetMs += 61_000;
    const afterMinute = (await harness.handler('corp-token')({
      suiteId: SUITE,
      corpId,
      staleToken: accessToken,
    })) as {
      accessToken: string;
    };

    expect(withinMinute.accessToken).toBe(accessToken);
    expect(afterMinute.accessToken).not.toBe(accessToken);
    expect(harness.simulator.isValidCorpToken(SUITE, corpId, afterMinute.accessToken)).toBe(true);
  });
});

describe('rejected JS-SDK signatures', () => {
  it('120 rejected signatures over two minutes cost at most two ticket/get calls, and WeCom never answers 45009', async () => {
    const corpId = 'wwboundedjsapi01';
    await install(corpId);
    const page = { suiteId: SUITE, corpId, type: 'agent' as const, url: 'https://app.example.com/p' };
    const sign = async (extra: object = {}) =>
      (await harness.handler('jsapi-ticket')({ ...page, ...extra })) as {
        nonceStr: string;
        timestamp: number;
        signature: string;
      };
    let signed = await sign();
    const callsBefore = harness.simulator.calls('ticket/get');

    for (let report = 0; report < 120; report += 1) {
      offsetMs += 1000; // one page a second reports the signature it was given as rejected
      signed = await sign({
        rejectedSignature: {
          nonceStr: signed.nonceStr,
          timestamp: signed.timestamp,
          signature: signed.signature,
        },
      });
    }

    expect(harness.simulator.calls('ticket/get') - callsBefore).toBeLessThanOrEqual(2);
    expect(
      harness.runtime.metricsLog.recorded.filter(
        (metric) => metric.name === 'wecomAnswered' && metric.outcome === 45009,
      ),
    ).toEqual([]);
    expect(ignoredReports('jsapi_ticket')).toBeGreaterThanOrEqual(118);
  });
});
