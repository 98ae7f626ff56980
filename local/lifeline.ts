import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';

/** What the watch needs to know of a process: its parent and its command line. */
export interface ProcessInfo {
  readonly ppid: number;
  readonly argv: readonly string[];
}

/** Reads a process's parent and command line, or `undefined` when it no longer exists. */
export type ProcessReader = (pid: number) => Promise<ProcessInfo | undefined>;

/** One ancestor watched, with the parent it had when the watch began. */
export interface WatchedAncestor {
  readonly pid: number;
  readonly ppid: number;
  readonly argv: readonly string[];
}

// Shells that run one command for their parent (npm runs a script as `sh -c '<script>'`).
const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'ksh', 'mksh']);

const isCommandShell = (argv: readonly string[]): boolean =>
  SHELLS.has(basename(argv[0] ?? '').replace(/^-/, '')) && argv.includes('-c');

/**
 * The processes whose end must end this one: the parent, and above it every `sh -c` that only
 * runs a command for its own parent, up to and including the first process that is not such a
 * shell. Under `npm start` that is npm's script shell and npm itself: a SIGKILL to npm leaves the
 * shell alive (it still waits for node), so watching the parent alone never notices.
 */
export const watchedAncestors = async (
  parentPid: number,
  read: ProcessReader,
): Promise<WatchedAncestor[]> => {
  const chain: WatchedAncestor[] = [];
  let pid = parentPid;
  // A bound on the walk: a loop in what /proc reports (pid reuse mid-walk) must not hang start-up.
  while (chain.length < 8 && pid > 1) {
    const info = await read(pid);
    if (info === undefined) {
      break;
    }
    chain.push({ pid, ppid: info.ppid, argv: info.argv });
    if (!isCommandShell(info.argv)) {
      break;
    }
    pid = info.ppid;
  }
  return chain;
};

/**
 * Whether every watched ancestor is still there. Each link is checked by its child's parent id
 * (ours for the first): a process whose parent ended has been handed to another, so its parent id
 * changed, whatever process may have taken the old id since.
 */
export const ancestorsIntact = async (
  ownParentPid: number,
  chain: readonly WatchedAncestor[],
  read: ProcessReader,
): Promise<boolean> => {
  const [first] = chain;
  if (first === undefined) {
    return true;
  }
  if (ownParentPid !== first.pid) {
    return false;
  }
  for (let index = 0; index + 1 < chain.length; index += 1) {
    const link = chain[index] as WatchedAncestor;
    const info = await read(link.pid);
    if (info === undefined || info.ppid !== link.ppid) {
      return false;
    }
  }
  return true;
};

/** Reads /proc on Linux, `ps` elsewhere (macOS has no /proc). */
export const systemProcessReader = (): ProcessReader => (existsSync('/proc/self/stat') ? readProc : readPs);

const readProc: ProcessReader = async (pid) => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces or parentheses: fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') {
      return undefined;
    }
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return { ppid: Number(fields[1]), argv: cmdline.split('\0').filter((part) => part !== '') };
  } catch {
    return undefined;
  }
};

const run = promisify(execFile);

const readPs: ProcessReader = async (pid) => {
  try {
    const { stdout } = await run('ps', ['-o', 'ppid=,stat=,args=', '-p', String(pid)]);
    const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(stdout.trim());
    if (match === null || match[2]?.startsWith('Z') === true) {
      return undefined;
    }
    // `ps` gives one string; splitting on spaces is enough to tell `sh -c …` from anything else.
    return { ppid: Number(match[1]), argv: (match[3] ?? '').split(/\s+/) };
  } catch {
    return undefined;
  }
};

export interface LifelineOptions {
  /** @default every 500 ms */
  readonly intervalMs?: number;
  /** @default /proc or `ps` */
  readonly read?: ProcessReader;
}

/**
 * Calls `onLost` once when the process that started this one is gone (see `watchedAncestors`),
 * however it ended — SIGKILL included, which runs no code in the process that dies. Returns a
 * function that stops the watch. The timer does not keep the process alive.
 */
export const watchLifeline = async (
  onLost: () => void,
  options: LifelineOptions = {},
): Promise<() => void> => {
  const read = options.read ?? systemProcessReader();
  const chain = await watchedAncestors(process.ppid, read);
  let checking = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (checking || stopped) {
      return;
    }
    checking = true;
    void ancestorsIntact(process.ppid, chain, read)
      .then((intact) => {
        if (!intact && !stopped) {
          stopped = true;
          clearInterval(timer);
          onLost();
        }
      })
      .finally(() => {
        checking = false;
      });
  }, options.intervalMs ?? 500);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
};
