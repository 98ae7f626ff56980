import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeAbandonedRecordings } from '../support/aws-call-recorder.ts';

/** A pid no process has: one that just exited. */
const exitedPid = (): number => {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
};

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aws-calls-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('removeAbandonedRecordings', () => {
  it('keeps the directory of a run that still runs, with its recordings', () => {
    const running = String(process.pid);
    mkdirSync(join(root, running));
    writeFileSync(join(root, running, 'calls.jsonl'), '{}\n');

    removeAbandonedRecordings(root);

    expect(readdirSync(root)).toEqual([running]);
    expect(readdirSync(join(root, running))).toEqual(['calls.jsonl']);
  });

  it('removes the directory of a run whose process is gone, and the flat files of the old layout', () => {
    const running = String(process.pid);
    for (const directory of [running, String(exitedPid())]) {
      mkdirSync(join(root, directory));
    }
    writeFileSync(join(root, '1234-5678.jsonl'), '{}\n');

    removeAbandonedRecordings(root);

    expect(readdirSync(root)).toEqual([running]);
  });

  it('leaves alone what it did not name, such as a directory kept with AWS_CALL_LOG_DIR', () => {
    mkdirSync(join(root, 'kept-for-the-contract'));

    removeAbandonedRecordings(root);

    expect(readdirSync(root)).toEqual(['kept-for-the-contract']);
  });
});
