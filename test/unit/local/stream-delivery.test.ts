import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { EXCHANGE_MAPPING } from '../../../local/exchange-mapping.ts';
import {
  type DeadLetter,
  defaultRetryDelayMs,
  deliverInOrder,
  type StreamDeliverySettings,
} from '../../../local/stream-delivery.ts';

const NOW_MS = 1_800_000_000_000;

const record = (sequence: number, ageSeconds = 0): DynamoDBRecord => ({
  eventID: `event-${sequence}`,
  eventName: 'INSERT',
  dynamodb: {
    ApproximateCreationDateTime: NOW_MS / 1000 - ageSeconds,
    Keys: { pk: { S: `SUITE#ww1` }, sk: { S: `AUTHCODE#${sequence}` } },
    NewImage: { authCode: { S: `secret-auth-code-${sequence}` } },
    SequenceNumber: String(sequence),
  },
});

const SOURCE = { shardId: 'shard-1', streamArn: 'arn:local:stream' };

/** Delivers `records` to `handler`, recording each batch, every pause and every dead letter. */
const deliver = async (
  records: DynamoDBRecord[],
  handler: (sequences: number[]) => DynamoDBBatchResponse | 'throw',
  settings: StreamDeliverySettings = EXCHANGE_MAPPING,
) => {
  const batches: number[][] = [];
  const pauses: number[] = [];
  const deadLetters: DeadLetter[] = [];
  await deliverInOrder(records, SOURCE, settings, {
    invoke: async (batch) => {
      const sequences = batch.map((item) => Number(item.dynamodb?.SequenceNumber));
      batches.push(sequences);
      const answer = handler(sequences);
      if (answer === 'throw') {
        throw new Error('function error');
      }
      return answer;
    },
    deadLetter: (entry) => deadLetters.push(entry),
    pause: async (ms) => {
      pauses.push(ms);
      return true;
    },
    now: () => NOW_MS,
  });
  return { batches, pauses, deadLetters };
};

const failing = (...sequences: number[]) => ({
  batchItemFailures: sequences.map((sequence) => ({ itemIdentifier: String(sequence) })),
});

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => record(from + index));

describe('stream delivery as the deployed auth-exchange mapping does it', () => {
  it('delivers in batches of at most 10, in order', async () => {
    const { batches } = await deliver(range(1, 23), () => ({ batchItemFailures: [] }));

    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(batches.flat()).toEqual(range(1, 23).map((_, index) => index + 1));
  });

  it('retries a reported failure from the lowest failed record on, after a pause', async () => {
    let calls = 0;
    const { batches, pauses } = await deliver(range(1, 5), () => (++calls === 1 ? failing(4, 3) : failing()));

    expect(batches).toEqual([
      [1, 2, 3, 4, 5],
      [3, 4, 5],
    ]);
    expect(pauses).toEqual([1000]);
  });

  it('splits a batch whose invocation throws in two before retrying each half', async () => {
    const { batches } = await deliver(range(1, 4), (sequences) =>
      sequences.includes(4) && sequences.length > 1 ? 'throw' : failing(),
    );

    expect(batches).toEqual([[1, 2, 3, 4], [1, 2], [3, 4], [3], [4]]);
  });

  it('treats an unknown item identifier as a failure of the whole batch', async () => {
    let calls = 0;
    const { batches } = await deliver(range(1, 2), () =>
      ++calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'no-such-record' }] } : failing(),
    );

    expect(batches).toEqual([[1, 2], [1], [2]]);
  });

  it('retries a failing batch 5 times, pausing 1, 2, 4, 8 and 16 s, then dead-letters it with keys only and goes on', async () => {
    const { batches, pauses, deadLetters } = await deliver(range(1, 12), (sequences) =>
      sequences.includes(1) ? failing(1) : failing(),
    );

    // Lambda discards the batch from the failed record on, as its checkpoint is there.
    expect(batches).toEqual([
      ...Array.from({ length: 6 }, () => range(1, 10).map((_, index) => index + 1)),
      [11, 12],
    ]);
    expect(pauses).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 6 },
      DDBStreamBatchInfo: {
        shardId: 'shard-1',
        startSequenceNumber: '1',
        endSequenceNumber: '10',
        batchSize: 10,
        streamArn: 'arn:local:stream',
      },
    });
    expect(deadLetters[0]?.records[0]).toEqual({
      eventID: 'event-1',
      eventName: 'INSERT',
      sequenceNumber: '1',
      keys: { pk: 'SUITE#ww1', sk: 'AUTHCODE#1' },
    });
    expect(JSON.stringify(deadLetters)).not.toContain('secret-auth-code');
  });

  it('delivers a record of any age when the mapping has no maximum (as deployed)', async () => {
    const { batches, deadLetters } = await deliver([record(1, 86_000), record(2, 10)], () => failing());

    expect(batches).toEqual([[1, 2]]);
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters a record older than a maximum record age without delivering it', async () => {
    const { batches, deadLetters } = await deliver([record(1, 301), record(2, 10)], () => failing(), {
      ...EXCHANGE_MAPPING,
      maxRecordAgeSeconds: 300,
    });

    expect(batches).toEqual([[2]]);
    expect(deadLetters.map((entry) => entry.requestContext)).toEqual([
      { condition: 'RecordAgeExceeded', approximateInvokeCount: 0 },
    ]);
  });

  it('ignores batchItemFailures when the mapping does not report them (as Lambda does)', async () => {
    const { batches } = await deliver(range(1, 2), () => failing(1), {
      ...EXCHANGE_MAPPING,
      reportBatchItemFailures: false,
    });

    expect(batches).toEqual([[1, 2]]);
  });

  it('stops at once, leaving the rest undelivered, when the pause says the poller is stopping', async () => {
    const batches: number[][] = [];

    await deliverInOrder(range(1, 2), SOURCE, EXCHANGE_MAPPING, {
      invoke: async (batch) => {
        batches.push(batch.map((item) => Number(item.dynamodb?.SequenceNumber)));
        return failing(1);
      },
      deadLetter: () => undefined,
      pause: async () => false,
      now: () => NOW_MS,
    });

    expect(batches).toEqual([[1, 2]]);
  });

  it('never pauses longer than 30 s', () => {
    expect([1, 5, 6, 10].map((retry) => defaultRetryDelayMs(retry))).toEqual([1000, 16_000, 30_000, 30_000]);
  });
});
