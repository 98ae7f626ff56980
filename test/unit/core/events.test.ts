import { describe, expect, it } from 'vitest';
import { parseXmlMessage } from '../../../functions/core/callback/xml-document.ts';
import { InvalidRequestError } from '../../../functions/core/errors.ts';
import {
  commandEvent,
  dataCallbackEvent,
  systemEvent,
} from '../../../functions/core/events/callback-events.ts';
import {
  authorizationChangedEvent,
  eventIdOf,
  exchangeFailedEvent,
} from '../../../functions/core/events/service-events.ts';

const reasonOf = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (error) {
    return error instanceof InvalidRequestError ? error.reason : 'other';
  }
  return undefined;
};

describe('parseXmlMessage', () => {
  it('keeps element names, CDATA text untouched, repeats as arrays, nested elements as objects, empty as ""', () => {
    const json = parseXmlMessage(
      '<xml><A><![CDATA[ x <y> ]]></A><B>1</B><B>2</B><C><D>d</D></C><E/><F><![CDATA[]]></F></xml>',
    );

    expect(json).toEqual({ A: ' x <y> ', B: ['1', '2'], C: { D: 'd' }, E: '', F: '' });
  });

  it('refuses what is not one well-formed document with children, and any DTD', () => {
    expect(reasonOf(() => parseXmlMessage('<xml><A></xml>'))).toBe('MALFORMED_XML');
    expect(reasonOf(() => parseXmlMessage('<xml>just text</xml>'))).toBe('MALFORMED_XML');
    expect(reasonOf(() => parseXmlMessage('<!DOCTYPE x [<!ENTITY e "v">]><xml><A>&e;</A></xml>'))).toBe(
      'FORBIDDEN_XML_CONSTRUCT',
    );
  });
});

describe('the events built from callbacks', () => {
  const base = { suiteId: 'ww1', providerCorpId: 'wwprovider' };

  it('name the corp: the receiver when it is a corp, else a corp in ToUserName (signed), else corpid, else the receiver', () => {
    const corpOf = (receiveId: string, message: string, corpIdHint?: string) =>
      (
        dataCallbackEvent({
          ...base,
          receiveId,
          message,
          ...(corpIdHint === undefined ? {} : { corpIdHint }),
        }).detail as { corpId: string }
      ).corpId;

    expect(corpOf('wxcorp', '<xml><MsgType>text</MsgType></xml>', 'wxother')).toBe('wxcorp');
    // The unsigned corpid cannot move a message whose ToUserName names its corp.
    expect(corpOf('ww1', '<xml><ToUserName>wxto</ToUserName></xml>', 'wxhint')).toBe('wxto');
    expect(corpOf('wwprovider', '<xml><ToUserName>wxto</ToUserName></xml>')).toBe('wxto');
    // A ToUserName that is the provider or the suite names no corp: corpid does.
    expect(corpOf('wwprovider', '<xml><ToUserName>wwprovider</ToUserName></xml>', 'wxhint')).toBe('wxhint');
    expect(corpOf('ww1', `<xml><ToUserName>${base.suiteId}</ToUserName></xml>`, 'wxhint')).toBe('wxhint');
    expect(corpOf('wwprovider', '<xml><ToUserName>wwprovider</ToUserName></xml>')).toBe('wwprovider');
    expect(corpOf('ww1', '<xml><Foo>x</Foo></xml>')).toBe('ww1');
  });

  it('read msgType from MsgType, then InfoType, then "unknown", and numbers only when they are numbers', () => {
    const detailOf = (message: string) => dataCallbackEvent({ ...base, receiveId: 'wxcorp', message }).detail;

    expect(detailOf('<xml><InfoType>x</InfoType><AgentID>abc</AgentID></xml>')).toMatchObject({
      msgType: 'x',
    });
    expect(detailOf('<xml><AgentID>abc</AgentID></xml>')).not.toHaveProperty('agentId');
    expect(detailOf('<xml><Foo>1</Foo></xml>')).toMatchObject({ msgType: 'unknown' });
  });

  it('leave out what a command message does not have, and identify a message by its digest', () => {
    const message = '<xml><SuiteId>ww1</SuiteId><InfoType>x</InfoType></xml>';

    const event = commandEvent({ suiteId: 'ww1', infoType: 'x', message });

    expect(event.detail).toEqual({
      eventId: eventIdOf(message),
      suiteId: 'ww1',
      infoType: 'x',
      message: { SuiteId: 'ww1', InfoType: 'x' },
    });
    expect(eventIdOf(message)).not.toBe(eventIdOf(`${message} `));
  });
});

