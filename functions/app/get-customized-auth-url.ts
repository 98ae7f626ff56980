import { InvalidRequestError } from '../core/errors.ts';
import { withCredential } from './credentials/get-credential.ts';
import type { TokenDeps } from './token-deps.ts';

/**
 * A QR-code link with which a corp authorizes the given 代开发 templates
 * (service/get_customized_auth_url, document/path/98744). Not cached: each call asks WeCom.
 *
 * 1. Every id must be a configured 代开发 template (UnknownSuiteError, InvalidRequestError), checked
 *    before anything is sent.
 * 2. Ask with the provider token; if WeCom rejects the token, replace it once (staleToken) and ask again.
 */
export const getCustomizedAuthUrl = async (
  deps: TokenDeps,
  input: { readonly templateIds: readonly string[]; readonly state?: string },
): Promise<{ readonly qrcodeUrl: string; readonly expiresAtMs: number }> => {
  const registry = await deps.registry.current();
  for (const templateId of input.templateIds) {
    if (registry.get(templateId).kind !== 'customized') {
      throw new InvalidRequestError('MALFORMED_PARAMETER', `${templateId} is not a 代开发 template (dk…)`);
    }
  }
  const requestedAtMs = deps.clock.nowMs();
  const answer = await withCredential(deps, { kind: 'provider_token' }, (providerAccessToken) =>
    deps.wecom.getCustomizedAuthUrl(providerAccessToken, input.templateIds, input.state),
  );
  return { qrcodeUrl: answer.qrcodeUrl, expiresAtMs: requestedAtMs + answer.expiresInSeconds * 1000 };
};
