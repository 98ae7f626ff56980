import { createCallbackDeps } from '../wiring/callback-deps.ts';
import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createCallbackHandler } from './callback-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createCallbackHandler(createCallbackDeps(createServiceRuntime()));
