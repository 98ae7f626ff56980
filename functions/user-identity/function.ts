import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createUserIdentityDeps } from '../wiring/token-deps.ts';
import { createUserIdentityHandler } from './user-identity-handler.ts';

/**
 * The user-identity function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) =>
  createUserIdentityHandler(createUserIdentityDeps(runtime));
