import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tableKeys } from '../../functions/adapters/dynamodb/table-keys.ts';
import { callbackEvent, signedPushEvent } from '../support/api-events.ts';
import {
  type CallbackHarness,
  CUSTOMIZED_TEMPLATE,
  createCallbackHarness,
  NOW_SECONDS,
  PROVIDER_CORP_ID,
  THIRD_PARTY_SUITE,
} from '../support/callback-harness.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { loadCryptoVectors } from '../support/vectors.ts';
import { type SuiteSecrets, signPush, signUrlVerification, suiteEventXml } from '../support/wecom-pushes.ts';

const suite = THIRD_PARTY_SUITE;
let table: TestTable;
let harness: CallbackHarness;

beforeAll(async () => {
  table = await createTestTable();
});

afterAll(async () => {
  await table.drop();
});

beforeEach(() => {
  harness = createCallbackHarness(table.endpoint, table.tableName);
});

const post = (
  route: 'command' | 'data',
  rawQueryString: string,
  body: string,
  suiteId: string = suite.suiteId,
) => harness.handler(callbackEvent({ method: 'POST', route, suiteId, rawQueryString, body }));

const pushEvent = (
  xml: string,
  options: { receiveId?: string; timestamp?: number; target?: SuiteSecrets } = {},
) => {
  const target = options.target ?? suite;
  const signed = signPush(target, xml, {
    receiveId: options.receiveId ?? target.suiteId,
    timestamp: options.timestamp ?? NOW_SECONDS,
  });
  return post('command', signed.rawQueryString, signed.body, target.suiteId);
};

/** Stores an active authorization for the test suite, as a completed exchange would. */
const seedActiveAuthorization = (corpId: string, fields: Record<string, unknown> = {}) =>
  table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...tableKeys.authorization(suite.suiteId, corpId),
        entity: 'Authorization',
        status: 'active',
        ...fields,
      },
    }),
  );

const itemsWithSk = async (prefix: string) =>
  (await table.scanAll()).filter((item) => String(item.sk).startsWith(prefix));

