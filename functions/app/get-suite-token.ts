import type { RegisteredSuite } from '../core/config/suite-registry.ts';
import { type AccessToken, tokenFromMint } from '../core/credentials/access-token.ts';
import { SuiteTicketMissingError, WeComApiError } from '../core/errors.ts';
import type { MintedToken } from '../core/ports/wecom-api.ts';
import { obtainToken } from './obtain-token.ts';
import type { TokenDeps } from './token-deps.ts';

const INVALID_SUITE_TICKET = 40085;

/**
 * The suite_access_token of a suite, from the cache or minted once (README, Getting tokens).
 *
 * 1. Resolve the suite (UnknownSuiteError); without an id, the only configured suite.
 * 2. obtainToken: under the lease, mint with the newest suite_ticket; on 40085 retry once with the
 *    previous ticket. No ticket at all fails fast with SuiteTicketMissingError, without calling WeCom.
 */
export const getSuiteToken = async (
  deps: TokenDeps,
  input: { readonly suiteId?: string; readonly staleToken?: string },
): Promise<{ readonly suite: RegisteredSuite; readonly token: AccessToken }> => {
  const registry = await deps.registry.current();
  const suite = registry.resolve(input.suiteId);
  const token = await obtainToken(
    deps,
    { kind: 'suite_token', suiteId: suite.suiteId },
    async (previous) => {
      const requestedAtMs = deps.clock.nowMs();
      const tickets = await deps.tickets.getTicket(suite.suiteId);
      if (tickets === undefined) {
        throw new SuiteTicketMissingError(`no suite_ticket has been received for ${suite.suiteId} yet`);
      }
      let minted: MintedToken;
      try {
        minted = await deps.wecom.getSuiteToken(
          suite.suiteId,
          suite.suiteSecret,
          tickets.current.suiteTicket,
        );
      } catch (error) {
        if (
          !(
            error instanceof WeComApiError &&
            error.errcode === INVALID_SUITE_TICKET &&
            tickets.previous !== undefined
          )
        ) {
          throw error;
        }
        minted = await deps.wecom.getSuiteToken(
          suite.suiteId,
          suite.suiteSecret,
          tickets.previous.suiteTicket,
        );
      }
      return tokenFromMint(minted.accessToken, minted.expiresInSeconds, requestedAtMs, previous);
    },
    input.staleToken,
  );
  return { suite, token };
};
