import type { CorpAuthorization } from '../../core/authorization/corp-authorization.ts';
import { CorpNotAuthorizedError } from '../../core/errors.ts';
import type { TokenDeps } from '../token-deps.ts';

/**
 * The corp's active authorization for the suite. It comes from the last 30 s in this container
 * (RecentAuthorizations) unless `mustBeFresh`, so a warm corp-token request needs no table read.
 *
 * @throws CorpNotAuthorizedError when it is unknown or revoked.
 */
export const requireActiveAuthorization = async (
  deps: TokenDeps,
  suiteId: string,
  corpId: string,
  mustBeFresh = false,
): Promise<{ readonly authorization: CorpAuthorization; readonly permanentCode: string }> => {
  const authorization = await readAuthorization(deps, suiteId, corpId, mustBeFresh);
  const permanentCode = authorization?.status === 'active' ? authorization.permanentCode : undefined;
  if (authorization === undefined || permanentCode === undefined) {
    throw new CorpNotAuthorizedError(`corp ${corpId} has no active authorization for ${suiteId}`);
  }
  return { authorization, permanentCode };
};

const readAuthorization = async (
  deps: TokenDeps,
  suiteId: string,
  corpId: string,
  mustBeFresh: boolean,
): Promise<CorpAuthorization | undefined> => {
  const now = deps.clock.nowMs();
  const recent = mustBeFresh ? undefined : deps.recentAuthorizations?.get(suiteId, corpId, now);
  if (recent !== undefined) {
    return recent;
  }
  const read = () => deps.authorizations.getAuthorization(suiteId, corpId);
  // A caller reporting a stale token reads on its own: a read already under way may predate the change.
  const authorization =
    mustBeFresh || deps.recentAuthorizations === undefined
      ? await read()
      : await deps.recentAuthorizations.shared(suiteId, corpId, read);
  // Only active authorizations are kept: an unknown or revoked corp is looked up every time.
  if (authorization?.status === 'active') {
    deps.recentAuthorizations?.set(authorization, now);
  }
  return authorization;
};

/**
 * The corp's current permanent code, read from the table rather than this container's memory, and
 * remembered for the next requests. `undefined` when the corp has no active authorization.
 */
export const storedPermanentCode = async (
  deps: TokenDeps,
  suiteId: string,
  corpId: string,
): Promise<string | undefined> => {
  const authorization = await deps.authorizations.getAuthorization(suiteId, corpId);
  if (authorization?.status !== 'active' || authorization.permanentCode === undefined) {
    return undefined;
  }
  deps.recentAuthorizations?.set(authorization, deps.clock.nowMs());
  return authorization.permanentCode;
};
