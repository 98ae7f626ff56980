import type { CredentialBlock } from '../../core/credentials/credential-block.ts';
import { authorizationChangedEvent } from '../../core/events/service-events.ts';
import type { TokenDeps } from '../token-deps.ts';
import type { Credential } from './credential-request.ts';

/**
 * Announces a change a corp token's mint found in the corp's authorization, after it is durable:
 * once when WeCom's refusal began a block (`broken`, at the block's start), and once when a
 * periodic retry of the block succeeded (`active`, now). Only a corp token is blocked: other
 * kinds never fail with AuthorizationBrokenError. If the bus refuses, this caller gets the bus's
 * error (logged as a failure) and the change stands. The event is not retried.
 */
export const announceAuthorizationChange = async (
  deps: TokenDeps,
  credential: Credential,
  change: { readonly blocked: CredentialBlock } | { readonly recovered: true },
): Promise<void> => {
  if (credential.kind !== 'corp_token') {
    return;
  }
  const { suite, corpId, authorization } = credential;
  const status =
    'blocked' in change
      ? { status: 'broken' as const, cause: 'wecom_refused' as const, reason: change.blocked.failure.message }
      : { status: 'active' as const, cause: 'wecom_accepted' as const };
  await deps.events?.publish([
    authorizationChangedEvent(
      {
        suiteId: suite.suiteId,
        corpId,
        ...status,
        ...(authorization.agentId === undefined ? {} : { agentId: authorization.agentId }),
      },
      'blocked' in change ? change.blocked.sinceMs : deps.clock.nowMs(),
    ),
  ]);
};
