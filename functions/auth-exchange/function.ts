import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createExchangeDeps } from '../wiring/token-deps.ts';
import { createAuthExchangeHandler } from './auth-exchange-handler.ts';

/**
 * The auth-exchange function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) =>
  createAuthExchangeHandler(createExchangeDeps(runtime));