describe('URL verification (GET)', () => {
  it.each(['command', 'data'] as const)(
    'answers the exact plaintext on the %s route for a percent-encoded echostr',
    async (route) => {
      const signed = signUrlVerification(suite, '1616140317555161061', {
        receiveId: PROVIDER_CORP_ID,
        timestamp: NOW_SECONDS,
      });

      const response = await harness.handler(
        callbackEvent({
          method: 'GET',
          route,
          suiteId: suite.suiteId,
          rawQueryString: signed.rawQueryString,
        }),
      );

      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-type']).toMatch(/^text\/plain/);
      expect(response.body).toBe('1616140317555161061');
    },
  );

  it('answers the same plaintext when echostr carries raw + characters', async () => {
    let signed = signUrlVerification(suite, '5927782489442352469', {
      receiveId: suite.suiteId,
      timestamp: NOW_SECONDS,
      rawPlus: true,
    });
    for (let nonce = 1; !signed.encrypt.includes('+'); nonce += 1) {
      signed = signUrlVerification(suite, '5927782489442352469', {
        receiveId: suite.suiteId,
        timestamp: NOW_SECONDS,
        rawPlus: true,
        nonce: String(nonce),
      });
    }

    const response = await harness.handler(
      callbackEvent({
        method: 'GET',
        route: 'command',
        suiteId: suite.suiteId,
        rawQueryString: signed.rawQueryString,
      }),
    );

    expect(signed.rawQueryString).toContain('+');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('5927782489442352469');
  });

  it('verifies the published PHP/Go sample (vector B1) both percent-encoded and with raw +', async () => {
    const b1 = loadCryptoVectors().find((vector) => vector.id === 'B1');
    if (b1?.encrypt === undefined || b1.token === undefined || b1.encodingAesKey === undefined) {
      throw new Error('vector B1 missing');
    }
    const vectorHarness = createCallbackHarness(table.endpoint, table.tableName, {
      config: {
        provider: { corpId: PROVIDER_CORP_ID },
        suites: [
          {
            suiteId: 'wx5823bf96d3bd56c7',
            token: b1.token,
            encodingAesKey: b1.encodingAesKey,
            suiteSecret: 's',
          },
        ],
      },
    });
    const query = (echostr: string) =>
      `msg_signature=${b1.msgSignature}&timestamp=${b1.timestamp}&nonce=${b1.nonce}&echostr=${echostr}`;

    const encoded = await vectorHarness.handler(
      callbackEvent({
        method: 'GET',
        route: 'command',
        suiteId: 'wx5823bf96d3bd56c7',
        rawQueryString: query(encodeURIComponent(b1.encrypt)),
      }),
    );
    const rawPlus = await vectorHarness.handler(
      callbackEvent({
        method: 'GET',
        route: 'command',
        suiteId: 'wx5823bf96d3bd56c7',
        rawQueryString: query(b1.encrypt),
      }),
    );

    expect(encoded.body).toBe('1616140317555161061');
    expect(rawPlus.body).toBe('1616140317555161061');
  });

  it('refuses a wrong signature with 403 and no plaintext', async () => {
    const signed = signUrlVerification(suite, '1616140317555161061', {
      receiveId: PROVIDER_CORP_ID,
      timestamp: NOW_SECONDS,
    });
    const tampered = signed.rawQueryString.replace(
      /msg_signature=([0-9a-f])/,
      (_m, first: string) => `msg_signature=${first === 'a' ? 'b' : 'a'}`,
    );

    const response = await harness.handler(
      callbackEvent({ method: 'GET', route: 'command', suiteId: suite.suiteId, rawQueryString: tampered }),
    );

    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('1616140317555161061');
  });

  it('refuses a verification encrypted for a corp the command route does not accept', async () => {
    const signed = signUrlVerification(suite, '1616140317555161061', {
      receiveId: 'wwsomeothercorp',
      timestamp: NOW_SECONDS,
    });

    const response = await harness.handler(
      callbackEvent({
        method: 'GET',
        route: 'command',
        suiteId: suite.suiteId,
        rawQueryString: signed.rawQueryString,
      }),
    );

    expect(response.statusCode).toBe(403);
    expect(response.body).toBe('forbidden: RECEIVE_ID_MISMATCH');
  });

  it('does not apply the replay window to GET', async () => {
    const signed = signUrlVerification(suite, '42', {
      receiveId: suite.suiteId,
      timestamp: NOW_SECONDS - 86_400,
    });

    const response = await harness.handler(
      callbackEvent({
        method: 'GET',
        route: 'command',
        suiteId: suite.suiteId,
        rawQueryString: signed.rawQueryString,
      }),
    );

    expect(response.body).toBe('42');
  });
});

describe('suite_ticket pushes', () => {
  it('stores a pushed ticket and answers success', async () => {
    const response = await pushEvent(suiteEventXml.suiteTicket(suite.suiteId, 'TICKET-A', NOW_SECONDS - 10));

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('success');
    const [ticket] = await itemsWithSk('TICKET');
    expect(ticket).toMatchObject({
      suiteId: suite.suiteId,
      suiteTicket: 'TICKET-A',
      ticketTimeStamp: NOW_SECONDS - 10,
    });
  });

  it('keeps the newest of 20 pushes delivered in shuffled order, each twice, and the one before it', async () => {
    const otherTable = await createTestTable();
    const local = createCallbackHarness(otherTable.endpoint, otherTable.tableName);
    const stamps = Array.from({ length: 20 }, (_, index) => NOW_SECONDS - 600 * 20 + index * 600);
    const deliveries = [...stamps, ...stamps];
    let seed = 20261122;
    for (let index = deliveries.length - 1; index > 0; index -= 1) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const swap = seed % (index + 1);
      [deliveries[index], deliveries[swap]] = [deliveries[swap] as number, deliveries[index] as number];
    }

    for (const stamp of deliveries) {
      local.clock.set(stamp * 1000);
      const signed = signPush(suite, suiteEventXml.suiteTicket(suite.suiteId, `TICKET-${stamp}`, stamp), {
        receiveId: suite.suiteId,
        timestamp: stamp,
      });
      const response = await local.handler(signedPushEvent(suite.suiteId, signed));
      expect(response.body).toBe('success');
    }

    const items = await otherTable.scanAll();
    await otherTable.drop();
    const newest = stamps[19] as number;
    const secondNewest = stamps[18] as number;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      suiteTicket: `TICKET-${newest}`,
      ticketTimeStamp: newest,
      previousTicket: `TICKET-${secondNewest}`,
      previousTimeStamp: secondNewest,
    });
  });

  it('never rolls the ticket back for an older push', async () => {
    await pushEvent(suiteEventXml.suiteTicket(suite.suiteId, 'TICKET-NEW', NOW_SECONDS));

    const response = await pushEvent(
      suiteEventXml.suiteTicket(suite.suiteId, 'TICKET-OLD', NOW_SECONDS - 100),
    );

    expect(response.body).toBe('success');
    const [ticket] = await itemsWithSk('TICKET');
    expect(ticket?.suiteTicket).toBe('TICKET-NEW');
  });

  it('refuses a ticket whose SuiteId is not the route suite', async () => {
    const response = await pushEvent(
      suiteEventXml.suiteTicket('wwanothersuite', 'TICKET-X', NOW_SECONDS + 5),
    );

    expect(response.statusCode).toBe(403);
    expect((await itemsWithSk('TICKET'))[0]?.suiteTicket).not.toBe('TICKET-X');
  });
});

