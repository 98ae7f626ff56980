import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseJsapiTicketRequest } from '../adapters/invoke/parse-user-request.ts';
import { getJsapiTicket, type JsapiSignature, signJsapiUrl } from '../app/get-jsapi-ticket.ts';
import type { TokenFunctionDeps } from '../wiring/token-deps.ts';

/** `jsapi-ticket` response: the ticket itself, or (with `url`) a signature made with it. */
export type JsapiTicketResponse = { readonly ticket: string; readonly expiresAt: string } | JsapiSignature;

/**
 * The jsapi-ticket function: `{ corpId, suiteId?, type, url? }`. With `url` it answers what
 * wx.config / wx.agentConfig need and the ticket stays in the service.
 */
export const createJsapiTicketHandler = (deps: TokenFunctionDeps): InvokeHandler<JsapiTicketResponse> =>
  wrapInvokeHandler(deps, async (payload, annotate) => {
    const { url, rejectedSignature, ...request } = parseJsapiTicketRequest(payload);
    annotate({
      suiteId: request.suiteId,
      type: request.type,
      signed: url !== undefined,
      stale: request.staleTicket !== undefined || rejectedSignature !== undefined,
    });
    if (url !== undefined) {
      return signJsapiUrl(deps, {
        ...request,
        url,
        ...(rejectedSignature === undefined ? {} : { rejected: rejectedSignature }),
      });
    }
    const { ticket } = await getJsapiTicket(deps, request);
    return { ticket: ticket.value, expiresAt: new Date(ticket.expiresAtMs).toISOString() };
  });