describe('the System Events', () => {
  it('read infoType from InfoType, then Event, then MsgType, then "unknown", and leave out what is absent', () => {
    const detailOf = (message: string) => systemEvent(message).detail;

    expect(detailOf('<xml><InfoType>license_refund</InfoType><Event>e</Event></xml>')).toEqual({
      eventId: eventIdOf('<xml><InfoType>license_refund</InfoType><Event>e</Event></xml>'),
      infoType: 'license_refund',
      message: { InfoType: 'license_refund', Event: 'e' },
    });
    expect(detailOf('<xml><Event>e</Event><MsgType>event</MsgType></xml>').infoType).toBe('e');
    expect(detailOf('<xml><MsgType>event</MsgType></xml>').infoType).toBe('event');
    expect(detailOf('<xml><Foo>1</Foo><TimeStamp>soon</TimeStamp></xml>')).not.toHaveProperty('timeStamp');
    expect(detailOf('<xml><Foo>1</Foo></xml>').infoType).toBe('unknown');
  });

  it('remove every credential at any depth, keeping what sits beside it', () => {
    const detail = systemEvent(
      '<xml><InfoType>x</InfoType><Token>t</Token><A><AccessToken>a</AccessToken><ExpiresIn>1800</ExpiresIn><B><RegisterCode>r</RegisterCode><AuthCode>c</AuthCode><C>keep</C></B></A><PermanentCode>p</PermanentCode><SuiteTicket>s</SuiteTicket></xml>',
    ).detail;

    expect(detail.message).toEqual({ InfoType: 'x', A: { ExpiresIn: '1800', B: { C: 'keep' } } });
  });
});

describe('the paid-app command events', () => {
  it('name the paying corp (PaidCorpId) where the message has no AuthCorpId', () => {
    const message =
      '<xml><SuiteId>ww1</SuiteId><PaidCorpId>wxpaid</PaidCorpId><InfoType>change_editon</InfoType><TimeStamp>7</TimeStamp></xml>';

    expect(commandEvent({ suiteId: 'ww1', infoType: 'change_editon', message }).detail).toMatchObject({
      authCorpId: 'wxpaid',
      timeStamp: 7,
    });
  });
});

describe('the Authorization Changed events', () => {
  const failure = { suiteId: 'ww1', cause: 'create_auth', reason: '40078' } as const;
  const idOf = (event: { readonly detail: object }) => (event.detail as { eventId: string }).eventId;

  it('identify a corp change by what changed and when, as every earlier version did', () => {
    const event = authorizationChangedEvent(
      { suiteId: 'ww1', corpId: 'wxcorp', status: 'revoked', cause: 'cancel_auth' },
      1_700_000_000_000,
    );

    expect(idOf(event)).toBe(eventIdOf('ww1|wxcorp|revoked|cancel_auth||1700000000000'));
    expect(event.detail).toMatchObject({ corpId: 'wxcorp', at: '2023-11-14T22:13:20.000Z' });
  });

  it('tell apart two codes that fail in the same second, and give one code the same id each time', () => {
    const first = exchangeFailedEvent(failure, 'authcode-one', 1_700_000_000_000);
    const second = exchangeFailedEvent(failure, 'authcode-two', 1_700_000_000_000);
    const again = exchangeFailedEvent(failure, 'authcode-one', 1_700_000_000_000);

    expect(idOf(first)).not.toBe(idOf(second));
    expect(idOf(again)).toBe(idOf(first));
    expect(first.detail).toEqual({
      ...failure,
      status: 'failed',
      eventId: idOf(first),
      at: '2023-11-14T22:13:20.000Z',
    });
    expect(JSON.stringify(first)).not.toContain('authcode-one');
  });
});

describe('the stream filters auth-exchange is given', () => {
  it('let through new auth codes, stale authorizations and changes to publish, nothing else', async () => {
    const { isExchangeStreamRecord } = await import('../../../functions/adapters/dynamodb/stream-filters.ts');
    const record = (eventName: string, image: Record<string, unknown>) => ({
      eventName,
      dynamodb: { NewImage: image },
    });

    expect(isExchangeStreamRecord(record('INSERT', { entity: { S: 'AuthCode' } }))).toBe(true);
    expect(isExchangeStreamRecord(record('MODIFY', { entity: { S: 'AuthCode' } }))).toBe(false);
    expect(
      isExchangeStreamRecord(
        record('MODIFY', { entity: { S: 'Authorization' }, authInfoStale: { BOOL: true } }),
      ),
    ).toBe(true);
    expect(
      isExchangeStreamRecord(
        record('MODIFY', { entity: { S: 'Authorization' }, hasPendingEvent: { BOOL: true } }),
      ),
    ).toBe(true);
    expect(
      isExchangeStreamRecord(
        record('MODIFY', { entity: { S: 'Authorization' }, authInfoStale: { BOOL: false } }),
      ),
    ).toBe(false);
    expect(isExchangeStreamRecord(record('INSERT', { entity: { S: 'CorpToken' } }))).toBe(false);
    expect(isExchangeStreamRecord({ eventName: 'INSERT' })).toBe(false);
  });
});
