import { describe, expect, it } from 'vitest';
import {
  ancestorsIntact,
  type ProcessInfo,
  type ProcessReader,
  systemProcessReader,
  watchedAncestors,
} from '../../../local/lifeline.ts';

/** A process table the test edits, read as /proc would be. */
const table = (entries: Record<number, ProcessInfo>) => {
  const processes = new Map(Object.entries(entries).map(([pid, info]) => [Number(pid), info]));
  const read: ProcessReader = async (pid) => processes.get(pid);
  return { processes, read };
};

// node (300) under npm's script shell (200) under npm (100) under a login shell (50).
const npmStart = () =>
  table({
    50: { ppid: 1, argv: ['-bash'] },
    100: { ppid: 50, argv: ['npm', 'start'] },
    200: { ppid: 100, argv: ['sh', '-c', 'node --import tsx local/start.ts'] },
  });

describe('the lifeline of npm start', () => {
  it('watches npm’s script shell and npm itself, not the shell npm was started from', async () => {
    const { read } = npmStart();

    const chain = await watchedAncestors(200, read);

    expect(chain.map((ancestor) => ancestor.pid)).toEqual([200, 100]);
  });

  it('watches only the parent when node was started directly', async () => {
    const { read } = table({ 50: { ppid: 1, argv: ['bash'] } });

    const chain = await watchedAncestors(50, read);

    expect(chain.map((ancestor) => ancestor.pid)).toEqual([50]);
  });

  it('is intact while npm lives, and broken once npm is gone and its shell handed to init', async () => {
    const { processes, read } = npmStart();
    const chain = await watchedAncestors(200, read);
    const before = await ancestorsIntact(200, chain, read);

    processes.delete(100);
    processes.set(200, { ppid: 1, argv: ['sh', '-c', 'node --import tsx local/start.ts'] });
    const after = await ancestorsIntact(200, chain, read);

    expect([before, after]).toEqual([true, false]);
  });

  it('is broken once our own parent is gone, even if its pid was taken again', async () => {
    const { read } = npmStart();
    const chain = await watchedAncestors(200, read);

    const intact = await ancestorsIntact(1, chain, read);

    expect(intact).toBe(false);
  });

  it('stays intact when the shell npm was started from ends (nohup npm start &, then log out)', async () => {
    const { processes, read } = npmStart();
    const chain = await watchedAncestors(200, read);

    processes.delete(50);
    processes.set(100, { ppid: 1, argv: ['npm', 'start'] });
    const intact = await ancestorsIntact(200, chain, read);

    expect(intact).toBe(true);
  });

  it('reads this process’s own parent and command line from the system', async () => {
    const read = systemProcessReader();

    const self = await read(process.pid);

    expect(self?.ppid).toBe(process.ppid);
    expect(self?.argv[0]).toMatch(/node/);
  });
});
