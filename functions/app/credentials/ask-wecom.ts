import type { RegisteredSuite } from '../../core/config/suite-registry.ts';
import { type AccessToken, tokenFromMint } from '../../core/credentials/access-token.ts';
import { AuthorizationBrokenError, SuiteTicketMissingError, WeComApiError } from '../../core/errors.ts';
import type { MintedToken } from '../../core/ports/wecom-api.ts';
import type { TokenDeps } from '../token-deps.ts';
import { askWithTicketFallback } from './retry-layers.ts';

/**
 * WeCom's own rules for asking for a credential, given everything it is asked with. These
 * functions call WeCom and the ticket store, never the cache or another credential.
 */

/**
 * service/get_suite_token with the newest suite_ticket, or the previous one on 40085
 * (TICKET_FALLBACK).
 *
 * @throws SuiteTicketMissingError before any ticket was pushed, without calling WeCom.
 */
export const askSuiteToken = async (
  deps: Pick<TokenDeps, 'tickets' | 'wecom'>,
  suite: RegisteredSuite,
): Promise<MintedToken> => {
  const tickets = await deps.tickets.getTicket(suite.suiteId);
  if (tickets === undefined) {
    throw new SuiteTicketMissingError(`no suite_ticket has been received for ${suite.suiteId} yet`);
  }
  return askWithTicketFallback(tickets, (suiteTicket) =>
    deps.wecom.getSuiteToken(suite.suiteId, suite.suiteSecret, suiteTicket),
  );
};

/**
 * A pre-auth code is handed out only while it has this long left, so an install started with it
 * can finish (WeCom gives the browser's auth code 10 minutes too). With WeCom's 1200 s that is one
 * get_pre_auth_code per suite per 10 minutes, however many browsers ask.
 */
export const PRE_AUTH_CODE_RESERVE_MS = 10 * 60_000;

/**
 * A pre-auth code for the suite, with set_session_info auth_type 1 when the suite is in
 * installTestMode, served until PRE_AUTH_CODE_RESERVE_MS is left. It is never matched with a
 * `previous` value: a code WeCom hands back again is a new lease on the same value, never one
 * that ended already (that would make every caller ask again at once).
 */
export const askPreAuthCode = async (
  deps: Pick<TokenDeps, 'wecom' | 'clock'>,
  suite: RegisteredSuite,
  suiteAccessToken: string,
): Promise<AccessToken> => {
  const requestedAtMs = deps.clock.nowMs();
  const minted = await deps.wecom.getPreAuthCode(suiteAccessToken);
  if (suite.installTestMode === true) {
    await deps.wecom.setSessionInfo(suiteAccessToken, minted.accessToken, 1);
  }
  // The state expires at the true end, or later for a code WeCom gives less than twice the
  // reserve: harmless, because WeCom checks the code itself.
  const lifeSeconds = minted.expiresInSeconds;
  const servedSeconds = Math.max(lifeSeconds / 2, lifeSeconds - PRE_AUTH_CODE_RESERVE_MS / 1000);
  return tokenFromMint(minted.accessToken, servedSeconds, requestedAtMs);
};

// WeCom's answers that mean the authorization, not the request, is at fault (docs/wecom-protocol.md
// §5.12). 40082 gets here only after a retry with a renewed suite token (REJECTED_TOKEN): WeCom
// staff say it then means the corp has not authorized the app.
const BROKEN_AUTHORIZATION: Readonly<Record<RegisteredSuite['kind'], ReadonlySet<number>>> = {
  third_party: new Set([40082, 40084, 48004]),
  customized: new Set([40001, 40084, 48004]),
};

/**
 * `error` from a corp token mint, as AuthorizationBrokenError when WeCom's answer means the
 * corp's authorization itself is broken (so the cache blocks further asks), else as it was.
 */
export const classifyCorpRefusal = (error: unknown, suite: RegisteredSuite, corpId: string): unknown => {
  if (!(error instanceof WeComApiError) || !BROKEN_AUTHORIZATION[suite.kind].has(error.errcode)) {
    return error;
  }
  return new AuthorizationBrokenError(
    error,
    `the authorization of corp ${corpId} for ${suite.suiteId} is broken: ${error.message}`,
  );
};
