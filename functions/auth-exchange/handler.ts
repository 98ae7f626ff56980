import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createExchangeDeps } from '../wiring/token-deps.ts';
import { createAuthExchangeHandler } from './auth-exchange-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createAuthExchangeHandler(createExchangeDeps(createServiceRuntime()));
