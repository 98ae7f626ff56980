import { FUNCTION_NAMES, FUNCTIONS } from '../../functions/catalog.ts';
import type { ServiceName } from '../../functions/wiring/service-runtime.ts';
import { SIMULATED_REGION } from '../support/aws-call-recorder.ts';
import { FUNCTION_IDS } from '../support/service-functions.ts';
import type { SimulatedRequest } from './iam-simulation.ts';

/** A request the synthesized policies must deny, and why. */
export interface NegativeCase {
  readonly why: string;
  readonly request: SimulatedRequest;
}

const SERVICES = Object.keys(FUNCTION_IDS) as ServiceName[];

/** The functions the catalogue gives `credentials` table access: they read, and cache under TOKEN# keys. */
const CREDENTIAL_READERS = FUNCTION_NAMES.filter((name) => FUNCTIONS[name].table === 'credentials');

/** The one function whose role AWS uses to read the stream and fill the dead-letter queue. */
const STREAM_READER: ServiceName = 'auth-exchange';

const via = (service: string): Record<string, string> => ({
  'kms:ViaService': `${service}.${SIMULATED_REGION}.amazonaws.com`,
});

/** DynamoDB and EventBridge: key spaces, attributes, writes and detail-types per function. */
const secretOrTokenReads = [
  { 'dynamodb:LeadingKeys': ['CORP#wwcorp'], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
  {
    'dynamodb:LeadingKeys': ['CORP#wwcorp'],
    'dynamodb:Attributes': ['pk', 'sk', 'permanentCode'],
    'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
  },
  { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
  {
    'dynamodb:LeadingKeys': ['TOKEN#SUITE#wwsuite'],
    'dynamodb:Attributes': ['pk', 'sk', 'accessToken'],
    'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
  },
  { 'dynamodb:LeadingKeys': ['SUITE#wwsuite'], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
];

const TABLE_CASES: NegativeCase[] = [
  ...secretOrTokenReads.map((context) => ({
    why: 'the callback cannot read a permanent code, a token or a ticket',
    request: { service: 'wecom-callback', action: 'dynamodb:GetItem', resource: 'table' as const, context },
  })),
  ...secretOrTokenReads.map((context) => ({
    why: 'authorization cannot read a permanent code, a token or a ticket (only the listed attributes of CORP# items)',
    request: { service: 'authorization', action: 'dynamodb:GetItem', resource: 'table' as const, context },
  })),
  ...['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].map((action) => ({
    why: 'authorization writes nothing',
    request: {
      service: 'authorization',
      action,
      resource: 'table' as const,
      context: { 'dynamodb:LeadingKeys': ['CORP#wwcorp'] },
    },
  })),
  ...['dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({
    why: 'the callback cannot write a token',
    request: {
      service: 'wecom-callback',
      action,
      resource: 'table' as const,
      context: { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'] },
    },
  })),
  {
    why: 'the callback cannot get an old item back from a write',
    request: {
      service: 'wecom-callback',
      action: 'dynamodb:UpdateItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['CORP#wwcorp'], 'dynamodb:ReturnValues': 'ALL_OLD' },
    },
  },
  ...(['suite-token', 'corp-token'] as const).flatMap((service) =>
    ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].flatMap((action) =>
      ['SUITE#wwsuite', 'CORP#wwcorp'].map((key) => ({
        why: 'token functions cannot write tickets, auth codes or authorizations',
        request: { service, action, resource: 'table' as const, context: { 'dynamodb:LeadingKeys': [key] } },
      })),
    ),
  ),
  {
    why: 'the suite-token function cannot publish events',
    request: {
      service: 'suite-token',
      action: 'events:PutEvents',
      resource: 'event-bus' as const,
      context: {
        'events:source': ['wecom-credentials'],
        'events:detail-type': ['WeCom Authorization Changed'],
      },
    },
  },
  {
    why: 'auth-exchange may publish only authorization changes, not callbacks',
    request: {
      service: 'auth-exchange',
      action: 'events:PutEvents',
      resource: 'event-bus' as const,
      context: { 'events:source': ['wecom-credentials'], 'events:detail-type': ['WeCom Data Callback'] },
    },
  },
  {
    why: 'nothing can publish events under another source',
    request: {
      service: 'wecom-callback',
      action: 'events:PutEvents',
      resource: 'event-bus' as const,
      context: { 'events:source': ['aws.forged'], 'events:detail-type': ['WeCom Data Callback'] },
    },
  },
  ...['dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({
    why: 'install cannot write an authorization',
    request: {
      service: 'install',
      action,
      resource: 'table' as const,
      context: { 'dynamodb:LeadingKeys': ['CORP#wwcorp'] },
    },
  })),
  {
    why: 'install may only put new suite items, never update a ticket or an auth code',
    request: {
      service: 'install',
      action: 'dynamodb:UpdateItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['SUITE#wwsuite'] },
    },
  },
  {
    why: 'install cannot get an old item back from a put',
    request: {
      service: 'install',
      action: 'dynamodb:PutItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['SUITE#wwsuite'], 'dynamodb:ReturnValues': 'ALL_OLD' },
    },
  },
  {
    why: 'install caches the pre-auth code by update, like the token functions, and cannot replace a token item',
    request: {
      service: 'install',
      action: 'dynamodb:PutItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['TOKEN#SUITE#wwsuite'] },
    },
  },
  {
    why: 'install cannot delete anything, cached tokens included',
    request: {
      service: 'install',
      action: 'dynamodb:DeleteItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['TOKEN#SUITE#wwsuite'] },
    },
  },
  {
    why: 'install publishes no events',
    request: {
      service: 'install',
      action: 'events:PutEvents',
      resource: 'event-bus',
      context: {
        'events:source': ['wecom-credentials'],
        'events:detail-type': ['WeCom Authorization Changed'],
      },
    },
  },
  ...['dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((action) => ({
    why: 'install cannot read the table stream',
    request: { service: 'install', action, resource: 'stream' as const, context: {} },
  })),
  ...[
    { key: 'CORP#wwcorp', what: 'a permanent code' },
    { key: 'TOKEN#CORP#wwcorp', what: 'a corp token' },
  ].flatMap(({ key, what }) => [
    {
      why: `install (public, anonymous) cannot read ${what}`,
      request: {
        service: 'install',
        action: 'dynamodb:GetItem',
        resource: 'table' as const,
        context: { 'dynamodb:LeadingKeys': [key], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
      },
    },
  ]),
  {
    why: 'install cannot touch a corp token',
    request: {
      service: 'install',
      action: 'dynamodb:UpdateItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'] },
    },
  },
  {
    why: 'install cannot batch-read the table',
    request: { service: 'install', action: 'dynamodb:BatchGetItem', resource: 'table', context: {} },
  },
  ...CREDENTIAL_READERS.flatMap((service) => [
    ...['dynamodb:PutItem', 'dynamodb:UpdateItem'].flatMap((action) =>
      ['SUITE#wwsuite', 'CORP#wwcorp'].map((key) => ({
        why: 'the token, sign-in and JS-SDK functions cannot write tickets, auth codes or authorizations',
        request: { service, action, resource: 'table' as const, context: { 'dynamodb:LeadingKeys': [key] } },
      })),
    ),
    {
      why: 'the token, sign-in and JS-SDK functions cache by update and cannot replace a token or ticket item',
      request: {
        service,
        action: 'dynamodb:PutItem',
        resource: 'table' as const,
        context: { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'] },
      },
    },
    {
      why: 'the token, sign-in and JS-SDK functions cannot delete anything, cached tokens and tickets included',
      request: {
        service,
        action: 'dynamodb:DeleteItem',
        resource: 'table' as const,
        context: { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'] },
      },
    },
    {
      why: 'the token, sign-in and JS-SDK functions publish no callbacks (at most a broken authorization)',
      request: {
        service,
        action: 'events:PutEvents',
        resource: 'event-bus' as const,
        context: {
          'events:source': ['wecom-credentials'],
          'events:detail-type': ['WeCom Data Callback'],
        },
      },
    },
    ...['dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((action) => ({
      why: 'the token, sign-in and JS-SDK functions cannot read the table stream',
      request: { service, action, resource: 'stream' as const, context: {} },
    })),
  ]),
  ...SERVICES.flatMap((service) => [
    ...['SUITE#wwsuite', 'CORP#wwcorp'].map((key) => ({
      why: 'no function can delete a ticket, an auth code or an authorization',
      request: {
        service,
        action: 'dynamodb:DeleteItem',
        resource: 'table' as const,
        context: { 'dynamodb:LeadingKeys': [key] },
      },
    })),
    ...['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:DeleteTable', 'dynamodb:BatchWriteItem'].map(
      (action) => ({
        why: 'no function can scan, query, batch-write or delete the table',
        request: { service, action, resource: 'table' as const, context: {} },
      }),
    ),
  ]),
];

