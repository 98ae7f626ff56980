import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { AWS_CALL_LOG_DIR } from './aws-call-recorder.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/**
 * Starts one DynamoDB Local for the whole test run; each test file makes its own table in it. The
 * AWS calls recorded by the previous run are cleared, so the IAM contract judges this run's.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  rmSync(AWS_CALL_LOG_DIR, { recursive: true, force: true });
  const dynamoDb = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return () => dynamoDb.stop();
}
