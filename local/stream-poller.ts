import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.ts';
import { EXCHANGE_MAPPING } from './exchange-mapping.ts';
import { type DeadLetter, deliverInOrder, type StreamDeliverySettings } from './stream-delivery.ts';

export interface StreamPollerOptions {
  readonly endpoint: string;
  readonly tableName: string;
  readonly handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;
  /** Which records to deliver, like a Lambda event-source filter. @default all */
  readonly filter?: (record: DynamoDBRecord) => boolean;
  /** @default 100 */
  readonly pollIntervalMs?: number;
  /** Batching, retries, bisecting and record age. @default the deployed auth-exchange mapping's */
  readonly delivery?: StreamDeliverySettings;
  /** The pause before retry number `retry` (1-based). @default 1 s, doubling, at most 30 s */
  readonly retryDelayMs?: (retry: number) => number;
  /** Where discarded batches go (AWS: the mapping's on-failure SQS queue). @default dropped */
  readonly onDeadLetter?: (entry: DeadLetter) => void;
  /**
   * Told of the streams client, whose calls Lambda's event-source mapping makes with the function's
   * role in AWS (the IAM contract tests record them as auth-exchange's).
   */
  readonly observeStreamsClient?: (client: DynamoDBStreamsClient) => void;
  /** @default the shared test credentials */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * Reads a DynamoDB Local table's stream and delivers its records to a handler as the Lambda
 * event-source mapping would (see `deliverInOrder`): each shard in order and on its own, so a shard
 * waiting to retry holds up only itself.
 */
export class StreamPoller {
  readonly #streams: DynamoDBStreamsClient;
  readonly #tables: DynamoDBClient;
  readonly #iterators = new Map<string, string>();
  readonly #finishedShards = new Set<string>();
  readonly #busyShards = new Map<string, Promise<void>>();
  readonly #stopping = new AbortController();
  #running = false;
  #loop: Promise<void> | undefined;
  #streamArn: string | undefined;

  constructor(private readonly options: StreamPollerOptions) {
    const config = {
      endpoint: options.endpoint,
      region: LOCAL_REGION,
      credentials: options.credentials ?? LOCAL_CREDENTIALS,
    };
    this.#streams = new DynamoDBStreamsClient(config);
    options.observeStreamsClient?.(this.#streams);
    this.#tables = new DynamoDBClient(config);
  }

  /** Starts from the stream's current end: only changes made from now on are delivered. */
  async start(): Promise<void> {
    const table = await this.#tables.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    this.#streamArn = table.Table?.LatestStreamArn;
    if (this.#streamArn === undefined) {
      throw new Error(`table ${this.options.tableName} has no stream`);
    }
    await this.#discoverShards('LATEST');
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops at once: a batch waiting to be retried is left undelivered, as a disabled mapping leaves it. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping.abort();
    await this.#loop;
    await Promise.all(this.#busyShards.values());
    this.#streams.destroy();
    this.#tables.destroy();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        await this.#discoverShards('TRIM_HORIZON');
        for (const [shardId, iterator] of this.#iterators) {
          if (!this.#busyShards.has(shardId)) {
            this.#busyShards.set(
              shardId,
              this.#pollShard(shardId, iterator)
                // A failing onDeadLetter must not become an unhandled rejection; the shard goes on.
                .catch(() => undefined)
                .finally(() => this.#busyShards.delete(shardId)),
            );
          }
        }
      } catch {
        // DynamoDB Local restarting or shutting down: try again on the next tick.
      }
      await this.#pause(this.options.pollIntervalMs ?? 100);
    }
  }

  async #discoverShards(startAt: 'LATEST' | 'TRIM_HORIZON'): Promise<void> {
    const description = await this.#streams.send(new DescribeStreamCommand({ StreamArn: this.#streamArn }));
    for (const shard of description.StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (shardId === undefined || this.#iterators.has(shardId) || this.#finishedShards.has(shardId)) {
        continue;
      }
      const { ShardIterator: iterator } = await this.#streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.#streamArn,
          ShardId: shardId,
          ShardIteratorType: startAt,
        }),
      );
      if (iterator !== undefined) {
        this.#iterators.set(shardId, iterator);
      }
    }
  }

  async #pollShard(shardId: string, iterator: string): Promise<void> {
    let page: GetRecordsCommandOutput;
    try {
      page = await this.#streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    } catch {
      // An iterator DynamoDB Local no longer honours (TrimmedDataAccessException, seen when several
      // tables stream at once): read that shard again from its oldest record. The handlers are
      // idempotent, so a record delivered twice does no harm.
      this.#iterators.delete(shardId);
      return;
    }
    if (page.NextShardIterator === undefined) {
      this.#iterators.delete(shardId);
      this.#finishedShards.add(shardId);
    } else {
      this.#iterators.set(shardId, page.NextShardIterator);
    }
    const records = (page.Records ?? [])
      .map(toLambdaRecord)
      .filter((record) => this.options.filter?.(record) ?? true);
    await deliverInOrder(
      records,
      { shardId, streamArn: this.#streamArn ?? '' },
      this.options.delivery ?? EXCHANGE_MAPPING,
      {
        invoke: (batch) => this.options.handler({ Records: batch }),
        deadLetter: (entry) => this.options.onDeadLetter?.(entry),
        pause: (ms) => this.#pause(ms),
        now: () => Date.now(),
      },
      this.options.retryDelayMs,
    );
  }

  /** Waits `ms`; resolves false at once when the poller stops. */
  #pause(ms: number): Promise<boolean> {
    const signal = this.#stopping.signal;
    if (signal.aborted) {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

const toLambdaRecord = (record: StreamRecord): DynamoDBRecord => ({
  eventID: record.eventID ?? '',
  eventName: record.eventName as DynamoDBRecord['eventName'],
  eventSource: 'aws:dynamodb',
  eventVersion: '1.1',
  awsRegion: LOCAL_REGION,
  dynamodb: {
    // Lambda gives whole seconds since the epoch, as the stream does.
    ...(record.dynamodb?.ApproximateCreationDateTime === undefined
      ? {}
      : {
          ApproximateCreationDateTime: Math.floor(
            record.dynamodb.ApproximateCreationDateTime.getTime() / 1000,
          ),
        }),
    Keys: record.dynamodb?.Keys as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
    NewImage: record.dynamodb?.NewImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
    SequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    StreamViewType: 'NEW_IMAGE',
  },
});
