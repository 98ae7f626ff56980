import type { Logger } from '@aws-lambda-powertools/logger';
import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseSuiteTokenRequest } from '../adapters/invoke/parse-token-request.ts';
import { mintSuiteToken } from '../app/mint-suite-token.ts';
import type { TokenDeps } from '../app/token-deps.ts';

/** `suite-token` response (design.md §3). */
export interface SuiteTokenResponse {
  readonly accessToken: string;
  /** ISO-8601 UTC. */
  readonly expiresAt: string;
}

/** The suite-token function: `{ suiteId?, staleToken? }` → `{ accessToken, expiresAt }`. */
export const createSuiteTokenHandler = (
  deps: TokenDeps & { readonly logger: Logger },
): InvokeHandler<SuiteTokenResponse> =>
  wrapInvokeHandler(deps.logger, async (payload, annotate) => {
    const request = parseSuiteTokenRequest(payload);
    annotate({ suiteId: request.suiteId, stale: request.staleToken !== undefined });
    const { suite, token } = await mintSuiteToken(deps, request);
    annotate({ suiteId: suite.suiteId });
    return { accessToken: token.value, expiresAt: new Date(token.expiresAtMs).toISOString() };
  });
