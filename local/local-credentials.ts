import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Credentials for DynamoDB Local. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const FILE_NAME = 'local-credentials.json';

/**
 * The credentials `npm start` uses with its DynamoDB Local. DynamoDB Local accepts any credentials,
 * and it listens on 127.0.0.1 only where local/java/LoopbackDynamoDbLocal.java can run (else on
 * every interface), so other users of this machine can always reach it; but without `-sharedDb`
 * each access key id has its own database, invisible to any other. A random 128-bit key id per
 * start (kept in the data directory with LOCAL_DB_PATH, readable by its owner only) is what keeps
 * tickets, permanent codes and tokens private from anyone else who connects.
 */
export const localCredentials = async (dbPath: string | undefined): Promise<LocalCredentials> => {
  const fresh = (): LocalCredentials => ({
    accessKeyId: `LOCAL${randomBytes(16).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(24).toString('base64url'),
  });
  if (dbPath === undefined) {
    return fresh();
  }
  const file = join(dbPath, FILE_NAME);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as Partial<LocalCredentials>;
    if (typeof stored.accessKeyId === 'string' && typeof stored.secretAccessKey === 'string') {
      return { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey };
    }
  } catch {
    // No file yet (a new data directory): create one below.
  }
  const created = fresh();
  await writeFile(file, `${JSON.stringify(created)}\n`, { mode: 0o600 });
  return created;
};
