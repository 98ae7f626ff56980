import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMIZED_TEMPLATE, TEST_CONFIG, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { ShiftedClock } from '../support/fixed-clock.ts';
import { captureLogs } from '../support/log-capture.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';

const suiteId = THIRD_PARTY_SUITE.suiteId;
const templateId = CUSTOMIZED_TEMPLATE.suiteId;
// Stale reports reach WeCom only a minute after it handed the value over: the test moves this clock.
const clock = new ShiftedClock();
let harness: TokenHarness;

beforeAll(async () => {
  harness = await createTokenHarness({ wecomTimeoutMs: 200, logLevel: 'DEBUG', clock });
});

afterAll(async () => {
  await harness.close();
});

describe('token and exchange logs', () => {
  it('never contain a secret, ticket, auth code, permanent code or token, whatever fails', async () => {
    const suiteToken = harness.handler('suite-token');
    const corpToken = harness.handler('corp-token');
    const exchange = harness.handler('auth-exchange');
    const logs = captureLogs();
    const handed: string[] = [];
    try {
      await suiteToken({ suiteId: templateId }).catch(() => undefined);
      await harness.pushTicket(suiteId);
      await harness.pushTicket(templateId);
      await harness.pushAuthCode(suiteId, 'wxcorplogs', 'create_auth');
      await harness.pushAuthCode(templateId, 'wxcorplogsdk', 'create_auth');
      for (const item of (await harness.table.scanAll()).filter(
        (candidate) => candidate.entity === 'AuthCode',
      )) {
        await exchange({
          Records: [
            {
              eventID: 'e',
              eventName: 'INSERT',
              dynamodb: { NewImage: marshall(item) as never, SequenceNumber: '1' },
            },
          ],
        });
      }
      await eventually(
        async () =>
          (await harness.newContainer().authorizations.getAuthorization(suiteId, 'wxcorplogs'))
            ?.permanentCode,
      );
      handed.push((await suiteToken({ suiteId })).accessToken);
      handed.push((await corpToken({ suiteId, corpId: 'wxcorplogs' })).accessToken);
      handed.push((await corpToken({ suiteId: templateId, corpId: 'wxcorplogsdk' })).accessToken);
      clock.advance(61_000);
      harness.simulator.injectFaults(
        'service/get_corp_token',
        { kind: 'timeout', holdMs: 500 },
        { kind: 'timeout', holdMs: 500 },
        { kind: 'timeout', holdMs: 500 },
      );
      await corpToken({ suiteId, corpId: 'wxcorplogs', staleToken: handed[1] ?? '' }).catch(() => undefined);
      harness.simulator.injectFaults('gettoken', { kind: 'errcode', errcode: 60020 });
      await corpToken({ suiteId: templateId, corpId: 'wxcorplogsdk', staleToken: handed[2] ?? '' }).catch(
        () => undefined,
      );
      await corpToken({ suiteId, corpId: 'wxnotinstalled' }).catch(() => undefined);
      await corpToken({ suiteId: 42 }).catch(() => undefined);
    } finally {
      logs.stop();
      harness.simulator.clearFaults();
    }

    const secrets = [
      ...TEST_CONFIG.suites.flatMap((suite) => [suite.suiteSecret, suite.token, suite.encodingAesKey]),
      ...handed,
      ...(await harness.table.scanAll()).flatMap((item) => [
        item.permanentCode,
        item.suiteTicket,
        item.previousTicket,
        item.accessToken,
      ]),
    ].filter((value): value is string => typeof value === 'string' && value !== '');
    const lines = logs.lines();
    expect(lines.length).toBeGreaterThan(8);
    expect(lines.some((line) => line.includes('60020'))).toBe(true);
    for (const line of lines) {
      for (const secret of secrets) {
        expect(line).not.toContain(secret);
      }
      expect(line).not.toMatch(/authcode-[0-9a-f]{32}/);
    }
  });
});
