import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { isExchangeStreamRecord } from '../functions/adapters/dynamodb/stream-filters.ts';
import { ENTITY } from '../functions/adapters/dynamodb/table-keys.ts';

/**
 * What Lambda sends to a stream mapping's on-failure destination: which records of which shard failed
 * (`DDBStreamBatchInfo`), never the records (docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html).
 */
export interface FailedBatch {
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
}

/** What happened to one record of a failed batch. */
export type RedriveOutcome =
  /** Written again, so the stream delivers it to auth-exchange again. */
  | 're-put'
  /** The item has moved on since (exchanged, settled, published): nothing to re-drive. */
  | 'settled'
  /** A record auth-exchange is never given (the mapping's filters): nothing to re-drive. */
  | 'not-for-auth-exchange';

export interface RedriveReport {
  readonly batch: FailedBatch;
  /** False when the stream no longer holds the batch (stream records are kept 24 hours). */
  readonly found: boolean;
  readonly records: readonly { readonly keys: string; readonly outcome: RedriveOutcome }[];
}

/** A typed refusal of input the re-drive cannot use; nothing has been written. */
export class RedriveInputError extends Error {
  override readonly name = 'RedriveInputError';
}

const text = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value === '') {
    throw new RedriveInputError(`the dead-letter message has no ${name}`);
  }
  return value;
};

/** The failed batch a dead-letter message describes. @throws RedriveInputError when it is not one */
export const parseDeadLetter = (body: string): FailedBatch => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new RedriveInputError('the dead-letter message is not JSON', { cause: error });
  }
  const info = (parsed as { DDBStreamBatchInfo?: Record<string, unknown> } | null)?.DDBStreamBatchInfo;
  if (typeof info !== 'object' || info === null) {
    throw new RedriveInputError(
      'the dead-letter message has no DDBStreamBatchInfo: not a stream failure record',
    );
  }
  return {
    streamArn: text(info.streamArn, 'streamArn'),
    shardId: text(info.shardId, 'shardId'),
    startSequenceNumber: text(info.startSequenceNumber, 'startSequenceNumber'),
    endSequenceNumber: text(info.endSequenceNumber, 'endSequenceNumber'),
  };
};

/** The records of a failed batch still in the stream, in order (the stream keeps 24 hours). */
export const readBatch = async (streams: DynamoDBStreamsClient, batch: FailedBatch): Promise<_Record[]> => {
  const end = BigInt(batch.endSequenceNumber);
  let iterator = (
    await streams.send(
      new GetShardIteratorCommand({
        StreamArn: batch.streamArn,
        ShardId: batch.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: batch.startSequenceNumber,
      }),
    )
  ).ShardIterator;
  const records: _Record[] = [];
  // An open shard answers empty pages past its newest record: a few in a row mean the batch is read.
  for (let emptyPages = 0; iterator !== undefined && emptyPages < 3; ) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    const inBatch = (page.Records ?? []).filter(
      (record) => BigInt(record.dynamodb?.SequenceNumber ?? '0') <= end,
    );
    records.push(...inBatch);
    if (inBatch.length < (page.Records ?? []).length) {
      break;
    }
    emptyPages = (page.Records ?? []).length === 0 ? emptyPages + 1 : 0;
    iterator = page.NextShardIterator;
  }
  return records;
};

/**
 * An auth code is delivered on INSERT only: it is deleted and put back as it is now (its claim and
 * any lost-answer mark included), if auth-exchange could still claim it (`pending`, or `exchanging`
 * with an expired claim: functions/adapters/dynamodb/auth-code-store.ts) and nothing changed it in
 * between. auth-exchange then exchanges it, or settles it as WeCom's 40078 would once it is past
 * WeCom's 10 minutes.
 */
const reputAuthCode = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  keys: Record<string, AttributeValue>,
  nowMs: number,
): Promise<RedriveOutcome> => {
  const item = (
    await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: keys, ConsistentRead: true }))
  ).Item;
  const status = item?.status?.S;
  const claimExpiresAtMs = Number(item?.claimExpiresAtMs?.N ?? '0');
  const claimable = status === 'pending' || (status === 'exchanging' && claimExpiresAtMs < nowMs);
  if (item === undefined || !claimable) {
    return 'settled';
  }
  await dynamodb.send(
    new DeleteItemCommand({
      TableName: tableName,
      Key: keys,
      ConditionExpression:
        '#status = :status AND (attribute_not_exists(claimExpiresAtMs) OR claimExpiresAtMs = :claim)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': { S: status ?? '' },
        ':claim': item.claimExpiresAtMs ?? { N: '0' },
      },
    }),
  );
  await dynamodb.send(
    new PutItemCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
  );
  return 're-put';
};

/**
 * Writes a record's item again, only if it is still due, so the stream delivers it once more: an
 * auth code as above; an authorization (delivered while `authInfoStale` or `hasPendingEvent` is
 * true) is touched (`redrivenAtMs`) if a flag is still true.
 */
export const reputRecord = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  record: _Record,
  nowMs: number,
): Promise<RedriveOutcome> => {
  const image = record.dynamodb?.NewImage;
  const keys = record.dynamodb?.Keys as Record<string, AttributeValue> | undefined;
  if (image === undefined || keys === undefined || !isExchangeStreamRecord(record)) {
    return 'not-for-auth-exchange';
  }
  try {
    if (image.entity?.S === ENTITY.authCode) {
      return await reputAuthCode(dynamodb, tableName, keys, nowMs);
    }
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: keys,
        UpdateExpression: 'SET redrivenAtMs = :now',
        ConditionExpression: 'authInfoStale = :true OR hasPendingEvent = :true',
        ExpressionAttributeValues: { ':now': { N: String(nowMs) }, ':true': { BOOL: true } },
      }),
    );
    return 're-put';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return 'settled';
    }
    throw error;
  }
};

/** Re-drives one dead-letter message: reads its batch from the stream and re-puts what is still due. */
export const redriveDeadLetter = async (
  clients: { readonly dynamodb: DynamoDBClient; readonly streams: DynamoDBStreamsClient },
  tableName: string,
  body: string,
  nowMs: number,
): Promise<RedriveReport> => {
  const batch = parseDeadLetter(body);
  const records = await readBatch(clients.streams, batch);
  const outcomes = [];
  for (const record of records) {
    outcomes.push({
      keys: `${record.dynamodb?.Keys?.pk?.S ?? '?'} ${record.dynamodb?.Keys?.sk?.S ?? '?'}`,
      outcome: await reputRecord(clients.dynamodb, tableName, record, nowMs),
    });
  }
  return { batch, found: records.length > 0, records: outcomes };
};
