import { createHash } from 'node:crypto';
import type { AuthCodeSource } from '../authorization/auth-code.ts';
import type { AuthorizationDetails } from '../authorization/corp-authorization.ts';
import type { XmlJson } from '../callback/xml-document.ts';

/** The `source` of every event the service publishes. */
export const EVENT_SOURCE = 'wecom-credentials';

/** The `detail-type`s, one per kind of event (docs/events.md). */
export const DETAIL_TYPE = {
  dataCallback: 'WeCom Data Callback',
  commandEvent: 'WeCom Command Event',
  authorizationChanged: 'WeCom Authorization Changed',
  systemEvent: 'WeCom System Event',
} as const;

/** One of the `detail-type`s. */
export type DetailType = (typeof DETAIL_TYPE)[keyof typeof DETAIL_TYPE];

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
  /** AuthCorpId, or for the paid-app events (open_order, change_editon, …) PaidCorpId. */
  readonly authCorpId?: string;
  readonly timeStamp?: number;
  readonly message: EventMessage;
}

/**
 * An authenticated POST on the provider's system-event URL (系统事件接收URL): interface licences,
 * registrations, advanced-API orders, and any InfoType WeCom adds later.
 */
export interface SystemEventDetail {
  readonly eventId: string;
  /** InfoType, or Event / MsgType for a message without one, or `unknown`. */
  readonly infoType: string;
  /** ServiceCorpId: the provider's corp id, as WeCom wrote it. */
  readonly serviceCorpId?: string;
  /** AuthCorpId: the customer corp the event is about, when it names one. */
  readonly authCorpId?: string;
  readonly timeStamp?: number;
  readonly message: EventMessage;
}

/**
 * What the service did to a corp's authorization, published once the change is durable. An
 * `active` change carries what WeCom says about the authorization (AuthorizationDetails) as it
 * stands after the change.
 */
export interface AuthorizationChangedDetail extends AuthorizationDetails {
  /**
   * Stable for one change (a digest of what changed and when; for `failed`, of the auth code too): a
   * re-publication carries the same id.
   */
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
    | 'change_editon'
    | 'cancel_auth'
    | 'install'
    | 'wecom_refused'
    | 'wecom_accepted';
  /**
   * The provider's own reference of the install: the website `ref`, the 代开发 QR code's `state`,
   * or the `State` of a create_auth from a market or promotion link.
   */
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
    }
  | { readonly detailType: typeof DETAIL_TYPE.systemEvent; readonly detail: SystemEventDetail };

/** The id of one WeCom message: its SHA-256, so a re-delivery carries the same id. */
export const eventIdOf = (message: string): string => createHash('sha256').update(message).digest('hex');

/** A change the service made to a corp's authorization, as `authorizationChangedEvent` takes it. */
export type CorpAuthorizationChange = Omit<
  AuthorizationChangedDetail,
  'at' | 'eventId' | 'corpId' | 'status'
> & {
  readonly corpId: string;
  readonly status: Exclude<AuthorizationChangedDetail['status'], 'failed'>;
};

/** An auth code that could not be exchanged, as `exchangeFailedEvent` takes it. */
export interface ExchangeFailure {
  readonly suiteId: string;
  /** What delivered the code. */
  readonly cause: AuthCodeSource;
  readonly reason: string;
  readonly installRef?: string;
}

/**
 * The event for a change the service made to a corp's authorization, at `atMs`: a time fixed by
 * the change itself (WeCom's TimeStamp, the stored change, the start of a block), so that
 * publishing it again yields the same `at` and `eventId`. The corp and the time tell one change
 * from another.
 */
export const authorizationChangedEvent = (change: CorpAuthorizationChange, atMs: number): ServiceEvent =>
  authorizationEvent(change, atMs, []);

/**
 * The `failed` event of an auth code that could not be exchanged, at `atMs` (fixed by the code's
 * arrival). It names no corp, so two codes failing in the same second would share every published
 * field: the code itself tells them apart. It enters the digest of the `eventId` only, never the
 * event, and since a code is single use, each code fails once, and the stream delivering its record
 * again publishes the same id.
 */
export const exchangeFailedEvent = (failure: ExchangeFailure, authCode: string, atMs: number): ServiceEvent =>
  authorizationEvent({ ...failure, status: 'failed' }, atMs, [authCode]);

const authorizationEvent = (
  change: Omit<AuthorizationChangedDetail, 'at' | 'eventId'>,
  atMs: number,
  occurrence: readonly string[],
): ServiceEvent => ({
  detailType: DETAIL_TYPE.authorizationChanged,
  detail: {
    eventId: eventIdOf(
      [
        change.suiteId,
        change.corpId ?? '',
        change.status,
        change.cause,
        change.installRef ?? '',
        atMs,
        ...occurrence,
      ].join('|'),
    ),
    ...change,
    at: new Date(atMs).toISOString(),
  },
});
