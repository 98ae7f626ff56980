import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseCustomizedAuthUrlRequest } from '../adapters/invoke/parse-token-request.ts';
import { getCustomizedAuthUrl } from '../app/get-customized-auth-url.ts';
import type { TokenFunctionDeps } from '../wiring/token-deps.ts';

/** `customized-auth-url` response. */
export interface CustomizedAuthUrlResponse {
  readonly qrcodeUrl: string;
  /** ISO-8601 UTC. */
  readonly expiresAt: string;
}

/** The customized-auth-url function: `{ templateIds, state? }` → `{ qrcodeUrl, expiresAt }` (代开发). */
export const createCustomizedAuthUrlHandler = (
  deps: TokenFunctionDeps,
): InvokeHandler<CustomizedAuthUrlResponse> =>
  wrapInvokeHandler(deps, async (payload, annotate) => {
    const request = parseCustomizedAuthUrlRequest(payload);
    annotate({ templates: request.templateIds.join(',') });
    const { qrcodeUrl, expiresAtMs } = await getCustomizedAuthUrl(deps, request);
    return { qrcodeUrl, expiresAt: new Date(expiresAtMs).toISOString() };
  });
