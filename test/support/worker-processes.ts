import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./token-worker.ts', import.meta.url));

export interface WorkerOutcome {
  readonly ok: boolean;
  readonly token?: string;
  readonly expiresAtMs?: number;
  readonly errorName?: string;
  readonly message?: string;
  /** Upstream attempts of the worker's process that got no answer. */
  readonly networkFailures?: number;
  /** Mint leases the worker's process was granted, by credential kind (`corp_token`, …): mints begun. */
  readonly leasesTaken?: Readonly<Record<string, number>>;
}

/**
 * A count each worker process reports with every one of its outcomes (its network failures, its
 * leases), summed over the processes: outcomes come in process order, `requestsPerProcess` each.
 */
export const summedOverProcesses = (
  outcomes: readonly WorkerOutcome[],
  requestsPerProcess: number,
  count: (outcome: WorkerOutcome) => number,
): number => {
  const perProcess = new Map<number, number>();
  for (const [index, outcome] of outcomes.entries()) {
    perProcess.set(Math.floor(index / requestsPerProcess), count(outcome));
  }
  return [...perProcess.values()].reduce((sum, value) => sum + value, 0);
};

/**
 * Starts `processes` token-worker processes, waits until each is ready, releases them together
 * and collects every outcome.
 */
export const runTokenWorkers = async (
  processes: number,
  requestsPerProcess: number,
  env: Record<string, string>,
): Promise<WorkerOutcome[]> => {
  const children: ChildProcessWithoutNullStreams[] = [];
  const results: Promise<WorkerOutcome[]>[] = [];
  const ready: Promise<void>[] = [];
  for (let index = 0; index < processes; index += 1) {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: {
        ...process.env,
        ...env,
        REQUESTS: String(requestsPerProcess),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: 'pipe',
    });
    children.push(child);
    let output = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    ready.push(
      new Promise((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.startsWith('ready\n')) {
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${errors}`)));
      }),
    );
    results.push(
      new Promise((resolve, reject) => {
        child.once('exit', (code) => {
          const line = output.split('\n')[1];
          if (code !== 0 || line === undefined) {
            reject(new Error(`worker failed (${code}): ${errors}`));
            return;
          }
          resolve(JSON.parse(line) as WorkerOutcome[]);
        });
      }),
    );
  }
  await Promise.all(ready);
  for (const child of children) {
    child.stdin.write('go\n');
  }
  return (await Promise.all(results)).flat();
};
