import {
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITY, tableKeys } from '../../functions/adapters/dynamodb/table-keys.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.ts';
import { RedriveInputError, redriveDeadLetter } from '../../scripts/auth-exchange-redrive.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';

const NOW_MS = 1_780_000_000_000;

let table: TestTable;
let dynamodb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let streamArn: string;
let shardId: string;

beforeAll(async () => {
  table = await createTestTable();
  const local = { endpoint: table.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  dynamodb = new DynamoDBClient(local);
  streams = new DynamoDBStreamsClient(local);
  streamArn =
    (await dynamodb.send(new DescribeTableCommand({ TableName: table.tableName }))).Table?.LatestStreamArn ??
    '';
  shardId =
    (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]
      ?.ShardId ?? '';
});

afterAll(async () => {
  dynamodb.destroy();
  streams.destroy();
  await table.drop();
});

/** Every record of the shard so far. */
const streamRecords = async (): Promise<_Record[]> => {
  let iterator = (
    await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    )
  ).ShardIterator;
  const records: _Record[] = [];
  for (let emptyPages = 0; iterator !== undefined && emptyPages < 2; ) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...(page.Records ?? []));
    emptyPages = (page.Records ?? []).length === 0 ? emptyPages + 1 : 0;
    iterator = page.NextShardIterator;
  }
  return records;
};

const recordsOf = async (key: { pk: string; sk: string }) =>
  (await streamRecords()).filter(
    (record) => record.dynamodb?.Keys?.pk?.S === key.pk && record.dynamodb?.Keys?.sk?.S === key.sk,
  );

/** The message Lambda's stream mapping sends to the queue for a batch of just this record. */
const deadLetterFor = (record: _Record | undefined): string => {
  const sequence = record?.dynamodb?.SequenceNumber ?? '';
  return JSON.stringify({
    requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 6 },
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: sequence,
      endSequenceNumber: sequence,
      batchSize: 1,
      streamArn,
    },
  });
};

const putAuthCode = async (code: string, status: string) => {
  const key = tableKeys.authCode('wwsuite', code);
  await dynamodb.send(
    new PutItemCommand({
      TableName: table.tableName,
      Item: {
        pk: { S: key.pk },
        sk: { S: key.sk },
        entity: { S: ENTITY.authCode },
        status: { S: status },
        receivedAtMs: { N: String(NOW_MS - 60_000) },
      },
    }),
  );
  return key;
};

describe('re-driving an auth-exchange dead letter', () => {
  it('re-puts an auth code still pending, so the stream delivers its INSERT again, unchanged', async () => {
    const key = await putAuthCode('code-pending', 'pending');
    const [failed] = await recordsOf(key);
    const before = await table.scanAll();

    const report = await redriveDeadLetter(
      { dynamodb, streams },
      table.tableName,
      deadLetterFor(failed),
      NOW_MS,
    );

    const inserts = (await recordsOf(key)).filter((record) => record.eventName === 'INSERT');
    expect(report.records).toEqual([{ keys: `${key.pk} ${key.sk}`, outcome: 're-put' }]);
    expect(inserts).toHaveLength(2);
    expect(inserts[1]?.dynamodb?.NewImage).toEqual(failed?.dynamodb?.NewImage);
    expect(await table.scanAll()).toEqual(before);
  });

  it('leaves an auth code that was settled since the failure as it is', async () => {
    const key = await putAuthCode('code-settled', 'pending');
    const [failed] = await recordsOf(key);
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
        UpdateExpression: 'SET #status = :failed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': { S: 'failed' } },
      }),
    );
    const recordsBefore = (await recordsOf(key)).length;

    const report = await redriveDeadLetter(
      { dynamodb, streams },
      table.tableName,
      deadLetterFor(failed),
      NOW_MS,
    );

    expect(report.records.map((record) => record.outcome)).toEqual(['settled']);
    expect(await recordsOf(key)).toHaveLength(recordsBefore);
  });

  it('touches an authorization whose change is still waiting, so auth-exchange is given it again', async () => {
    const key = tableKeys.authorization('wwsuite', 'wwcorp');
    await dynamodb.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: key.pk },
          sk: { S: key.sk },
          entity: { S: ENTITY.authorization },
          hasPendingEvent: { BOOL: true },
        },
      }),
    );
    const [failed] = await recordsOf(key);

    const report = await redriveDeadLetter(
      { dynamodb, streams },
      table.tableName,
      deadLetterFor(failed),
      NOW_MS,
    );

    const records = await recordsOf(key);
    expect(report.records.map((record) => record.outcome)).toEqual(['re-put']);
    expect(records.at(-1)?.eventName).toBe('MODIFY');
    expect(records.at(-1)?.dynamodb?.NewImage).toMatchObject({
      hasPendingEvent: { BOOL: true },
      redrivenAtMs: { N: String(NOW_MS) },
    });
  });

  it('refuses a message that is not a stream failure record, writing nothing', async () => {
    const before = await table.scanAll();

    await expect(
      redriveDeadLetter({ dynamodb, streams }, table.tableName, '{"Records":[]}', NOW_MS),
    ).rejects.toThrow(RedriveInputError);
    await expect(
      redriveDeadLetter({ dynamodb, streams }, table.tableName, 'not json', NOW_MS),
    ).rejects.toThrow('the dead-letter message is not JSON');
    expect(await table.scanAll()).toEqual(before);
  });
});
