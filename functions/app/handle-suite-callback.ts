import type { SignedCallback } from '../core/callback/callback-request.ts';
import { parseSuiteEvent } from '../core/callback/suite-event.ts';
import { CallbackAuthError } from '../core/errors.ts';
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
 */
export const handleSuiteCallback = async (
  deps: CallbackDeps,
  input: SignedCallback & { readonly body: string },
): Promise<SuiteCallbackOutcome> => {
  const event = parseSuiteEvent(await openCallback(deps, input));
  if (event.suiteId !== undefined && event.suiteId !== input.suiteId) {
    throw new CallbackAuthError('SUITE_ID_MISMATCH', 'event SuiteId differs from the route suite');
  }
  const infoType = event.kind === 'unknown' ? event.infoType : event.kind;
  return { infoType, effect: await recordSuiteEvent(deps, event) };
};
