import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseProviderTokenRequest } from '../adapters/invoke/parse-token-request.ts';
import { type TokenResponse, tokenResponse } from '../adapters/invoke/token-response.ts';
import { getProviderToken } from '../app/get-provider-token.ts';
import type { TokenFunctionDeps } from '../wiring/token-deps.ts';

/** The provider-token function: `{ staleToken? }` → `{ accessToken, expiresAt }`. */
export const createProviderTokenHandler = (deps: TokenFunctionDeps): InvokeHandler<TokenResponse> =>
  wrapInvokeHandler(deps, async (payload, annotate) => {
    const request = parseProviderTokenRequest(payload);
    annotate({ stale: request.staleToken !== undefined });
    return tokenResponse(await getProviderToken(deps, request));
  });
