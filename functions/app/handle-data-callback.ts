import type { SuiteSignedCallback } from '../core/callback/callback-request.ts';
import { dataCallbackEvent } from '../core/events/callback-events.ts';
import type { DataCallbackDetail } from '../core/events/service-events.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openCallback } from './open-callback.ts';

/**
 * Handles a POST to a suite's data (数据回调) URL. The credential service keeps nothing from app
 * traffic; the provider's business services get it as an event.
 *
 * 1. openCallback: suite, envelope, replay window, signature, decryption, receiveId (provider,
 *    suite, `corpid`, or an authorized corp).
 * 2. Publish the message; only then is WeCom answered (a failed publish throws: 503, WeCom retries
 *    and the event, with the same eventId, is published again).
 *
 * @returns the message type and event, for the log line (read once, for the event).
 */
export const handleDataCallback = async (
  deps: CallbackDeps,
  input: SuiteSignedCallback & { readonly body: string },
): Promise<Pick<DataCallbackDetail, 'msgType' | 'event'>> => {
  const opened = await openCallback(deps, input);
  const event = dataCallbackEvent({
    suiteId: input.suiteId,
    receiveId: opened.receiveId,
    providerCorpId: opened.providerCorpId,
    message: opened.message,
    ...(input.corpIdHint === undefined ? {} : { corpIdHint: input.corpIdHint }),
  });
  await deps.events.publish([event]);
  const { msgType, event: eventName } = event.detail;
  return { msgType, ...(eventName === undefined ? {} : { event: eventName }) };
};
