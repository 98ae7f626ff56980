import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { buildFunction } from './function.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = buildFunction(createServiceRuntime());
