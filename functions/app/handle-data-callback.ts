import type { SignedQuery } from '../core/callback/callback-request.ts';
import { type DataMessage, parseDataMessage } from '../core/callback/data-message.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openPush } from './open-push.ts';

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
 * 1. openPush: suite, envelope, replay window, signature, decryption, receiveId (provider,
 *    suite, `corpid`, or an authorized corp).
 * 2. Parse the message type for the log line.
 */
export const handleDataCallback = async (
  deps: CallbackDeps,
  input: DataCallbackInput,
): Promise<DataMessage> => {
  const message = await openPush(deps, { route: 'data', ...input });
  return parseDataMessage(message);
};
