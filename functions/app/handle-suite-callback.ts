import { assertWithinReplayWindow, type SignedQuery } from '../core/callback/callback-request.ts';
import { parseCallbackEnvelope } from '../core/callback/envelope-xml.ts';
import { parseSuiteEvent } from '../core/callback/suite-event.ts';
import { CallbackAuthError } from '../core/errors.ts';
import { acceptedReceiveIds } from './accepted-receive-ids.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openCallbackMessage } from './open-callback-message.ts';
import { recordSuiteEvent, type SuiteEventEffect } from './record-suite-event.ts';

export interface SuiteCallbackInput {
  readonly suiteId: string;
  readonly query: SignedQuery;
  readonly body: string;
}

export interface SuiteCallbackOutcome {
  /** WeCom's InfoType, for the log line. */
  readonly infoType: string;
  readonly effect: SuiteEventEffect;
}

/**
 * Handles a POST to a suite's command (指令回调) URL.
 *
 * 1. Look up the suite; parse the envelope; refuse a timestamp outside the replay window.
 * 2. Verify, decrypt, check the receiveId (suite id or provider corp id).
 * 3. Parse the event; its SuiteId must be the route's.
 * 4. Apply it with one conditional write (recordSuiteEvent).
 */
export const handleSuiteCallback = async (
  deps: CallbackDeps,
  input: SuiteCallbackInput,
): Promise<SuiteCallbackOutcome> => {
  const registry = await deps.registry.current();
  const suite = registry.get(input.suiteId);
  const envelope = parseCallbackEnvelope(input.body);
  assertWithinReplayWindow(input.query.timestamp, deps.clock.nowMs(), deps.maxSkewSeconds);
  const isAccepted = acceptedReceiveIds({
    route: 'command',
    suiteId: suite.suiteId,
    providerCorpId: registry.providerCorpId,
    authorizations: deps.authorizations,
  });
  const message = await openCallbackMessage(suite, input.query, envelope.encrypt, isAccepted);
  const event = parseSuiteEvent(message);
  if (event.suiteId !== undefined && event.suiteId !== suite.suiteId) {
    throw new CallbackAuthError('SUITE_ID_MISMATCH', 'event SuiteId differs from the route suite');
  }
  const infoType = event.kind === 'unknown' ? event.infoType : event.kind;
  return { infoType, effect: await recordSuiteEvent(deps, event) };
};
