import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createCorpTokenDeps } from '../wiring/token-deps.ts';
import { createCorpTokenHandler } from './corp-token-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createCorpTokenHandler(createCorpTokenDeps(createServiceRuntime()));
