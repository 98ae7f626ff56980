import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPE, EVENT_SOURCE } from '../../functions/core/events/service-events.ts';
import { signedPushEvent } from '../support/api-events.ts';
import {
  createCallbackHarness,
  PROVIDER_CORP_ID,
  TEST_CONFIG,
  THIRD_PARTY_SUITE,
} from '../support/callback-harness.ts';
import { schemaErrorsOf } from '../support/event-schemas.ts';
import type { ReceivedEvent } from '../support/fake-eventbridge.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';
import { signPush, suiteEventXml } from '../support/wecom-pushes.ts';

/**
 * Every authenticated callback (but suite_ticket) and every authorization change the service makes
 * reaches the provider's business as an EventBridge event: here through the real EventBridge client
 * to a loopback stand-in of the PutEvents API.
 */

const suiteId = THIRD_PARTY_SUITE.suiteId;
const corpId = 'wxcorpevents';
let harness: TokenHarness;
let callback: ReturnType<typeof createCallbackHarness>;

beforeAll(async () => {
  harness = await createTokenHarness();
  callback = createCallbackHarness(harness.table.endpoint, harness.table.tableName, {
    eventBridge: { endpoint: harness.eventBridge.endpoint, busName: 'wecom-credentials-test' },
  });
}, 60_000);

afterAll(async () => {
  // Nothing secret in any event the tests produced: no key, token, secret, ticket or code.
  const secrets = TEST_CONFIG.suites.flatMap((suite) => [
    suite.suiteSecret,
    suite.token,
    suite.encodingAesKey,
  ]);
  const everything = JSON.stringify(harness.eventBridge.received);
  for (const secret of secrets) {
    expect(everything).not.toContain(secret);
  }
  expect(everything).not.toMatch(/authcode-|ticket-|permanent-|suite-token-|corp-token-/);
  for (const event of harness.eventBridge.received) {
    expect(schemaErrorsOf(event.DetailType, JSON.parse(event.Detail))).toEqual([]);
  }
  await harness.close();
});

const post = async (route: 'command' | 'data', xml: string, receiveId: string, extraQuery = '') => {
  callback.clock.set(Date.now());
  const signed = signPush(THIRD_PARTY_SUITE, xml, {
    receiveId,
    timestamp: Math.floor(Date.now() / 1000),
    extraQuery,
  });
  return callback.handler(signedPushEvent(suiteId, signed, route));
};

const newEvents = async (action: () => Promise<unknown>): Promise<ReceivedEvent[]> => {
  const before = harness.eventBridge.received.length;
  await action();
  return harness.eventBridge.received.slice(before);
};

const detailOf = (event: ReceivedEvent | undefined): Record<string, unknown> =>
  JSON.parse(event?.Detail ?? '{}') as Record<string, unknown>;

