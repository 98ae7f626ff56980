import type { RegisteredSuite } from '../core/config/suite-registry.ts';
import type { AccessToken } from '../core/credentials/access-token.ts';
import { resolveSuiteToken } from './credentials/credential-request.ts';
import { getCredential } from './credentials/get-credential.ts';
import type { TokenDeps } from './token-deps.ts';

/**
 * The suite_access_token of a suite, from the cache or minted once (docs/callers.md, How tokens are kept).
 *
 * 1. Resolve the suite (UnknownSuiteError); without an id, the only configured suite.
 * 2. getCredential: under the lease, mint with the newest suite_ticket, or the previous one on
 *    40085 (TICKET_FALLBACK). No ticket at all fails fast with SuiteTicketMissingError, without
 *    calling WeCom.
 */
export const getSuiteToken = async (
  deps: TokenDeps,
  input: { readonly suiteId?: string; readonly staleToken?: string },
): Promise<{ readonly suite: RegisteredSuite; readonly token: AccessToken }> => {
  const credential = await resolveSuiteToken(deps, input.suiteId);
  const token = await getCredential(deps, credential, input.staleToken);
  return { suite: credential.suite, token };
};