/**
 * The key, for every role: only the decrypts DynamoDB and Secrets Manager make on its behalf (and
 * SQS's, for the stream reader's dead-letter queue). No role calls KMS itself, encrypts, re-encrypts,
 * makes data keys for DynamoDB (DynamoDB generated the table key under its own grant), for Secrets
 * Manager (that would be a secret write) or for EventBridge (it uses its key-policy permission),
 * or administers the key.
 */
const KEY_CASES: NegativeCase[] = SERVICES.flatMap((service) => [
  {
    why: 'no role calls KMS directly (every key use is confined to the service that makes it)',
    request: { service, action: 'kms:Decrypt', resource: 'table-key', context: {} },
  },
  {
    why: 'no role decrypts through EventBridge (the bus is EventBridge’s to decrypt)',
    request: { service, action: 'kms:Decrypt', resource: 'table-key', context: via('events') },
  },
  ...['dynamodb', 'secretsmanager', 'events'].map((through) => ({
    why: `no role makes data keys through ${through}`,
    request: {
      service,
      action: 'kms:GenerateDataKey',
      resource: 'table-key' as const,
      context: via(through),
    },
  })),
  ...['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext'].map(
    (action) => ({
      why: 'no role encrypts or re-encrypts with the key',
      request: { service, action, resource: 'table-key' as const, context: via('dynamodb') },
    }),
  ),
  ...[
    'kms:DescribeKey',
    'kms:CreateGrant',
    'kms:PutKeyPolicy',
    'kms:DisableKey',
    'kms:ScheduleKeyDeletion',
  ].map((action) => ({
    why: 'no role describes, grants on or administers the key',
    request: { service, action, resource: 'table-key' as const, context: {} },
  })),
  ...(service === STREAM_READER
    ? []
    : ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
        why: 'only the stream reader’s role uses the key through SQS (its dead-letter queue)',
        request: { service, action, resource: 'table-key' as const, context: via('sqs') },
      }))),
]);

