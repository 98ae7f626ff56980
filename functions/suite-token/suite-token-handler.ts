import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseSuiteTokenRequest } from '../adapters/invoke/parse-token-request.ts';
import { type TokenResponse, tokenResponse } from '../adapters/invoke/token-response.ts';
import { getSuiteToken } from '../app/get-suite-token.ts';
import type { TokenFunctionDeps } from '../wiring/token-deps.ts';

/** The suite-token function: `{ suiteId?, staleToken? }` → `{ accessToken, expiresAt }`. */
export const createSuiteTokenHandler = (deps: TokenFunctionDeps): InvokeHandler<TokenResponse> =>
  wrapInvokeHandler(deps, async (payload, annotate) => {
    const request = parseSuiteTokenRequest(payload);
    annotate({ suiteId: request.suiteId, stale: request.staleToken !== undefined });
    const { suite, token } = await getSuiteToken(deps, request);
    annotate({ suiteId: suite.suiteId });
    return tokenResponse(token);
  });
