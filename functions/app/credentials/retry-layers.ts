import type { StoredSuiteTicket } from '../../core/credentials/suite-ticket.ts';
import { WeComApiError } from '../../core/errors.ts';

/**
 * The retry layers of getting a credential, each named once. Each is defined here, except
 * PERMANENT_CODE_REREAD (mintCorpToken in get-credential.ts) and HTTP_ATTEMPTS (the WeCom client).
 * Each comment says why the layer exists and what bounds it. A request meets them in this order,
 * outermost first:
 *
 * - REJECTED_TOKEN (renewOnceIfRejected, through withCredential): WeCom rejects a token it gave
 *   (a reset, an early end). The token is replaced once and the call made again, at most 2 calls.
 * - LEASE_WAIT (awaitTurn): another caller holds the mint lease. The others wait for its value
 *   rather than ask WeCom too. The wait is at most 12 s, and a dead owner's lease lapses after 15 s.
 * - ENDED_VALUE_REASK (mintUntilNotEnded): WeCom hands back a value that has already ended by our
 *   clock. WeCom is asked up to 5 more times, 200 ms apart, and the value is then served briefly.
 * - PERMANENT_CODE_REREAD (mintCorpToken): WeCom calls the authorization broken, but this
 *   container's 30 s memory may hold a permanent code replaced since. WeCom is asked once more
 *   with the stored code.
 * - REJECTED_TOKEN again, for the token a mint is made with: a suite token for a third-party corp
 *   token or a pre-auth code, a corp token for a JS-SDK ticket. A blocked corp's periodic retry
 *   skips it, because it was tried when the block began.
 * - TICKET_FALLBACK (askWithTicketFallback): WeCom refuses the newest suite_ticket (40085). The
 *   previous ticket is tried once.
 * - HTTP_ATTEMPTS (functions/adapters/wecom/wecom-api-client.ts): network blips, -1, 45009/45033.
 *   By default each call gets up to 3 attempts of up to 3 s, with backoffs of at most 100 and
 *   200 ms (0.5–1 s after a rate limit). One WeCom call takes at most about 9.3 s.
 *
 * Reports are bounded (CONFIRMED_VALUE_WINDOW_MS, awaitTurn): a caller's `staleToken` (or a
 * rejected JS-SDK signature, or REJECTED_TOKEN's own renewal) naming the value WeCom handed over
 * within the last minute is answered from the cache, without a call. WeCom hands back the same
 * value while it is valid, so asking again would only spend its quota: reports alone cost at most
 * one call per credential per minute, whatever their number.
 *
 * Between requests, two schedules decide when WeCom may be asked again (they are not loops):
 * - The failure streak (core/credentials/mint-failure.ts): after 2 failed mints, wait 2 s, 4 s …
 *   60 s.
 * - The block of a broken authorization (core/credentials/credential-block.ts): 1, 5, 15, 30,
 *   then every 60 minutes.
 *
 * How they compose: every layer's own bound holds, but the layers nest. A JS-SDK ticket mint
 * needs a corp token, whose mint needs a suite token, and each level may wait LEASE_WAIT and make
 * its asks. So the product of the bounds is longer than any function's timeout. The LEASE_WAIT
 * lease (15 s) outlasts one ask (about 9.3 s), so a live owner keeps its lease through a slow
 * WeCom. A mint that also waits on the lease of the token it is made with can outlast the lease.
 * Then one more caller mints, WeCom hands it the same value (document/path/97164), and only the
 * lease's current owner may store.
 *
 * Worst case: what bounds a request is its deadline (functions/adapters/deadline): the function's
 * timeout (functions/catalog.ts) less LAMBDA_RESERVE_MS (1 s), e.g. 19 s for the invoked token
 * functions. Every WeCom and DynamoDB call is cut to what is left of the deadline, and none starts
 * with less than 50 ms left, so a layer still retrying when the deadline passes fails at its next
 * call (the caller sees UpstreamUnavailableError), and every pause of the layers above is followed by such a call.
 * Past the deadline a request therefore spends at most one pause begun before it: a LEASE_WAIT poll
 * (at most maxPollMs, 400 ms) or an ENDED_VALUE_REASK pause (200 ms). Both fit within the 1 s
 * reserve. Without a deadline (a direct call with no Lambda context), only the layers' own bounds
 * apply.
 */

/** The timings of LEASE_WAIT. */
export interface LeaseWait {
  /** How long a mint lease lasts if its owner dies; then the next caller takes it over. */
  readonly leaseMs: number;
  /**
   * How soon a waiting caller first re-reads the cache. Each further wait is half again as long
   * (jittered), up to `maxPollMs`, so a thousand waiters do not drown the one mint in reads.
   */
  readonly pollMs: number;
  readonly maxPollMs: number;
  /** How long a caller waits for another's mint before it gives up with UpstreamUnavailableError. */
  readonly maxWaitMs: number;
}

