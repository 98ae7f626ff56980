import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeadlineHttpHandler } from '../deadline/deadline-http-handler.ts';
import { RequestDeadlines } from '../deadline/request-deadlines.ts';

/**
 * Per attempt. In-region DynamoDB answers in milliseconds; a second past that is a stalled
 * connection, and the request's deadline (RequestDeadlines) shortens it further: a callback must
 * answer WeCom within 1000 ms, so a stalled store means a 503 WeCom retries, not a hang.
 */
export const DYNAMODB_CALL_LIMITS = { connectionTimeoutMs: 500, requestTimeoutMs: 1000 } as const;

/**
 * A DynamoDB document client whose timeouts fire (DeadlineHttpHandler): each attempt is bounded by
 * DYNAMODB_CALL_LIMITS and by what is left of the current request's deadline.
 */
export const createDocumentClient = (
  config: DynamoDBClientConfig = {},
  deadlines: RequestDeadlines = new RequestDeadlines(),
): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      maxAttempts: 3,
      requestHandler: new DeadlineHttpHandler(DYNAMODB_CALL_LIMITS, deadlines),
      ...config,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
