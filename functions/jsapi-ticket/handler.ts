import { createServiceRuntime } from '../wiring/service-runtime.ts';
import { createJsapiTicketDeps } from '../wiring/token-deps.ts';
import { createJsapiTicketHandler } from './jsapi-ticket-handler.ts';

/** The Lambda entry point: built once per container from the environment the stack sets. */
export const handler = createJsapiTicketHandler(createJsapiTicketDeps(createServiceRuntime()));
