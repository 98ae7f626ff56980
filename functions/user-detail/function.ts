import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createUserDetailDeps } from '../wiring/token-deps.ts';
import { createUserDetailHandler } from './user-detail-handler.ts';

/**
 * The user-detail function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) =>
  createUserDetailHandler(createUserDetailDeps(runtime));
