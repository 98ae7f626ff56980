import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RequestDeadlines } from '../../../../functions/adapters/deadline/request-deadlines.ts';
import { HttpWeComApi } from '../../../../functions/adapters/wecom/wecom-api-client.ts';
import { UpstreamUnavailableError, WeComApiError } from '../../../../functions/core/errors.ts';
import { findFreePort } from '../../../../local/free-port.ts';
import { WeComSimulator } from '../../../../local/wecom-simulator/wecom-simulator.ts';
import { startStalledPeer } from '../../../support/stalled-peer.ts';

const SUITE = { suiteId: 'wwclientsuite', suiteSecret: 'client-suite-secret' };
const TEMPLATE = { suiteId: 'dkclienttemplate', suiteSecret: 'client-template-secret' };
let nowMs = 1_795_334_400_000;
let simulator: WeComSimulator;
let api: HttpWeComApi;
const sleeps: number[] = [];

beforeAll(async () => {
  simulator = await new WeComSimulator({ suites: [SUITE, TEMPLATE], nowMs: () => nowMs }).start();
  api = new HttpWeComApi({
    baseUrl: simulator.baseUrl,
    timeoutMs: 200,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(() => {
  simulator.clearFaults();
  sleeps.length = 0;
});

const errorOf = async (action: () => Promise<unknown>): Promise<Error> => {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
};

describe('the WeCom simulator behaves like WeCom', () => {
  it('accepts every suite_ticket while it is live (30 minutes), as WeCom does, and none after', async () => {
    const old = simulator.issueSuiteTicket(SUITE.suiteId);
    nowMs += 10 * 60 * 1000;
    const newest = simulator.issueSuiteTicket(SUITE.suiteId);

    const withOld = await api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, old.suiteTicket);
    const withNewest = await api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, newest.suiteTicket);
    nowMs += 21 * 60 * 1000;
    const oldExpired = await errorOf(() =>
      api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, old.suiteTicket),
    );
    const newestLive = await api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, newest.suiteTicket);
    nowMs += 10 * 60 * 1000;
    const newestExpired = await errorOf(() =>
      api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, newest.suiteTicket),
    );
    const forged = await errorOf(() => api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, 'ticket-forged'));

    expect(newest.timeStamp).toBeGreaterThan(old.timeStamp);
    expect(withOld.accessToken).toBe(withNewest.accessToken);
    expect(newestLive.accessToken).toBe(withOld.accessToken);
    expect((oldExpired as WeComApiError).errcode).toBe(40085);
    expect((newestExpired as WeComApiError).errcode).toBe(40085);
    expect((forged as WeComApiError).errcode).toBe(40085);
  });

  it('returns the same token while it is valid, reporting the remaining or (as configured) the full lifetime', async () => {
    const full = await new WeComSimulator({
      suites: [SUITE],
      nowMs: () => nowMs,
      repeatedExpiresIn: 'full',
    }).start();
    const fullApi = new HttpWeComApi({ baseUrl: full.baseUrl, timeoutMs: 1000 });
    try {
      for (const [target, client] of [
        [simulator, api],
        [full, fullApi],
      ] as const) {
        const { suiteTicket } = target.issueSuiteTicket(SUITE.suiteId);
        const first = await client.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, suiteTicket);
        nowMs += 1000 * 1000;
        const again = await client.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, suiteTicket);

        expect(again.accessToken).toBe(first.accessToken);
        expect(again.expiresInSeconds).toBe(target === full ? 7200 : first.expiresInSeconds - 1000);
      }
    } finally {
      await full.stop();
    }
  });

  it('answers 60020 to every call while the egress IP is not allow-listed', async () => {
    const { suiteTicket } = simulator.issueSuiteTicket(SUITE.suiteId);
    simulator.setIpAllowListed(false);

    const refused = await errorOf(() => api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, suiteTicket));
    simulator.setIpAllowListed(true);
    const allowed = await api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, suiteTicket);

    expect((refused as WeComApiError).errcode).toBe(60020);
    expect(allowed.accessToken).not.toBe('');
  });

  it('rejects a wrong suite secret and an unknown suite', async () => {
    const { suiteTicket } = simulator.issueSuiteTicket(SUITE.suiteId);

    expect(
      ((await errorOf(() => api.getSuiteToken(SUITE.suiteId, 'wrong', suiteTicket))) as WeComApiError)
        .errcode,
    ).toBe(40080);
    expect(
      ((await errorOf(() => api.getSuiteToken('wwnope', 'x', suiteTicket))) as WeComApiError).errcode,
    ).toBe(40083);
  });

  it('returns the same suite token while it is valid and reports the remaining lifetime', async () => {
    const { suiteTicket } = simulator.issueSuiteTicket(SUITE.suiteId);
    const first = await api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, suiteTicket);
    nowMs += 600 * 1000;

    const second = await api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, suiteTicket);

    expect(second.accessToken).toBe(first.accessToken);
    expect(second.expiresInSeconds).toBe(first.expiresInSeconds - 600);
  });

  it('exchanges an auth code once, within 10 minutes, and honours only the current permanent code', async () => {
    const { suiteTicket } = simulator.issueSuiteTicket(SUITE.suiteId);
    const suiteToken = (await api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, suiteTicket)).accessToken;
    const code = simulator.authorizeCorp(SUITE.suiteId, 'wxcorpclient', 'Client Corp');
    const lateCode = simulator.authorizeCorp(SUITE.suiteId, 'wxcorplate');

    const grant = await api.getPermanentCode(suiteToken, code);
    const reused = await errorOf(() => api.getPermanentCode(suiteToken, code));
    nowMs += 11 * 60 * 1000;
    const tooLate = await errorOf(() => api.getPermanentCode(suiteToken, lateCode));
    const freshToken = (
      await api.getSuiteToken(
        SUITE.suiteId,
        SUITE.suiteSecret,
        simulator.issueSuiteTicket(SUITE.suiteId).suiteTicket,
      )
    ).accessToken;
    const corpToken = await api.getCorpToken(freshToken, 'wxcorpclient', grant.permanentCode);
    const wrongCode = await errorOf(() => api.getCorpToken(freshToken, 'wxcorpclient', 'not-the-code'));
    const info = await api.getAuthInfo(freshToken, 'wxcorpclient', grant.permanentCode, 'third_party');

    expect(grant).toMatchObject({ corpId: 'wxcorpclient', corpName: 'Client Corp' });
    expect((reused as WeComApiError).errcode).toBe(40078);
    expect((tooLate as WeComApiError).errcode).toBe(40078);
    expect(corpToken.accessToken).toMatch(/^corp-token-/);
    expect((wrongCode as WeComApiError).errcode).toBe(40084);
    expect(info.corpName).toBe('Client Corp');
    expect(info.agentId).toBeGreaterThan(0);
  });

  it('keeps what v2 get_permanent_code and get_auth_info say: installer, state, agents, privileges, edition (v2 info for 代开发)', async () => {
    const { suiteTicket } = simulator.issueSuiteTicket(TEMPLATE.suiteId);
    const suiteToken = (await api.getSuiteToken(TEMPLATE.suiteId, TEMPLATE.suiteSecret, suiteTicket))
      .accessToken;
    const v1 = simulator.calls('service/get_auth_info');
    const v2 = simulator.calls('service/v2/get_auth_info');
    const grant = await api.getPermanentCode(
      suiteToken,
      simulator.authorizeCorp(TEMPLATE.suiteId, 'wxcorpdkinfo', 'Info Corp', 'qr42'),
    );

    const info = await api.getAuthInfo(suiteToken, 'wxcorpdkinfo', grant.permanentCode, 'customized');

    expect(grant).toMatchObject({
      corpId: 'wxcorpdkinfo',
      state: 'qr42',
      installer: { userId: 'ZhangSan', name: 'ZhangSan', openUserId: expect.any(String) },
    });
    expect(JSON.stringify(grant.installer)).not.toContain(grant.permanentCode);
    expect(info).toMatchObject({
      corpName: 'Info Corp',
      authMode: 0,
      agents: [
        {
          agentId: info.agentId,
          name: 'Simulated app',
          authMode: 0,
          isCustomizedApp: true,
          privilege: { level: 1, allowParty: [1], allowUser: [] },
        },
      ],
    });
    expect(info.editions).toBeUndefined();
    expect(simulator.calls('service/v2/get_auth_info') - v2).toBe(1);
    expect(simulator.calls('service/get_auth_info') - v1).toBe(0);
  });

  it('gives 代开发 templates their corp token through gettoken only', async () => {
    const { suiteTicket } = simulator.issueSuiteTicket(TEMPLATE.suiteId);
    const suiteToken = (await api.getSuiteToken(TEMPLATE.suiteId, TEMPLATE.suiteSecret, suiteTicket))
      .accessToken;
    const grant = await api.getPermanentCode(
      suiteToken,
      simulator.authorizeCorp(TEMPLATE.suiteId, 'wxcorpdk'),
    );

    const token = await api.getCustomizedCorpToken('wxcorpdk', grant.permanentCode);
    const viaSuite = await errorOf(() => api.getCorpToken(suiteToken, 'wxcorpdk', grant.permanentCode));
    const wrongSecret = await errorOf(() =>
      api.getCustomizedCorpToken('wxcorpdk', 'template-secret-is-not-the-app-secret'),
    );

    expect(simulator.isValidCorpToken(TEMPLATE.suiteId, 'wxcorpdk', token.accessToken)).toBe(true);
    expect((viaSuite as WeComApiError).errcode).toBe(48002);
    expect((wrongSecret as WeComApiError).errcode).toBe(40001);
  });

  it('counts every call, faults included', async () => {
    const before = simulator.calls('gettoken');
    simulator.injectFaults('gettoken', { kind: 'errcode', errcode: 40013 });

    await errorOf(() => api.getCustomizedCorpToken('wxnobody', 'x'));
    await errorOf(() => api.getCustomizedCorpToken('wxnobody', 'x'));

    expect(simulator.calls('gettoken') - before).toBe(2);
  });
});

