import { describe, expect, it } from 'vitest';
import { parseCallbackEnvelope } from '../../../../functions/core/callback/envelope-xml.ts';
import { parseSuiteEvent } from '../../../../functions/core/callback/suite-event.ts';
import { dataCallbackEvent } from '../../../../functions/core/events/callback-events.ts';
import { reasonOf } from '../../../support/errors.ts';

describe('parseSuiteEvent', () => {
  it('parses the official suite_ticket sample, whose InfoType has a space before the CDATA', () => {
    const xml =
      '<xml><SuiteId><![CDATA[ww4asffe99e54c0fxxxx]]></SuiteId><InfoType> <![CDATA[suite_ticket]]></InfoType><TimeStamp>1403610513</TimeStamp><SuiteTicket><![CDATA[asdfasfdasdfasdf]]></SuiteTicket></xml>';

    expect(parseSuiteEvent(xml)).toEqual({
      kind: 'suite_ticket',
      suiteId: 'ww4asffe99e54c0fxxxx',
      timeStamp: 1403610513,
      suiteTicket: 'asdfasfdasdfasdf',
    });
  });

  it('parses create_auth with its State', () => {
    const xml =
      '<xml><SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId><AuthCode><![CDATA[AUTHCODE]]></AuthCode><InfoType><![CDATA[create_auth]]></InfoType><TimeStamp>1403610513</TimeStamp><State><![CDATA[123]]></State></xml>';

    expect(parseSuiteEvent(xml)).toEqual({
      kind: 'create_auth',
      suiteId: 'ww4asffe99e54c0f4c',
      timeStamp: 1403610513,
      authCode: 'AUTHCODE',
      state: '123',
    });
  });

  it('parses reset_permanent_code, change_auth and cancel_auth', () => {
    const reset = parseSuiteEvent(
      '<xml><SuiteId>dkTEMPLATE</SuiteId><AuthCode>CODE</AuthCode><InfoType>reset_permanent_code</InfoType><TimeStamp>1</TimeStamp></xml>',
    );
    const change = parseSuiteEvent(
      '<xml><SuiteId>ww1</SuiteId><InfoType>change_auth</InfoType><TimeStamp>2</TimeStamp><AuthCorpId>wxcorp</AuthCorpId></xml>',
    );
    const cancel = parseSuiteEvent(
      '<xml><SuiteId>ww1</SuiteId><InfoType>cancel_auth</InfoType><TimeStamp>3</TimeStamp><AuthCorpId>wxcorp</AuthCorpId></xml>',
    );

    expect(reset).toEqual({
      kind: 'reset_permanent_code',
      suiteId: 'dkTEMPLATE',
      timeStamp: 1,
      authCode: 'CODE',
    });
    expect(change).toEqual({ kind: 'change_auth', suiteId: 'ww1', timeStamp: 2, authCorpId: 'wxcorp' });
    expect(cancel).toEqual({ kind: 'cancel_auth', suiteId: 'ww1', timeStamp: 3, authCorpId: 'wxcorp' });
  });

  it('parses change_editon (sic), naming the corp by PaidCorpId, and requires it', () => {
    const edition = parseSuiteEvent(
      '<xml><SuiteId>ww1</SuiteId><InfoType>change_editon</InfoType><TimeStamp>4</TimeStamp><PaidCorpId>wxpaid</PaidCorpId></xml>',
    );

    expect(edition).toEqual({ kind: 'change_editon', suiteId: 'ww1', timeStamp: 4, authCorpId: 'wxpaid' });
    expect(() =>
      parseSuiteEvent(
        '<xml><SuiteId>ww1</SuiteId><InfoType>change_editon</InfoType><TimeStamp>4</TimeStamp></xml>',
      ),
    ).toThrow(/PaidCorpId/);
  });

  it('types an InfoType it does not know as an unknown event', () => {
    const event = parseSuiteEvent(
      '<xml><SuiteId>ww1</SuiteId><InfoType>change_contact</InfoType><TimeStamp>3</TimeStamp><ChangeType>create_user</ChangeType></xml>',
    );

    expect(event).toEqual({ kind: 'unknown', infoType: 'change_contact', suiteId: 'ww1' });
  });

  it('rejects a known event that lacks a required field', () => {
    expect(
      reasonOf(() =>
        parseSuiteEvent(
          '<xml><SuiteId>ww1</SuiteId><InfoType>suite_ticket</InfoType><TimeStamp>1</TimeStamp></xml>',
        ),
      ),
    ).toBe('MISSING_XML_FIELD');
  });

  it('types a message without InfoType by its Event or MsgType, or as unknown, never refusing it', () => {
    const adminChange = parseSuiteEvent(
      '<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_app_admin</Event><AgentID>1</AgentID></xml>',
    );
    const text = parseSuiteEvent('<xml><MsgType>text</MsgType><Content>hi</Content></xml>');
    const bare = parseSuiteEvent('<xml><SuiteId>ww1</SuiteId><TimeStamp>1</TimeStamp></xml>');

    expect(adminChange).toEqual({ kind: 'unknown', infoType: 'change_app_admin' });
    expect(text).toEqual({ kind: 'unknown', infoType: 'text' });
    expect(bare).toEqual({ kind: 'unknown', infoType: 'unknown', suiteId: 'ww1' });
  });

  it('rejects a TimeStamp that is not Unix seconds', () => {
    const xml =
      '<xml><SuiteId>ww1</SuiteId><InfoType>suite_ticket</InfoType><TimeStamp>soon</TimeStamp><SuiteTicket>T</SuiteTicket></xml>';

    expect(reasonOf(() => parseSuiteEvent(xml))).toBe('INVALID_PAYLOAD');
  });
});