/**
 * LEASE_WAIT. There is one mint per refresh point across every container. Callers that do not
 * hold the lease serve the cached value while it is still valid, and otherwise wait for the
 * holder's value. The wait is shorter than the lease, so a waiter behind a dead owner gives up
 * unless the lease lapses while it waits.
 */
export const LEASE_WAIT: LeaseWait = {
  leaseMs: 15_000,
  pollMs: 50,
  maxPollMs: 400,
  maxWaitMs: 12_000,
};

/**
 * ENDED_VALUE_REASK. WeCom's clock runs a moment behind ours: we start a lifetime when we send the
 * request, and WeCom starts it when it answers. So at our end of a value, WeCom may still hand the
 * same value back. It is asked again shortly, rather than handing out a value WeCom is about to
 * refuse. If WeCom keeps answering that way (about 1 s), the value is served for
 * ENDED_VALUE_GRACE_MS.
 */
export const ENDED_VALUE_REASK = { reasks: 5, pauseMs: 200 } as const;

/**
 * How long after WeCom handed over a value (the cache's `mintedAtMs`) a report that the value is
 * stale is ignored. WeCom returns the same token or ticket while it is valid (document/path/97164,
 * 90506), so within this window a second ask would bring back the same value and spend a call of
 * WeCom's quotas (a corp's 400 JS-SDK tickets an hour, an app's 100; 45009 beyond). A value WeCom
 * really ended early is replaced by the first report after the window.
 */
export const CONFIRMED_VALUE_WINDOW_MS = 60_000;

/**
 * SUITE_WIDE_40082 (unlessSuiteWide in get-credential.ts): this many corps of one suite refused
 * with 40082 within `windowMs`, each with a suite token WeCom had just confirmed, is a suite-token
 * problem, not that many broken authorizations. One corp's refusal may be its own (WeCom staff:
 * a fresh suite token meeting 40082 means the corp has not authorized the app); two in a minute
 * can be a coincidence of uninstalls whose cancel_auth has not arrived yet; three is not.
 */
export const SUITE_WIDE_40082 = { corps: 3, windowMs: 60_000 } as const;

/** The kinds of credential that WeCom calls are made with, each with the answers that reject it. */
export type CallTokenKind = 'suite_token' | 'corp_token' | 'provider_token';

/**
 * WeCom's answers for a token it no longer accepts (docs/wecom-protocol.md §5.12). A corp token
 * has no 40082: for get_corp_token, 40082 is about the suite token.
 */
export const REJECTED_TOKEN: Readonly<Record<CallTokenKind, ReadonlySet<number>>> = {
  suite_token: new Set([40014, 40082, 42001, 42009]),
  corp_token: new Set([40014, 42001, 42009]),
  provider_token: new Set([40014, 40082, 42001, 42009]),
};

/**
 * REJECTED_TOKEN. Runs `call` with the token from `token()`. If WeCom answers with one of its
 * kind's REJECTED_TOKEN codes, the token is replaced through `token(stale)` and the call is made
 * once more. The replacement happens only if the token is still the cached one, as with a caller's
 * `staleToken`. A second rejection is the caller's error, and so is the first `ambiguous` one
 * when the replacement is the same value (the call is then not made again).
 */
export const renewOnceIfRejected = async <T>(
  kind: CallTokenKind,
  token: (staleToken?: string, rejectedWith?: number) => Promise<string>,
  call: (accessToken: string) => Promise<T>,
  ambiguous: ReadonlySet<number> = new Set(),
): Promise<T> => {
  const current = await token();
  try {
    return await call(current);
  } catch (error) {
    if (!(error instanceof WeComApiError && REJECTED_TOKEN[kind].has(error.errcode))) {
      throw error;
    }
    const renewed = await token(current, error.errcode);
    // An ambiguous refusal (get_corp_token's 40082) met with the same token again proves nothing
    // new about the token: the same call is not made again.
    if (renewed === current && ambiguous.has(error.errcode)) {
      throw error;
    }
    return call(renewed);
  }
};

const INVALID_SUITE_TICKET = 40085;

/**
 * TICKET_FALLBACK. Asks with the newest suite_ticket. If WeCom refuses it (40085, invalid or
 * expired ticket), asks once more with the previous ticket, if one is kept (docs/wecom-protocol.md
 * §5.12). Never more: WeCom blocks a caller after about 2000 failed token calls in an hour.
 */
export const askWithTicketFallback = async <T>(
  tickets: StoredSuiteTicket,
  ask: (suiteTicket: string) => Promise<T>,
): Promise<T> => {
  try {
    return await ask(tickets.current.suiteTicket);
  } catch (error) {
    if (
      !(error instanceof WeComApiError && error.errcode === INVALID_SUITE_TICKET) ||
      tickets.previous === undefined
    ) {
      throw error;
    }
    return ask(tickets.previous.suiteTicket);
  }
};
