import { Validations } from 'aws-cdk-lib';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Construct, type IConstruct } from 'constructs';

/** A function (or other construct) that gets access; acknowledgements attach to it. */
type Grantee = IGrantable & IConstruct;

import { KEY_PREFIX, leadingKeysPattern } from '../../functions/adapters/dynamodb/table-keys.ts';
import { TABLE_SCHEMA } from '../../functions/adapters/dynamodb/table-schema.ts';

/** The cached credentials of suites (suite token, pre-auth code): `TOKEN#SUITE#…`, never a corp's. */
const suiteCredentialsPattern = `${KEY_PREFIX.token}SUITE#*`;

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
    this.table = Table.fromTableAttributes(this, 'Table', {
      tableArn: props.tableArn,
      tableStreamArn: props.tableStreamArn,
      encryptionKey: this.key,
    });
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
    this.#grantKey(grantee);
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
    this.#grantKey(grantee);
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
    this.#grantKey(grantee);
  }

  /** auth-exchange: reads everything, updates auth codes, authorizations and tokens, deletes tokens. */
  grantExchangeAccess(grantee: Grantee): void {
    this.#grant(grantee, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    this.#grant(grantee, ['dynamodb:DeleteItem'], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [leadingKeysPattern('token')] },
    });
    this.#grantKey(grantee);
  }

  // DynamoDB with a customer-managed key needs these KMS actions from its callers; CDK's grant
  // names them with wildcards, all on our one key.
  #grantKey(grantee: Grantee): void {
    this.key.grantEncryptDecrypt(grantee);
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(grantee).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
        reason:
          'KMS actions DynamoDB needs for our customer-managed table key; the resource is that one key.',
      });
    }
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
