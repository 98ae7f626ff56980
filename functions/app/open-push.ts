import {
  assertWithinReplayWindow,
  type CallbackRoute,
  type SignedQuery,
} from '../core/callback/callback-request.ts';
import { parseCallbackEnvelope } from '../core/callback/envelope-xml.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openForSuite } from './open-callback-message.ts';

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
 * 3. Signature, decryption, receiveId (openForSuite).
 */
export const openPush = async (deps: CallbackDeps, input: PushInput): Promise<string> => {
  const registry = await deps.registry.current();
  const suite = registry.get(input.suiteId);
  const envelope = parseCallbackEnvelope(input.body);
  assertWithinReplayWindow(input.query.timestamp, deps.clock.nowMs(), deps.maxSkewSeconds);
  const { body: _body, ...signed } = input;
  return openForSuite(deps, registry, suite, { ...signed, encrypt: envelope.encrypt });
};
