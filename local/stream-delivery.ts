import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';

/** How a Lambda event-source mapping delivers a stream's records (the CDK `DynamoEventSource` props). */
export interface StreamDeliverySettings {
  /** Records per invocation at most. */
  readonly batchSize: number;
  /** Retries of a failing batch before it is discarded to the on-failure destination. */
  readonly retryAttempts: number;
  /** Records older than this are discarded instead of delivered; -1 means never. */
  readonly maxRecordAgeSeconds: number;
  /** A batch whose invocation fails is split in two before retrying. */
  readonly bisectBatchOnError: boolean;
  /** The function's `batchItemFailures` is honoured (without it the answer is ignored). */
  readonly reportBatchItemFailures: boolean;
}

/**
 * A discarded batch, in the shape Lambda sends to a stream mapping's on-failure destination (an
 * invocation record with `DDBStreamBatchInfo`), plus the records' keys, which the deployed one
 * leaves out. Keys only: record images hold auth codes and permanent codes.
 */
export interface DeadLetter {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
  readonly records: readonly {
    readonly eventID: string;
    readonly eventName: string;
    readonly sequenceNumber: string;
    readonly keys: Readonly<Record<string, string>>;
  }[];
}

/** What delivering needs from its surroundings: the function, the destination, time. */
export interface DeliveryPort {
  /** Runs the function on a batch; a throw is a failed invocation. */
  invoke(records: DynamoDBRecord[]): Promise<DynamoDBBatchResponse | undefined | null>;
  deadLetter(entry: DeadLetter): void;
  /** Waits `ms` before a retry; resolves false when delivery must stop (the stack is stopping). */
  pause(ms: number): Promise<boolean>;
  now(): number;
}

/** Where a stream's records come from, as the dead-letter entry names it. */
export interface ShardSource {
  readonly shardId: string;
  readonly streamArn: string;
}

/**
 * The pause before retry number `retry` (1-based): 1 s, doubling, at most 30 s. Lambda does not
 * document its own pause between stream retries; with 5 retries this rides out about 30 s of a
 * WeCom outage before a record is discarded.
 */
export const defaultRetryDelayMs = (retry: number, baseMs = 1000): number =>
  Math.min(30_000, baseMs * 2 ** (retry - 1));

type Attempt = { readonly records: DynamoDBRecord[]; readonly failures: number };

type Outcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'error' }
  | { readonly kind: 'partial'; readonly from: number };

/**
 * Delivers one shard's records in order, as the event-source mapping does: batches of
 * `batchSize`; a batch is done when the function reports no failure; with `batchItemFailures`
 * the records before the lowest failed one are done and the rest is retried; a thrown error (or
 * an empty or unknown item identifier) fails the whole batch, which is split in two before
 * retrying when `bisectBatchOnError` is on. Halves and remainders keep the failure count of the
 * batch they came from; a batch that failed `retryAttempts + 1` times, or a record older than
 * `maxRecordAgeSeconds`, is handed to `deadLetter` and delivery moves on. Resolves early (the
 * remaining records undelivered) when `pause` says to stop.
 */
export const deliverInOrder = async (
  records: readonly DynamoDBRecord[],
  source: ShardSource,
  settings: StreamDeliverySettings,
  port: DeliveryPort,
  retryDelayMs: (retry: number) => number = defaultRetryDelayMs,
): Promise<void> => {
  for (let start = 0; start < records.length; start += settings.batchSize) {
    const work: Attempt[] = [{ records: records.slice(start, start + settings.batchSize), failures: 0 }];
    while (work.length > 0) {
      const attempt = work.shift() as Attempt;
      if (attempt.failures > 0 && !(await port.pause(retryDelayMs(attempt.failures)))) {
        return;
      }
      const fresh = discardExpired(attempt, source, settings, port);
      if (fresh.length === 0) {
        continue;
      }
      const outcome = await invokeOnce(fresh, settings, port);
      if (outcome.kind === 'success') {
        continue;
      }
      const failures = attempt.failures + 1;
      const rest = outcome.kind === 'partial' ? fresh.slice(outcome.from) : fresh;
      if (failures > settings.retryAttempts) {
        port.deadLetter(deadLetterOf(rest, source, 'RetryAttemptsExhausted', failures, port.now()));
        continue;
      }
      if (outcome.kind === 'error' && settings.bisectBatchOnError && rest.length > 1) {
        const middle = Math.ceil(rest.length / 2);
        work.unshift({ records: rest.slice(0, middle), failures }, { records: rest.slice(middle), failures });
      } else {
        work.unshift({ records: rest, failures });
      }
    }
  }
};

const discardExpired = (
  attempt: Attempt,
  source: ShardSource,
  settings: StreamDeliverySettings,
  port: DeliveryPort,
): DynamoDBRecord[] => {
  if (settings.maxRecordAgeSeconds < 0) {
    return attempt.records;
  }
  const oldest = port.now() / 1000 - settings.maxRecordAgeSeconds;
  const expired = attempt.records.filter((record) => createdAt(record) < oldest);
  if (expired.length > 0) {
    port.deadLetter(deadLetterOf(expired, source, 'RecordAgeExceeded', attempt.failures, port.now()));
  }
  return attempt.records.filter((record) => createdAt(record) >= oldest);
};

const createdAt = (record: DynamoDBRecord): number =>
  record.dynamodb?.ApproximateCreationDateTime ?? Number.POSITIVE_INFINITY;

const invokeOnce = async (
  records: DynamoDBRecord[],
  settings: StreamDeliverySettings,
  port: DeliveryPort,
): Promise<Outcome> => {
  let response: DynamoDBBatchResponse | undefined | null;
  try {
    response = await port.invoke(records);
  } catch {
    return { kind: 'error' };
  }
  const failures = response?.batchItemFailures ?? [];
  if (!settings.reportBatchItemFailures || failures.length === 0) {
    return { kind: 'success' };
  }
  const positions = failures.map(({ itemIdentifier }) =>
    itemIdentifier === undefined || itemIdentifier === ''
      ? -1
      : records.findIndex((record) => record.dynamodb?.SequenceNumber === itemIdentifier),
  );
  // Lambda treats an empty, missing or unknown identifier as a failure of the whole batch.
  return positions.includes(-1) ? { kind: 'error' } : { kind: 'partial', from: Math.min(...positions) };
};

const deadLetterOf = (
  records: readonly DynamoDBRecord[],
  source: ShardSource,
  condition: DeadLetter['requestContext']['condition'],
  approximateInvokeCount: number,
  nowMs: number,
): DeadLetter => {
  const first = records[0];
  const last = records.at(-1);
  const arrival = (record: DynamoDBRecord | undefined) =>
    new Date((record?.dynamodb?.ApproximateCreationDateTime ?? nowMs / 1000) * 1000).toISOString();
  return {
    version: '1.0',
    timestamp: new Date(nowMs).toISOString(),
    requestContext: { condition, approximateInvokeCount },
    DDBStreamBatchInfo: {
      shardId: source.shardId,
      startSequenceNumber: first?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: last?.dynamodb?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: records.length,
      streamArn: source.streamArn,
    },
    records: records.map((record) => ({
      eventID: record.eventID ?? '',
      eventName: record.eventName ?? '',
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      keys: Object.fromEntries(
        Object.entries(record.dynamodb?.Keys ?? {}).map(([name, value]) => [
          name,
          String(value.S ?? value.N ?? ''),
        ]),
      ),
    })),
  };
};
