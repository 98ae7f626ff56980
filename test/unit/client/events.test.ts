import { describe, expect, it } from 'vitest';
import {
  isPaidAppEvent,
  isWeComEvent,
  type WeComCommandEvent,
  type WeComEvent,
} from '../../../client/events.ts';
import {
  commandEvent,
  dataCallbackEvent,
  systemEvent,
} from '../../../functions/core/events/callback-events.ts';
import {
  authorizationChangedEvent,
  EVENT_SOURCE,
  exchangeFailedEvent,
  type ServiceEvent,
} from '../../../functions/core/events/service-events.ts';
import { schemaErrorsOf } from '../../support/event-schemas.ts';

const envelope = (event: ServiceEvent): WeComEvent => {
  const base = {
    version: '0',
    id: 'id-1',
    source: EVENT_SOURCE,
    account: '111122223333',
    time: '2026-11-26T00:00:00Z',
    region: 'ap-southeast-1',
    resources: [],
  } as const;
  // The client's types must accept what the service publishes: a compile-time check as well.
  switch (event.detailType) {
    case 'WeCom Data Callback':
      return { ...base, 'detail-type': event.detailType, detail: event.detail };
    case 'WeCom Command Event':
      return { ...base, 'detail-type': event.detailType, detail: event.detail };
    case 'WeCom Authorization Changed':
      return { ...base, 'detail-type': event.detailType, detail: event.detail };
    case 'WeCom System Event':
      return { ...base, 'detail-type': event.detailType, detail: event.detail };
  }
};

const published: ServiceEvent[] = [
  dataCallbackEvent({
    suiteId: 'ww1',
    receiveId: 'wxcorp',
    providerCorpId: 'wwprovider',
    message:
      '<xml><ToUserName>wxcorp</ToUserName><MsgType>text</MsgType><Content><![CDATA[你好]]></Content></xml>',
  }),
  commandEvent({
    suiteId: 'ww1',
    infoType: 'create_auth',
    message:
      '<xml><SuiteId>ww1</SuiteId><AuthCode>SECRET-CODE</AuthCode><InfoType>create_auth</InfoType><TimeStamp>1</TimeStamp></xml>',
  }),
  authorizationChangedEvent({ suiteId: 'ww1', corpId: 'wxcorp', status: 'revoked', cause: 'cancel_auth' }, 0),
  authorizationChangedEvent(
    {
      suiteId: 'dk1',
      corpId: 'wxcorp',
      status: 'active',
      cause: 'change_editon',
      installRef: 'customer42',
      installer: { userId: 'ZhangSan', openUserId: 'woZhang', name: 'ZhangSan', avatar: 'https://a/0' },
      registerCode: { templateId: 'tpl1', state: 'reg1' },
      agents: [
        {
          agentId: 1000002,
          name: 'App',
          authMode: 1,
          isCustomizedApp: true,
          authFromThirdApp: false,
          privilege: { level: 1, allowParty: [1], allowUser: ['lisi'], allowTag: [], listsTruncated: true },
          sharedFrom: { corpId: 'wwother', shareType: 0 },
        },
      ],
      editions: [{ agentId: 1000002, editionId: 'RLS1', appStatus: 3, userLimit: 200, expiredTime: 1 }],
      dealer: { corpId: 'wwdealer', corpName: 'Dealer' },
      authMode: 1,
    },
    0,
  ),
  exchangeFailedEvent({ suiteId: 'ww1', cause: 'create_auth', reason: '40078' }, 'SECRET-CODE', 0),
  systemEvent(
    '<xml><ServiceCorpId>wwprovider</ServiceCorpId><InfoType>register_corp</InfoType><TimeStamp>1</TimeStamp><RegisterCode>SECRET-REGISTER</RegisterCode><AuthCorpId>wxcorp</AuthCorpId><ContactSync><AccessToken>SECRET-TOKEN</AccessToken><ExpiresIn>1800</ExpiresIn></ContactSync></xml>',
  ),
];

describe('isWeComEvent and the JSON Schemas', () => {
  it.each(published.map((event) => [event.detailType, event] as const))(
    'accept the %s events the service builds',
    (_type, event) => {
      expect(isWeComEvent(envelope(event))).toBe(true);
      expect(schemaErrorsOf(event.detailType, event.detail)).toEqual([]);
    },
  );

  it('never carry the auth code of a create_auth message', () => {
    expect(JSON.stringify(published)).not.toContain('SECRET-CODE');
  });

  it("never carry register_corp's register code or contact-sync access token, and keep the rest of ContactSync", () => {
    const registration = published.at(-1);

    expect(JSON.stringify(published)).not.toMatch(/SECRET-REGISTER|SECRET-TOKEN/);
    expect(registration?.detail).toMatchObject({
      infoType: 'register_corp',
      serviceCorpId: 'wwprovider',
      authCorpId: 'wxcorp',
      timeStamp: 1,
      message: { ContactSync: { ExpiresIn: '1800' } },
    });
  });

  it('narrows a paid-app command event to its message shape, and nothing else', () => {
    const order = commandEvent({
      suiteId: 'ww1',
      infoType: 'change_order',
      message:
        '<xml><SuiteId>ww1</SuiteId><PaidCorpId>wxpaid</PaidCorpId><InfoType>change_order</InfoType><TimeStamp>1</TimeStamp><OldOrderId>A</OldOrderId><NewOrderId>B</NewOrderId></xml>',
    }).detail as WeComCommandEvent;
    const contact = published[1]?.detail as WeComCommandEvent;

    expect(isPaidAppEvent(order)).toBe(true);
    expect(order.authCorpId).toBe('wxpaid');
    expect(isPaidAppEvent(contact)).toBe(false);
    expect(schemaErrorsOf('WeCom Command Event', order)).toEqual([]);
    expect(
      schemaErrorsOf('WeCom Command Event', {
        ...order,
        message: { ...order.message, NewOrderId: undefined },
      }),
    ).not.toEqual([]);
  });

  it.each([
    null,
    'text',
    { source: 'aws.ec2', 'detail-type': 'WeCom Data Callback', detail: {} },
    { source: EVENT_SOURCE, 'detail-type': 'Something Else', detail: {} },
    { source: EVENT_SOURCE, 'detail-type': 'WeCom Data Callback', detail: { eventId: 'e', suiteId: 's' } },
    { source: EVENT_SOURCE, 'detail-type': 'WeCom Command Event', detail: [] },
    {
      source: EVENT_SOURCE,
      'detail-type': 'WeCom Authorization Changed',
      detail: { suiteId: 's', status: 'active', cause: 'change_auth', at: 'now' },
    },
    { source: EVENT_SOURCE, 'detail-type': 'WeCom System Event', detail: { eventId: 'e', message: {} } },
  ])('reject %o', (value) => {
    expect(isWeComEvent(value)).toBe(false);
  });

  it('the schemas reject a detail with a secret element or a field the contract does not have', () => {
    const [data, command] = published;

    expect(
      schemaErrorsOf('WeCom Data Callback', { ...(data?.detail as object), message: { AuthCode: 'x' } }),
    ).not.toEqual([]);
    expect(schemaErrorsOf('WeCom Command Event', { ...(command?.detail as object), extra: 1 })).not.toEqual(
      [],
    );
    expect(
      schemaErrorsOf('WeCom System Event', {
        ...(published.at(-1)?.detail as object),
        message: { ContactSync: { AccessToken: 'x' } },
      }),
    ).not.toEqual([]);
    expect(schemaErrorsOf('Unknown', {})).toEqual(['no schema for detail-type Unknown']);
  });
});
