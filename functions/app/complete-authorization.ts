import { type AuthCodeToExchange, providerRefOf } from '../core/authorization/auth-code.ts';
import type { PendingAuthorizationChange } from '../core/authorization/corp-authorization.ts';
import { suiteKindOf } from '../core/config/service-config.ts';
import { OutcomeUnknownError, UpstreamUnavailableError, WeComApiError } from '../core/errors.ts';
import { exchangeFailedEvent } from '../core/events/service-events.ts';
import type { AuthCodeLifecycle } from '../core/ports/auth-code-store.ts';
import type { AuthorizationWriter } from '../core/ports/authorization-store.ts';
import type { EventPublisher } from '../core/ports/event-publisher.ts';
import type { PermanentCodeGrant } from '../core/ports/wecom-api.ts';
import { withCredential } from './credentials/get-credential.ts';
import type { TokenDeps } from './token-deps.ts';

/** What the exchange needs beyond the token machinery. */
export interface ExchangeDeps extends TokenDeps {
  readonly events: EventPublisher;
  readonly authCodes: AuthCodeLifecycle;
  readonly authorizationWriter: AuthorizationWriter;
  /** How long a claimed code is reserved for one worker. */
  readonly claimMs?: number;
}

export type ExchangeOutcome =
  | {
      readonly status: 'exchanged';
      readonly corpId: string;
      readonly authorization: 'saved' | 'superseded';
      readonly authInfo: 'read' | 'pending';
    }
  | { readonly status: 'already_done' }
  | { readonly status: 'failed' | 'outcome_unknown'; readonly reason: string };

const INVALID_AUTH_CODE = 40078;
// WeCom accepts an auth code for 10 minutes (临时授权码, 10分钟内有效). A code older than that plus
// 5 minutes for clocks and WeCom's own delivery is settled without asking WeCom: it can only
// answer 40078. Such a record is one delivered again long after, e.g. by an event-source mapping
// re-created at TRIM_HORIZON, which replays the stream's last 24 hours.
const AUTH_CODE_LIFETIME_MS = 10 * 60_000;
const EXPIRED_AFTER_MS = AUTH_CODE_LIFETIME_MS + 5 * 60_000;

/**
 * Exchanges a pending auth code for the corp's permanent code, exactly once.
 *
 * 1. Claim the code with a conditional write; a code already exchanged or settled (a re-delivered
 *    stream record) is skipped, one held by a live worker is retried later.
 * 2. A code past WeCom's lifetime is settled as 40078 would settle it (below), without calling
 *    WeCom: a stream replayed from its start costs no WeCom call and fails no record.
 * 3. get_permanent_code (v2) with the suite token. 40078 (used or expired) marks the code failed
 *    for good, or `outcome_unknown` when an earlier attempt was sent and its answer lost (WeCom
 *    may have spent the code on it: the corp must reinstall, and an alarm says so). Either way a
 *    `failed` authorization change is published. Any other failure gives the claim back (noting
 *    a lost answer) and throws, so the stream retries.
 * 4. Store the authorization (third-party or 代开发) with who installed it, its register code
 *    info and the provider's reference (providerRefOf: the website `ref`, the push's `State` or
 *    v2's `state`), and drop the corp's cached token: for reset_permanent_code and re-installs
 *    the old token belongs to the old code.
 * 5. Mark the code exchanged, then read get_auth_info for the agents, editions, dealer and corp
 *    name. If that fails the authorization stays marked stale and the stream refreshes it later;
 *    the permanent code is already safe.
 */
