import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { RequestDeadlines } from '../../functions/adapters/deadline/request-deadlines.ts';
import { createDocumentClient } from '../../functions/adapters/dynamodb/document-client.ts';
import { localCreateTableInput } from '../../functions/adapters/dynamodb/table-schema.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.ts';
import { TEST_DEADLINE_STRETCH } from './test-runtime.ts';

/** A fresh table in the test run's DynamoDB Local. */
export interface TestTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly endpoint: string;
  /** Every item, sorted by key, for before/after comparisons. */
  scanAll(): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/** A document client for the run's DynamoDB Local (or `endpoint`). */
export const localDocumentClient = (endpoint = inject('dynamoDbEndpoint')): DynamoDBDocumentClient =>
  createDocumentClient(
    { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
    // Table creation in DynamoDB Local takes longer than DynamoDB's item calls, even more so on a busy machine.
    new RequestDeadlines(Date.now, TEST_DEADLINE_STRETCH),
  );

/** Creates a uniquely named table with the production schema. */
export const createTestTable = async (): Promise<TestTable> => {
  const endpoint = inject('dynamoDbEndpoint');
  const client = localDocumentClient(endpoint);
  const tableName = `test-${randomUUID()}`;
  await client.send(new CreateTableCommand(localCreateTableInput(tableName)));
  return {
    client,
    tableName,
    endpoint,
    scanAll: async () => {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
    },
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
};
