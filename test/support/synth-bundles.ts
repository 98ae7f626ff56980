/**
 * Synthesizes the app as `cdk synth` does, esbuild bundling included, into the folder given as
 * the first argument, and writes `bundles.json` there (or `error.txt`): each function's bundle and
 * the environment the stack gives it. Run by bundle-setup.ts in its own process, so the tests
 * start while the bundles are built.
 *
 *   node --import tsx test/support/synth-bundles.ts <outdir>
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { ServiceName } from '../../functions/wiring/service-runtime.ts';
import { addCredentialStacks } from '../../lib/credential-app.ts';
import { readStageConfig } from '../../lib/stage-config.ts';

/** What synth-bundles.ts wrote: where each deployed function's bundle is, and its stack environment. */
export interface BundleManifest {
  /** The cloud assembly folder. */
  readonly directory: string;
  /** The data and service templates, as deployed. */
  readonly templates: { readonly data: unknown; readonly service: unknown };
  readonly functions: Readonly<
    Record<
      ServiceName,
      {
        /** The construct id's logical id in the service template. */
        readonly logicalId: string;
        /** `index.mjs` of the function's asset: the file Lambda runs. */
        readonly bundle: string;
        /** Its Lambda runtime, e.g. `nodejs24.x`. */
        readonly runtime: string;
        /** The options its NODE_OPTIONS gives node (none where the stack sets none). */
        readonly nodeOptions: readonly string[];
      }
    >
  >;
}

interface FunctionResource {
  readonly Type: string;
  readonly Properties: {
    readonly Code: { readonly S3Key: string };
    readonly Runtime: string;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
}

/** Synthesizes with bundling into `outdir` and describes what it wrote. */
export const synthesizeBundles = (outdir: string, context: Record<string, unknown> = {}): BundleManifest => {
  const app = new App({ outdir, context });
  const stacks = addCredentialStacks(app, readStageConfig(app), { data: 'Data', service: 'Service' });
  const assembly = app.synth();
  const service = assembly.getStackByName(stacks.service.stackName).template as {
    Resources: Record<string, FunctionResource>;
  };
  const data = assembly.getStackByName(stacks.data.stackName).template;
  const functions: Record<string, BundleManifest['functions'][ServiceName]> = {};
  for (const [logicalId, resource] of Object.entries(service.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') {
      continue;
    }
    const serviceName = resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
    if (typeof serviceName !== 'string') {
      continue;
    }
    const asset = `asset.${resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`;
    const nodeOptions = resource.Properties.Environment?.Variables?.NODE_OPTIONS;
    functions[serviceName] = {
      logicalId,
      bundle: join(assembly.directory, asset, 'index.mjs'),
      runtime: resource.Properties.Runtime,
      nodeOptions: typeof nodeOptions === 'string' ? nodeOptions.split(' ').filter(Boolean) : [],
    };
  }
  return {
    directory: assembly.directory,
    templates: { data, service },
    functions: functions as BundleManifest['functions'],
  };
};

const outdir = process.argv[2];
if (outdir !== undefined && import.meta.url === `file://${process.argv[1]}`) {
  try {
    const manifest = synthesizeBundles(outdir);
    writeFileSync(join(outdir, 'bundles.json.partial'), JSON.stringify(manifest));
    renameSync(join(outdir, 'bundles.json.partial'), join(outdir, 'bundles.json'));
  } catch (error) {
    writeFileSync(
      join(outdir, 'error.txt'),
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
    process.exitCode = 1;
  }
}
