import { Stack } from 'aws-cdk-lib';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { IEventSourceDlq, IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';

/** A function (or other construct) that gets access; acknowledgements attach to it. */
type Grantee = IGrantable & IConstruct;

import {
  AUTHORIZATION_STATUS_ATTRIBUTES,
  KEY_PREFIX,
  leadingKeysPattern,
} from '../../functions/adapters/dynamodb/table-keys.ts';
import { TABLE_SCHEMA } from '../../functions/adapters/dynamodb/table-schema.ts';
import type { TableAccess } from '../../functions/catalog.ts';

/** The cached credentials of suites (suite token, pre-auth code): `TOKEN#SUITE#…`, never a corp's. */
const suiteCredentialsPattern = `${KEY_PREFIX.token}SUITE#*`;

/**
 * Every use a role makes of the key, as the AWS service that makes it on the role's behalf (the
 * `kms:ViaService` each grant is confined to) and the KMS actions that service calls. No role calls
 * KMS itself, and EventBridge encrypts the bus under the key policy, not the publisher's role. The
 * IAM contract (test/iam) lists the AWS documentation behind each line.
 */
const KEY_USES = {
  // DynamoDB decrypts the table key with the caller's permission on every read and write (stream
  // reads included); DynamoDB itself generated that table key under its own grant.
  table: { service: 'dynamodb', actions: ['kms:Decrypt'] },
  // GetSecretValue: Secrets Manager decrypts the secret's data key with the caller's permission.
  secretRead: { service: 'secretsmanager', actions: ['kms:Decrypt'] },
  // A send to a queue encrypted with the key: SQS makes a data key and checks it with Decrypt.
  queueSend: { service: 'sqs', actions: ['kms:GenerateDataKey', 'kms:Decrypt'] },
} as const satisfies Record<string, { readonly service: string; readonly actions: readonly string[] }>;

export interface CredentialTableAccessProps {
  readonly tableArn: string;
  readonly tableStreamArn: string;
  readonly keyArn: string;
}

/**
 * The table and its key as the service stack sees them, with grants named for what a function
 * does, each the least that job needs.
 *
 * They are imported by ARN on purpose: granting on the data stack's own Key would write the
 * service's roles into the key policy and tie the two stacks in a cycle. The key policy trusts the
 * account, so identity policies on the roles are enough.
 */
export class CredentialTableAccess extends Construct {
  readonly table: ITable;
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: CredentialTableAccessProps) {
    super(scope, id);
    this.key = Key.fromKeyArn(this, 'Key', props.keyArn);
    // Without its key on purpose: CDK's table grants (the stream event source's among them) would
    // add KMS actions on it unconfined; the key grants below are the only ones.
    this.table = Table.fromTableAttributes(this, 'Table', {
      tableArn: props.tableArn,
      tableStreamArn: props.tableStreamArn,
    });
  }

  /** The access functions/catalog.ts names for a function. */
  grantAccess(grantee: Grantee, access: TableAccess): void {
    switch (access) {
      case 'callback':
        this.grantCallbackAccess(grantee);
        return;
      case 'credentials':
        this.grantTokenAccess(grantee);
        return;
      case 'install':
        this.grantInstallAccess(grantee);
        return;
      case 'exchange':
        this.grantExchangeAccess(grantee);
        return;
      case 'status':
        this.grantAuthorizationStatusRead(grantee);
        return;
    }
  }

  /**
   * The callback: writes tickets, auth codes (suite keys) and authorization changes (corp keys),
   * deletes cached tokens on cancel_auth and nothing else, and reads only the `status` of an
   * authorization (never a permanent code or a token). No write may return the old item.
   */
  grantCallbackAccess(grantee: Grantee): void {
    this.#grant(grantee, ['dynamodb:PutItem', 'dynamodb:UpdateItem'], {
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': [leadingKeysPattern('suite'), leadingKeysPattern('corp')],
      },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
    });
    this.#grant(grantee, ['dynamodb:DeleteItem'], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [leadingKeysPattern('token')] },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
    });
    this.#grant(grantee, ['dynamodb:GetItem'], {
      'ForAllValues:StringEquals': {
        'dynamodb:Attributes': [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, 'status'],
      },
      // GetItem carries no Select parameter (only Query and Scan do), hence IfExists.
      StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    });
    this.#grantKey(grantee, 'table');
  }

  /**
   * The functions other services invoke (tokens, links, sign-in, JS-SDK tickets) and install: read
   * tickets, authorizations and cached credentials; update items under TOKEN# keys only (the cached
   * tokens, pre-auth codes and JS-SDK tickets), never put or delete.
   */
  grantTokenAccess(grantee: Grantee): void {
    this.#grant(grantee, ['dynamodb:GetItem']);
    this.#grant(grantee, ['dynamodb:UpdateItem'], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [leadingKeysPattern('token')] },
    });
    this.#grantKey(grantee, 'table');
  }

  /**
   * authorization: reads authorizations (corp keys) and, of them, only the attributes that are not
   * secret (AUTHORIZATION_STATUS_ATTRIBUTES): a read that asks for the permanent code, or for the
   * whole item, is denied. Nothing else of the table.
   */
  grantAuthorizationStatusRead(grantee: Grantee): void {
    this.#grant(grantee, ['dynamodb:GetItem'], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [leadingKeysPattern('corp')] },
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...AUTHORIZATION_STATUS_ATTRIBUTES] },
      // GetItem carries no Select parameter (only Query and Scan do), hence IfExists.
      StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    });
    this.#grantKey(grantee, 'table');
  }

  /**
   * install: records the auth code a browser brings back from WeCom's install page, together with
   * the mark that spends its `state`, as one transaction of two Puts under the suite's partition key
   * (IAM authorizes each Put of a TransactWriteItems as PutItem). It may put nothing outside
   * `SUITE#`, and no Put may return the item it replaced. IAM has no condition on the sort key, so
   * keeping to the INSTALLSTATE# and AUTHCODE# items (and `attribute_not_exists`) is the code's part.
   */
  grantInstallAccess(grantee: Grantee): void {
    // It mints the suite token (reading the suite's ticket) and caches the pre-auth code: both
    // under the suite's own keys. Nothing of a corp (permanent codes, corp tokens) is readable.
    this.#grant(grantee, ['dynamodb:GetItem'], {
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': [leadingKeysPattern('suite'), suiteCredentialsPattern],
      },
    });
    this.#grant(grantee, ['dynamodb:UpdateItem'], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [suiteCredentialsPattern] },
    });
    this.#grant(grantee, ['dynamodb:PutItem'], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [leadingKeysPattern('suite')] },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
    });
    this.#grantKey(grantee, 'table');
  }

  /**
   * auth-exchange: reads everything, updates auth codes, authorizations and tokens, deletes tokens.
   * Its stream mapping's reads (CDK's event source grants the stream actions) decrypt with the same
   * key use as its table calls.
   */
  grantExchangeAccess(grantee: Grantee): void {
    this.#grant(grantee, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    this.#grant(grantee, ['dynamodb:DeleteItem'], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [leadingKeysPattern('token')] },
    });
    this.#grantKey(grantee, 'table');
  }

  /**
   * Reading a secret encrypted with this key: GetSecretValue on that secret and the decrypt Secrets
   * Manager makes for it; nothing that writes, describes or rotates it (CDK's `grantRead` adds
   * DescribeSecret, which the functions never call).
   */
  grantSecretRead(grantee: Grantee, secret: ISecret): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretArn],
      }),
    );
    this.#grantKey(grantee, 'secretRead');
  }

  /**
   * The on-failure destination of a stream mapping, a queue encrypted with this key. Lambda sends
   * a record of each batch that failed every retry with the function's role, so that role gets
   * sqs:SendMessage on the queue and the key use of SQS; CDK's SqsDlq also grants GetQueueAttributes,
   * GetQueueUrl and Encrypt, ReEncrypt* and GenerateDataKey* unconfined, which the mapping never uses.
   */
  deadLetterQueue(queue: IQueue): IEventSourceDlq {
    return {
      bind: (_mapping, target: IFunction) => {
        target.addToRolePolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['sqs:SendMessage'],
            resources: [queue.queueArn],
          }),
        );
        this.#grantKey(target, 'queueSend');
        return { destination: queue.queueArn };
      },
    };
  }

  /** The KMS actions of one use of the key, only when that use's service asks for them. */
  #grantKey(grantee: IGrantable, use: keyof typeof KEY_USES): void {
    const { service, actions } = KEY_USES[use];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...actions],
        resources: [this.key.keyArn],
        // The documented form in every partition, China's included (kms:ViaService, conditions-kms).
        conditions: {
          StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }

  #grant(grantee: IGrantable, actions: string[], conditions?: Record<string, Record<string, unknown>>): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions,
        resources: [this.table.tableArn],
        ...(conditions === undefined ? {} : { conditions }),
      }),
    );
  }
}
