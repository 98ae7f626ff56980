import type { SystemSignedCallback } from '../core/callback/callback-request.ts';
import { systemEvent } from '../core/events/callback-events.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openCallback } from './open-callback.ts';

/**
 * Handles a POST to the provider's system-event URL (系统事件接收URL: interface licences, registrations,
 * advanced-API orders). The credential service keeps nothing from them; the provider's business
 * services get each as a `WeCom System Event`, whatever its InfoType (docs/wecom-protocol.md §3.2a).
 *
 * 1. openCallback: the provider's Token and key, envelope, replay window, signature, decryption,
 *    receiveId (the provider corp id).
 * 2. Publish the message, credentials removed; only then is WeCom answered (a failed publish throws:
 *    503, WeCom retries and the event, with the same eventId, is published again).
 *
 * @returns the message's InfoType, for the log line.
 */
export const handleSystemEvent = async (
  deps: CallbackDeps,
  input: SystemSignedCallback & { readonly body: string },
): Promise<{ readonly infoType: string }> => {
  const { message } = await openCallback(deps, input);
  const event = systemEvent(message);
  await deps.events.publish([event]);
  return { infoType: event.detail.infoType };
};
