import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createProviderTokenDeps } from '../wiring/token-deps.ts';
import { createProviderTokenHandler } from './provider-token-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createProviderTokenHandler(createProviderTokenDeps(createServiceRuntime()));
