import { SIMULATED_REGION } from '../support/aws-call-recorder.ts';
import type { SimulatedRequest } from './iam-simulation.ts';

/** A call AWS makes with a function's role outside the function's code, and where AWS says so. */
export interface AwsSideNeed {
  readonly request: SimulatedRequest;
  /** Why AWS makes it. */
  readonly why: string;
  /** The AWS documentation that says so. */
  readonly doc: string;
}

const STREAM_READ =
  'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-example-lamda-process-dynamodb-streams.html';

/**
 * What auth-exchange's event-source mapping does with the function's role: it reads the table's
 * stream and sends a record of each batch that failed every retry to the dead-letter queue, which
 * is encrypted with the table's key. Nothing else reaches a role from outside the code: EventBridge
 * encrypts the bus with its own key-policy permission, not the publisher's, and DynamoDB generated
 * the table key under its own grant.
 */
export const AWS_SIDE_NEEDS: readonly AwsSideNeed[] = [
  {
    request: { service: 'auth-exchange', action: 'dynamodb:ListStreams', resource: 'any', context: {} },
    why: 'The stream mapping lists the streams of the table; ListStreams names no resource, so IAM authorizes it on *.',
    doc: STREAM_READ,
  },
  ...['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'].map((action) => ({
    request: { service: 'auth-exchange', action, resource: 'stream' as const, context: {} },
    why: 'The stream mapping reads the shards of the table stream with the function role.',
    doc: STREAM_READ,
  })),
  {
    request: {
      service: 'auth-exchange',
      action: 'kms:Decrypt',
      resource: 'table-key',
      context: { 'kms:ViaService': `dynamodb.${SIMULATED_REGION}.amazonaws.com` },
    },
    why: 'Stream records are encrypted like the table, and DynamoDB decrypts the table key with the permission of the principal reading them.',
    doc: 'https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html',
  },
  {
    request: {
      service: 'auth-exchange',
      action: 'sqs:SendMessage',
      resource: 'dead-letter-queue',
      context: { 'aws:SecureTransport': 'true' },
    },
    why: 'The on-failure destination of a stream mapping: the execution role needs sqs:SendMessage, and nothing more, on the queue.',
    doc: 'https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html',
  },
  ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
    request: {
      service: 'auth-exchange',
      action,
      resource: 'table-key' as const,
      context: { 'kms:ViaService': `sqs.${SIMULATED_REGION}.amazonaws.com` },
    },
    why: 'A producer to a queue encrypted with a customer managed key needs GenerateDataKey and Decrypt on it: SQS makes a data key and verifies it.',
    doc: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html',
  })),
];

/** The AWS managed policies a function's role needs, with why and where AWS says so. */
export const MANAGED_POLICY_NEEDS = {
  logs: {
    name: 'AWSLambdaBasicExecutionRole',
    why: 'Every function writes its logs to CloudWatch Logs.',
    doc: 'https://docs.aws.amazon.com/lambda/latest/dg/permissions-executionrole-awsmanaged.html',
  },
  vpc: {
    name: 'AWSLambdaVPCAccessExecutionRole',
    why: 'A function in a VPC has Lambda create and delete its network interfaces.',
    doc: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html',
  },
} as const;
