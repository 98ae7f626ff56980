import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.ts';

export interface StreamPollerOptions {
  readonly endpoint: string;
  readonly tableName: string;
  readonly handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;
  /** Which records to deliver, like a Lambda event-source filter. @default all */
  readonly filter?: (record: DynamoDBRecord) => boolean;
  /** @default 100 */
  readonly pollIntervalMs?: number;
  /** Deliveries of a failing record before it is given up (AWS: the dead-letter queue). @default 3 */
  readonly maxAttempts?: number;
  readonly onDeadLetter?: (record: DynamoDBRecord) => void;
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
 * event-source mapping would: batches of DynamoDB stream records, a record reported in
 * `batchItemFailures` delivered again (up to `maxAttempts`), then handed to `onDeadLetter`.
 */
export class StreamPoller {
  readonly #streams: DynamoDBStreamsClient;
  readonly #tables: DynamoDBClient;
  readonly #iterators = new Map<string, string>();
  readonly #finishedShards = new Set<string>();
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

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    this.#streams.destroy();
    this.#tables.destroy();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        await this.#discoverShards('TRIM_HORIZON');
        for (const [shardId, iterator] of [...this.#iterators]) {
          try {
            await this.#pollShard(shardId, iterator);
          } catch {
            // An iterator DynamoDB Local no longer honours (TrimmedDataAccessException, seen when
            // several tables stream at once): read that shard again from its oldest record. The
            // handlers are idempotent, so a record delivered twice does no harm.
            this.#iterators.delete(shardId);
          }
        }
      } catch {
        // DynamoDB Local restarting or shutting down: try again on the next tick.
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs ?? 100));
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
    const page = await this.#streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    if (page.NextShardIterator === undefined) {
      this.#iterators.delete(shardId);
      this.#finishedShards.add(shardId);
    } else {
      this.#iterators.set(shardId, page.NextShardIterator);
    }
    const records = (page.Records ?? [])
      .map(toLambdaRecord)
      .filter((record) => this.options.filter?.(record) ?? true);
    for (const record of records) {
      await this.#deliver(record);
    }
  }

  async #deliver(record: DynamoDBRecord): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      let failed: boolean;
      try {
        const response = await this.options.handler({ Records: [record] });
        failed = (response?.batchItemFailures.length ?? 0) > 0;
      } catch {
        failed = true;
      }
      if (!failed) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
    this.options.onDeadLetter?.(record);
  }
}

const toLambdaRecord = (record: StreamRecord): DynamoDBRecord => ({
  eventID: record.eventID ?? '',
  eventName: record.eventName as DynamoDBRecord['eventName'],
  eventSource: 'aws:dynamodb',
  eventVersion: '1.1',
  awsRegion: LOCAL_REGION,
  dynamodb: {
    Keys: record.dynamodb?.Keys as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
    NewImage: record.dynamodb?.NewImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
    SequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    StreamViewType: 'NEW_IMAGE',
  },
});
