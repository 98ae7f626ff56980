import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { AWS_CALL_LOG_ROOT } from './aws-call-recorder.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/** The directory vitest.config.ts names for a run: the pid of its vitest process, then a UUID. */
const RUN_DIRECTORY = /^(\d+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Left by a run that no longer runs: its directory, or a file of the flat layout before runs had
 * directories of their own.
 */
const abandoned = (entry: string): boolean => {
  if (entry.endsWith('.jsonl')) {
    return true;
  }
  const pid = Number(RUN_DIRECTORY.exec(entry)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
};

/**
 * Starts one DynamoDB Local for the whole test run; each test file makes its own table in it.
 *
 * The AWS calls the tests record go to this run's own directory (AWS_CALL_LOG_DIR, set in
 * vitest.config.ts), so a second `npm test` in the same checkout neither deletes nor mixes into this
 * one's; it is removed when the run ends, after the IAM contract judged it. The directories of runs
 * that were killed are removed at the start. A directory given in the environment is the caller's:
 * emptied at the start, kept at the end (to judge it again with `--project iam-contract`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directory = project.config.env.AWS_CALL_LOG_DIR;
  if (directory === undefined || directory === '') {
    throw new Error('AWS_CALL_LOG_DIR is not set: vitest.config.ts gives each run one');
  }
  const ownedByRun = process.env.AWS_CALL_LOG_DIR === undefined;
  mkdirSync(AWS_CALL_LOG_ROOT, { recursive: true });
  for (const entry of readdirSync(AWS_CALL_LOG_ROOT)) {
    if (abandoned(entry)) {
      rmSync(join(AWS_CALL_LOG_ROOT.pathname, entry), { recursive: true, force: true });
    }
  }
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const dynamoDb = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return async () => {
    await dynamoDb.stop();
    if (ownedByRun) {
      rmSync(directory, { recursive: true, force: true });
    }
  };
}
