import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createAuthorizationDeps } from '../wiring/token-deps.ts';
import { createAuthorizationHandler } from './authorization-handler.ts';

/**
 * The authorization function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) =>
  createAuthorizationHandler(createAuthorizationDeps(runtime));
