import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMIZED_TEMPLATE, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';
import { suiteEventXml } from '../support/wecom-pushes.ts';

/** customized-auth-url: 代开发 authorization links with the provider token. */

let harness: TokenHarness;

beforeAll(async () => {
  harness = await createTokenHarness();
}, 60_000);

afterAll(async () => {
  await harness.close();
});

describe('customized-auth-url', () => {
  it('answers a QR-code link for 代开发 templates, minting the provider token once', async () => {
    const providerCalls = harness.simulator.calls('service/get_provider_token');
    const started = Date.now();

    const first = await harness.handler('customized-auth-url')({
      templateIds: [CUSTOMIZED_TEMPLATE.suiteId],
      state: 'web1',
    });
    const second = await harness.handler('customized-auth-url')({
      templateIds: [CUSTOMIZED_TEMPLATE.suiteId],
    });

    expect(first.qrcodeUrl).toMatch(/^https:\/\/open\.work\.weixin\.qq\.com\//);
    // WeCom keeps the state: the link itself does not carry it.
    expect(first.qrcodeUrl).not.toContain('web1');
    expect(second.qrcodeUrl).not.toBe(first.qrcodeUrl);
    expect(Date.parse(first.expiresAt) - started).toBeGreaterThan(863_000_000);
    expect(harness.simulator.calls('service/get_provider_token') - providerCalls).toBe(1);
  });

  it("carries the QR code's state to the authorization and its event, from v2 get_permanent_code alone", async () => {
    const stopExchange = await harness.startExchange();
    try {
      const template = CUSTOMIZED_TEMPLATE.suiteId;
      const corpId = 'wwqrstatecorp0001';
      await harness.pushTicket(template);
      const { qrcodeUrl } = await harness.handler('customized-auth-url')({
        templateIds: [template],
        state: 'customer42',
      });

      // The admin scans it; WeCom's create_auth for it carries no State.
      const authCode = harness.simulator.authorizeByQrCode(qrcodeUrl, template, corpId);
      const xml = suiteEventXml.createAuth(template, authCode, Math.floor(Date.now() / 1000));
      await harness.pushXml(template, xml.replace(/<State>.*<\/State>/, ''));

      const installed = await eventually(async () =>
        harness.eventBridge.received
          .filter((event) => event.DetailType === 'WeCom Authorization Changed')
          .map((event) => JSON.parse(event.Detail) as Record<string, unknown>)
          .find((detail) => detail.corpId === corpId && detail.status === 'active'),
      );
      expect(installed).toMatchObject({ suiteId: template, cause: 'create_auth', installRef: 'customer42' });
      const stored = await harness.newContainer().authorizations.getAuthorization(template, corpId);
      expect(stored?.installRef).toBe('customer42');
    } finally {
      await stopExchange();
    }
  });

  it('refuses a third-party suite or an unknown id before asking WeCom', async () => {
    const calls = harness.simulator.calls('service/get_customized_auth_url');

    await expect(
      harness.handler('customized-auth-url')({ templateIds: [THIRD_PARTY_SUITE.suiteId] }),
    ).rejects.toMatchObject({ name: 'InvalidRequestError' });
    await expect(
      harness.handler('customized-auth-url')({ templateIds: ['dknotconfigured'] }),
    ).rejects.toMatchObject({
      name: 'UnknownSuiteError',
    });
    expect(harness.simulator.calls('service/get_customized_auth_url')).toBe(calls);
  });

  it.each([
    [{}],
    [{ templateIds: [] }],
    [{ templateIds: Array.from({ length: 10 }, (_, index) => `dk${index}`) }],
    [{ templateIds: [CUSTOMIZED_TEMPLATE.suiteId], state: 'not-alnum!' }],
    [{ templateIds: [CUSTOMIZED_TEMPLATE.suiteId], state: 'a'.repeat(33) }],
  ])('refuses the payload %o', async (payload) => {
    await expect(harness.handler('customized-auth-url')(payload)).rejects.toMatchObject({
      name: 'InvalidRequestError',
    });
  });

  it('replaces a provider token WeCom rejects (40082), once, and asks again', async () => {
    harness.simulator.injectFaults('service/get_customized_auth_url', { kind: 'errcode', errcode: 40082 });
    const providerCalls = harness.simulator.calls('service/get_provider_token');

    const answer = await harness.handler('customized-auth-url')({
      templateIds: [CUSTOMIZED_TEMPLATE.suiteId],
    });

    expect(answer.qrcodeUrl).toMatch(/^https:\/\//);
    expect(harness.simulator.calls('service/get_provider_token') - providerCalls).toBe(1);
  });
});
