import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createSuiteTokenDeps } from '../wiring/token-deps.ts';
import { createSuiteTokenHandler } from './suite-token-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createSuiteTokenHandler(createSuiteTokenDeps(createServiceRuntime()));
