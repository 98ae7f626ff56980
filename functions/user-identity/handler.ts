import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createUserIdentityDeps } from '../wiring/token-deps.ts';
import { createUserIdentityHandler } from './user-identity-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createUserIdentityHandler(createUserIdentityDeps(createServiceRuntime()));
