import { createInstallDeps } from '../wiring/install-deps.ts';
import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createInstallHandler } from './install-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createInstallHandler(createInstallDeps(createServiceRuntime()));
