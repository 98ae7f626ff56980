import type { SuiteCallbackRoute } from '../core/callback/callback-request.ts';
import type { AuthorizationStore } from '../core/ports/authorization-store.ts';

/** Decides whether a decrypted receiveId is one the route accepts. */
export type ReceiveIdCheck = (receiveId: string) => boolean | Promise<boolean>;

export interface ReceiveIdContext {
  readonly route: SuiteCallbackRoute;
  readonly suiteId: string;
  readonly providerCorpId: string;
  /** The `corpid` query parameter WeCom fills in from `$CORPID$` in a registered data URL. */
  readonly corpIdHint?: string;
  readonly authorizations: AuthorizationStore;
}

/**
 * The receiveIds a route accepts (the sources disagree; docs/wecom-protocol.md §1.5):
 * - command: the suite id, or the provider corp id (GET verification and some create_auth pushes);
 * - data: the provider corp id, the suite id, the corp named by `corpid`, or any corp with an active
 *   authorization for this suite (looked up only when nothing cheaper matched).
 */
export const acceptedReceiveIds = (context: ReceiveIdContext): ReceiveIdCheck => {
  const fixed = new Set([context.suiteId, context.providerCorpId]);
  if (context.route === 'command') {
    return (receiveId) => fixed.has(receiveId);
  }
  if (context.corpIdHint !== undefined) {
    fixed.add(context.corpIdHint);
  }
  return (receiveId) =>
    fixed.has(receiveId) ||
    (receiveId !== '' && context.authorizations.isAuthorized(context.suiteId, receiveId));
};
