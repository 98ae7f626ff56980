import type { Logger } from '@aws-lambda-powertools/logger';
import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseCorpTokenRequest } from '../adapters/invoke/parse-token-request.ts';
import { mintCorpToken } from '../app/mint-corp-token.ts';
import type { TokenDeps } from '../app/token-deps.ts';

/** `corp-token` response (design.md §3). */
export interface CorpTokenResponse {
  readonly accessToken: string;
  /** ISO-8601 UTC. */
  readonly expiresAt: string;
  readonly agentId?: number;
}

/** The corp-token function: `{ corpId, suiteId?, staleToken? }` → `{ accessToken, expiresAt, agentId? }`. */
export const createCorpTokenHandler = (
  deps: TokenDeps & { readonly logger: Logger },
): InvokeHandler<CorpTokenResponse> =>
  wrapInvokeHandler(deps.logger, async (payload, annotate) => {
    const request = parseCorpTokenRequest(payload);
    annotate({ suiteId: request.suiteId, corpId: request.corpId, stale: request.staleToken !== undefined });
    const { token, agentId } = await mintCorpToken(deps, request);
    return {
      accessToken: token.value,
      expiresAt: new Date(token.expiresAtMs).toISOString(),
      ...(agentId === undefined ? {} : { agentId }),
    };
  });
