import { authorizationChangedEvent } from '../../core/events/service-events.ts';
import type { CredentialBlock } from '../../core/ports.ts';
import type { TokenDeps } from '../token-deps.ts';
import type { Credential } from './credential-request.ts';

/**
 * Announces once that a corp's authorization became broken, after the block is durable. Only a
 * corp token is blocked: other kinds never fail with AuthorizationBrokenError. If the bus refuses,
 * this caller gets the bus's error (logged as a failure) and the block stands. The event is not
 * retried.
 */
export const announceBlocked = async (
  deps: TokenDeps,
  credential: Credential,
  block: CredentialBlock,
): Promise<void> => {
  if (credential.kind !== 'corp_token') {
    return;
  }
  const { suite, corpId, authorization } = credential;
  await deps.events?.publish([
    authorizationChangedEvent(
      {
        suiteId: suite.suiteId,
        corpId,
        status: 'broken',
        cause: 'wecom_refused',
        reason: block.failure.message,
        ...(authorization.agentId === undefined ? {} : { agentId: authorization.agentId }),
      },
      block.sinceMs,
    ),
  ]);
};

/**
 * Announces that WeCom accepted a blocked corp again on a periodic retry, after the new token is
 * stored (which lifted the block). A bus failure reaches the caller, as for announceBlocked.
 */
export const announceRecovered = async (deps: TokenDeps, credential: Credential): Promise<void> => {
  if (credential.kind !== 'corp_token') {
    return;
  }
  const { suite, corpId, authorization } = credential;
  await deps.events?.publish([
    authorizationChangedEvent(
      {
        suiteId: suite.suiteId,
        corpId,
        status: 'active',
        cause: 'wecom_accepted',
        ...(authorization.agentId === undefined ? {} : { agentId: authorization.agentId }),
      },
      deps.clock.nowMs(),
    ),
  ]);
};
