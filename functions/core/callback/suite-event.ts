import {
  optionalField,
  parseXmlFields,
  requireField,
  requireUnixSeconds,
  type XmlFields,
} from './xml-document.ts';

interface SuiteEventBase {
  readonly suiteId: string;
  /** Unix seconds, as WeCom stamped the event. */
  readonly timeStamp: number;
}

/** A new suite_ticket, pushed about every 10 minutes and valid for 30. */
export interface SuiteTicketEvent extends SuiteEventBase {
  readonly kind: 'suite_ticket';
  readonly suiteTicket: string;
}

/** A company installed the app; `authCode` lives 10 minutes and works once. */
export interface CreateAuthEvent extends SuiteEventBase {
  readonly kind: 'create_auth';
  readonly authCode: string;
  readonly state?: string;
}

/** 代开发 only: the provider reset a company's secret; the corp is known only after the exchange. */
export interface ResetPermanentCodeEvent extends SuiteEventBase {
  readonly kind: 'reset_permanent_code';
  readonly authCode: string;
}

/** A company changed what it granted the app. */
export interface ChangeAuthEvent extends SuiteEventBase {
  readonly kind: 'change_auth';
  readonly authCorpId: string;
}

/**
 * A paid app's edition changed in a company (`change_editon`, sic, on the command URL; the corp is
 * `PaidCorpId`, document/path/91932).
 */
export interface ChangeEditionEvent extends SuiteEventBase {
  readonly kind: 'change_editon';
  readonly authCorpId: string;
}

/** A company uninstalled the app. */
export interface CancelAuthEvent extends SuiteEventBase {
  readonly kind: 'cancel_auth';
  readonly authCorpId: string;
}

/**
 * Any other message: acknowledged and logged, never an error. Some events arrive on the command
 * route without an InfoType, in MsgType/Event form (e.g. change_app_admin); `infoType` is then
 * the Event (or MsgType), and `unknown` when neither is present.
 */
export interface UnknownSuiteEvent {
  readonly kind: 'unknown';
  readonly infoType: string;
  readonly suiteId?: string;
}

/** A decrypted instruction-callback event, discriminated by `kind` (WeCom's InfoType). */
export type SuiteEvent =
  | SuiteTicketEvent
  | CreateAuthEvent
  | ResetPermanentCodeEvent
  | ChangeAuthEvent
  | ChangeEditionEvent
  | CancelAuthEvent
  | UnknownSuiteEvent;

/**
 * Parses the decrypted XML of an instruction callback (docs/wecom-protocol.md §3).
 *
 * @throws InvalidRequestError when the XML is malformed or a known event lacks a required field;
 *   an authentic message of a shape it does not know is an UnknownSuiteEvent, never an error.
 */
export const parseSuiteEvent = (xml: string): SuiteEvent => {
  const fields = parseXmlFields(xml);
  const infoType =
    optionalField(fields, 'InfoType') ??
    optionalField(fields, 'Event') ??
    optionalField(fields, 'MsgType') ??
    'unknown';
  switch (infoType) {
    case 'suite_ticket':
      return { kind: infoType, ...base(fields), suiteTicket: requireField(fields, 'SuiteTicket') };
    case 'create_auth': {
      const state = optionalField(fields, 'State');
      return {
        kind: infoType,
        ...base(fields),
        authCode: requireField(fields, 'AuthCode'),
        ...(state === undefined ? {} : { state }),
      };
    }
    case 'reset_permanent_code':
      return { kind: infoType, ...base(fields), authCode: requireField(fields, 'AuthCode') };
    case 'change_editon':
      return { kind: infoType, ...base(fields), authCorpId: requireField(fields, 'PaidCorpId') };
    case 'change_auth':
    case 'cancel_auth':
      return { kind: infoType, ...base(fields), authCorpId: requireField(fields, 'AuthCorpId') };
    default: {
      const suiteId = optionalField(fields, 'SuiteId');
      return { kind: 'unknown', infoType, ...(suiteId === undefined ? {} : { suiteId }) };
    }
  }
};

const base = (fields: XmlFields): SuiteEventBase => ({
  suiteId: requireField(fields, 'SuiteId'),
  timeStamp: requireUnixSeconds(fields, 'TimeStamp'),
});
