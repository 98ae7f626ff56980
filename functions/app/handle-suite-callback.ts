import type { SuiteSignedCallback } from '../core/callback/callback-request.ts';
import { parseSuiteEvent, type SuiteEvent } from '../core/callback/suite-event.ts';
import { CallbackAuthError } from '../core/errors.ts';
import { commandEvent } from '../core/events/callback-events.ts';
import { authorizationChangedEvent, type ServiceEvent } from '../core/events/service-events.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openCallback } from './open-callback.ts';
import { recordSuiteEvent, type SuiteEventEffect } from './record-suite-event.ts';

export interface SuiteCallbackOutcome {
  /** WeCom's InfoType, for the log line. */
  readonly infoType: string;
  readonly effect: SuiteEventEffect;
}

/**
 * Handles a POST to a suite's command (指令回调) URL.
 *
 * 1. openCallback: suite, envelope, replay window, signature, decryption, receiveId (suite id or
 *    provider corp id).
 * 2. Parse the event; its SuiteId must be the route's.
 * 3. Apply it with one conditional write (recordSuiteEvent).
 * 4. Publish it (not suite_ticket, which is only the service's business), and the authorization
 *    change it made, if any; only then is WeCom answered. A failed publish throws (503): WeCom's
 *    retry finds step 3 already done and publishes the same events again.
 */
export const handleSuiteCallback = async (
  deps: CallbackDeps,
  input: SuiteSignedCallback & { readonly body: string },
): Promise<SuiteCallbackOutcome> => {
  const { message } = await openCallback(deps, input);
  const event = parseSuiteEvent(message);
  if (event.suiteId !== undefined && event.suiteId !== input.suiteId) {
    throw new CallbackAuthError('SUITE_ID_MISMATCH', 'event SuiteId differs from the route suite');
  }
  const infoType = event.kind === 'unknown' ? event.infoType : event.kind;
  const effect = await recordSuiteEvent(deps, event);
  if (event.kind !== 'suite_ticket') {
    await deps.events.publish([
      commandEvent({ suiteId: input.suiteId, infoType, message }),
      ...authorizationChangeOf(event, effect),
    ]);
  }
  return { infoType, effect };
};

// `at` is WeCom's TimeStamp of the event, so WeCom's retries publish the same change (same eventId).
// change_auth and change_editon are announced by auth-exchange, once it read what changed.
const authorizationChangeOf = (event: SuiteEvent, effect: SuiteEventEffect): ServiceEvent[] => {
  if (event.kind === 'cancel_auth' && effect === 'authorization_revoked') {
    return [
      authorizationChangedEvent(
        { suiteId: event.suiteId, corpId: event.authCorpId, status: 'revoked', cause: 'cancel_auth' },
        event.timeStamp * 1000,
      ),
    ];
  }
  return [];
};
