import {
  assertWithinReplayWindow,
  type CallbackRoute,
  type SignedQuery,
} from '../core/callback/callback-request.ts';
import { parseCallbackEnvelope } from '../core/callback/envelope-xml.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openCallbackMessage } from './open-callback-message.ts';

export interface PushInput {
  readonly route: CallbackRoute;
  readonly suiteId: string;
  readonly query: SignedQuery;
  readonly body: string;
  readonly corpIdHint?: string;
}

/**
 * Authenticates a POST push and returns its decrypted message (the steps both routes share).
 *
 * 1. An unknown suite is refused (404) before the body is judged.
 * 2. Parse the envelope; refuse a timestamp outside the replay window.
 * 3. openCallbackMessage: signature, decryption, receiveId.
 */
export const openPush = async (deps: CallbackDeps, input: PushInput): Promise<string> => {
  (await deps.registry.current()).get(input.suiteId);
  const envelope = parseCallbackEnvelope(input.body);
  assertWithinReplayWindow(input.query.timestamp, deps.clock.nowMs(), deps.maxSkewSeconds);
  const { body: _body, ...signed } = input;
  return openCallbackMessage(deps, { ...signed, encrypt: envelope.encrypt });
};
