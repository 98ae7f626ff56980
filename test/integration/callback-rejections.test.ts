import { Buffer } from 'node:buffer';
import { createCipheriv } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEncodingAesKey } from '../../functions/core/crypto/aes-key.ts';
import { callbackEvent, signedPushEvent } from '../support/api-events.ts';
import {
  createCallbackHarness,
  NOW_SECONDS,
  PROVIDER_CORP_ID,
  THIRD_PARTY_SUITE,
} from '../support/callback-harness.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { buildPlaintext } from '../support/raw-cipher.ts';
import { signCiphertext, signPush, signUrlVerification, suiteEventXml } from '../support/wecom-pushes.ts';

const suite = THIRD_PARTY_SUITE;
const aesKey = parseEncodingAesKey(suite.encodingAesKey);
const ticketXml = suiteEventXml.suiteTicket(suite.suiteId, 'TICKET-SHOULD-NOT-BE-STORED', NOW_SECONDS);
const valid = signPush(suite, ticketXml, { receiveId: suite.suiteId, timestamp: NOW_SECONDS });
const validQuery = valid.rawQueryString;

const rawEncrypt = (plaintext: Buffer) => {
  const cipher = createCipheriv('aes-256-cbc', aesKey.key, aesKey.iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
};
const signedRaw = (encrypt: string) =>
  signCiphertext(suite, encrypt, { receiveId: suite.suiteId, timestamp: NOW_SECONDS });
const innerPlaintext = (declaredLength: number, body: string, pad: Buffer) =>
  rawEncrypt(buildPlaintext(declaredLength, Buffer.from(body), pad));
const signedInner = (xml: string, receiveId: string = suite.suiteId) =>
  signPush(suite, xml, { receiveId, timestamp: NOW_SECONDS });
const envelope = (encrypt: string) =>
  `<xml><ToUserName>${suite.suiteId}</ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;

interface Case {
  readonly name: string;
  readonly status: number;
  /** The response body, which names the check that failed. */
  readonly expectBody: string;
  readonly method?: 'GET' | 'POST' | 'PUT';
  readonly route?: 'command' | 'data';
  readonly suiteId?: string;
  readonly query?: string;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

const truncated = valid.encrypt.slice(0, valid.encrypt.length - 24);
const oversizeBody = `<xml><Encrypt>${'A'.repeat(64 * 1024)}</Encrypt></xml>`;
const shortCipher = signedRaw(Buffer.alloc(16, 1).toString('base64'));
const pad0 = signedRaw(innerPlaintext(3, `abc${suite.suiteId}`, Buffer.alloc(7, 0)));
const pad33 = signedRaw(innerPlaintext(3, `abc${suite.suiteId}`, Buffer.alloc(23, 33)));
const lengthPastEnd = signedRaw(
  rawEncrypt(buildPlaintext(5000, Buffer.from(`<xml/>${suite.suiteId}`), Buffer.alloc(4, 4))),
);
const wrongReceiveId = signedInner(ticketXml, 'wwattackersuite');
const emptyReceiveId = signedInner(ticketXml, '');
const doctypeInner = signedInner(
  `<!DOCTYPE xml [<!ENTITY t "x">]><xml><SuiteId>${suite.suiteId}</SuiteId><InfoType>suite_ticket</InfoType><TimeStamp>${NOW_SECONDS}</TimeStamp><SuiteTicket>&t;</SuiteTicket></xml>`,
);
const nonXmlInner = signedInner('this is not xml');
const missingTicketInner = signedInner(
  `<xml><SuiteId>${suite.suiteId}</SuiteId><InfoType>suite_ticket</InfoType><TimeStamp>${NOW_SECONDS}</TimeStamp></xml>`,
);
const badTimeStampInner = signedInner(
  `<xml><SuiteId>${suite.suiteId}</SuiteId><InfoType>suite_ticket</InfoType><TimeStamp>later</TimeStamp><SuiteTicket>T</SuiteTicket></xml>`,
);
const otherSuiteInner = signedInner(suiteEventXml.suiteTicket('wwsomeothersuite', 'T', NOW_SECONDS));
const stale = signPush(suite, ticketXml, { receiveId: suite.suiteId, timestamp: NOW_SECONDS - 301 });
const future = signPush(suite, ticketXml, { receiveId: suite.suiteId, timestamp: NOW_SECONDS + 301 });
const badSignatureQuery = validQuery.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'0'.repeat(40)}`);
const verification = signUrlVerification(suite, '123456', {
  receiveId: PROVIDER_CORP_ID,
  timestamp: NOW_SECONDS,
});

