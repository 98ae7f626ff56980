import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createCustomizedAuthUrlDeps } from '../wiring/token-deps.ts';
import { createCustomizedAuthUrlHandler } from './customized-auth-url-handler.ts';

/**
 * The customized-auth-url function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) =>
  createCustomizedAuthUrlHandler(createCustomizedAuthUrlDeps(runtime));
