import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/free-port.ts';
import { callbackEvent, signedPushEvent } from '../support/api-events.ts';
import {
  CUSTOMIZED_TEMPLATE,
  createCallbackHarness,
  NOW_SECONDS,
  PROVIDER_CORP_ID,
  TEST_CONFIG,
  THIRD_PARTY_SUITE,
} from '../support/callback-harness.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { captureLogs } from '../support/log-capture.ts';
import { signPush, signUrlVerification, suiteEventXml } from '../support/wecom-pushes.ts';

const suite = THIRD_PARTY_SUITE;
let table: TestTable;

beforeAll(async () => {
  table = await createTestTable();
});

afterAll(async () => {
  await table.drop();
});

const ticketPush = (ticket: string, timeStamp = NOW_SECONDS) =>
  signPush(suite, suiteEventXml.suiteTicket(suite.suiteId, ticket, timeStamp), {
    receiveId: suite.suiteId,
    timestamp: NOW_SECONDS,
  });

describe('when DynamoDB is unavailable', () => {
  it('answers 503 to a suite_ticket push, never success', async () => {
    const deadEndpoint = `http://127.0.0.1:${await findFreePort()}`;
    const harness = createCallbackHarness(deadEndpoint, table.tableName);
    const push = ticketPush('TICKET-LOST?');

    const response = await harness.handler(signedPushEvent(suite.suiteId, push));

    expect(response.statusCode).toBe(503);
    expect(response.body).not.toBe('success');
  });

  it('answers 503 to a create_auth push when the table is missing', async () => {
    const harness = createCallbackHarness(table.endpoint, 'no-such-table');
    const push = signPush(suite, suiteEventXml.createAuth(suite.suiteId, 'CODE-503', NOW_SECONDS), {
      receiveId: suite.suiteId,
      timestamp: NOW_SECONDS,
    });

    const response = await harness.handler(signedPushEvent(suite.suiteId, push));

    expect(response.statusCode).toBe(503);
  });
});

describe('request logs', () => {
  const secretValues = [
    ...TEST_CONFIG.suites.flatMap((configured) => [
      configured.token,
      configured.encodingAesKey,
      configured.suiteSecret,
    ]),
    'provider-secret-value',
    'TICKET-VALUE-NEVER-LOGGED',
    'AUTH-CODE-NEVER-LOGGED',
  ];

  it('writes one structured line per request, with no secret in any line', async () => {
    const harness = createCallbackHarness(table.endpoint, table.tableName, {
      logLevel: 'INFO',
      emitMetrics: true,
    });
    const deadHarness = createCallbackHarness(`http://127.0.0.1:${await findFreePort()}`, table.tableName, {
      logLevel: 'INFO',
    });
    const verification = signUrlVerification(suite, '987654321', {
      receiveId: PROVIDER_CORP_ID,
      timestamp: NOW_SECONDS,
    });
    const ticket = ticketPush('TICKET-VALUE-NEVER-LOGGED');
    const createAuth = signPush(
      suite,
      suiteEventXml.createAuth(suite.suiteId, 'AUTH-CODE-NEVER-LOGGED', NOW_SECONDS),
      { receiveId: suite.suiteId, timestamp: NOW_SECONDS },
    );
    const reset = signPush(
      CUSTOMIZED_TEMPLATE,
      suiteEventXml.resetPermanentCode(CUSTOMIZED_TEMPLATE.suiteId, 'AUTH-CODE-NEVER-LOGGED', NOW_SECONDS),
      { receiveId: CUSTOMIZED_TEMPLATE.suiteId, timestamp: NOW_SECONDS },
    );
    const wrongReceiver = signPush(
      suite,
      suiteEventXml.suiteTicket(suite.suiteId, 'TICKET-VALUE-NEVER-LOGGED', NOW_SECONDS),
      { receiveId: 'wwunexpectedreceiver', timestamp: NOW_SECONDS },
    );
    const badSignature = {
      ...ticket,
      rawQueryString: ticket.rawQueryString.replace(
        /msg_signature=[0-9a-f]{40}/,
        `msg_signature=${'f'.repeat(40)}`,
      ),
    };
    const logs = captureLogs();

    try {
      await harness.handler(
        callbackEvent({
          method: 'GET',
          route: 'command',
          suiteId: suite.suiteId,
          rawQueryString: verification.rawQueryString,
        }),
      );
      await harness.handler(signedPushEvent(suite.suiteId, ticket));
      await harness.handler(signedPushEvent(suite.suiteId, createAuth));
      await harness.handler(signedPushEvent(CUSTOMIZED_TEMPLATE.suiteId, reset));
      await harness.handler(signedPushEvent(suite.suiteId, wrongReceiver));
      await harness.handler(signedPushEvent(suite.suiteId, badSignature));
      await deadHarness.handler(signedPushEvent(suite.suiteId, ticket));
    } finally {
      logs.stop();
    }

    const allRecords = logs.records();
    const metricLines = allRecords.filter((record) => '_aws' in record);
    const records = allRecords.filter((record) => !('_aws' in record));
    expect(records).toHaveLength(7);
    expect(
      metricLines.map((line) => [JSON.stringify(line._aws).match(/"Name":"(\w+)"/)?.[1], line.suiteId]),
    ).toEqual([
      ['SuiteTicketReceived', suite.suiteId],
      ['SuiteTicketReceived', undefined],
      ['AuthCodeReceived', suite.suiteId],
      ['AuthCodeReceived', CUSTOMIZED_TEMPLATE.suiteId],
    ]);
    for (const line of logs.lines()) {
      for (const secret of secretValues) {
        expect(line).not.toContain(secret);
      }
    }
    expect(records.map((record) => record.outcome)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'rejected',
      'rejected',
      'failed',
    ]);
    expect(records[1]).toMatchObject({
      suiteId: suite.suiteId,
      callback: 'command',
      infoType: 'suite_ticket',
      effect: 'ticket_stored',
      status: 200,
    });
    expect(records[2]).toMatchObject({ infoType: 'create_auth', effect: 'auth_code_stored' });
    expect(records[3]).toMatchObject({
      suiteId: CUSTOMIZED_TEMPLATE.suiteId,
      infoType: 'reset_permanent_code',
    });
    expect(records[4]).toMatchObject({
      status: 403,
      reason: 'RECEIVE_ID_MISMATCH',
      observedReceiveId: 'wwunexpectedreceiver',
    });
    expect(records[5]).toMatchObject({ status: 403, reason: 'SIGNATURE_MISMATCH' });
    expect(records[6]).toMatchObject({ status: 503, reason: 'STORAGE_UNAVAILABLE', level: 'ERROR' });
    for (const record of records) {
      expect(typeof record.latencyMs).toBe('number');
      expect(record.route).toMatch(/^(GET|POST) \/callback\/\{suiteId\}\/command$/);
    }
  });
});
