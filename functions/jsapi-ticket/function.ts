import type { ServiceRuntime } from '../wiring/service-runtime.ts';
import { createJsapiTicketDeps } from '../wiring/token-deps.ts';
import { createJsapiTicketHandler } from './jsapi-ticket-handler.ts';

/**
 * The jsapi-ticket function on a runtime: what the Lambda entry point (handler.ts) runs, and what
 * `npm start` and the tests run, wired the same way (functions/catalog.ts loads it by name).
 */
export const buildFunction = (runtime: ServiceRuntime) =>
  createJsapiTicketHandler(createJsapiTicketDeps(runtime));
