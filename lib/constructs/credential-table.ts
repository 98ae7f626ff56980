import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../functions/adapters/dynamodb/table-schema.ts';

export interface CredentialTableProps {
  /** The customer-managed key that encrypts the table (tickets, permanent codes, tokens). */
  readonly encryptionKey: IKey;
}

/**
 * The service's one table: on demand, KMS-encrypted with our key, point-in-time recovery, TTL,
 * a stream of new images (auth codes reach auth-exchange through it), deletion protection, and
 * kept when the stack is deleted. Functions get access through CredentialTableAccess.
 */
export class CredentialTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: CredentialTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
      stream: StreamViewType.NEW_IMAGE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
