import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseAuthorizationRequest } from '../adapters/invoke/parse-token-request.ts';
import { type AuthorizationView, getAuthorization } from '../app/get-authorization.ts';
import type { AuthorizationFunctionDeps } from '../wiring/token-deps.ts';

/**
 * The authorization function: `{ corpId, suiteId? }` → the corp's authorization (status, corp
 * name, agent id, the provider's reference, installer, agents, editions, dealer, register code
 * info, auth mode). Never the permanent code.
 */
export const createAuthorizationHandler = (
  deps: AuthorizationFunctionDeps,
): InvokeHandler<AuthorizationView> =>
  wrapInvokeHandler(deps, async (payload, annotate) => {
    const request = parseAuthorizationRequest(payload);
    annotate({ suiteId: request.suiteId, corpId: request.corpId });
    return getAuthorization(deps, request);
  });
