import type { RegisteredSuite } from '../core/config/suite-registry.ts';
import { InvalidRequestError } from '../core/errors.ts';
import type { WeComUserDetail, WeComUserIdentity } from '../core/ports/wecom-api.ts';
import { withCredential } from './credentials/get-credential.ts';
import type { TokenDeps } from './token-deps.ts';

/** Who signed in, as the `user-identity` function answers. */
export interface UserIdentity {
  readonly corpId: string;
  readonly userId?: string;
  readonly openUserId?: string;
  readonly openId?: string;
  readonly userTicket?: string;
  /** Milliseconds since the epoch. */
  readonly userTicketExpiresAtMs?: number;
}

/**
 * The user behind an OAuth code (docs/wecom-protocol.md §5.10). Third-party suites ask
 * service/auth/getuserinfo3rd with the suite token; 代开发 templates need `corpId` and ask
 * auth/getuserinfo with that corp's token (CorpNotAuthorizedError if it has none). A code works
 * once: a used or invalid one is WeComApiError 40029. A member has a `userId`, anyone else an `openId`.
 */
export const getUserIdentity = async (
  deps: TokenDeps,
  input: { readonly code: string; readonly suiteId?: string; readonly corpId?: string },
): Promise<UserIdentity> => {
  const suite = (await deps.registry.current()).resolve(input.suiteId);
  const askedAtMs = deps.clock.nowMs();
  const identity =
    suite.kind === 'third_party'
      ? await withCredential(deps, { kind: 'suite_token', suiteId: suite.suiteId }, (suiteAccessToken) =>
          deps.wecom.getUserInfo3rd(suiteAccessToken, input.code),
        )
      : await withCredential(
          deps,
          { kind: 'corp_token', suiteId: suite.suiteId, corpId: requireCorpId(suite, input.corpId) },
          (corpAccessToken) => deps.wecom.getCustomizedUserInfo(corpAccessToken, input.code),
        );
  return toUserIdentity(identity, input.corpId, askedAtMs);
};

/**
 * A member's details from the `userTicket` of their sign-in: service/auth/getuserdetail3rd
 * (third-party) or auth/getuserdetail with the corp's token (代开发, `corpId` required).
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
    return { ...detail, corpId: detail.corpId ?? input.corpId ?? '' };
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

const toUserIdentity = (
  identity: WeComUserIdentity,
  corpId: string | undefined,
  askedAtMs: number,
): UserIdentity => {
  const { userTicketExpiresInSeconds, ...fields } = identity;
  return {
    ...fields,
    corpId: identity.corpId ?? corpId ?? '',
    ...(identity.userTicket !== undefined && userTicketExpiresInSeconds !== undefined
      ? { userTicketExpiresAtMs: askedAtMs + userTicketExpiresInSeconds * 1000 }
      : {}),
  };
};
