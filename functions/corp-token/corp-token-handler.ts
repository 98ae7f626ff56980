import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseCorpTokenRequest } from '../adapters/invoke/parse-token-request.ts';
import { type TokenResponse, tokenResponse } from '../adapters/invoke/token-response.ts';
import { getCorpToken } from '../app/get-corp-token.ts';
import type { TokenFunctionDeps } from '../wiring/token-deps.ts';

/** `corp-token` response. */
export interface CorpTokenResponse extends TokenResponse {
  readonly agentId?: number;
}

/** The corp-token function: `{ corpId, suiteId?, staleToken? }` → `{ accessToken, expiresAt, agentId? }`. */
export const createCorpTokenHandler = (deps: TokenFunctionDeps): InvokeHandler<CorpTokenResponse> =>
  wrapInvokeHandler(deps, async (payload, annotate) => {
    const request = parseCorpTokenRequest(payload);
    annotate({ suiteId: request.suiteId, corpId: request.corpId, stale: request.staleToken !== undefined });
    const { token, agentId } = await getCorpToken(deps, request);
    return { ...tokenResponse(token), ...(agentId === undefined ? {} : { agentId }) };
  });
