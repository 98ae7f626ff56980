import { createHash } from 'node:crypto';
import { parseXmlMessage, type XmlJson } from '../callback/xml-document.ts';

/** The `source` of every event the service publishes. */
export const EVENT_SOURCE = 'wecom-credentials';

/** The `detail-type`s, one per kind of event (README, Events). */
export const DETAIL_TYPE = {
  dataCallback: 'WeCom Data Callback',
  commandEvent: 'WeCom Command Event',
  authorizationChanged: 'WeCom Authorization Changed',
} as const;

/** A decrypted message as JSON, with the credentials WeCom puts in some of them removed. */
export type EventMessage = Readonly<Record<string, XmlJson | readonly XmlJson[]>>;

/** An authenticated POST on a suite's data URL (per-corp app traffic: messages, events). */
export interface DataCallbackDetail {
  /** Stable for one WeCom message (a digest of it): WeCom's retries carry the same id. */
  readonly eventId: string;
  readonly suiteId: string;
  readonly corpId: string;
  readonly agentId?: number;
  readonly msgType: string;
  readonly event?: string;
  readonly createTime?: number;
  readonly message: EventMessage;
}

/** An authenticated POST on a suite's command URL, other than suite_ticket. */
export interface CommandEventDetail {
  readonly eventId: string;
  readonly suiteId: string;
  readonly infoType: string;
  readonly authCorpId?: string;
  readonly timeStamp?: number;
  readonly message: EventMessage;
}

/** What the service did to a corp's authorization, published once the change is durable. */
export interface AuthorizationChangedDetail {
  /** Stable for one change (a digest of what changed and when): a re-publication carries the same id. */
  readonly eventId: string;
  readonly suiteId: string;
  /** Absent only for `failed`: an auth code that could not be exchanged names no corp. */
  readonly corpId?: string;
  readonly corpName?: string;
  readonly agentId?: number;
  readonly status: 'active' | 'revoked' | 'failed' | 'broken';
  readonly cause:
    | 'create_auth'
    | 'reset_permanent_code'
    | 'change_auth'
    | 'cancel_auth'
    | 'install'
    | 'wecom_refused'
    | 'wecom_accepted';
  readonly installRef?: string;
  /** Why, for `failed` and `broken` (never a secret). */
  readonly reason?: string;
  /** ISO-8601 UTC. */
  readonly at: string;
}

/** The event of one data callback. */
export type DataCallbackEvent = {
  readonly detailType: typeof DETAIL_TYPE.dataCallback;
  readonly detail: DataCallbackDetail;
};

/** One event for the provider's business services. */
export type ServiceEvent =
  | DataCallbackEvent
  | { readonly detailType: typeof DETAIL_TYPE.commandEvent; readonly detail: CommandEventDetail }
  | {
      readonly detailType: typeof DETAIL_TYPE.authorizationChanged;
      readonly detail: AuthorizationChangedDetail;
    };

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

/** The id of one WeCom message: its SHA-256, so a re-delivery carries the same id. */
export const eventIdOf = (message: string): string => createHash('sha256').update(message).digest('hex');

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
  const authCorpId = text(message.AuthCorpId);
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
 * The event for a change the service made to an authorization, at `atMs`: a time fixed by the
 * change itself (WeCom's TimeStamp, the stored change, the start of a block), so that publishing
 * it again yields the same `at` and `eventId`.
 */
export const authorizationChangedEvent = (
  change: Omit<AuthorizationChangedDetail, 'at' | 'eventId'>,
  atMs: number,
): ServiceEvent => ({
  detailType: DETAIL_TYPE.authorizationChanged,
  detail: {
    eventId: eventIdOf(
      [change.suiteId, change.corpId ?? '', change.status, change.cause, change.installRef ?? '', atMs].join(
        '|',
      ),
    ),
    ...change,
    at: new Date(atMs).toISOString(),
  },
});