export const completeAuthorization = async (
  deps: ExchangeDeps,
  code: AuthCodeToExchange,
): Promise<ExchangeOutcome> => {
  const owner = deps.newLeaseOwner();
  const claim = await deps.authCodes.claimAuthCode(
    code.suiteId,
    code.authCode,
    owner,
    deps.claimMs ?? 60_000,
  );
  if (claim === 'already_done') {
    return { status: 'already_done' };
  }
  if (claim === 'claimed_by_another') {
    throw new UpstreamUnavailableError('the auth code is being exchanged by another worker; retry later');
  }
  const receivedAtMs = code.receivedAtMs ?? code.timeStamp * 1000;
  if (deps.clock.nowMs() - receivedAtMs > EXPIRED_AFTER_MS) {
    return settleUnexchangeable(deps, code, claim, 'expired');
  }
  let grant: PermanentCodeGrant;
  try {
    grant = await withCredential(deps, { kind: 'suite_token', suiteId: code.suiteId }, (suiteAccessToken) =>
      deps.wecom.getPermanentCode(suiteAccessToken, code.authCode),
    );
  } catch (error) {
    if (error instanceof WeComApiError && error.errcode === INVALID_AUTH_CODE) {
      return settleUnexchangeable(deps, code, claim, 'rejected');
    }
    await deps.authCodes.releaseAuthCode(code.suiteId, code.authCode, owner, {
      outcomeUnknown: error instanceof OutcomeUnknownError,
    });
    throw error;
  }
  const installRef = providerRefOf(code, grant.state);
  const authorization = await deps.authorizationWriter.saveExchangedAuthorization({
    suiteId: code.suiteId,
    corpId: grant.corpId,
    permanentCode: grant.permanentCode,
    authorizedTimeStamp: code.timeStamp,
    source: code.source,
    ...(grant.corpName === undefined ? {} : { corpName: grant.corpName }),
    ...(installRef === undefined ? {} : { installRef }),
    ...(grant.installer === undefined ? {} : { installer: grant.installer }),
    ...(grant.registerCode === undefined ? {} : { registerCode: grant.registerCode }),
  });
  await deps.authCodes.finishAuthCode(code.suiteId, code.authCode, {
    status: 'exchanged',
    corpId: grant.corpId,
  });
  if (authorization === 'superseded') {
    return { status: 'exchanged', corpId: grant.corpId, authorization, authInfo: 'pending' };
  }
  const authInfo = await refreshAuthInfo(deps, code.suiteId, grant.corpId, grant.permanentCode);
  return { status: 'exchanged', corpId: grant.corpId, authorization, authInfo };
};

/**
 * Ends a claimed code that can no longer be exchanged: WeCom called it used or expired (40078), or
 * it is past WeCom's lifetime. `outcome_unknown` when an earlier attempt's answer was lost (WeCom
 * may have spent the code on it), `failed` otherwise; a `failed` authorization change is published
 * before the code is marked done, so a bus that refuses it makes the stream deliver the record again.
 */
const settleUnexchangeable = async (
  deps: ExchangeDeps,
  code: AuthCodeToExchange,
  claim: 'claimed' | 'claimed_after_unknown_outcome',
  why: 'rejected' | 'expired',
): Promise<ExchangeOutcome> => {
  const verdict =
    why === 'rejected'
      ? 'WeCom rejected the auth code as used or expired (40078)'
      : `the auth code expired before it could be exchanged (WeCom accepts one for ${AUTH_CODE_LIFETIME_MS / 60_000} minutes)`;
  const outcome =
    claim === 'claimed_after_unknown_outcome'
      ? ({
          status: 'outcome_unknown',
          reason: `exchange outcome unknown: an earlier get_permanent_code got no answer and ${why === 'rejected' ? 'WeCom now calls the code used (40078)' : 'the code has expired since'}; the corp must reinstall the app`,
        } as const)
      : ({ status: 'failed', reason: `${verdict}; the corp must authorize again` } as const);
  const installRef = providerRefOf(code, undefined);
  await deps.events.publish([
    exchangeFailedEvent(
      {
        suiteId: code.suiteId,
        cause: code.source,
        reason: outcome.reason,
        ...(installRef === undefined ? {} : { installRef }),
      },
      code.authCode,
      // WeCom's TimeStamp of the event that brought the code (for a website install, when the
      // redirect was stored, to the millisecond): stable across the stream's retries.
      code.source === 'install' && code.receivedAtMs !== undefined
        ? code.receivedAtMs
        : code.timeStamp * 1000,
    ),
  ]);
  await deps.authCodes.finishAuthCode(code.suiteId, code.authCode, outcome);
  return outcome;
};

/**
 * Reads get_auth_info for a corp (v2 for a 代开发 template) and stores what it says: the agents and
 * their privileges, editions, dealer, corp name. With `announce` (a change_auth or change_editon
 * read again) the change is left on the item to be published with what was just read. Returns
 * `pending` when WeCom could not answer (the authorization stays marked stale for a later refresh).
 */
export const refreshAuthInfo = async (
  deps: ExchangeDeps,
  suiteId: string,
  corpId: string,
  permanentCode: string,
  announce?: PendingAuthorizationChange,
): Promise<'read' | 'pending'> => {
  try {
    const info = await withCredential(deps, { kind: 'suite_token', suiteId }, (suiteAccessToken) =>
      deps.wecom.getAuthInfo(suiteAccessToken, corpId, permanentCode, suiteKindOf(suiteId)),
    );
    await deps.authorizationWriter.updateAuthInfo(suiteId, corpId, info, announce);
    return 'read';
  } catch (error) {
    if (error instanceof WeComApiError || error instanceof UpstreamUnavailableError) {
      return 'pending';
    }
    throw error;
  }
};