const cases: Case[] = [
  {
    name: 'no query at all',
    status: 400,
    expectBody: 'bad request: MISSING_PARAMETER',
    query: '',
    body: valid.body,
  },
  {
    name: 'missing msg_signature',
    status: 400,
    expectBody: 'bad request: MISSING_PARAMETER',
    query: validQuery.replace(/msg_signature=[^&]*&/, ''),
    body: valid.body,
  },
  {
    name: 'missing timestamp',
    status: 400,
    expectBody: 'bad request: MISSING_PARAMETER',
    query: validQuery.replace(/&timestamp=[^&]*/, ''),
    body: valid.body,
  },
  {
    name: 'missing nonce',
    status: 400,
    expectBody: 'bad request: MISSING_PARAMETER',
    query: validQuery.replace(/&nonce=[^&]*/, ''),
    body: valid.body,
  },
  {
    name: 'GET without echostr',
    status: 400,
    expectBody: 'bad request: MISSING_PARAMETER',
    method: 'GET',
    query: validQuery,
  },
  {
    name: 'msg_signature not 40 hex characters',
    status: 400,
    expectBody: 'bad request: MALFORMED_PARAMETER',
    query: validQuery.replace(/msg_signature=[0-9a-f]{40}/, 'msg_signature=xyz'),
    body: valid.body,
  },
  {
    name: 'timestamp not a number',
    status: 400,
    expectBody: 'bad request: MALFORMED_PARAMETER',
    query: validQuery.replace(/timestamp=\d+/, 'timestamp=soon'),
    body: valid.body,
  },
  {
    name: 'repeated msg_signature',
    status: 400,
    expectBody: 'bad request: DUPLICATE_PARAMETER',
    query: `${validQuery}&msg_signature=${valid.msgSignature}`,
    body: valid.body,
  },
  {
    name: 'malformed percent-escape',
    status: 400,
    expectBody: 'bad request: MALFORMED_QUERY',
    query: `${validQuery}&x=%E0%A4%A`,
    body: valid.body,
  },
  { name: 'empty body', status: 400, expectBody: 'bad request: MISSING_BODY', query: validQuery, body: '' },
  {
    name: 'body not XML',
    status: 400,
    expectBody: 'bad request: MALFORMED_XML',
    query: validQuery,
    body: 'hello, this is not xml',
  },
  {
    name: 'body is JSON',
    status: 400,
    expectBody: 'bad request: MALFORMED_XML',
    query: validQuery,
    body: JSON.stringify({ encrypt: valid.encrypt }),
  },
  {
    name: 'envelope without Encrypt',
    status: 400,
    expectBody: 'bad request: MISSING_XML_FIELD',
    query: validQuery,
    body: `<xml><ToUserName>${suite.suiteId}</ToUserName></xml>`,
  },
  {
    name: 'envelope with a DOCTYPE and entity',
    status: 400,
    expectBody: 'bad request: FORBIDDEN_XML_CONSTRUCT',
    query: validQuery,
    body: `<!DOCTYPE xml [<!ENTITY e "${valid.encrypt}">]><xml><Encrypt>&e;</Encrypt></xml>`,
  },
  {
    name: 'envelope with an external entity',
    status: 400,
    expectBody: 'bad request: FORBIDDEN_XML_CONSTRUCT',
    query: validQuery,
    body: '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>',
  },
  {
    name: 'body over 64 KiB',
    status: 413,
    expectBody: 'bad request: BODY_TOO_LARGE',
    query: validQuery,
    body: oversizeBody,
  },
  {
    name: 'base64 body over 64 KiB',
    status: 413,
    expectBody: 'bad request: BODY_TOO_LARGE',
    query: validQuery,
    body: Buffer.from(oversizeBody).toString('base64'),
    isBase64Encoded: true,
  },
  {
    name: 'isBase64Encoded body that is not base64',
    status: 400,
    expectBody: 'bad request: MALFORMED_BASE64',
    query: validQuery,
    body: '<xml>not base64</xml>',
    isBase64Encoded: true,
  },
  {
    name: 'Encrypt that is not base64 (signed)',
    status: 400,
    expectBody: 'bad request: MALFORMED_BASE64',
    ...post(signedRaw('@@@@not*base64@@@@')),
  },
  {
    name: 'truncated ciphertext (signed)',
    status: 400,
    expectBody: 'bad request: BAD_PADDING',
    ...post(signedRaw(truncated)),
  },
  {
    name: 'ciphertext of a single block (signed)',
    status: 400,
    expectBody: 'bad request: BAD_CIPHERTEXT_LENGTH',
    ...post(shortCipher),
  },
  { name: 'pad value 0 (signed)', status: 400, expectBody: 'bad request: BAD_PADDING', ...post(pad0) },
  { name: 'pad value 33 (signed)', status: 400, expectBody: 'bad request: BAD_PADDING', ...post(pad33) },
  {
    name: 'length field past the end (signed)',
    status: 400,
    expectBody: 'bad request: BAD_PLAINTEXT_LAYOUT',
    ...post(lengthPastEnd),
  },
  {
    name: 'wrong signature',
    status: 403,
    expectBody: 'forbidden: SIGNATURE_MISMATCH',
    query: badSignatureQuery,
    body: valid.body,
  },
  {
    name: 'ciphertext swapped after signing',
    status: 403,
    expectBody: 'forbidden: SIGNATURE_MISMATCH',
    query: validQuery,
    body: envelope(signedInner('<xml/>').encrypt),
  },
  {
    name: 'wrong receiveId',
    status: 403,
    expectBody: 'forbidden: RECEIVE_ID_MISMATCH',
    ...post(wrongReceiveId),
  },
  {
    name: 'empty receiveId on the command route',
    status: 403,
    expectBody: 'forbidden: RECEIVE_ID_MISMATCH',
    ...post(emptyReceiveId),
  },
  {
    name: 'event SuiteId of another suite',
    status: 403,
    expectBody: 'forbidden: SUITE_ID_MISMATCH',
    ...post(otherSuiteInner),
  },
  {
    name: 'timestamp 301 s in the past',
    status: 403,
    expectBody: 'forbidden: STALE_TIMESTAMP',
    ...post(stale),
  },
  {
    name: 'timestamp 301 s in the future',
    status: 403,
    expectBody: 'forbidden: STALE_TIMESTAMP',
    ...post(future),
  },
  {
    name: 'decrypted event with a DOCTYPE',
    status: 400,
    expectBody: 'bad request: FORBIDDEN_XML_CONSTRUCT',
    ...post(doctypeInner),
  },
  {
    name: 'decrypted event that is not XML',
    status: 400,
    expectBody: 'bad request: MALFORMED_XML',
    ...post(nonXmlInner),
  },
  {
    name: 'suite_ticket without SuiteTicket',
    status: 400,
    expectBody: 'bad request: MISSING_XML_FIELD',
    ...post(missingTicketInner),
  },
  {
    name: 'suite_ticket with a non-numeric TimeStamp',
    status: 400,
    expectBody: 'bad request: INVALID_PAYLOAD',
    ...post(badTimeStampInner),
  },
  {
    name: 'unknown suite (POST)',
    status: 404,
    expectBody: 'unknown suite',
    suiteId: 'wwnotconfigured',
    query: validQuery,
    body: valid.body,
  },
  {
    name: 'unknown suite (GET)',
    status: 404,
    expectBody: 'unknown suite',
    method: 'GET',
    suiteId: 'wwnotconfigured',
    query: verification.rawQueryString,
  },
  {
    name: 'suite id with illegal characters',
    status: 400,
    expectBody: 'bad request: MALFORMED_PARAMETER',
    suiteId: 'ww..%2F..',
    query: validQuery,
    body: valid.body,
  },
  {
    name: 'unsupported method',
    status: 405,
    expectBody: 'bad request: UNSUPPORTED_ROUTE',
    method: 'PUT',
    query: validQuery,
    body: valid.body,
  },
  {
    name: 'GET with a tampered echostr',
    status: 403,
    expectBody: 'forbidden: SIGNATURE_MISMATCH',
    method: 'GET',
    // The echostr is random: swap its first character for one it certainly is not.
    query: verification.rawQueryString.replace(
      /echostr=(.)/,
      (_match, first: string) => `echostr=${first === 'Z' ? 'Y' : 'Z'}`,
    ),
  },
];

