/**
 * The Node.js built-ins Lambda's Node.js runtime has loaded before it imports a handler. AWS's
 * open-source runtime interface client (aws-lambda-nodejs-runtime-interface-client 3.3, August
 * 2025, the line that warns of callback handlers for nodejs24.x) requires them from its own
 * modules: `http` (RAPIDClient, the Runtime API), `net` (ResponseStream), `fs` and `util`
 * (LogPatch), `assert` (InvokeContext), `module` and `path` (UserFunction). A function's import on
 * Lambda finds them loaded, so the bench's children load them the same way (CommonJS `require`)
 * before they import a bundle.
 */
export const LAMBDA_RUNTIME_BUILTINS = ['http', 'net', 'fs', 'util', 'assert', 'module', 'path'] as const;

/** ESM source for a child (`node --input-type=module -e`): requires LAMBDA_RUNTIME_BUILTINS. */
export const PRELOAD_LAMBDA_RUNTIME_BUILTINS = `
import { createRequire as createRuntimeRequire } from 'node:module';
{
  const runtimeRequire = createRuntimeRequire(process.cwd() + '/');
  for (const name of ${JSON.stringify(LAMBDA_RUNTIME_BUILTINS)}) runtimeRequire('node:' + name);
}
`;
