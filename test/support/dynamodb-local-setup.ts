import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { AWS_CALL_LOG_ROOT, removeAbandonedRecordings } from './aws-call-recorder.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/**
 * Starts one DynamoDB Local for the whole test run; each test file makes its own table in it.
 *
 * The AWS calls the tests record go to this run's own directory (AWS_CALL_LOG_DIR, set in
 * vitest.config.ts), so a second `npm test` in the same checkout neither deletes nor mixes into this
 * one's; it is removed when the run ends, after the IAM contract judged it. The directories of runs
 * that were killed are removed at the start. A directory given in the environment is the caller's:
 * only the recordings in it (`*.jsonl`) are removed at the start, and it is kept at the end (to judge
 * it again with `--project iam-contract`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directory = project.config.env.AWS_CALL_LOG_DIR;
  if (directory === undefined || directory === '') {
    throw new Error('AWS_CALL_LOG_DIR is not set: vitest.config.ts gives each run one');
  }
  const ownedByRun = process.env.AWS_CALL_LOG_DIR === undefined;
  removeAbandonedRecordings(AWS_CALL_LOG_ROOT.pathname);
  mkdirSync(directory, { recursive: true });
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.jsonl'))) {
    rmSync(join(directory, file));
  }
  const dynamoDb = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return async () => {
    await dynamoDb.stop();
    if (ownedByRun) {
      rmSync(directory, { recursive: true, force: true });
    }
  };
}