/** The configuration secret, for every role: read it, never write, delete, rotate or re-permission it. */
const SECRET_CASES: NegativeCase[] = SERVICES.flatMap((service) =>
  [
    'secretsmanager:PutSecretValue',
    'secretsmanager:UpdateSecret',
    'secretsmanager:DeleteSecret',
    'secretsmanager:RotateSecret',
    'secretsmanager:PutResourcePolicy',
    'secretsmanager:DescribeSecret',
  ].map((action) => ({
    why: 'no function writes, deletes, rotates, re-permissions or describes the configuration secret',
    request: { service, action, resource: 'config-secret' as const, context: {} },
  })),
);

/**
 * The dead-letter queue: only the stream reader’s role sends to it (AWS does, for failed batches);
 * no role reads, deletes from, purges or reconfigures it (an operator does, with their own role).
 */
const QUEUE_CASES: NegativeCase[] = SERVICES.flatMap((service) => [
  ...(service === STREAM_READER
    ? []
    : [
        {
          why: 'only the stream reader’s role sends to the dead-letter queue',
          request: {
            service,
            action: 'sqs:SendMessage',
            resource: 'dead-letter-queue' as const,
            context: { 'aws:SecureTransport': 'true' },
          },
        },
      ]),
  ...[
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:PurgeQueue',
    'sqs:ChangeMessageVisibility',
    'sqs:SetQueueAttributes',
    'sqs:GetQueueAttributes',
  ].map((action) => ({
    why: 'no function reads, deletes from, purges or reconfigures the dead-letter queue',
    request: {
      service,
      action,
      resource: 'dead-letter-queue' as const,
      context: { 'aws:SecureTransport': 'true' },
    },
  })),
]);

/** Every request the synthesized policies must deny, whatever the recorded calls. */
export const NEGATIVE_CASES: readonly NegativeCase[] = [
  ...TABLE_CASES,
  ...KEY_CASES,
  ...SECRET_CASES,
  ...QUEUE_CASES,
];
