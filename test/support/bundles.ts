import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { BundleManifest } from './synth-bundles.ts';

/**
 * The bundles `cdk synth` writes, built for this run by bundle-setup.ts: waits until they are ready.
 *
 * @throws with the synth's own error, or when it takes longer than `timeoutMs`.
 */
export const synthesizedBundles = async (timeoutMs = 600_000): Promise<BundleManifest> => {
  const directory = inject('bundleDirectory');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(join(directory, 'bundles.json'))) {
      return JSON.parse(readFileSync(join(directory, 'bundles.json'), 'utf8')) as BundleManifest;
    }
    if (existsSync(join(directory, 'error.txt'))) {
      throw new Error(`cdk synth failed: ${readFileSync(join(directory, 'error.txt'), 'utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the bundles were not ready within ${timeoutMs} ms`);
};
