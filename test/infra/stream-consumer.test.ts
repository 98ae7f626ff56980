import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/catalog.ts';
import { DEFAULT_STACKS_TIMEOUT_MS, defaultStacks, type StackTemplates } from '../support/stack-templates.ts';

let defaults: StackTemplates;

beforeAll(async () => {
  defaults = await defaultStacks();
}, DEFAULT_STACKS_TIMEOUT_MS);

describe('the service stack', () => {
  it('feeds auth-exchange new auth codes, stale authorizations and changes to publish from the stream, with bounded retries and a DLQ', () => {
    defaults.service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      // From the oldest record, so a mapping created again loses nothing; no maximum age, which
      // would send the older records of that replay to the queue unread (docs/operations.md, Dead-letter queue).
      StartingPosition: 'TRIM_HORIZON',
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: Match.absent(),
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { entity: { S: ['AuthCode'] } } },
            }),
          },
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { entity: { S: ['Authorization'] }, authInfoStale: { BOOL: [true] } } },
            }),
          },
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { entity: { S: ['Authorization'] }, hasPendingEvent: { BOOL: [true] } } },
            }),
          },
        ],
      },
    });
    defaults.service.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    // What fails every retry lands in the queue the DeadLetters alarm watches.
    const mapping = Object.values(defaults.service.findResources('AWS::Lambda::EventSourceMapping'))[0];
    const queue = mapping?.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
  });
});

describe('the stream’s event-source mapping', () => {
  it('delivers to auth-exchange with the catalogue’s settings, which the local stream poller applies too', () => {
    const mappings = Object.values(defaults.service.findResources('AWS::Lambda::EventSourceMapping'));

    expect(mappings).toHaveLength(1);
    const deployed = mappings[0]?.Properties as Record<string, unknown>;
    expect({
      batchSize: deployed.BatchSize,
      retryAttempts: deployed.MaximumRetryAttempts,
      maxRecordAgeSeconds: deployed.MaximumRecordAgeInSeconds ?? -1,
      bisectBatchOnError: deployed.BisectBatchOnFunctionError ?? false,
      reportBatchItemFailures: ((deployed.FunctionResponseTypes as string[] | undefined) ?? []).includes(
        'ReportBatchItemFailures',
      ),
    }).toEqual(FUNCTIONS['auth-exchange'].stream);
    // What the local dead-letter queue stands in for.
    expect(deployed.DestinationConfig).toMatchObject({ OnFailure: { Destination: expect.anything() } });
  });
});
