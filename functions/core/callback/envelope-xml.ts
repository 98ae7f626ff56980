import { optionalField, parseXmlFields, requireField } from './xml-document.ts';

/** The outer, unencrypted XML of a POST callback. */
export interface CallbackEnvelope {
  /** Base64 ciphertext; this is what `msg_signature` covers. */
  readonly encrypt: string;
  /** A hint of the receiveId inside (suite id or corp id). Unauthenticated: never trust it. */
  readonly toUserName?: string;
  /** The app's agent id for data callbacks; empty for suite (instruction) events. */
  readonly agentId?: string;
}

/**
 * Parses `<xml><ToUserName/><Encrypt/><AgentID/></xml>`.
 *
 * @throws InvalidRequestError when the body is not such a document or `Encrypt` is missing.
 */
export const parseCallbackEnvelope = (xml: string): CallbackEnvelope => {
  const fields = parseXmlFields(xml);
  const toUserName = optionalField(fields, 'ToUserName');
  const agentId = optionalField(fields, 'AgentID');
  return {
    encrypt: requireField(fields, 'Encrypt'),
    ...(toUserName === undefined ? {} : { toUserName }),
    ...(agentId === undefined ? {} : { agentId }),
  };
};
