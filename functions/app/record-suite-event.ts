import type { SuiteEvent } from '../core/callback/suite-event.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { CallbackDeps } from './callback-deps.ts';

/** What a suite event did; logged and counted, never shown to WeCom. */
export type SuiteEventEffect =
  | 'ticket_stored'
  | 'ticket_stale'
  | 'auth_code_stored'
  | 'auth_code_duplicate'
  | 'authorization_change_recorded'
  | 'authorization_change_for_inactive_corp'
  | 'authorization_revoked'
  | 'revocation_stale'
  | 'acknowledged';

type RecordDeps = Pick<CallbackDeps, 'tickets' | 'authCodes' | 'authorizations'> & { readonly clock: Clock };

/**
 * Applies one decrypted instruction event to the table (docs/errors.md, HTTP routes: statuses; docs/wecom-protocol.md §3.3). Each branch is one
 * conditional write, so WeCom's re-deliveries have no second effect.
 */
export const recordSuiteEvent = async (deps: RecordDeps, event: SuiteEvent): Promise<SuiteEventEffect> => {
  switch (event.kind) {
    case 'suite_ticket': {
      const outcome = await deps.tickets.recordTicket(event.suiteId, {
        suiteTicket: event.suiteTicket,
        timeStamp: event.timeStamp,
      });
      return outcome === 'stored' ? 'ticket_stored' : 'ticket_stale';
    }
    case 'create_auth':
    case 'reset_permanent_code': {
      const outcome = await deps.authCodes.recordAuthCode({
        suiteId: event.suiteId,
        authCode: event.authCode,
        source: event.kind,
        timeStamp: event.timeStamp,
        receivedAtMs: deps.clock.nowMs(),
        ...(event.kind === 'create_auth' && event.state !== undefined ? { state: event.state } : {}),
      });
      return outcome === 'stored' ? 'auth_code_stored' : 'auth_code_duplicate';
    }
    case 'change_auth':
    case 'change_editon': {
      // Announced by auth-exchange once get_auth_info was read again (docs/architecture.md, Events).
      const outcome = await deps.authorizations.markAuthorizationChanged(
        event.suiteId,
        event.authCorpId,
        event.timeStamp,
        event.kind,
      );
      return outcome === 'recorded'
        ? 'authorization_change_recorded'
        : 'authorization_change_for_inactive_corp';
    }
    case 'cancel_auth': {
      const outcome = await deps.authorizations.revokeAuthorization(
        event.suiteId,
        event.authCorpId,
        event.timeStamp,
      );
      return outcome === 'revoked' ? 'authorization_revoked' : 'revocation_stale';
    }
    case 'unknown':
      return 'acknowledged';
  }
};
