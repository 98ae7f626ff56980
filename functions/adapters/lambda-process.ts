/**
 * Stands in for `node:process` in the Lambda bundles (an esbuild alias set in
 * lib/constructs/service-function.ts). An ES module import of `node:process` makes Node.js build a
 * namespace of every property of `process`, and reading them all runs its lazy getters: 3.5 ms of
 * the SDK floor's import on Node.js 24 (docs/performance.md, What row 5 says about the 100 ms target).
 * `process` is a global, so the names the bundled modules import (the AWS SDK's `env` and
 * `versions`) are read from it; esbuild fails the build if a module imports a name not exported here.
 * Local runs and tests do not use the alias.
 */
export const env = process.env;
export const versions = process.versions;
export default process;
