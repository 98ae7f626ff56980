import { callbackDeadline } from '../adapters/deadline/request-budget.ts';
import { type HttpHandler, wrapHttpHandler } from '../adapters/http/http-handler.ts';
import { parseCallbackRequest } from '../adapters/http/parse-request.ts';
import {
  echoResponse,
  emptyResponse,
  notFoundResponse,
  successResponse,
} from '../adapters/http/to-response.ts';
import { handleDataCallback } from '../app/handle-data-callback.ts';
import { handleSuiteCallback } from '../app/handle-suite-callback.ts';
import { handleSystemEvent } from '../app/handle-system-event.ts';
import { openCallback } from '../app/open-callback.ts';
import { VERIFY_FILE_NAME } from '../core/config/service-config.ts';
import type { CallbackFunctionDeps } from '../wiring/callback-deps.ts';

/** The route of WeCom's trusted-domain files (a path variable must be a whole segment). */
export const VERIFY_FILE_ROUTE = '/{file}';

/**
 * The callback Lambda: `GET|POST /callback/{suiteId}/command` and `/data`, and the provider's
 * `GET|POST /callback/provider/system`. GET echoes the decrypted `echostr`; POST to command and
 * system answers `success`, to data an empty 200.
 * It also answers `GET /WW_verify_….txt` from the configuration's verifyFiles (WeCom's
 * trusted-domain check), and 404 for any other name at the root.
 */
export const createCallbackHandler = (deps: CallbackFunctionDeps): HttpHandler =>
  wrapHttpHandler(
    { ...deps, deadlineOf: (event, _context, nowMs) => callbackDeadline(event, nowMs) },
    async (event, annotate) => {
      if (event.routeKey === `GET ${VERIFY_FILE_ROUTE}`) {
        const name = event.pathParameters?.file ?? '';
        const files = VERIFY_FILE_NAME.test(name) ? (await deps.registry.current()).verifyFiles : {};
        annotate({ verifyFile: Object.hasOwn(files, name) });
        return Object.hasOwn(files, name) ? echoResponse(files[name] ?? '') : notFoundResponse();
      }
      const request = parseCallbackRequest(event);
      annotate({ ...('suiteId' in request ? { suiteId: request.suiteId } : {}), callback: request.route });
      if (request.method === 'GET') {
        return echoResponse((await openCallback(deps, request)).message);
      }
      if (request.route === 'system') {
        annotate({ infoType: (await handleSystemEvent(deps, request)).infoType });
        return successResponse();
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
    },
  );
