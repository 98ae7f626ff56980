import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createProviderTokenDeps } from '../wiring/token-deps.ts';
import { createProviderTokenHandler } from './provider-token-handler.ts';

/**
 * The provider-token function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) =>
  createProviderTokenHandler(createProviderTokenDeps(runtime));
