import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { schemaErrorsOf } from '../support/event-schemas.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';
import { suiteEventXml } from '../support/wecom-pushes.ts';

/**
 * What WeCom says about an authorization (installer, agents and privileges, edition) is kept on the
 * item and carried in the Authorization Changed events, refreshed on change_auth and change_editon;
 * the provider's reference survives a market or promotion link's create_auth (its State).
 */

const SUITE = THIRD_PARTY_SUITE.suiteId;
const EDITION = {
  editionId: 'RLS65535',
  editionName: '协同版',
  appStatus: 3,
  userLimit: 200,
  expiredTime: 1_900_000_000,
};

let harness: TokenHarness;
let stopExchange: () => Promise<void>;

beforeAll(async () => {
  harness = await createTokenHarness();
  await harness.pushTicket(SUITE);
  stopExchange = await harness.startExchange();
}, 60_000);

afterAll(async () => {
  await stopExchange?.();
  await harness.close();
});

const changesOf = (corpId: string): Record<string, unknown>[] =>
  harness.eventBridge.received
    .filter((event) => event.DetailType === 'WeCom Authorization Changed')
    .map((event) => JSON.parse(event.Detail) as Record<string, unknown>)
    .filter((detail) => detail.corpId === corpId);

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A corp installs through a market or promotion link made with `state`; resolves its active event. */
const install = async (corpId: string, state: string): Promise<Record<string, unknown>> => {
  const authCode = harness.simulator.authorizeCorp(SUITE, corpId, `Corp ${corpId}`, state);
  await harness.pushXml(SUITE, suiteEventXml.createAuth(SUITE, authCode, nowSeconds(), state));
  return eventually(async () => changesOf(corpId).find((detail) => detail.status === 'active'));
};

describe('the details of an authorization', () => {
  it("keeps a create_auth's State as the provider's reference, and who installed, the agents and their privileges", async () => {
    const corpId = 'wwdetailcorp00001';

    const installed = await install(corpId, 'promo7');

    expect(installed).toMatchObject({
      cause: 'create_auth',
      installRef: 'promo7',
      installer: { userId: 'ZhangSan', name: 'ZhangSan', openUserId: expect.any(String) },
      authMode: 0,
      agents: [{ agentId: installed.agentId, authMode: 0, privilege: { level: 1, allowParty: [1] } }],
    });
    expect(installed.editions).toBeUndefined();
    expect(schemaErrorsOf('WeCom Authorization Changed', installed)).toEqual([]);
    const stored = await harness.newContainer().authorizations.getAuthorization(SUITE, corpId);
    expect(stored).toMatchObject({ installRef: 'promo7', installer: { userId: 'ZhangSan' }, authMode: 0 });
  });

  it('reads the edition again on change_editon and announces it once, with the edition after', async () => {
    const corpId = 'wwdetailcorp00002';
    await install(corpId, 'promo8');
    const before = await harness.newContainer().authorizations.getAuthorization(SUITE, corpId);
    const reads = harness.simulator.calls('service/get_auth_info');
    const timeStamp = nowSeconds();

    harness.simulator.setEdition(SUITE, corpId, EDITION);
    await harness.pushXml(SUITE, suiteEventXml.changeEdition(SUITE, corpId, timeStamp));

    const changed = await eventually(async () =>
      changesOf(corpId).find((detail) => detail.cause === 'change_editon'),
    );
    expect(before?.editions).toBeUndefined();
    expect(changed).toMatchObject({
      status: 'active',
      installRef: 'promo8',
      at: new Date(timeStamp * 1000).toISOString(),
      editions: [{ agentId: changed.agentId, ...EDITION, isVirtualVersion: false }],
      installer: { userId: 'ZhangSan' },
    });
    expect(schemaErrorsOf('WeCom Authorization Changed', changed)).toEqual([]);
    const after = await eventually(async () => {
      const stored = await harness.newContainer().authorizations.getAuthorization(SUITE, corpId);
      return stored?.pendingEvent === undefined ? stored : undefined;
    });
    expect(after?.editions).toEqual(changed.editions);
    expect(harness.simulator.calls('service/get_auth_info') - reads).toBe(1);
    expect(changesOf(corpId).filter((detail) => detail.cause === 'change_editon')).toHaveLength(1);
  });

  it('announces a change_auth once, after get_auth_info was read again, with what it said', async () => {
    const corpId = 'wwdetailcorp00003';
    await install(corpId, 'promo9');
    const reads = harness.simulator.calls('service/get_auth_info');
    harness.simulator.setEdition(SUITE, corpId, { ...EDITION, userLimit: 500 });

    await harness.pushXml(SUITE, suiteEventXml.changeAuth(SUITE, corpId, nowSeconds()));

    const changed = await eventually(async () =>
      changesOf(corpId).find((detail) => detail.cause === 'change_auth'),
    );
    expect(changed).toMatchObject({
      status: 'active',
      editions: [{ userLimit: 500 }],
      agents: [{ authMode: 0 }],
    });
    await eventually(async () => {
      const stored = await harness.newContainer().authorizations.getAuthorization(SUITE, corpId);
      return stored?.pendingEvent === undefined && stored?.authInfoStale === false ? true : undefined;
    });
    expect(harness.simulator.calls('service/get_auth_info') - reads).toBe(1);
    expect(changesOf(corpId).filter((detail) => detail.cause === 'change_auth')).toHaveLength(1);
  });

  it('never puts the permanent code in an event or the stored details', async () => {
    const corpId = 'wwdetailcorp00004';
    await install(corpId, 'promo10');
    const stored = await harness.newContainer().authorizations.getAuthorization(SUITE, corpId);
    const permanentCode = stored?.permanentCode ?? '';

    expect(permanentCode).not.toBe('');
    for (const event of harness.eventBridge.received) {
      expect(event.Detail).not.toContain(permanentCode);
    }
  });
});

