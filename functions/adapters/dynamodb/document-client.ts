import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A DynamoDB document client with timeouts that fit WeCom's deadlines: a callback must answer within
 * 1000 ms for auth events, so a stuck connection fails fast (and the callback answers 503) rather
 * than hanging until WeCom gives up.
 */
export const createDocumentClient = (config: DynamoDBClientConfig = {}): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 500, requestTimeout: 1500 },
      ...config,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
