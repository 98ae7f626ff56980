import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMIZED_TEMPLATE, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { failureOf } from '../support/errors.ts';
import { createTokenHarness, installCorp, type TokenHarness } from '../support/token-harness.ts';

/**
 * Sign-in tells the truth (docs/callers.md, Sign-in and JS-SDK pages): WeCom answers
 * getuserinfo3rd for a member of any corp, so a member of a corp without an active authorization
 * is refused; non-members come back as such; a 代开发 user_ticket gets its documented 1800 s.
 */

const SUITE = THIRD_PARTY_SUITE.suiteId;
const TEMPLATE = CUSTOMIZED_TEMPLATE.suiteId;
const CORP = 'wwtruthcorp0001';
const DK_CORP = 'wwtruthdkcorp01';

let harness: TokenHarness;

const install = (suiteId: string, corpId: string) => installCorp(harness, suiteId, corpId);

beforeAll(async () => {
  harness = await createTokenHarness();
  await install(SUITE, CORP);
  await install(TEMPLATE, DK_CORP);
}, 90_000);

afterAll(async () => {
  await harness.close();
});

describe('user-identity', () => {
  it('refuses a member of a corp that never installed the third-party suite with CorpNotAuthorizedError', async () => {
    const code = harness.simulator.issueOAuthCode(SUITE, 'wwtruthstranger', {
      userId: 'zhangsan',
      scope: 'snsapi_privateinfo',
    });

    const refused = await failureOf(() => harness.handler('user-identity')({ code, suiteId: SUITE }));

    expect(refused).toMatchObject({ name: 'CorpNotAuthorizedError' });
  });

  it('refuses a member of a corp that uninstalled, and serves a member of an installed corp as a member', async () => {
    const corpId = 'wwtruthgone0001';
    await install(SUITE, corpId);
    await harness.pushCancel(SUITE, corpId);
    const gone = harness.simulator.issueOAuthCode(SUITE, corpId, { userId: 'lisi' });
    const member = harness.simulator.issueOAuthCode(SUITE, CORP, { userId: 'lisi' });

    const refused = await failureOf(() => harness.handler('user-identity')({ code: gone, suiteId: SUITE }));
    const identity = await harness.handler('user-identity')({ code: member, suiteId: SUITE });

    expect(refused).toMatchObject({ name: 'CorpNotAuthorizedError' });
    expect(identity).toMatchObject({ member: true, corpId: CORP, userId: 'lisi' });
    expect(identity).not.toHaveProperty('userTicket'); // snsapi_base brings none
  });

  it('answers a third-party outsider as a non-member with an openId, claiming no corp', async () => {
    const code = harness.simulator.issueOAuthCode(SUITE, CORP);

    const identity = await harness.handler('user-identity')({ code, suiteId: SUITE, corpId: CORP });

    expect(identity).toMatchObject({ member: false, openId: expect.stringMatching(/^openid-/) });
    expect(identity).not.toHaveProperty('corpId');
    expect(identity).not.toHaveProperty('userId');
  });

  it('answers a 代开发 outsider who is a customer with openId and externalUserId', async () => {
    const code = harness.simulator.issueOAuthCode(TEMPLATE, DK_CORP, { externalUserId: 'wmtruthcustomer' });

    const identity = await harness.handler('user-identity')({ code, suiteId: TEMPLATE, corpId: DK_CORP });

    expect(identity).toMatchObject({
      member: false,
      corpId: DK_CORP,
      openId: expect.any(String),
      externalUserId: 'wmtruthcustomer',
    });
  });

  it('gives a 代开发 user_ticket its documented 1800 s, although auth/getuserinfo says no expires_in', async () => {
    const code = harness.simulator.issueOAuthCode(TEMPLATE, DK_CORP, {
      userId: 'wangwu',
      scope: 'snsapi_privateinfo',
    });
    const askedAt = Date.now();

    const identity = await harness.handler('user-identity')({ code, suiteId: TEMPLATE, corpId: DK_CORP });
    const answeredAt = Date.now();

    expect(identity.userTicket).toEqual(expect.any(String));
    const expiresAt = Date.parse(identity.userTicketExpiresAt ?? '');
    expect(expiresAt).toBeGreaterThanOrEqual(askedAt + 1_800_000);
    expect(expiresAt).toBeLessThanOrEqual(answeredAt + 1_800_000);
  });
});

describe('user-detail', () => {
  it('hands on the userid WeCom returns as name for a third-party app', async () => {
    const code = harness.simulator.issueOAuthCode(SUITE, CORP, {
      userId: 'zhaoliu',
      scope: 'snsapi_userinfo',
    });
    const { userTicket } = await harness.handler('user-identity')({ code, suiteId: SUITE });

    const detail = await harness.handler('user-detail')({ userTicket: userTicket ?? '', suiteId: SUITE });

    expect(detail).toMatchObject({ corpId: CORP, userId: 'zhaoliu', name: 'zhaoliu' });
  });
});
