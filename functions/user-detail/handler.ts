import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createUserDetailDeps } from '../wiring/token-deps.ts';
import { createUserDetailHandler } from './user-detail-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createUserDetailHandler(createUserDetailDeps(createServiceRuntime()));
