import {
  assertWithinReplayWindow,
  type CallbackRoute,
  type SignedQuery,
} from '../core/callback/callback-request.ts';
import { parseCallbackEnvelope } from '../core/callback/envelope-xml.ts';
import { acceptedReceiveIds } from './accepted-receive-ids.ts';
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
 * 1. Look up the suite (UnknownSuiteError); parse the envelope.
 * 2. Refuse a timestamp outside the replay window.
 * 3. Verify, decrypt and check the receiveId against what the route accepts.
 */
export const openPush = async (deps: CallbackDeps, input: PushInput): Promise<string> => {
  const registry = await deps.registry.current();
  const suite = registry.get(input.suiteId);
  const envelope = parseCallbackEnvelope(input.body);
  assertWithinReplayWindow(input.query.timestamp, deps.clock.nowMs(), deps.maxSkewSeconds);
  const isAccepted = acceptedReceiveIds({
    route: input.route,
    suiteId: suite.suiteId,
    providerCorpId: registry.providerCorpId,
    authorizations: deps.authorizations,
    ...(input.corpIdHint === undefined ? {} : { corpIdHint: input.corpIdHint }),
  });
  return openCallbackMessage(suite, input.query, envelope.encrypt, isAccepted);
};