describe('events for the provider’s business services', () => {
  it('publishes a data-route text message faithfully, Chinese and CDATA intact', async () => {
    const xml = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1795334400</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[  你好，<b>世界</b> ]]></Content><MsgId>7000000001</MsgId><AgentID>1000002</AgentID></xml>`;

    let status = 0;
    const events = await newEvents(async () => {
      status = (await post('data', xml, corpId, `&corpid=${corpId}`)).statusCode ?? 0;
    });

    expect(status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      Source: EVENT_SOURCE,
      DetailType: DETAIL_TYPE.dataCallback,
      EventBusName: 'wecom-credentials-test',
    });
    expect(detailOf(events[0])).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f]{64}$/),
      suiteId,
      corpId,
      agentId: 1000002,
      msgType: 'text',
      createTime: 1795334400,
      message: {
        ToUserName: corpId,
        FromUserName: 'zhangsan',
        CreateTime: '1795334400',
        MsgType: 'text',
        Content: '  你好，<b>世界</b> ',
        MsgId: '7000000001',
        AgentID: '1000002',
      },
    });
  });

  it('publishes a change_contact command event with repeated elements as arrays', async () => {
    const xml = `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><AuthCorpId><![CDATA[${corpId}]]></AuthCorpId><InfoType><![CDATA[change_contact]]></InfoType><TimeStamp>1795334401</TimeStamp><ChangeType><![CDATA[update_user]]></ChangeType><UserID><![CDATA[lisi]]></UserID><Department><![CDATA[1]]></Department><Department><![CDATA[2]]></Department></xml>`;

    const events = await newEvents(() => post('command', xml, suiteId));

    expect(events).toHaveLength(1);
    expect(events[0]?.DetailType).toBe(DETAIL_TYPE.commandEvent);
    expect(detailOf(events[0])).toMatchObject({
      suiteId,
      infoType: 'change_contact',
      authCorpId: corpId,
      timeStamp: 1795334401,
      message: { ChangeType: 'update_user', UserID: 'lisi', Department: ['1', '2'] },
    });
  });

  it('publishes an InfoType it does not know, and nothing for suite_ticket', async () => {
    const unknown = await newEvents(() =>
      post(
        'command',
        `<xml><SuiteId>${suiteId}</SuiteId><InfoType>something_new</InfoType><TimeStamp>1795334402</TimeStamp></xml>`,
        suiteId,
      ),
    );
    const { suiteTicket, timeStamp } = harness.simulator.issueSuiteTicket(suiteId);
    const ticket = await newEvents(() =>
      post('command', suiteEventXml.suiteTicket(suiteId, suiteTicket, timeStamp), suiteId),
    );

    expect(unknown.map((event) => [event.DetailType, detailOf(event).infoType])).toEqual([
      [DETAIL_TYPE.commandEvent, 'something_new'],
    ]);
    expect(ticket).toEqual([]);
  });

  it('publishes an install as a command event without its auth code, then the authorization change once it is durable', async () => {
    await harness.pushTicket(suiteId);
    const stopExchange = await harness.startExchange();
    try {
      const before = harness.eventBridge.received.length;
      await harness.pushAuthCode(suiteId, `${corpId}install`, 'create_auth');
      const changed = await eventually(async () =>
        harness.eventBridge.received
          .slice(before)
          .find((event) => event.DetailType === DETAIL_TYPE.authorizationChanged),
      );
      // Whatever else the stream delivers for the item (get_auth_info's update), the change is published once.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const changes = harness.eventBridge.received
        .slice(before)
        .filter((event) => event.DetailType === DETAIL_TYPE.authorizationChanged);
      expect(changes).toHaveLength(1);
      const command = harness.eventBridge.received
        .slice(before)
        .find((event) => event.DetailType === DETAIL_TYPE.commandEvent);

      expect(detailOf(command)).toMatchObject({ infoType: 'create_auth', suiteId });
      expect(detailOf(command).message).not.toHaveProperty('AuthCode');
      expect(detailOf(changed)).toMatchObject({
        eventId: expect.stringMatching(/^[0-9a-f]{64}$/),
        suiteId,
        corpId: `${corpId}install`,
        corpName: `Corp ${corpId}install`,
        status: 'active',
        cause: 'create_auth',
      });
    } finally {
      await stopExchange();
    }
  });

  it('publishes cancel_auth as a command event and an authorization change to revoked', async () => {
    const events = await newEvents(() => harness.pushCancel(suiteId, `${corpId}install`));

    expect(events.map((event) => event.DetailType)).toEqual([
      DETAIL_TYPE.commandEvent,
      DETAIL_TYPE.authorizationChanged,
    ]);
    expect(detailOf(events[1])).toMatchObject({
      corpId: `${corpId}install`,
      status: 'revoked',
      cause: 'cancel_auth',
    });
  });

  it('does not report a late change_auth for an uninstalled corp as active, nor change it', async () => {
    const before = (await harness.table.scanAll()).find((item) => item.pk === `CORP#${corpId}install`);

    const events = await newEvents(() =>
      post(
        'command',
        suiteEventXml.changeAuth(suiteId, `${corpId}install`, Math.floor(Date.now() / 1000)),
        suiteId,
      ),
    );

    expect(events.map((event) => event.DetailType)).toEqual([DETAIL_TYPE.commandEvent]);
    const after = (await harness.table.scanAll()).find((item) => item.pk === `CORP#${corpId}install`);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ status: 'revoked' });
  });

  it('redacts credentials at any depth, e.g. register_corp’s ContactSync/AccessToken', async () => {
    const xml = `<xml><ServiceCorpId><![CDATA[${PROVIDER_CORP_ID}]]></ServiceCorpId><InfoType><![CDATA[register_corp]]></InfoType><TimeStamp>1795334405</TimeStamp><RegisterCode><![CDATA[REGISTER-CODE-SECRET]]></RegisterCode><AuthCorpId><![CDATA[wxregistered]]></AuthCorpId><ContactSync><AccessToken><![CDATA[CONTACT-SYNC-TOKEN-SECRET]]></AccessToken><ExpiresIn><![CDATA[1800]]></ExpiresIn></ContactSync></xml>`;

    const events = await newEvents(() => post('command', xml, suiteId));

    expect(events).toHaveLength(1);
    expect(events[0]?.Detail).not.toContain('SECRET');
    expect(detailOf(events[0])).toMatchObject({
      infoType: 'register_corp',
      authCorpId: 'wxregistered',
      message: { ContactSync: { ExpiresIn: '1800' } },
    });
  });

  it('gives a retried delivery of the same message the same eventId', async () => {
    const xml = `<xml><ToUserName>${corpId}</ToUserName><MsgType>event</MsgType><Event>enter_agent</Event><CreateTime>1795334403</CreateTime><AgentID>1000002</AgentID></xml>`;

    const first = await newEvents(() => post('data', xml, corpId, `&corpid=${corpId}`));
    const retried = await newEvents(() => post('data', xml, corpId, `&corpid=${corpId}`));

    expect(detailOf(first[0]).eventId).toBe(detailOf(retried[0]).eventId);
    expect(detailOf(first[0])).toMatchObject({ msgType: 'event', event: 'enter_agent' });
  });

  it.each(['all', 'partial'] as const)(
    'answers 503 when the bus refuses (%s), and WeCom’s retry after recovery publishes the same events once',
    async (mode) => {
      // cancel_auth publishes two entries (the command event and the authorization change), so a
      // partial refusal accepts the first and refuses the second.
      const cancelled = `${corpId}${mode}`;
      await harness.table.client.send(
        new PutCommand({
          TableName: harness.table.tableName,
          Item: {
            pk: `CORP#${cancelled}`,
            sk: `AUTH#${suiteId}`,
            entity: 'Authorization',
            status: 'active',
            authorizedTimeStamp: 1,
          },
        }),
      );
      const xml = suiteEventXml.cancelAuth(suiteId, cancelled, Math.floor(Date.now() / 1000));
      harness.eventBridge.fail(mode);

      const acceptedWhileFailing = harness.eventBridge.received.length;
      const refused = await post('command', xml, suiteId);
      const partial = harness.eventBridge.received.slice(acceptedWhileFailing);
      harness.eventBridge.fail(undefined);
      const before = harness.eventBridge.received.length;
      const retried = await post('command', xml, suiteId);
      const published = harness.eventBridge.received.slice(before);

      expect(refused.statusCode).toBe(503);
      expect(partial).toHaveLength(mode === 'partial' ? 1 : 0);
      expect(retried).toMatchObject({ statusCode: 200, body: 'success' });
      expect(published.map((event) => event.DetailType)).toEqual([
        DETAIL_TYPE.commandEvent,
        DETAIL_TYPE.authorizationChanged,
      ]);
      if (mode === 'partial') {
        // The entry accepted before is published again with the same eventId: consumers dedupe it.
        expect(detailOf(published[0]).eventId).toBe(detailOf(partial[0]).eventId);
      }
    },
  );

  it('takes the corp of a data message from the corpid WeCom adds when it is encrypted for the provider', async () => {
    const xml = `<xml><ToUserName>${PROVIDER_CORP_ID}</ToUserName><MsgType>text</MsgType><Content>hi</Content></xml>`;

    const events = await newEvents(() => post('data', xml, PROVIDER_CORP_ID, `&corpid=${corpId}`));

    expect(detailOf(events[0])).toMatchObject({ corpId, msgType: 'text' });
  });
});
