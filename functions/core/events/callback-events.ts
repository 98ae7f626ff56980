import { parseXmlMessage, type XmlJson } from '../callback/xml-document.ts';
import {
  type DataCallbackEvent,
  DETAIL_TYPE,
  type EventMessage,
  eventIdOf,
  type ServiceEvent,
} from './service-events.ts';

/*
 * The events of WeCom's pushes, with the message as JSON. Apart from service-events.ts so that only
 * the callback, which parses WeCom's XML, carries the XML parser: functions that publish only
 * authorization changes do not.
 */

// Credentials some messages carry, at any depth (register_corp's ContactSync/AccessToken, 微信客服's
// Token, …): the service keeps what it needs of them, no event carries them.
const REDACTED_ELEMENTS = new Set([
  'AuthCode',
  'SuiteTicket',
  'PermanentCode',
  'AccessToken',
  'Token',
  'RegisterCode',
]);

const redact = (node: XmlJson | readonly XmlJson[]): XmlJson | readonly XmlJson[] => {
  if (typeof node === 'string') {
    return node;
  }
  if (Array.isArray(node)) {
    return node.map((entry) => redact(entry) as XmlJson);
  }
  return Object.fromEntries(
    Object.entries(node as Record<string, XmlJson | readonly XmlJson[]>)
      .filter(([name]) => !REDACTED_ELEMENTS.has(name))
      .map(([name, child]) => [name, redact(child)]),
  );
};

const text = (value: XmlJson | readonly XmlJson[] | undefined): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const whole = (value: XmlJson | readonly XmlJson[] | undefined): number | undefined => {
  const raw = text(value);
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
};

const jsonOf = (message: string): EventMessage => redact(parseXmlMessage(message)) as EventMessage;

/**
 * The event for a data callback. `receiveId` is the id the message was encrypted for: the corp
 * itself, or (for some pushes) the suite or the provider, in which case the corp is the message's
 * ToUserName when that names a corp (it is inside the signed ciphertext), and otherwise the
 * `corpid` WeCom put in the URL, which the signature does not cover: so a replayed message whose
 * ToUserName names its corp cannot be moved to another one.
 */
export const dataCallbackEvent = (input: {
  readonly suiteId: string;
  readonly receiveId: string;
  readonly corpIdHint?: string;
  readonly providerCorpId: string;
  readonly message: string;
}): DataCallbackEvent => {
  const message = jsonOf(input.message);
  const receiverIsCorp = input.receiveId !== input.suiteId && input.receiveId !== input.providerCorpId;
  const named = text(message.ToUserName);
  const namedCorp = named === input.suiteId || named === input.providerCorpId ? undefined : named;
  const corpId =
    (receiverIsCorp ? input.receiveId : undefined) ??
    namedCorp ??
    input.corpIdHint ??
    named ??
    input.receiveId;
  const agentId = whole(message.AgentID);
  const event = text(message.Event);
  const createTime = whole(message.CreateTime);
  return {
    detailType: DETAIL_TYPE.dataCallback,
    detail: {
      eventId: eventIdOf(input.message),
      suiteId: input.suiteId,
      corpId,
      ...(agentId === undefined ? {} : { agentId }),
      msgType: text(message.MsgType) ?? text(message.InfoType) ?? 'unknown',
      ...(event === undefined ? {} : { event }),
      ...(createTime === undefined ? {} : { createTime }),
      message,
    },
  };
};

/** The event for an instruction (command) callback; `infoType` as the service read it. */
export const commandEvent = (input: {
  readonly suiteId: string;
  readonly infoType: string;
  readonly message: string;
}): ServiceEvent => {
  const message = jsonOf(input.message);
  // The paid-app events (收银台: open_order, change_order, pay_for_app_success, refund, change_editon,
  // cancel_order) name the corp PaidCorpId.
  const authCorpId = text(message.AuthCorpId) ?? text(message.PaidCorpId);
  const timeStamp = whole(message.TimeStamp);
  return {
    detailType: DETAIL_TYPE.commandEvent,
    detail: {
      eventId: eventIdOf(input.message),
      suiteId: input.suiteId,
      infoType: input.infoType,
      ...(authCorpId === undefined ? {} : { authCorpId }),
      ...(timeStamp === undefined ? {} : { timeStamp }),
      message,
    },
  };
};

/**
 * The event for a push to the provider's system-event URL: every InfoType, known or not, as WeCom
 * sent it (credentials removed).
 */
export const systemEvent = (
  xml: string,
): ServiceEvent & { readonly detailType: typeof DETAIL_TYPE.systemEvent } => {
  const message = jsonOf(xml);
  const serviceCorpId = text(message.ServiceCorpId);
  const authCorpId = text(message.AuthCorpId);
  const timeStamp = whole(message.TimeStamp);
  return {
    detailType: DETAIL_TYPE.systemEvent,
    detail: {
      eventId: eventIdOf(xml),
      infoType: text(message.InfoType) ?? text(message.Event) ?? text(message.MsgType) ?? 'unknown',
      ...(serviceCorpId === undefined ? {} : { serviceCorpId }),
      ...(authCorpId === undefined ? {} : { authCorpId }),
      ...(timeStamp === undefined ? {} : { timeStamp }),
      message,
    },
  };
};