describe('auth events', () => {
  it('stores a create_auth code exactly once however often it is delivered', async () => {
    const xml = suiteEventXml.createAuth(suite.suiteId, 'AUTHCODE-ONCE-1', NOW_SECONDS);
    const before = (await itemsWithSk('AUTHCODE#')).length;

    const responses = [];
    for (let delivery = 0; delivery < 4; delivery += 1) {
      responses.push(
        await pushEvent(xml, { receiveId: delivery % 2 === 0 ? suite.suiteId : PROVIDER_CORP_ID }),
      );
    }

    expect(responses.map((response) => response.body)).toEqual(['success', 'success', 'success', 'success']);
    const codes = (await itemsWithSk('AUTHCODE#')).filter((item) => item.authCode === 'AUTHCODE-ONCE-1');
    expect(codes).toHaveLength(1);
    expect((await itemsWithSk('AUTHCODE#')).length).toBe(before + 1);
    expect(codes[0]).toMatchObject({
      entity: 'AuthCode',
      suiteId: suite.suiteId,
      source: 'create_auth',
      status: 'pending',
      state: 'install',
    });
  });

  it('stores a reset_permanent_code for a 代开发 template', async () => {
    const response = await pushEvent(
      suiteEventXml.resetPermanentCode(CUSTOMIZED_TEMPLATE.suiteId, 'RESET-CODE-1', NOW_SECONDS),
      {
        target: CUSTOMIZED_TEMPLATE,
      },
    );

    expect(response.body).toBe('success');
    const codes = (await itemsWithSk('AUTHCODE#')).filter((item) => item.authCode === 'RESET-CODE-1');
    expect(codes).toEqual([
      expect.objectContaining({ suiteId: CUSTOMIZED_TEMPLATE.suiteId, source: 'reset_permanent_code' }),
    ]);
  });

  it('records change_auth against a known corp and acknowledges it for an unknown one', async () => {
    await seedActiveAuthorization('wxcorpchange', { authorizedTimeStamp: NOW_SECONDS - 1000 });

    const known = await pushEvent(suiteEventXml.changeAuth(suite.suiteId, 'wxcorpchange', NOW_SECONDS));
    const unknown = await pushEvent(suiteEventXml.changeAuth(suite.suiteId, 'wxcorpnever', NOW_SECONDS));

    expect([known.body, unknown.body]).toEqual(['success', 'success']);
    const items = await table.scanAll();
    expect(items.find((item) => item.pk === 'CORP#wxcorpchange')).toMatchObject({
      authChangedTimeStamp: NOW_SECONDS,
      authInfoStale: true,
    });
    expect(items.some((item) => item.pk === 'CORP#wxcorpnever')).toBe(false);
  });

  it('revokes on cancel_auth: status revoked, permanent code and cached token gone', async () => {
    const corpId = 'wxcorpcancel';
    await seedActiveAuthorization(corpId, {
      permanentCode: 'PERMANENT-SECRET',
      authorizedTimeStamp: NOW_SECONDS - 1000,
    });
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...tableKeys.corpToken(suite.suiteId, corpId), entity: 'CorpToken', accessToken: 'CACHED' },
      }),
    );

    const first = await pushEvent(suiteEventXml.cancelAuth(suite.suiteId, corpId, NOW_SECONDS));
    const again = await pushEvent(suiteEventXml.cancelAuth(suite.suiteId, corpId, NOW_SECONDS));

    expect([first.body, again.body]).toEqual(['success', 'success']);
    const items = await table.scanAll();
    const authorization = items.find((item) => item.pk === tableKeys.authorization(suite.suiteId, corpId).pk);
    const tokenKey = tableKeys.corpToken(suite.suiteId, corpId);
    expect(authorization).toMatchObject({ status: 'revoked', revokedTimeStamp: NOW_SECONDS });
    expect(authorization).not.toHaveProperty('permanentCode');
    expect(items.some((item) => item.pk === tokenKey.pk && item.sk === tokenKey.sk)).toBe(false);
  });

  it('ignores a cancel_auth older than the corp’s latest install', async () => {
    const corpId = 'wxcorpreinstalled';
    await seedActiveAuthorization(corpId, { permanentCode: 'P2', authorizedTimeStamp: NOW_SECONDS });

    const response = await pushEvent(suiteEventXml.cancelAuth(suite.suiteId, corpId, NOW_SECONDS - 60));

    expect(response.body).toBe('success');
    const item = (await table.scanAll()).find((candidate) => candidate.pk === `CORP#${corpId}`);
    expect(item).toMatchObject({ status: 'active', permanentCode: 'P2' });
  });

  it('acknowledges an InfoType it does not know without writing anything', async () => {
    const before = await table.scanAll();

    const response = await pushEvent(
      `<xml><SuiteId>${suite.suiteId}</SuiteId><InfoType>change_contact</InfoType><TimeStamp>${NOW_SECONDS}</TimeStamp><AuthCorpId>wxc</AuthCorpId><ChangeType>create_user</ChangeType></xml>`,
    );

    expect(response.body).toBe('success');
    expect(await table.scanAll()).toEqual(before);
  });

  it('acknowledges an authentic message without InfoType (MsgType/Event form) without writing anything', async () => {
    const before = await table.scanAll();

    const response = await pushEvent(
      `<xml><ToUserName><![CDATA[${suite.suiteId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${NOW_SECONDS}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_app_admin]]></Event><AgentID>1000002</AgentID></xml>`,
    );

    expect(response).toMatchObject({ statusCode: 200, body: 'success' });
    expect(await table.scanAll()).toEqual(before);
  });

  it('drops the cached token (and any block on it) when change_auth arrives', async () => {
    const corpId = 'wxcorpchangeheals';
    await seedActiveAuthorization(corpId, { authorizedTimeStamp: NOW_SECONDS - 1000 });
    const tokenKey = tableKeys.corpToken(suite.suiteId, corpId);
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...tokenKey, entity: 'CorpToken', credentialStatus: 'broken', block: { refusals: 1 } },
      }),
    );

    const response = await pushEvent(suiteEventXml.changeAuth(suite.suiteId, corpId, NOW_SECONDS));

    expect(response.body).toBe('success');
    const items = await table.scanAll();
    expect(items.some((item) => item.pk === tokenKey.pk && item.sk === tokenKey.sk)).toBe(false);
  });
});

describe('data callbacks (POST)', () => {
  const dataPush = (receiveId: string, extraQuery = '') => {
    const xml = `<xml><ToUserName>${receiveId}</ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_app_admin]]></Event><AgentID>1000002</AgentID></xml>`;
    const signed = signPush(suite, xml, { receiveId, timestamp: NOW_SECONDS, extraQuery });
    return post('data', signed.rawQueryString, signed.body);
  };

  it('answers an empty 200 for a message encrypted for the corp named by corpid', async () => {
    const response = await dataPush('wxcorpfromquery', '&corpid=wxcorpfromquery');

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
  });

  it('accepts a message for a corp with an active authorization and refuses one for a stranger', async () => {
    await seedActiveAuthorization('wxcorpauthorized');

    const authorized = await dataPush('wxcorpauthorized');
    const stranger = await dataPush('wxcorpstranger');

    expect(authorized.statusCode).toBe(200);
    expect(stranger.statusCode).toBe(403);
  });
});
