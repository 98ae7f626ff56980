import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPE, EVENT_SOURCE } from '../../functions/core/events/service-events.ts';
import { systemCallbackEvent } from '../support/api-events.ts';
import {
  createCallbackHarness,
  PROVIDER_CORP_ID,
  PROVIDER_SYSTEM_URL,
  TEST_CONFIG,
  THIRD_PARTY_SUITE,
} from '../support/callback-harness.ts';
import type { ReceivedEvent } from '../support/fake-eventbridge.ts';
import { createTokenHarness, type TokenHarness } from '../support/token-harness.ts';
import { signPush, signUrlVerification } from '../support/wecom-pushes.ts';

/**
 * The provider's system-event URL (系统事件接收URL): the suite routes' checks with the provider's
 * Token and key, every authentic push published as `WeCom System Event` through the real
 * EventBridge client to a loopback stand-in of PutEvents, credentials removed.
 */

let harness: TokenHarness;
let callback: ReturnType<typeof createCallbackHarness>;
let unconfigured: ReturnType<typeof createCallbackHarness>;
let wanted: ReturnType<typeof createCallbackHarness>;

const { token: _token, encodingAesKey: _key, ...providerWithoutKeys } = TEST_CONFIG.provider;
const configWithoutKeys = { ...TEST_CONFIG, provider: providerWithoutKeys };
const bus = () => ({ endpoint: harness.eventBridge.endpoint, busName: 'wecom-credentials-test' });

beforeAll(async () => {
  harness = await createTokenHarness();
  const { endpoint, tableName } = harness.table;
  callback = createCallbackHarness(endpoint, tableName, { eventBridge: bus() });
  unconfigured = createCallbackHarness(endpoint, tableName, {
    eventBridge: bus(),
    config: configWithoutKeys,
  });
  wanted = createCallbackHarness(endpoint, tableName, {
    eventBridge: bus(),
    config: configWithoutKeys,
    systemEvents: 'required',
  });
}, 60_000);

afterAll(async () => {
  await harness.close();
});

const registerCorp = (corpId: string, timeStamp: number) =>
  `<xml><ServiceCorpId><![CDATA[${PROVIDER_CORP_ID}]]></ServiceCorpId><InfoType><![CDATA[register_corp]]></InfoType><TimeStamp>${timeStamp}</TimeStamp><RegisterCode><![CDATA[REGISTER-CODE-SECRET]]></RegisterCode><AuthCorpId><![CDATA[${corpId}]]></AuthCorpId><ContactSync><AccessToken><![CDATA[CONTACT-SYNC-TOKEN-SECRET]]></AccessToken><ExpiresIn>1800</ExpiresIn></ContactSync><AuthUserInfo><UserId><![CDATA[zhangsan]]></UserId></AuthUserInfo><State><![CDATA[campaign-7]]></State><TemplateId><![CDATA[tpl1]]></TemplateId></xml>`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

const push = async (
  target: ReturnType<typeof createCallbackHarness>,
  xml: string,
  options: { readonly receiveId?: string; readonly token?: string; readonly timestamp?: number } = {},
) => {
  target.clock.set(Date.now());
  const signed = signPush(
    { ...PROVIDER_SYSTEM_URL, token: options.token ?? PROVIDER_SYSTEM_URL.token },
    xml,
    {
      receiveId: options.receiveId ?? PROVIDER_CORP_ID,
      timestamp: options.timestamp ?? nowSeconds(),
    },
  );
  return target.handler(
    systemCallbackEvent({ method: 'POST', rawQueryString: signed.rawQueryString, body: signed.body }),
  );
};

const newEvents = async <T>(action: () => Promise<T>): Promise<{ result: T; events: ReceivedEvent[] }> => {
  const before = harness.eventBridge.received.length;
  const result = await action();
  return { result, events: harness.eventBridge.received.slice(before) };
};

const unchanged = async <T>(action: () => Promise<T>): Promise<T> => {
  const before = await harness.table.scanAll();
  const { result, events } = await newEvents(action);
  expect(events).toEqual([]);
  expect(await harness.table.scanAll()).toEqual(before);
  return result;
};

