import { createInstallDeps } from '../wiring/install-deps.ts';
import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createInstallHandler } from './install-handler.ts';

/**
 * The install function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) => createInstallHandler(createInstallDeps(runtime));
