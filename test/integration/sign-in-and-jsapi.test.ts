import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSAPI_QUOTA_PER_HOUR } from '../../local/wecom-simulator/wecom-simulator.ts';
import { CUSTOMIZED_TEMPLATE, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { failureOf } from '../support/errors.ts';
import { captureLogs } from '../support/log-capture.ts';
import { createTokenHarness, eventually, installCorp, type TokenHarness } from '../support/token-harness.ts';
import { runTokenWorkers, summedOverProcesses } from '../support/worker-processes.ts';

/** Sign-in (OAuth code → identity → detail) and JS-SDK tickets and signatures (docs/architecture.md, Sign-in and JS-SDK). */

const SUITE = THIRD_PARTY_SUITE.suiteId;
const TEMPLATE = CUSTOMIZED_TEMPLATE.suiteId;
const CORP = 'wwsignincorp0001';
const DK_CORP = 'wwsignindkcorp01';

let offsetMs = 0;
const clock = { nowMs: () => Date.now() + offsetMs };
let harness: TokenHarness;
let fileLogs: ReturnType<typeof captureLogs>;

const install = (suiteId: string, corpId: string) => installCorp(harness, suiteId, corpId);

beforeAll(async () => {
  // INFO so the test can read the log lines; captured for the whole file, so none reach the output.
  fileLogs = captureLogs();
  harness = await createTokenHarness({ clock, logLevel: 'INFO' });
  await install(SUITE, CORP);
  await install(TEMPLATE, DK_CORP);
}, 60_000);

afterAll(async () => {
  await harness.close();
  fileLogs.stop();
});

describe('sign-in', () => {
  it('turns a third-party code into the member and their ticket into details; a used code is 40029', async () => {
    const code = harness.simulator.issueOAuthCode(SUITE, CORP, {
      userId: 'zhangsan',
      scope: 'snsapi_privateinfo',
    });
    const linesBefore = fileLogs.lines().length;
    const identity = await harness.handler('user-identity')({ code, suiteId: SUITE });
    const detail = await harness.handler('user-detail')({
      userTicket: identity.userTicket ?? '',
      suiteId: SUITE,
    });

    expect(identity).toMatchObject({ corpId: CORP, userId: 'zhangsan', openUserId: 'open-zhangsan' });
    expect(Date.parse(identity.userTicketExpiresAt ?? '') - clock.nowMs()).toBeGreaterThan(1_790_000);
    expect(detail).toMatchObject({ corpId: CORP, userId: 'zhangsan', gender: '1' });
    // Nothing personal in any log line: no user id, ticket, code or avatar.
    const logged = fileLogs.lines().slice(linesBefore).join('\n');
    expect(logged).toContain('"member":true');
    for (const value of ['zhangsan', code, identity.userTicket ?? '', detail.avatar ?? '']) {
      expect(logged).not.toContain(value);
    }

    const used = await failureOf(() => harness.handler('user-identity')({ code, suiteId: SUITE }));
    expect(used).toMatchObject({ name: 'WeComApiError' });
    expect(used.message).toContain('40029');
  });

  it('answers an outsider with an openId only', async () => {
    const code = harness.simulator.issueOAuthCode(SUITE, CORP);

    const identity = await harness.handler('user-identity')({ code, suiteId: SUITE, corpId: CORP });

    expect(identity.openId).toMatch(/^openid-/);
    expect(identity.userId).toBeUndefined();
    expect(identity.userTicket).toBeUndefined();
  });

  it('signs a 代开发 user in with that corp’s token, and needs corpId for it', async () => {
    const code = harness.simulator.issueOAuthCode(TEMPLATE, DK_CORP, {
      userId: 'lisi',
      scope: 'snsapi_privateinfo',
    });

    const missing = await failureOf(() => harness.handler('user-identity')({ code, suiteId: TEMPLATE }));
    const identity = await harness.handler('user-identity')({ code, suiteId: TEMPLATE, corpId: DK_CORP });
    const detail = await harness.handler('user-detail')({
      userTicket: identity.userTicket ?? '',
      suiteId: TEMPLATE,
      corpId: DK_CORP,
    });

    expect(missing).toMatchObject({ name: 'InvalidRequestError' });
    expect(identity).toMatchObject({ corpId: DK_CORP, userId: 'lisi' });
    expect(detail).toMatchObject({ corpId: DK_CORP, userId: 'lisi', mobile: '13800000000' });
  });

  it('refuses bad payloads, a corp that never installed, and a forged user ticket', async () => {
    for (const payload of [
      {},
      { code: '' },
      { code: 'x'.repeat(513) },
      { code: 'a b' },
      { code: 'c', extra: 1 },
    ]) {
      expect(await failureOf(() => harness.handler('user-identity')(payload))).toMatchObject({
        name: 'InvalidRequestError',
      });
    }
    const stranger = harness.simulator.issueOAuthCode(TEMPLATE, 'wwneverinstalled', { userId: 'wangwu' });
    expect(
      await failureOf(() =>
        harness.handler('user-identity')({ code: stranger, suiteId: TEMPLATE, corpId: 'wwneverinstalled' }),
      ),
    ).toMatchObject({ name: 'CorpNotAuthorizedError' });
    for (const payload of [
      { corpId: CORP, type: 'corp', url: 'https://a.example.com/', staleTicket: 'x' },
      {
        corpId: CORP,
        type: 'corp',
        rejectedSignature: { nonceStr: 'a', timestamp: 1, signature: 'f'.repeat(40) },
      },
      { corpId: CORP, type: 'corp', url: 'https://a.example.com/', rejectedSignature: { nonceStr: 'a' } },
      { corpId: CORP, type: 'both' },
    ]) {
      expect(await failureOf(() => harness.handler('jsapi-ticket')(payload))).toMatchObject({
        name: 'InvalidRequestError',
      });
    }
    const forged = await failureOf(() =>
      harness.handler('user-detail')({ userTicket: 'userticket-forged', suiteId: SUITE }),
    );
    expect(forged.message).toContain('84015');
  });
});

describe('JS-SDK tickets', () => {
  it('signs a page for wx.config and wx.agentConfig with the cached tickets, the fragment dropped', async () => {
    for (const type of ['corp', 'agent'] as const) {
      const { ticket } = (await harness.handler('jsapi-ticket')({ suiteId: SUITE, corpId: CORP, type })) as {
        ticket: string;
      };
      const signed = (await harness.handler('jsapi-ticket')({
        suiteId: SUITE,
        corpId: CORP,
        type,
        url: 'https://app.example.com/page?x=1#section',
      })) as { appId: string; agentId?: number; timestamp: number; nonceStr: string; signature: string };

      const expected = createHash('sha1')
        .update(
          `jsapi_ticket=${ticket}&noncestr=${signed.nonceStr}&timestamp=${signed.timestamp}&url=https://app.example.com/page?x=1`,
        )
        .digest('hex');
      expect(signed.signature).toBe(expected);
      expect(signed.appId).toBe(CORP);
      expect(signed.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
      expect(signed).not.toHaveProperty('ticket');
      expect(signed.agentId === undefined).toBe(type === 'corp');
    }
  });

  it('replaces a ticket WeCom ended early once, for a reported signature or ticket, and ignores forged reports', async () => {
    const corpId = 'wwjsapistale0001';
    await install(SUITE, corpId);
    const page = { suiteId: SUITE, corpId, type: 'agent' as const, url: 'https://app.example.com/p' };
    const sign = (extra: object = {}) =>
      harness.handler('jsapi-ticket')({ ...page, ...extra }) as Promise<{
        nonceStr: string;
        timestamp: number;
        signature: string;
      }>;
    const fetches = () => harness.simulator.calls('ticket/get');
    const first = await sign();
    const report = { nonceStr: first.nonceStr, timestamp: first.timestamp, signature: first.signature };
    const before = fetches();
    harness.simulator.invalidateJsapiTicket(SUITE, corpId, 'agent'); // the page's wx.agentConfig now fails
    offsetMs += 61_000; // reports of a ticket WeCom handed over within the last minute are ignored

    const forged = await sign({ rejectedSignature: { ...report, signature: 'f'.repeat(40) } });
    expect(fetches()).toBe(before);
    const renewed = await sign({ rejectedSignature: report });
    const reportedAgain = await sign({ rejectedSignature: report });

    expect(fetches() - before).toBe(1);
    const { ticket } = (await harness.handler('jsapi-ticket')({ suiteId: SUITE, corpId, type: 'agent' })) as {
      ticket: string;
    };
    const expected = (signed: { nonceStr: string; timestamp: number }) =>
      createHash('sha1')
        .update(
          `jsapi_ticket=${ticket}&noncestr=${signed.nonceStr}&timestamp=${signed.timestamp}&url=${page.url}`,
        )
        .digest('hex');
    expect(renewed.signature).toBe(expected(renewed));
    expect(reportedAgain.signature).toBe(expected(reportedAgain));
    expect(forged.signature).not.toBe(expected(forged)); // still signed with the old ticket

    // Without url, the ticket itself is reported.
    harness.simulator.invalidateJsapiTicket(SUITE, corpId, 'agent');
    offsetMs += 61_000;
    const stale = { suiteId: SUITE, corpId, type: 'agent', staleTicket: ticket };
    const replaced = (await harness.handler('jsapi-ticket')(stale)) as { ticket: string };
    const again = (await harness.handler('jsapi-ticket')(stale)) as { ticket: string };
    expect(replaced.ticket).not.toBe(ticket);
    expect(again.ticket).toBe(replaced.ticket);
    expect(fetches() - before).toBe(2);
  });

  it('announces an authorization it is the first to find broken (the corp token refused), like corp-token', async () => {
    const corpId = 'wwjsapibroken001';
    await install(SUITE, corpId);
    harness.simulator.cancelAuthorization(SUITE, corpId); // WeCom says 48004; no push reached us

    const refused = await failureOf(() =>
      harness.handler('jsapi-ticket')({ suiteId: SUITE, corpId, type: 'corp' }),
    );

    expect(refused).toMatchObject({ name: 'CorpNotAuthorizedError' });
    const broken = await eventually(async () =>
      harness.eventBridge.received
        .filter((event) => event.DetailType === 'WeCom Authorization Changed')
        .map((event) => JSON.parse(event.Detail) as Record<string, unknown>)
        .find((detail) => detail.corpId === corpId && detail.status === 'broken'),
    );
    expect(broken).toMatchObject({ suiteId: SUITE, cause: 'wecom_refused' });
  });

  it('refuses a URL that is not http(s) before fetching any ticket', async () => {
    // A corp with no ticket cached yet: fetching one first would show in the count.
    const corpId = 'wwjsapinourl0001';
    await install(SUITE, corpId);
    const calls = harness.simulator.calls('get_jsapi_ticket');
    for (const url of ['javascript:alert(1)', 'app.example.com/page', 'https://app.example.com/a b']) {
      expect(
        await failureOf(() => harness.handler('jsapi-ticket')({ suiteId: SUITE, corpId, type: 'corp', url })),
      ).toMatchObject({ name: 'InvalidRequestError' });
    }
    expect(
      await failureOf(() =>
        harness.handler('jsapi-ticket')({ suiteId: SUITE, corpId: 'wwnobody', type: 'corp' }),
      ),
    ).toMatchObject({ name: 'CorpNotAuthorizedError' });
    expect(harness.simulator.calls('get_jsapi_ticket')).toBe(calls);
  });

  it('answers 1,000 concurrent signature requests from 4 processes (100 containers) with one upstream ticket fetch', async () => {
    const corpId = 'wwjsapiconcurrent';
    await install(SUITE, corpId);
    const before = harness.simulator.calls('ticket/get');

    const outcomes = await runTokenWorkers(4, 250, {
      DYNAMODB_ENDPOINT: harness.table.endpoint,
      TABLE_NAME: harness.table.tableName,
      WECOM_API_BASE: harness.simulator.baseUrl,
      TOKEN_KIND: 'jsapi',
      JSAPI_CONTAINERS: '25',
      SUITE_ID: SUITE,
      CORP_ID: corpId,
    });

    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    const { ticket } = (await harness.handler('jsapi-ticket')({ suiteId: SUITE, corpId, type: 'agent' })) as {
      ticket: string;
    };
    // Every page was signed with that one ticket.
    for (const outcome of outcomes) {
      const [nonceStr, timestamp, signature] = String(outcome.token).split('|');
      const url = 'https://app.example.com/page?from=worker';
      expect(signature).toBe(
        createHash('sha1')
          .update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url}`)
          .digest('hex'),
      );
    }
    // One flight: one of the 1,000 callers took the ticket's mint lease. WeCom saw its call, plus at
    // most a retry for each attempt that got no answer on this loaded machine.
    expect(summedOverProcesses(outcomes, 250, (outcome) => outcome.leasesTaken?.jsapi_ticket ?? 0)).toBe(1);
    const retries = summedOverProcesses(outcomes, 250, (outcome) => outcome.networkFailures ?? 0);
    const fetches = harness.simulator.calls('ticket/get') - before;
    expect(fetches, `${fetches} fetches, ${retries} attempts without an answer`).toBeGreaterThanOrEqual(1);
    expect(fetches, `${fetches} fetches, ${retries} attempts without an answer`).toBeLessThanOrEqual(
      1 + retries,
    );
  }, 60_000);

  it('has a simulator that enforces WeCom’s quota (100 fetches an hour per app), so staying below it means something', async () => {
    const corpId = 'wwjsapiquota0001';
    await install(SUITE, corpId);
    const { accessToken } = await harness.handler('corp-token')({ suiteId: SUITE, corpId });
    const fetchTicket = async () =>
      (await (
        await fetch(
          `${harness.simulator.baseUrl}/cgi-bin/ticket/get?access_token=${accessToken}&type=agent_config`,
        )
      ).json()) as { errcode: number };

    const answers = [];
    for (let fetchNumber = 0; fetchNumber < 101; fetchNumber += 1) {
      answers.push((await fetchTicket()).errcode);
    }

    expect(answers.slice(0, 100).every((errcode) => errcode === 0)).toBe(true);
    expect(answers[100]).toBe(45009);
  });

  it('stays far below WeCom’s hourly quotas over a simulated day of page loads', async () => {
    const corpId = 'wwjsapiday000001';
    await install(SUITE, corpId);
    const started = clock.nowMs();
    const dayMs = 24 * 60 * 60 * 1000;
    // A page load every minute of simulated time, each signing both configs in a fresh container:
    // 2,880 signatures cross every refresh point of a day's twelve 2-hour tickets.
    for (let at = 0; at < dayMs; at += 60_000) {
      offsetMs += 60_000;
      if (at % (10 * 60_000) === 0) {
        await harness.pushTicket(SUITE); // WeCom pushes a ticket every 10 minutes
      }
      for (const type of ['corp', 'agent'] as const) {
        await harness.handler('jsapi-ticket')({
          suiteId: SUITE,
          corpId,
          type,
          url: 'https://app.example.com/',
        });
      }
    }

    for (const type of ['corp', 'agent'] as const) {
      const fetches = harness.simulator.jsapiFetchTimes(corpId, type).filter((atMs) => atMs >= started);
      const busiestHour = Math.max(
        ...fetches.map((atMs) => fetches.filter((other) => other >= atMs && other < atMs + 3_600_000).length),
      );
      // One fetch per 2-hour ticket lifetime: 12 a day; WeCom allows 400 (corp) and 100 (app) an hour.
      expect(fetches.length).toBeLessThanOrEqual(13);
      expect(busiestHour).toBeLessThanOrEqual(2);
      expect(busiestHour).toBeLessThan(JSAPI_QUOTA_PER_HOUR[type] / 50);
    }
    // Thousands of real round trips: ~25 s alone, several times that while a second suite runs.
  }, 300_000);
});
