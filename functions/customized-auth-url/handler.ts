import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createCustomizedAuthUrlDeps } from '../wiring/token-deps.ts';
import { createCustomizedAuthUrlHandler } from './customized-auth-url-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createCustomizedAuthUrlHandler(createCustomizedAuthUrlDeps(createServiceRuntime()));
