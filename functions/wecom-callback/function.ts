import { createCallbackDeps } from '../wiring/callback-deps.ts';
import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createCallbackHandler } from './callback-handler.ts';

/**
 * The wecom-callback function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) => createCallbackHandler(createCallbackDeps(runtime));
