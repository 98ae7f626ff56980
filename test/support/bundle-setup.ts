import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where synth-bundles.ts writes this run's cloud assembly and bundles.json. */
    bundleDirectory: string;
  }
}

const SYNTH_SCRIPT = fileURLToPath(new URL('./synth-bundles.ts', import.meta.url));

/**
 * Starts `cdk synth`'s bundling for this run in the background (esbuild for every function takes a
 * while on two cores), in a folder of its own so two runs never share one; tests that hand the
 * bundles events wait for its bundles.json (bundles.ts).
 */
export default function setup(project: TestProject): () => Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'wecom-bundles-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SYNTH_SCRIPT, directory], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  project.provide('bundleDirectory', directory);
  return async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
    }
    rmSync(directory, { recursive: true, force: true });
  };
}
