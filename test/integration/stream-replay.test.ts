import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExchangeStreamRecord } from '../../functions/adapters/dynamodb/stream-filters.ts';
import { tableKeys } from '../../functions/adapters/dynamodb/table-keys.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.ts';
import { recordAwsCalls } from '../support/aws-call-recorder.ts';
import { THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';

/**
 * An event-source mapping created again (a new service stack, a replaced function) starts at
 * TRIM_HORIZON and hands auth-exchange the stream's last 24 hours: every install, every refresh and
 * every published change again, and codes that never got exchanged. None of that may cost a WeCom
 * call, fail a record (5 failures and the record is in the dead-letter queue, with an alarm) or
 * publish a change twice.
 */

const suiteId = THIRD_PARTY_SUITE.suiteId;
// The shared clock of the functions, WeCom and the pushes; the test moves it forward.
let offsetMs = 0;
const clock = { nowMs: () => Date.now() + offsetMs };
let harness: TokenHarness;

beforeAll(async () => {
  harness = await createTokenHarness({ clock, wecomTimeoutMs: 300 });
  await harness.pushTicket(suiteId);
});

afterAll(async () => {
  await harness.close();
});

/** Every record of the table's stream from its oldest, as a new mapping reads it, in the mapping's batches of 10. */
const replayFromTrimHorizon = async (): Promise<DynamoDBRecord[][]> => {
  const config = { endpoint: harness.table.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const tables = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  // The mapping reads the stream with the function's role (the IAM contract checks these calls).
  recordAwsCalls(streams, 'auth-exchange');
  try {
    const { Table: table } = await tables.send(
      new DescribeTableCommand({ TableName: harness.table.tableName }),
    );
    const streamArn = table?.LatestStreamArn;
    const { StreamDescription: stream } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn }),
    );
    const batches: DynamoDBRecord[][] = [];
    for (const shard of stream?.Shards ?? []) {
      let { ShardIterator: iterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const records: DynamoDBRecord[] = [];
      while (iterator !== undefined) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...(page.Records ?? []).map(toLambdaRecord).filter(isExchangeStreamRecord));
        // An open shard always has a next iterator: its end is a page with nothing in it.
        iterator = (page.Records ?? []).length === 0 ? undefined : page.NextShardIterator;
      }
      for (let start = 0; start < records.length; start += 10) {
        batches.push(records.slice(start, start + 10));
      }
    }
    return batches;
  } finally {
    tables.destroy();
    streams.destroy();
  }
};

const toLambdaRecord = (record: StreamRecord): DynamoDBRecord => ({
  eventID: record.eventID ?? '',
  eventName: record.eventName as DynamoDBRecord['eventName'],
  eventSource: 'aws:dynamodb',
  awsRegion: LOCAL_REGION,
  dynamodb: {
    NewImage: record.dynamodb?.NewImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
    SequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    StreamViewType: 'NEW_IMAGE',
  },
});

const codeItemOf = async (authCode: string) =>
  (await harness.table.scanAll()).find((item) => item.sk === tableKeys.authCode(suiteId, authCode).sk);

/** The first stream record of a stored auth code, delivered on its own (the live mapping's view). */
const deliverCode = async (authCode: string) => {
  const record = (await replayFromTrimHorizon())
    .flat()
    .find((candidate) => candidate.dynamodb?.NewImage?.authCode?.S === authCode);
  if (record === undefined) {
    throw new Error('no stream record for the auth code');
  }
  return harness.handler('auth-exchange')({ Records: [record] });
};

const authorizationChanges = () =>
  harness.eventBridge.received
    .filter((event) => event.DetailType === 'WeCom Authorization Changed')
    .map((event) => JSON.parse(event.Detail) as { corpId?: string; status: string; reason?: string });

