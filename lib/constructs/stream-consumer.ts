import { Duration, Validations } from 'aws-cdk-lib';
import { FilterCriteria, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EXCHANGE_STREAM_FILTERS } from '../../functions/adapters/dynamodb/stream-filters.ts';
import type { StreamDelivery } from '../../functions/catalog.ts';
import type { CredentialTableAccess } from './credential-table-access.ts';

export interface StreamConsumerProps {
  readonly table: CredentialTableAccess;
  readonly consumer: IFunction;
  /** The catalogue entry's delivery settings, which the local stream poller applies too. */
  readonly delivery: StreamDelivery;
}

/**
 * The table's stream feeding a function (auth-exchange), with its encrypted dead-letter queue.
 *
 * A mapping created again (a new service stack, a replaced function) reads the stream's last 24
 * hours, so no code stored while it was away is lost. What it reads again costs nothing: codes
 * already exchanged or settled are skipped, codes past WeCom's 10 minutes are settled without a
 * WeCom call, and changes already published or refreshed are seen as done. No maximum record age:
 * Lambda sends every record older than that to the queue unread, which for a mapping created again
 * would be most of that day. A record that fails every retry goes to the queue, with its alarm.
 */
export class StreamConsumer extends Construct {
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    // In the stack's scope, as `<id>DeadLetters`: the logical id the queue had before this construct
    // existed. Under this construct it would get a new one, and CloudFormation would replace the
    // queue, deleting the records waiting in it (test/infra/stateful-logical-ids.test.ts).
    this.deadLetters = new Queue(scope, `${id}DeadLetters`, {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.table.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the stream.',
    });
    const { delivery } = props;
    props.consumer.addEventSource(
      new DynamoEventSource(props.table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: delivery.batchSize,
        retryAttempts: delivery.retryAttempts,
        ...(delivery.maxRecordAgeSeconds < 0
          ? {}
          : { maxRecordAge: Duration.seconds(delivery.maxRecordAgeSeconds) }),
        bisectBatchOnError: delivery.bisectBatchOnError,
        reportBatchItemFailures: delivery.reportBatchItemFailures,
        onFailure: props.table.deadLetterQueue(this.deadLetters),
        // The same patterns the local stream poller applies (npm start, tests).
        filters: EXCHANGE_STREAM_FILTERS.map((pattern) => FilterCriteria.filter({ ...pattern })),
      }),
    );
    Validations.of(props.consumer).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams, granted by the stream event source, has no resource-level permissions.',
    });
  }
}
