import type { SignedCallback } from '../core/callback/callback-request.ts';
import { type DataMessage, parseDataMessage } from '../core/callback/data-message.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openCallback } from './open-callback.ts';

/**
 * Handles a POST to a suite's data (数据回调) URL: authenticate, decrypt, read the message type.
 * The credential service keeps nothing from app traffic; it acknowledges so WeCom does not retry.
 *
 * 1. openCallback: suite, envelope, replay window, signature, decryption, receiveId (provider,
 *    suite, `corpid`, or an authorized corp).
 * 2. Parse the message type for the log line.
 */
export const handleDataCallback = async (
  deps: CallbackDeps,
  input: SignedCallback & { readonly body: string },
): Promise<DataMessage> => parseDataMessage(await openCallback(deps, input));
