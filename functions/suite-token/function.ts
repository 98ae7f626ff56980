import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createSuiteTokenDeps } from '../wiring/token-deps.ts';
import { createSuiteTokenHandler } from './suite-token-handler.ts';

/**
 * The suite-token function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) =>
  createSuiteTokenHandler(createSuiteTokenDeps(runtime));
