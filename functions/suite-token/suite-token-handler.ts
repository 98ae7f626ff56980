import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseSuiteTokenRequest } from '../adapters/invoke/parse-token-request.ts';
import { getSuiteToken } from '../app/get-suite-token.ts';
import type { TokenFunctionDeps } from '../wiring/token-deps.ts';

/** `suite-token` response. */
export interface SuiteTokenResponse {
  readonly accessToken: string;
  /** ISO-8601 UTC. */
  readonly expiresAt: string;
}

/** The suite-token function: `{ suiteId?, staleToken? }` → `{ accessToken, expiresAt }`. */
export const createSuiteTokenHandler = (deps: TokenFunctionDeps): InvokeHandler<SuiteTokenResponse> =>
  wrapInvokeHandler(deps, async (payload, annotate) => {
    const request = parseSuiteTokenRequest(payload);
    annotate({ suiteId: request.suiteId, stale: request.staleToken !== undefined });
    const { suite, token } = await getSuiteToken(deps, request);
    annotate({ suiteId: suite.suiteId });
    return { accessToken: token.value, expiresAt: new Date(token.expiresAtMs).toISOString() };
  });
