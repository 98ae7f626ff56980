import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one table's shape, shared by the CDK stack and the local stack so they cannot drift.
 * Plain data: `lib/` reads it without importing any runtime code.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Unix seconds; DynamoDB deletes the item some time after. */
  timeToLiveAttribute: 'expiresAtEpoch',
  /** New auth codes reach auth-exchange through the stream; it needs only the new image. */
  streamViewType: 'NEW_IMAGE',
} as const;

/** CreateTable input for DynamoDB Local (tests, `npm start`): on-demand, stream on. */
export const localCreateTableInput = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: TABLE_SCHEMA.partitionKey, AttributeType: 'S' },
    { AttributeName: TABLE_SCHEMA.sortKey, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
    { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
  ],
  StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_SCHEMA.streamViewType },
});
