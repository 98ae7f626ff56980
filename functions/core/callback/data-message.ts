import { optionalField, parseXmlFields } from './xml-document.ts';

/** What the service reads of a data callback (per-corp app traffic): enough to log it. */
export interface DataMessage {
  /** `text`, `event`, …; `unknown` when absent. */
  readonly msgType: string;
  /** For `MsgType=event`: the event name (e.g. `change_contact`, `change_app_admin`). */
  readonly event?: string;
}

/**
 * Parses the decrypted XML of a data callback. Only the type is read: the content belongs to the
 * provider's business services, not to the credential service.
 *
 * @throws InvalidRequestError when the XML is malformed.
 */
export const parseDataMessage = (xml: string): DataMessage => {
  const fields = parseXmlFields(xml);
  const event = optionalField(fields, 'Event');
  return {
    msgType: optionalField(fields, 'MsgType') ?? optionalField(fields, 'InfoType') ?? 'unknown',
    ...(event === undefined ? {} : { event }),
  };
};