describe('the system-event URL', () => {
  it('publishes a signed register_corp as a WeCom System Event, without its register code or contact-sync token', async () => {
    const xml = registerCorp('wwregistered01', nowSeconds());

    const { result, events } = await newEvents(() => push(callback, xml));

    expect(result).toMatchObject({ statusCode: 200, body: 'success' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      Source: EVENT_SOURCE,
      DetailType: DETAIL_TYPE.systemEvent,
      EventBusName: 'wecom-credentials-test',
    });
    const detail = JSON.parse(events[0]?.Detail ?? '{}') as Record<string, unknown>;
    expect(detail).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f]{64}$/),
      infoType: 'register_corp',
      serviceCorpId: PROVIDER_CORP_ID,
      authCorpId: 'wwregistered01',
      timeStamp: expect.any(Number),
      message: {
        ServiceCorpId: PROVIDER_CORP_ID,
        InfoType: 'register_corp',
        TimeStamp: String(detail.timeStamp),
        AuthCorpId: 'wwregistered01',
        ContactSync: { ExpiresIn: '1800' },
        AuthUserInfo: { UserId: 'zhangsan' },
        State: 'campaign-7',
        TemplateId: 'tpl1',
      },
    });
    const everything = JSON.stringify(harness.eventBridge.received);
    for (const secret of [
      'REGISTER-CODE-SECRET',
      'CONTACT-SYNC-TOKEN-SECRET',
      PROVIDER_SYSTEM_URL.token,
      PROVIDER_SYSTEM_URL.encodingAesKey,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('gives a re-delivery of the same push the same eventId', async () => {
    const xml = registerCorp('wwregistered02', nowSeconds());

    const first = await newEvents(() => push(callback, xml));
    const again = await newEvents(() => push(callback, xml));

    const ids = [...first.events, ...again.events].map((event) => JSON.parse(event.Detail).eventId);
    expect(ids).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), ids[0]]);
  });

  it('publishes an InfoType it does not know, as sent', async () => {
    const xml = `<xml><ServiceCorpId>${PROVIDER_CORP_ID}</ServiceCorpId><InfoType>license_something_new</InfoType><TimeStamp>${nowSeconds()}</TimeStamp><Detail><A>1</A><A>2</A></Detail></xml>`;

    const { result, events } = await newEvents(() => push(callback, xml));

    expect(result.body).toBe('success');
    expect(JSON.parse(events[0]?.Detail ?? '{}')).toMatchObject({
      infoType: 'license_something_new',
      message: { Detail: { A: ['1', '2'] } },
    });
  });

  it('answers WeCom’s URL check with the plaintext, decrypted with the provider’s key for the provider corp id', async () => {
    const signed = signUrlVerification(PROVIDER_SYSTEM_URL, '1616140317555161061', {
      receiveId: PROVIDER_CORP_ID,
      timestamp: 1,
    });

    const answer = await callback.handler(
      systemCallbackEvent({ method: 'GET', rawQueryString: signed.rawQueryString }),
    );

    expect(answer).toMatchObject({ statusCode: 200, body: '1616140317555161061' });
  });

  it('refuses a push signed with another Token, and changes nothing', async () => {
    const answer = await unchanged(() =>
      push(callback, registerCorp('wwforged01', nowSeconds()), { token: THIRD_PARTY_SUITE.token }),
    );

    expect(answer).toMatchObject({ statusCode: 403, body: 'forbidden: SIGNATURE_MISMATCH' });
  });

  it('refuses a push encrypted for a suite rather than the provider corp, and changes nothing', async () => {
    const answer = await unchanged(() =>
      push(callback, registerCorp('wwforged02', nowSeconds()), { receiveId: THIRD_PARTY_SUITE.suiteId }),
    );

    expect(answer).toMatchObject({ statusCode: 403, body: 'forbidden: RECEIVE_ID_MISMATCH' });
  });

  it('refuses a push outside the replay window, and changes nothing', async () => {
    const answer = await unchanged(() =>
      push(callback, registerCorp('wwreplayed', nowSeconds() - 3600), { timestamp: nowSeconds() - 3600 }),
    );

    expect(answer).toMatchObject({ statusCode: 403, body: 'forbidden: STALE_TIMESTAMP' });
  });

  it('refuses a suite’s own Token and key here: the suite routes’ secrets do not open the provider URL', async () => {
    callback.clock.set(Date.now());
    const signed = signPush(THIRD_PARTY_SUITE, registerCorp('wwforged03', nowSeconds()), {
      receiveId: PROVIDER_CORP_ID,
      timestamp: nowSeconds(),
    });

    const answer = await unchanged(() =>
      callback.handler(
        systemCallbackEvent({ method: 'POST', rawQueryString: signed.rawQueryString, body: signed.body }),
      ),
    );

    expect(answer.statusCode).toBe(403);
  });

  it('refuses a body over 64 KiB before reading it, as the suite routes do', async () => {
    const answer = await unchanged(() =>
      callback.handler(
        systemCallbackEvent({
          method: 'POST',
          rawQueryString: `msg_signature=${'a'.repeat(40)}&timestamp=1&nonce=1`,
          body: `<xml><Encrypt>${'A'.repeat(64 * 1024)}</Encrypt></xml>`,
        }),
      ),
    );

    expect(answer).toMatchObject({ statusCode: 413, body: 'bad request: BODY_TOO_LARGE' });
  });

  it('answers 404, saying what to configure, when the provider keys are absent', async () => {
    const answer = await unchanged(() => push(unconfigured, registerCorp('wwnowhere', nowSeconds())));

    expect(answer).toMatchObject({
      statusCode: 404,
      body: 'system-event URL not configured: set provider.token and provider.encodingAesKey',
    });
  });

  it('is a configuration error, not a 404, when the stage wants the URL and the keys are absent', async () => {
    const answer = await unchanged(() => push(wanted, registerCorp('wwnowhere', nowSeconds())));

    expect(answer).toMatchObject({ statusCode: 500, body: 'internal error' });
  });
});
