import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../local/free-port.ts';
import { TEST_DEADLINE_STRETCH } from './test-runtime.ts';

const START_SCRIPT = fileURLToPath(new URL('../../local/start.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `npm start` run as a child process, as a newcomer would run it. */
export interface LocalProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

export const spawnLocalStart = (env: Record<string, string>): LocalProcess =>
  observe(
    spawn(process.execPath, ['--import', 'tsx', START_SCRIPT], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // A second test run may share the machine: the local stack's deadlines stretch as the tests' do.
        LOCAL_DEADLINE_STRETCH: String(TEST_DEADLINE_STRETCH),
        ...env,
      },
      stdio: 'pipe',
    }),
  );

/**
 * `npm start` itself (npm, its `sh -c`, node under it), in a process group of its own so that
 * `killProcessGroup` can clean up whatever a failing test leaves behind.
 */
export const spawnNpmStart = (env: Record<string, string>): LocalProcess =>
  observe(
    spawn('npm', ['start'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CI: '', LOCAL_DEADLINE_STRETCH: String(TEST_DEADLINE_STRETCH), ...env },
      stdio: 'pipe',
      detached: true,
    }),
  );

const observe = (child: ChildProcessWithoutNullStreams): LocalProcess => {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
};

/** Waits for the start-up report, or fails with what the process printed. */
export const waitForReady = async (local: LocalProcess, timeoutMs = 60_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (local.output().includes('Ctrl-C stops everything')) {
      return local.output();
    }
    if (local.child.exitCode !== null) {
      throw new Error(`npm start exited with ${local.child.exitCode}:\n${local.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`npm start was not ready within ${timeoutMs} ms:\n${local.output()}`);
};

/** Whether something accepts connections on 127.0.0.1:port. */
export const isListening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** SIGKILL to every process left in the group `spawnNpmStart` made (cleanup; never throws). */
export const killProcessGroup = (leader: number | undefined): void => {
  try {
    if (leader !== undefined) {
      process.kill(-leader, 'SIGKILL');
    }
  } catch {
    // Nothing left in the group.
  }
};

/** Every process below `pid` (children, their children, …), with its command line. */
export const descendantsOf = (pid: number): { pid: number; args: string }[] => {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] ?? '' }));
  const found: { pid: number; args: string }[] = [];
  const parents = [pid];
  while (parents.length > 0) {
    const parent = parents.shift();
    for (const entry of table.filter((row) => row.ppid === parent)) {
      found.push({ pid: entry.pid, args: entry.args });
      parents.push(entry.pid);
    }
  }
  return found;
};

/** Whether `pid` is a live process (a zombie waiting to be reaped counts as gone). */
export const isAlive = (pid: number): boolean => {
  try {
    return !/^\S+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Command lines of running processes that mention `needle`. */
export const processesMentioning = (needle: string): string[] =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(needle) && !line.includes('ps -eo'));

/**
 * Two distinct free ports for `npm start`: PORT (callbacks) and LAMBDA_PORT (Invoke API and
 * sandbox). The OS may hand the same free port out twice in a row, which npm start refuses.
 */
export const distinctFreePorts = async (): Promise<{ port: number; lambdaPort: number }> => {
  const port = await findFreePort();
  let lambdaPort = await findFreePort();
  while (lambdaPort === port) {
    lambdaPort = await findFreePort();
  }
  return { port, lambdaPort };
};

/** `npm start` on two fresh ports, once it says it is ready (generous: a second suite may slow it several-fold). */
export const startLocalProcess = async (): Promise<{ local: LocalProcess; lambdaPort: number }> => {
  const { port, lambdaPort } = await distinctFreePorts();
  const local = spawnLocalStart({ PORT: String(port), LAMBDA_PORT: String(lambdaPort) });
  await waitForReady(local, 150_000);
  return { local, lambdaPort };
};

/** Ctrl-C, and SIGKILL if it has not ended within 30 s. */
export const stopLocalProcess = async (local: LocalProcess): Promise<void> => {
  local.child.kill('SIGINT');
  const stopped = await Promise.race([local.exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  if (stopped === undefined) {
    local.child.kill('SIGKILL');
  }
};