describe('XML hardening', () => {
  it.each([
    [
      'a DOCTYPE in the prolog',
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e "boom">]><xml><Encrypt>&e;</Encrypt></xml>',
    ],
    [
      'a DOCTYPE inside the root element',
      '<xml><!DOCTYPE x [<!ENTITY e "boom">]><Encrypt>&e;</Encrypt></xml>',
    ],
    [
      'an external entity',
      '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Encrypt>&xxe;</Encrypt></xml>',
    ],
    ['a lower-case declaration', '<!doctype xml><xml><Encrypt>abc</Encrypt></xml>'],
  ])('refuses %s', (_label, xml) => {
    expect(reasonOf(() => parseCallbackEnvelope(xml))).toBe('FORBIDDEN_XML_CONSTRUCT');
  });

  it('keeps the text of a CDATA section that merely mentions a DOCTYPE', () => {
    const message = parseDataMessage(
      '<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[<!DOCTYPE x>]]></Content></xml>',
    );

    expect(message).toEqual({ msgType: 'text' });
  });

  it.each([
    ['plain text', 'hello'],
    ['an empty body', ''],
    ['an unclosed element', '<xml><Encrypt>abc</Encrypt>'],
    ['two roots', '<a>1</a><b>2</b>'],
    ['JSON', '{"encrypt":"abc"}'],
    ['a root with only text', '<xml>abc</xml>'],
  ])('refuses %s as malformed XML', (_label, xml) => {
    expect(reasonOf(() => parseCallbackEnvelope(xml))).toBe('MALFORMED_XML');
  });

  it('requires a non-empty Encrypt in the envelope', () => {
    expect(
      reasonOf(() => parseCallbackEnvelope('<xml><ToUserName>ww1</ToUserName><Encrypt></Encrypt></xml>')),
    ).toBe('MISSING_XML_FIELD');
  });

  it('reads the envelope fields, trimmed', () => {
    const envelope = parseCallbackEnvelope(
      '<xml><ToUserName><![CDATA[ ww1 ]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>',
    );

    expect(envelope).toEqual({ toUserName: 'ww1', encrypt: 'abc=' });
  });
});

describe('the data route reads the message type', () => {
  it('reads MsgType and Event', () => {
    const message = parseDataMessage(
      '<xml><ToUserName>wxcorp</ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_app_admin]]></Event></xml>',
    );

    expect(message).toEqual({ msgType: 'event', event: 'change_app_admin' });
  });

  it('falls back to InfoType, then to unknown', () => {
    expect(parseDataMessage('<xml><InfoType>change_contact</InfoType></xml>')).toEqual({
      msgType: 'change_contact',
    });
    expect(parseDataMessage('<xml><Foo>1</Foo></xml>')).toEqual({ msgType: 'unknown' });
  });
});

describe('optional fields', () => {
  it('keeps AgentID in the envelope when present', () => {
    expect(parseCallbackEnvelope('<xml><Encrypt>abc=</Encrypt><AgentID>1000002</AgentID></xml>')).toEqual({
      encrypt: 'abc=',
      agentId: '1000002',
    });
  });

  it('parses create_auth without a State', () => {
    const xml =
      '<xml><SuiteId>ww1</SuiteId><AuthCode>C</AuthCode><InfoType>create_auth</InfoType><TimeStamp>5</TimeStamp></xml>';

    expect(parseSuiteEvent(xml)).toEqual({
      kind: 'create_auth',
      suiteId: 'ww1',
      timeStamp: 5,
      authCode: 'C',
    });
  });

  it('types an unknown event without a SuiteId', () => {
    expect(parseSuiteEvent('<xml><InfoType>register_corp</InfoType></xml>')).toEqual({
      kind: 'unknown',
      infoType: 'register_corp',
    });
  });
});

// What the data route reads of a message for its log line: the data callback event's fields.
function parseDataMessage(message: string): { msgType: string; event?: string } {
  const { msgType, event } = dataCallbackEvent({
    suiteId: 'ww1',
    receiveId: 'wxcorp',
    providerCorpId: 'wwprovider',
    message,
  }).detail;
  return { msgType, ...(event === undefined ? {} : { event }) };
}
