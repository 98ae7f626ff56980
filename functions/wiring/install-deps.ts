import { randomBytes } from 'node:crypto';
import { DynamoAuthCodeStore } from '../adapters/dynamodb/auth-code-store.ts';
import type { InstallDeps } from '../app/install-from-website.ts';
import type { ServiceRuntime } from './service-runtime.ts';
import { createTokenMachinery, type TokenFunctionDeps } from './token-deps.ts';

/** What the install function needs: the token machinery, the store of redirected codes, log and metrics. */
export type InstallFunctionDeps = InstallDeps & TokenFunctionDeps;

const SERVICE = 'install';

/** The install function's dependencies (one container's worth): the one place they are assembled. */
export const createInstallDeps = (runtime: ServiceRuntime): InstallFunctionDeps => ({
  ...createTokenMachinery(runtime, SERVICE),
  installCodes: new DynamoAuthCodeStore(runtime.documentClient(SERVICE), runtime.tableName, runtime.clock),
  wecomOpenBase: runtime.wecomOpenBase,
  randomBytes: (size) => randomBytes(size),
});
