import type { RegisteredSuite } from '../core/config/suite-registry.ts';
import { InvalidRequestError, UpstreamUnavailableError } from '../core/errors.ts';
import type { WeComUserDetail, WeComUserIdentity } from '../core/ports/wecom-api.ts';
import { requireActiveAuthorization } from './credentials/corp-authorization.ts';
import { withCredential } from './credentials/get-credential.ts';
import type { TokenDeps } from './token-deps.ts';

/** Who signed in, as the `user-identity` function answers (docs/callers.md, Sign-in and JS-SDK pages). */
export interface UserIdentity {
  /** A member of `corpId` (with `userId`), or anyone else (with `openId`). */
  readonly member: boolean;
  /**
   * The member's corp, which has an active authorization of the suite. For a non-member: the corp
   * whose 代开发 app they opened; absent for a third-party app (WeCom does not say).
   */
  readonly corpId?: string;
  readonly userId?: string;
  readonly openUserId?: string;
  /** A non-member's id: unique per provider (third-party) or per corp (代开发). */
  readonly openId?: string;
  /** 代开发 only: a non-member who is a customer of the corp (document/path/96442). */
  readonly externalUserId?: string;
  readonly userTicket?: string;
  /** Milliseconds since the epoch. */
  readonly userTicketExpiresAtMs?: number;
}

/**
 * How long a user_ticket lives when WeCom does not say: 代开发 auth/getuserinfo returns no
 * `expires_in`, and documents 1800 s (document/path/96442).
 */
export const USER_TICKET_LIFETIME_SECONDS = 1800;

/**
 * The user behind an OAuth code (docs/wecom-protocol.md §5.10). A code works once: a used or
 * invalid one is WeComApiError 40029.
 *
 * 1. Third-party suites ask service/auth/getuserinfo3rd with the suite token. WeCom answers it for
 *    a member of any corp that opens the app's link, installed or not, so a member of a corp
 *    without an active authorization of the suite is refused (CorpNotAuthorizedError): the caller
 *    can trust `corpId`. The code is spent either way.
 * 2. 代开发 templates need `corpId` and ask auth/getuserinfo with that corp's token
 *    (CorpNotAuthorizedError if it has none); a ticket's expiry is WeCom's documented 1800 s.
 * 3. A member has a `userId`; anyone else an `openId` (and maybe an `externalUserId`), `member: false`.
 */
export const getUserIdentity = async (
  deps: TokenDeps,
  input: { readonly code: string; readonly suiteId?: string; readonly corpId?: string },
): Promise<UserIdentity> => {
  const suite = (await deps.registry.current()).resolve(input.suiteId);
  const askedAtMs = deps.clock.nowMs();
  if (suite.kind === 'third_party') {
    const identity = await withCredential(
      deps,
      { kind: 'suite_token', suiteId: suite.suiteId },
      (suiteAccessToken) => deps.wecom.getUserInfo3rd(suiteAccessToken, input.code),
    );
    if (identity.userId !== undefined) {
      await requireActiveAuthorization(deps, suite.suiteId, memberCorpOf(identity.corpId));
    }
    return toUserIdentity(identity, identity.corpId, askedAtMs);
  }
  const corpId = requireCorpId(suite, input.corpId);
  const identity = await withCredential(
    deps,
    { kind: 'corp_token', suiteId: suite.suiteId, corpId },
    (corpAccessToken) => deps.wecom.getCustomizedUserInfo(corpAccessToken, input.code),
  );
  return toUserIdentity(identity, corpId, askedAtMs);
};

/**
 * A member's details from the `userTicket` of their sign-in: service/auth/getuserdetail3rd
 * (third-party; a member of a corp without an active authorization of the suite is
 * CorpNotAuthorizedError, as at sign-in) or auth/getuserdetail with the corp's token (代开发,
 * `corpId` required). `name` is the userid for third-party apps (WeComUserDetail).
 */
export const getUserDetail = async (
  deps: TokenDeps,
  input: { readonly userTicket: string; readonly suiteId?: string; readonly corpId?: string },
): Promise<WeComUserDetail & { readonly corpId: string }> => {
  const suite = (await deps.registry.current()).resolve(input.suiteId);
  if (suite.kind === 'third_party') {
    const detail = await withCredential(
      deps,
      { kind: 'suite_token', suiteId: suite.suiteId },
      (suiteAccessToken) => deps.wecom.getUserDetail3rd(suiteAccessToken, input.userTicket),
    );
    const corpId = memberCorpOf(detail.corpId ?? input.corpId);
    await requireActiveAuthorization(deps, suite.suiteId, corpId);
    return { ...detail, corpId };
  }
  const corpId = requireCorpId(suite, input.corpId);
  const detail = await withCredential(
    deps,
    { kind: 'corp_token', suiteId: suite.suiteId, corpId },
    (corpAccessToken) => deps.wecom.getCustomizedUserDetail(corpAccessToken, input.userTicket),
  );
  return { ...detail, corpId };
};

const requireCorpId = (suite: RegisteredSuite, corpId: string | undefined): string => {
  if (corpId === undefined) {
    throw new InvalidRequestError(
      'MISSING_PARAMETER',
      `corpId is required for the 代开发 template ${suite.suiteId} (its sign-in uses that corp's token)`,
    );
  }
  return corpId;
};

// WeCom names the member's corp in every member answer of the third-party APIs (document/path/91121, 91122).
const memberCorpOf = (corpId: string | undefined): string => {
  if (corpId === undefined) {
    throw new UpstreamUnavailableError("WeCom answered for a member without the member's corpid");
  }
  return corpId;
};

const toUserIdentity = (
  identity: WeComUserIdentity,
  corpId: string | undefined,
  askedAtMs: number,
): UserIdentity => {
  const { userTicketExpiresInSeconds, corpId: _answered, ...fields } = identity;
  const ticketSeconds = userTicketExpiresInSeconds ?? USER_TICKET_LIFETIME_SECONDS;
  return {
    member: identity.userId !== undefined,
    ...fields,
    ...(corpId === undefined ? {} : { corpId }),
    ...(identity.userTicket === undefined ? {} : { userTicketExpiresAtMs: askedAtMs + ticketSeconds * 1000 }),
  };
};