function post(signed: { rawQueryString: string; body: string }): Pick<Case, 'query' | 'body'> {
  return { query: signed.rawQueryString, body: signed.body };
}

let table: TestTable;

beforeAll(async () => {
  table = await createTestTable();
  const seed = createCallbackHarness(table.endpoint, table.tableName);
  const seedPush = signPush(
    suite,
    suiteEventXml.suiteTicket(suite.suiteId, 'TICKET-SEED', NOW_SECONDS - 600),
    {
      receiveId: suite.suiteId,
      timestamp: NOW_SECONDS,
    },
  );
  await seed.handler(signedPushEvent(suite.suiteId, seedPush));
});

afterAll(async () => {
  await table.drop();
});

describe('malformed and unauthenticated callbacks', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name → $status $expectBody, table unchanged', async (testCase) => {
    const harness = createCallbackHarness(table.endpoint, table.tableName);
    const before = await table.scanAll();

    const response = await harness.handler(
      callbackEvent({
        method: testCase.method ?? 'POST',
        route: testCase.route ?? 'command',
        suiteId: testCase.suiteId ?? suite.suiteId,
        rawQueryString: testCase.query ?? '',
        ...(testCase.body === undefined ? {} : { body: testCase.body }),
        ...(testCase.isBase64Encoded === undefined ? {} : { isBase64Encoded: testCase.isBase64Encoded }),
      }),
    );

    expect(response.statusCode).toBe(testCase.status);
    expect(response.body).toBe(testCase.expectBody);
    expect(response.body).not.toBe('success');
    expect(response.body).not.toContain(suite.token);
    expect(await table.scanAll()).toEqual(before);
  });

  it('still accepts the valid push the cases were derived from (the cases fail for their own reason)', async () => {
    const scratch = await createTestTable();
    const scratchHarness = createCallbackHarness(scratch.endpoint, scratch.tableName);

    const response = await scratchHarness.handler(
      callbackEvent({
        method: 'POST',
        route: 'command',
        suiteId: suite.suiteId,
        rawQueryString: validQuery,
        body: valid.body,
      }),
    );
    const base64Response = await scratchHarness.handler(
      callbackEvent({
        method: 'POST',
        route: 'command',
        suiteId: suite.suiteId,
        rawQueryString: validQuery,
        body: Buffer.from(valid.body).toString('base64'),
        isBase64Encoded: true,
      }),
    );

    expect(response.body).toBe('success');
    expect(base64Response.body).toBe('success');
    expect((await scratch.scanAll())[0]?.suiteTicket).toBe('TICKET-SHOULD-NOT-BE-STORED');
    await scratch.drop();
  });

  it('turns the replay window off with 0', async () => {
    const scratch = await createTestTable();
    const harness = createCallbackHarness(scratch.endpoint, scratch.tableName, { maxSkewSeconds: 0 });

    const response = await harness.handler(signedPushEvent(suite.suiteId, stale));

    expect(response.body).toBe('success');
    await scratch.drop();
  });
});