describe('a stream replayed from its oldest record', () => {
  it('still fails a fresh code WeCom cannot exchange, so its record is retried and then dead-lettered', async () => {
    const authCode = await harness.pushAuthCode(suiteId, 'wwreplayfresh', 'create_auth');
    harness.simulator.injectFaults('service/v2/get_permanent_code', { kind: 'errcode', errcode: 60020 });
    const exchangesBefore = harness.simulator.calls('service/v2/get_permanent_code');

    const response = await deliverCode(authCode);

    expect(harness.simulator.calls('service/v2/get_permanent_code')).toBe(exchangesBefore + 1);
    expect(response.batchItemFailures).toHaveLength(1);
    expect(await codeItemOf(authCode)).toMatchObject({ status: 'pending' });
  });

  it('costs no WeCom call, fails no record and publishes nothing twice; a code never exchanged is settled as expired', async () => {
    // An install that went through, with its authorization's info read (the live mapping).
    const stopExchange = await harness.startExchange();
    try {
      await harness.pushAuthCode(suiteId, 'wwreplayinstalled', 'create_auth');
      await eventually(async () => {
        const installed = await harness
          .newContainer()
          .authorizations.getAuthorization(suiteId, 'wwreplayinstalled');
        const announced = authorizationChanges().some(
          (change) => change.corpId === 'wwreplayinstalled' && change.status === 'active',
        );
        return announced && installed?.status === 'active' && installed.authInfoStale === false
          ? true
          : undefined;
      }, 20_000);
    } finally {
      await stopExchange();
    }
    // Two codes whose exchange failed every time, so their records went to the dead-letter queue:
    // WeCom refused the call (60020: the egress IP not allow-listed yet), and an answer was lost
    // after WeCom may have spent the code.
    const refused = await harness.pushAuthCode(suiteId, 'wwreplayrefused', 'create_auth');
    harness.simulator.injectFaults('service/v2/get_permanent_code', { kind: 'errcode', errcode: 60020 });
    expect((await deliverCode(refused)).batchItemFailures).toHaveLength(1);
    const lost = await harness.pushAuthCode(suiteId, 'wwreplaylost', 'create_auth');
    harness.simulator.injectFaults('service/v2/get_permanent_code', { kind: 'answer-lost' });
    expect((await deliverCode(lost)).batchItemFailures).toHaveLength(1);
    // Hours later the mapping is created again.
    offsetMs = 3 * 60 * 60_000;
    const exchangesBefore = harness.simulator.calls('service/v2/get_permanent_code');
    const authInfoReadsBefore = harness.simulator.calls('service/get_auth_info');
    const changesBefore = authorizationChanges().length;
    const outcomeUnknownBefore = harness.runtime.metricsLog.recorded.filter(
      (entry) => entry.name === 'exchangeOutcomeUnknown',
    ).length;

    const batches = await replayFromTrimHorizon();
    const handler = harness.handler('auth-exchange');
    const failures = [];
    for (const batch of batches) {
      failures.push(...(await handler({ Records: batch })).batchItemFailures);
    }

    // The installed corp's code, its stale-info and pending-change records, and the three codes.
    expect(batches.flat().length).toBeGreaterThanOrEqual(6);
    expect(failures).toEqual([]);
    expect(harness.simulator.calls('service/v2/get_permanent_code')).toBe(exchangesBefore);
    expect(harness.simulator.calls('service/get_auth_info')).toBe(authInfoReadsBefore);
    expect(await codeItemOf(refused)).toMatchObject({
      status: 'failed',
      failureReason: expect.stringContaining('expired'),
    });
    expect(await codeItemOf(lost)).toMatchObject({
      status: 'outcome_unknown',
      failureReason: expect.stringContaining('reinstall'),
    });
    expect(
      harness.runtime.metricsLog.recorded.filter((entry) => entry.name === 'exchangeOutcomeUnknown').length -
        outcomeUnknownBefore,
    ).toBe(1);
    // Only the failures of the codes never exchanged are news (the one of the first test too); the
    // install is not announced again.
    expect(authorizationChanges().slice(changesBefore)).toEqual([
      expect.objectContaining({ status: 'failed', reason: expect.stringContaining('expired') }),
      expect.objectContaining({ status: 'failed', reason: expect.stringContaining('expired') }),
      expect.objectContaining({ status: 'failed', reason: expect.stringContaining('reinstall') }),
    ]);
    expect(
      await harness.newContainer().authorizations.getAuthorization(suiteId, 'wwreplayinstalled'),
    ).toMatchObject({
      status: 'active',
      authInfoStale: false,
    });
  });
});
