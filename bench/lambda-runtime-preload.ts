import { majorOf } from '../lib/lambda-platform.ts';

/**
 * The Node.js built-ins Lambda's Node.js runtime has loaded before it imports a handler, so a
 * function's import on Lambda finds them loaded and the bench's children load them first, the same
 * way (CommonJS `require`). Read from the runtime interface client AWS publishes on npm as
 * `aws-lambda-ric`, the code the managed runtimes run (which build each managed runtime runs is not
 * published; these were not checked against a running runtime):
 * - 4.0.2, the rewrite prepared for Node.js 24: `http` (the Runtime API), `net` (response
 *   streams), `fs`, `path`, `util`, `os` (its worker count), `worker_threads` and `module` (its
 *   `createRequire`), all at its module scope. `async_hooks` it loads only in the multi-concurrency
 *   mode of Lambda Managed Instances, not for an on-demand function.
 * - 3.3.0, the line before it: `http`, `net`, `fs`, `util`, `assert`, `path`, `module`.
 */
const RIC_4_BUILTINS = ['http', 'net', 'fs', 'path', 'util', 'os', 'worker_threads', 'module'] as const;
const RIC_3_BUILTINS = ['http', 'net', 'fs', 'util', 'assert', 'path', 'module'] as const;

/** The built-ins loaded before the handler on `runtime` (`nodejs24.x`, …): 4.x from Node.js 24 on. */
export const lambdaRuntimeBuiltins = (runtime: string): readonly string[] => {
  const major = majorOf(runtime);
  return Number.isNaN(major) || major >= 24 ? RIC_4_BUILTINS : RIC_3_BUILTINS;
};

/** ESM source for a child (`node --input-type=module -e`): requires the built-ins of `runtime`. */
export const preloadLambdaRuntimeBuiltins = (runtime: string): string => `
import { createRequire as createRuntimeRequire } from 'node:module';
{
  const runtimeRequire = createRuntimeRequire(process.cwd() + '/');
  for (const name of ${JSON.stringify(lambdaRuntimeBuiltins(runtime))}) runtimeRequire('node:' + name);
}
`;
