import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../functions/core/config/service-config.ts';
import { SANDBOX_CORP_COOKIE } from '../../local/wecom-simulator/wecom-simulator.ts';
import { TEST_CONFIG, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';

/**
 * Installs started on the provider's website (docs/architecture.md, Installs from the website): through the real public routes, the
 * simulator playing WeCom's install page and the browser, and the same exchange as create_auth.
 */

const SUITE = THIRD_PARTY_SUITE.suiteId;
/**
 * A second third-party suite in test mode and without a completion page. It shares the first
 * suite's secret, so the cross-suite case proves the state is bound to the suite id itself.
 */
const TEST_MODE_SUITE = 'wwtestsuite0000002';
const COMPLETE_URL = 'https://provider.example/installed?from=wecom';

const CONFIG: ServiceConfig = {
  ...TEST_CONFIG,
  suites: [
    { ...THIRD_PARTY_SUITE, installCompleteUrl: COMPLETE_URL },
    ...TEST_CONFIG.suites.slice(1),
    {
      ...THIRD_PARTY_SUITE,
      suiteId: TEST_MODE_SUITE,
      installTestMode: true,
    },
  ],
  verifyFiles: { 'WW_verify_Ab12Cd34.txt': 'Ab12Cd34verification' },
};

let offsetMs = 0;
const clock = { nowMs: () => Date.now() + offsetMs };
let harness: TokenHarness;
let base: string;
let stopExchange: () => Promise<void>;

beforeAll(async () => {
  harness = await createTokenHarness({ config: CONFIG, clock });
  base = await harness.servePublicRoutes();
  await harness.pushTicket(SUITE);
  await harness.pushTicket(TEST_MODE_SUITE);
  stopExchange = await harness.startExchange();
}, 60_000);

afterAll(async () => {
  await stopExchange?.();
  await harness.close();
});

const get = (url: string, cookie?: string) =>
  fetch(url, { redirect: 'manual', ...(cookie === undefined ? {} : { headers: { cookie } }) });

/** Starts an install and consents on WeCom's page as `corpId`; returns the redirect back to us. */
const redirectBack = async (suiteId: string, corpId: string, ref?: string): Promise<URL> => {
  const start = await get(`${base}/install/${suiteId}${ref === undefined ? '' : `?ref=${ref}`}`);
  expect(start.status).toBe(302);
  const page = await get(start.headers.get('location') ?? '', `${SANDBOX_CORP_COOKIE}=${corpId}`);
  expect(page.status).toBe(302);
  return new URL(page.headers.get('location') ?? '');
};

/** The keys of every stored auth code and spent state: what a refused redirect must not add to. */
const storedCodesAndStates = async (): Promise<string[]> =>
  (await harness.table.scanAll())
    .filter((item) => item.entity === 'AuthCode' || item.entity === 'InstallState')
    .map((item) => `${item.pk}|${item.sk}`);

/** Waits until the stream has exchanged `corpId`'s install: its Authorization Changed event is out. */
const exchanged = (corpId: string): Promise<true> =>
  eventually(async () =>
    harness.eventBridge.received.some(
      (event) => event.DetailType === 'WeCom Authorization Changed' && event.Detail.includes(corpId),
    )
      ? true
      : undefined,
  );

const withParameter = (url: URL, name: string, value: string | undefined): string => {
  const copy = new URL(url);
  if (value === undefined) {
    copy.searchParams.delete(name);
  } else {
    copy.searchParams.set(name, value);
  }
  return copy.toString();
};

describe('install from the provider website', () => {
  it('302s to WeCom, takes the code back, and the corp has a token within 5 s; ref comes back everywhere', async () => {
    const corpId = 'wwwebsitecorp0001';
    const hops = await harness.simulator.installViaWebsite(`${base}/install/${SUITE}?ref=order_42-x`, corpId);

    const install = new URL(hops[0]?.location ?? '');
    expect(hops[0]?.status).toBe(302);
    expect(`${install.origin}${install.pathname}`).toBe(`${harness.simulator.baseUrl}/3rdapp/install`);
    expect(install.searchParams.get('suite_id')).toBe(SUITE);
    expect(install.searchParams.get('pre_auth_code')).toMatch(/^preauth-/);
    expect(install.searchParams.get('redirect_uri')).toBe(`${base}/install/${SUITE}/complete`);
    expect(install.searchParams.get('state')).toMatch(/^[A-Za-z0-9]{1,128}$/);
    expect(hops[1]?.location).toMatch(new RegExp(`^${base}/install/${SUITE}/complete\\?auth_code=`));
    expect(hops[2]?.status).toBe(302);
    expect(hops[2]?.location).toBe(`${COMPLETE_URL}&status=received&ref=order_42-x`);

    const token = await eventually(async () => {
      try {
        return await harness.handler('corp-token')({ corpId, suiteId: SUITE });
      } catch {
        return undefined;
      }
    });
    expect(harness.simulator.isValidCorpToken(SUITE, corpId, token.accessToken)).toBe(true);

    const installed = await eventually(async () =>
      harness.eventBridge.received
        .filter((event) => event.DetailType === 'WeCom Authorization Changed')
        .map((event) => JSON.parse(event.Detail) as Record<string, unknown>)
        .find((detail) => detail.corpId === corpId && detail.status === 'active'),
    );
    expect(installed).toMatchObject({ suiteId: SUITE, cause: 'install', installRef: 'order_42-x' });
    expect(harness.simulator.authTypeOf(SUITE, corpId)).toBe(0);
  });

  it('installs a suite in installTestMode as a test authorization, and answers a page without installCompleteUrl', async () => {
    const sessions = harness.simulator.calls('service/set_session_info');
    const corpId = 'wwtestmodecorp001';

    const hops = await harness.simulator.installViaWebsite(`${base}/install/${TEST_MODE_SUITE}`, corpId);

    expect(hops.at(-1)?.status).toBe(200);
    expect(hops.at(-1)?.body).toContain('Installation received');
    expect(harness.simulator.calls('service/set_session_info') - sessions).toBe(1);
    await eventually(async () => harness.simulator.authTypeOf(TEST_MODE_SUITE, corpId));
    expect(harness.simulator.authTypeOf(TEST_MODE_SUITE, corpId)).toBe(1);
    // v2 get_permanent_code hands back the link's state, here the service's own signed state: it is
    // no reference of the provider's, and an install without `ref` carries none.
    const installed = await eventually(async () =>
      harness.eventBridge.received
        .filter((event) => event.DetailType === 'WeCom Authorization Changed')
        .map((event) => JSON.parse(event.Detail) as Record<string, unknown>)
        .find((detail) => detail.corpId === corpId && detail.status === 'active'),
    );
    expect(installed).toMatchObject({ cause: 'install', installer: { userId: 'ZhangSan' } });
    expect(installed.installRef).toBeUndefined();
  });

  it.each([
    [
      'tampered',
      (url: URL) => withParameter(url, 'state', tamper(url.searchParams.get('state') ?? '')),
      'FORGED',
    ],
    ['missing', (url: URL) => withParameter(url, 'state', undefined), 'MISSING'],
    ['not ours', (url: URL) => withParameter(url, 'state', 'sandbox'), 'MALFORMED'],
    [
      'cross-suite',
      (url: URL) => url.toString().replace(`/install/${SUITE}/`, `/install/${TEST_MODE_SUITE}/`),
      'FORGED',
    ],
  ])('refuses a %s state with 400 and stores nothing', async (_name, alter, reason) => {
    const back = await redirectBack(SUITE, 'wwrefusedcorp0001');
    const before = await storedCodesAndStates();

    const response = await get(alter(back));

    expect(response.status).toBe(400);
    expect(await response.text()).toBe(`bad request: INSTALL_STATE_${reason}`);
    expect(await storedCodesAndStates()).toEqual(before);
  });

  it('answers a reload of the completion URL (same state and code) with the same redirect and no second exchange', async () => {
    const corpId = 'wwreloadcorp00001';
    const back = await redirectBack(SUITE, corpId, 'r0');
    const first = await get(back.toString());
    expect(first.status).toBe(302);
    await exchanged(corpId);
    const authCode = back.searchParams.get('auth_code') ?? '';
    const before = await storedCodesAndStates();

    const reloads = [await get(back.toString()), await get(back.toString())];

    for (const reload of reloads) {
      expect(reload.status).toBe(302);
      expect(reload.headers.get('location')).toBe(first.headers.get('location'));
      expect(reload.headers.get('location')).toBe(`${COMPLETE_URL}&status=received&ref=r0`);
    }
    expect(await storedCodesAndStates()).toEqual(before);
    // No new auth code item, so nothing for the stream to exchange: the code was asked once.
    expect(harness.simulator.permanentCodeAsks(authCode)).toBe(1);
    const spent = (await harness.table.scanAll()).filter((item) => item.entity === 'InstallState');
    // The spent state names its code by a digest only.
    expect(JSON.stringify(spent)).not.toContain(authCode);
  });

  it('refuses a reused state with another auth code, and stores nothing the second time', async () => {
    const corpId = 'wwreusedcorp00001';
    const back = await redirectBack(SUITE, corpId, 'r1');
    const first = await get(back.toString());
    expect(first.status).toBe(302);
    const before = await storedCodesAndStates();

    const otherCode = await get(withParameter(back, 'auth_code', `authcode-forged-${'0'.repeat(64)}`));

    expect(otherCode.status).toBe(400);
    expect(await otherCode.text()).toBe('bad request: INSTALL_STATE_REUSED');
    expect(await storedCodesAndStates()).toEqual(before);
    // The first code's exchange runs on after the redirect; a later test counting exchanges must not see it.
    await exchanged(corpId);
  });

  it('counts a made-up auth code brought back with a fresh state: one get_permanent_code, one InstallExchangeFailed', async () => {
    const back = await redirectBack(SUITE, 'wwjunkcorp0000001');
    const failedBefore = harness.runtime.metricsLog.recorded.filter(
      (entry) => entry.name === 'installExchangeFailed',
    ).length;
    const madeUp = `authcode-madeup-${'7'.repeat(64)}`;

    const junk = await get(withParameter(back, 'auth_code', madeUp));

    expect(junk.status).toBe(302);
    const counted = await eventually(async () => {
      const failed = harness.runtime.metricsLog.recorded.filter(
        (entry) => entry.name === 'installExchangeFailed',
      );
      return failed.length > failedBefore ? failed : undefined;
    });
    expect(counted.slice(failedBefore)).toEqual([
      { service: 'auth-exchange', name: 'installExchangeFailed', suiteId: SUITE },
    ]);
    // Counted by the code it named: another test's exchange running on cannot land in this count.
    expect(harness.simulator.permanentCodeAsks(madeUp)).toBe(1);
  });

  it('refuses an expired state (the pre-auth code’s 20 minutes are over) and stores nothing', async () => {
    const back = await redirectBack(SUITE, 'wwexpiredcorp0001');
    const before = await storedCodesAndStates();
    offsetMs += 21 * 60_000;
    try {
      const response = await get(back.toString());
      expect(response.status).toBe(400);
      expect(await response.text()).toBe('bad request: INSTALL_STATE_EXPIRED');
      expect(await storedCodesAndStates()).toEqual(before);
    } finally {
      // Tickets and tokens were issued on the shifted clock's past; a fresh ticket keeps later tests valid.
      await harness.pushTicket(SUITE);
    }
  });

  it('refuses bad input before asking WeCom: a malformed ref, an unknown suite, a 代开发 template', async () => {
    const calls = harness.simulator.calls('service/get_pre_auth_code');

    const badRef = await get(`${base}/install/${SUITE}?ref=${encodeURIComponent('no spaces!')}`);
    const unknown = await get(`${base}/install/wwnotconfigured/complete?state=A&auth_code=x`);
    const template = await get(`${base}/install/${TEST_CONFIG.suites[1]?.suiteId}`);

    expect(badRef.status).toBe(400);
    expect(unknown.status).toBe(404);
    expect(template.status).toBe(400);
    expect(harness.simulator.calls('service/get_pre_auth_code')).toBe(calls);
  });

  it('holds under a flood: 200 anonymous GET /install share one pre-auth code and write nothing', async () => {
    offsetMs += 11 * 60_000; // past the cached code's serving time: the flood finds none
    await harness.pushTicket(SUITE);
    const calls = harness.simulator.calls('service/get_pre_auth_code');
    const itemsBefore = (await harness.table.scanAll()).length;

    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        get(`${base}/install/${SUITE}`).then((response) => response.headers.get('location') ?? ''),
      ),
    );

    const codes = new Set(answers.map((location) => new URL(location).searchParams.get('pre_auth_code')));
    const states = new Set(answers.map((location) => new URL(location).searchParams.get('state')));
    expect(codes.size).toBe(1);
    expect(states.size).toBe(200);
    expect(harness.simulator.calls('service/get_pre_auth_code') - calls).toBe(1);
    // At most the cache item of the new code (the old one is overwritten in place).
    expect((await harness.table.scanAll()).length).toBe(itemsBefore);
  });

  it('serves the configured WW_verify file and 404s any other name at the root', async () => {
    const file = await get(`${base}/WW_verify_Ab12Cd34.txt`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('Ab12Cd34verification');
    for (const path of ['/WW_verify_Other000.txt', '/favicon.ico', '/WW_verify_Ab12Cd34.txt.bak']) {
      expect((await get(`${base}${path}`)).status).toBe(404);
    }
  });
});

/** The same state with one character in the middle changed (still canonical base32). */
const tamper = (state: string): string => {
  const at = Math.floor(state.length / 2);
  return `${state.slice(0, at)}${state[at] === 'B' ? 'C' : 'B'}${state.slice(at + 1)}`;
};
