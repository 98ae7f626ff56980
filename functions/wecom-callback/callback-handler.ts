import { type HttpHandler, wrapHttpHandler } from '../adapters/http/http-handler.ts';
import { parseCallbackRequest } from '../adapters/http/parse-request.ts';
import { echoResponse, emptyResponse, successResponse } from '../adapters/http/to-response.ts';
import { handleDataCallback } from '../app/handle-data-callback.ts';
import { handleSuiteCallback } from '../app/handle-suite-callback.ts';
import { openCallback } from '../app/open-callback.ts';
import type { CallbackFunctionDeps } from '../wiring/callback-deps.ts';

/**
 * The callback Lambda: `GET|POST /callback/{suiteId}/command` and `/data`.
 * GET echoes the decrypted `echostr`; POST to command answers `success`, to data an empty 200.
 */
export const createCallbackHandler = (deps: CallbackFunctionDeps): HttpHandler =>
  wrapHttpHandler(deps.logger, async (event, annotate) => {
    const request = parseCallbackRequest(event);
    annotate({ suiteId: request.suiteId, callback: request.route });
    if (request.method === 'GET') {
      return echoResponse((await openCallback(deps, request)).message);
    }
    if (request.route === 'command') {
      const outcome = await handleSuiteCallback(deps, request);
      annotate({ infoType: outcome.infoType, effect: outcome.effect });
      // Every authentic ticket push counts, stale re-deliveries included: the alarm watches arrivals.
      if (outcome.infoType === 'suite_ticket') {
        deps.metrics.suiteTicketReceived(request.suiteId);
      } else if (outcome.effect === 'auth_code_stored') {
        deps.metrics.authCodeReceived(request.suiteId);
      }
      return successResponse();
    }
    const message = await handleDataCallback(deps, request);
    annotate({ msgType: message.msgType, event: message.event });
    return emptyResponse();
  });