describe('the authorization function', () => {
  it('answers the status and the details, never the permanent code; a revoked corp as revoked', async () => {
    const corpId = 'wwdetailcorp00005';
    await install(corpId, 'promo11');
    const stored = await harness.newContainer().authorizations.getAuthorization(SUITE, corpId);
    const permanentCode = stored?.permanentCode ?? '';

    const active = await harness.handler('authorization')({ suiteId: SUITE, corpId });
    await harness.pushCancel(SUITE, corpId);
    const revoked = await harness.handler('authorization')({ suiteId: SUITE, corpId });

    expect(permanentCode).not.toBe('');
    expect(active).toMatchObject({
      suiteId: SUITE,
      corpId,
      status: 'active',
      corpName: `Corp ${corpId}`,
      installRef: 'promo11',
      installer: { userId: 'ZhangSan' },
      authMode: 0,
      agents: [{ agentId: stored?.agentId, privilege: { level: 1 } }],
      authorizedAt: expect.stringMatching(/Z$/),
    });
    expect(JSON.stringify(active)).not.toContain(permanentCode);
    expect(Object.keys(active)).not.toContain('permanentCode');
    expect(revoked).toMatchObject({
      status: 'revoked',
      installRef: 'promo11',
      revokedAt: expect.any(String),
    });
  });

  it('refuses a corp that never authorized, a malformed payload and an unknown suite with typed errors', async () => {
    await expect(
      harness.handler('authorization')({ suiteId: SUITE, corpId: 'wwnevercorp000001' }),
    ).rejects.toMatchObject({ name: 'CorpNotAuthorizedError' });
    await expect(harness.handler('authorization')({ suiteId: SUITE })).rejects.toMatchObject({
      name: 'InvalidRequestError',
    });
    await expect(
      harness.handler('authorization')({ suiteId: SUITE, corpId: 'wwx', permanentCode: true }),
    ).rejects.toMatchObject({ name: 'InvalidRequestError' });
    await expect(
      harness.handler('authorization')({ suiteId: 'wwnotconfigured', corpId: 'wwnevercorp000001' }),
    ).rejects.toMatchObject({ name: 'UnknownSuiteError' });
  });
});