describe('HttpWeComApi retries', () => {
  it('retries -1 with jittered backoff, then succeeds', async () => {
    const { suiteTicket } = simulator.issueSuiteTicket(SUITE.suiteId);
    simulator.injectFaults(
      'service/get_suite_token',
      { kind: 'errcode', errcode: -1 },
      { kind: 'errcode', errcode: -1 },
    );

    const minted = await api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, suiteTicket);

    expect(minted.accessToken).toMatch(/^suite-token-/);
    expect(sleeps).toEqual([50, 100]);
  });

  it('backs off longer after a rate limit (45009)', async () => {
    const { suiteTicket } = simulator.issueSuiteTicket(SUITE.suiteId);
    simulator.injectFaults('service/get_suite_token', { kind: 'errcode', errcode: 45009 });

    await api.getSuiteToken(SUITE.suiteId, SUITE.suiteSecret, suiteTicket);

    expect(sleeps).toEqual([750]);
  });

  it('does not retry a hard error such as 40013', async () => {
    const before = simulator.calls('gettoken');
    simulator.injectFaults('gettoken', { kind: 'errcode', errcode: 40013 });

    const error = await errorOf(() => api.getCustomizedCorpToken('wxany', 'x'));

    expect(error).toBeInstanceOf(WeComApiError);
    expect(simulator.calls('gettoken') - before).toBe(1);
  });

  it('gives up after three timeouts with UpstreamUnavailableError', async () => {
    simulator.injectFaults(
      'gettoken',
      ...Array.from({ length: 3 }, () => ({ kind: 'timeout' as const, holdMs: 500 })),
    );

    const error = await errorOf(() => api.getCustomizedCorpToken('wxany', 'x'));

    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error.message).toContain('timed out');
  });

  it('treats an answer without a token as upstream trouble, not success', async () => {
    simulator.injectFaults('gettoken', { kind: 'errcode', errcode: 0 });

    expect(await errorOf(() => api.getCustomizedCorpToken('wxany', 'x'))).toBeInstanceOf(
      UpstreamUnavailableError,
    );
  });

  it('reports a refused connection as unreachable and never puts the secret in the message', async () => {
    const closed = new HttpWeComApi({
      baseUrl: `http://127.0.0.1:${await findFreePort()}`,
      timeoutMs: 200,
      sleep: async () => undefined,
    });

    const error = await errorOf(() => closed.getCustomizedCorpToken('wxany', 'PERMANENT-CODE-SECRET'));

    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error.message).toContain('connection refused');
    expect(error.message).not.toContain('PERMANENT-CODE-SECRET');
  });

  it('holds each attempt to what is left of the request’s deadline, and starts none after it', async () => {
    const stalled = await startStalledPeer();
    const deadlines = new RequestDeadlines();
    const bounded = new HttpWeComApi({
      baseUrl: stalled.endpoint,
      timeoutMs: 3000,
      sleep: async () => undefined,
      deadlines,
    });

    const error = await deadlines.run(Date.now() + 150, () =>
      errorOf(() => bounded.getSuiteToken('wwany', 'SUITE-SECRET', 'ticket')),
    );
    const connections = stalled.connections();
    await stalled.close();

    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error.message).toContain('timed out');
    expect(error.message).not.toContain('SUITE-SECRET');
    expect(connections).toBe(1);
  });
});
