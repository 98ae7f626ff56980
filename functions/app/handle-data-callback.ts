import { assertWithinReplayWindow, type SignedQuery } from '../core/callback/callback-request.ts';
import { type DataMessage, parseDataMessage } from '../core/callback/data-message.ts';
import { parseCallbackEnvelope } from '../core/callback/envelope-xml.ts';
import { acceptedReceiveIds } from './accepted-receive-ids.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openCallbackMessage } from './open-callback-message.ts';

export interface DataCallbackInput {
  readonly suiteId: string;
  readonly query: SignedQuery;
  readonly body: string;
  /** The `corpid` query parameter, when the registered URL carries `$CORPID$`. */
  readonly corpIdHint?: string;
}

/**
 * Handles a POST to a suite's data (数据回调) URL: authenticate, decrypt, read the message type.
 * The credential service keeps nothing from app traffic; it acknowledges so WeCom does not retry.
 *
 * 1. Look up the suite; parse the envelope; refuse a timestamp outside the replay window.
 * 2. Verify, decrypt, check the receiveId (provider, suite, `corpid`, or an authorized corp).
 * 3. Parse the message type for the log line.
 */
export const handleDataCallback = async (
  deps: CallbackDeps,
  input: DataCallbackInput,
): Promise<DataMessage> => {
  const registry = await deps.registry.current();
  const suite = registry.get(input.suiteId);
  const envelope = parseCallbackEnvelope(input.body);
  assertWithinReplayWindow(input.query.timestamp, deps.clock.nowMs(), deps.maxSkewSeconds);
  const isAccepted = acceptedReceiveIds({
    route: 'data',
    suiteId: suite.suiteId,
    providerCorpId: registry.providerCorpId,
    authorizations: deps.authorizations,
    ...(input.corpIdHint === undefined ? {} : { corpIdHint: input.corpIdHint }),
  });
  const message = await openCallbackMessage(suite, input.query, envelope.encrypt, isAccepted);
  return parseDataMessage(message);
};
