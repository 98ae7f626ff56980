import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseProviderTokenRequest } from '../adapters/invoke/parse-token-request.ts';
import { getProviderToken } from '../app/get-provider-token.ts';
import type { TokenFunctionDeps } from '../wiring/token-deps.ts';

/** `provider-token` response. */
export interface ProviderTokenResponse {
  readonly accessToken: string;
  /** ISO-8601 UTC. */
  readonly expiresAt: string;
}

/** The provider-token function: `{ staleToken? }` → `{ accessToken, expiresAt }`. */
export const createProviderTokenHandler = (deps: TokenFunctionDeps): InvokeHandler<ProviderTokenResponse> =>
  wrapInvokeHandler(deps, async (payload, annotate) => {
    const request = parseProviderTokenRequest(payload);
    annotate({ stale: request.staleToken !== undefined });
    const token = await getProviderToken(deps, request);
    return { accessToken: token.value, expiresAt: new Date(token.expiresAtMs).toISOString() };
  });
