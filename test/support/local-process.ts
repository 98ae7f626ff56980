import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
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

export const spawnLocalStart = (env: Record<string, string>): LocalProcess => {
  const child = spawn(process.execPath, ['--import', 'tsx', START_SCRIPT], {
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
  });
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

/** Command lines of running processes that mention `needle`. */
export const processesMentioning = (needle: string): string[] =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(needle) && !line.includes('ps -eo'));
