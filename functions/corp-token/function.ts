import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createCorpTokenDeps } from '../wiring/token-deps.ts';
import { createCorpTokenHandler } from './corp-token-handler.ts';

/**
 * The corp-token function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) =>
  createCorpTokenHandler(createCorpTokenDeps(runtime));
