/**
 * Types and a type guard for the events this service publishes on its EventBridge bus (and, under
 * `npm start`, on the local bus at GET /events). The JSON Schemas in schemas/ describe the same
 * `detail`s; a consumer (a Lambda target of an EventBridge rule, say) narrows what it receives:
 *
 *   export const handler = async (event: unknown) => {
 *     if (isWeComEvent(event) && event['detail-type'] === 'WeCom Data Callback') {
 *       // event.detail.message.Content …; dedupe on event.detail.eventId
 *     }
 *   };
 */

/** A decrypted message as JSON: element names as WeCom sends them, text values, repeats as arrays. */
export type WeComMessageNode =
  | string
  | readonly WeComMessageNode[]
  | { readonly [element: string]: WeComMessageNode };
export type WeComMessage = { readonly [element: string]: WeComMessageNode };

export interface WeComDataCallback {
  /** Stable for one WeCom message: WeCom's retries carry the same id. Dedupe on it. */
  readonly eventId: string;
  readonly suiteId: string;
  readonly corpId: string;
  readonly agentId?: number;
  readonly msgType: string;
  readonly event?: string;
  /** Unix seconds, as WeCom stamped the message. Events are not ordered: order by this. */
  readonly createTime?: number;
  readonly message: WeComMessage;
}

export interface WeComCommandEvent {
  readonly eventId: string;
  readonly suiteId: string;
  readonly infoType: string;
  /** AuthCorpId, or PaidCorpId for the paid-app events. */
  readonly authCorpId?: string;
  readonly timeStamp?: number;
  readonly message: WeComMessage;
}

/** The paid-app (收银台) events WeCom pushes to a suite's command URL, by InfoType (`change_editon` sic). */
export type PaidAppInfoType =
  | 'open_order'
  | 'change_order'
  | 'pay_for_app_success'
  | 'refund'
  | 'change_editon'
  | 'cancel_order';

/**
 * The `message` of a paid-app command event (document/path/99387, 91930, 99389, 91932, 91933, 99353). Fetch the order with
 * `service/get_order` (suite token) and, after `change_editon`, the edition with `get_auth_info`.
 */
export type WeComPaidAppMessage = WeComMessage & {
  readonly SuiteId: string;
  readonly PaidCorpId: string;
  readonly TimeStamp: string;
} & (
    | {
        readonly InfoType: 'open_order' | 'pay_for_app_success' | 'refund' | 'cancel_order';
        readonly OrderId: string;
        /** open_order: who ordered; empty when the provider or a dealer ordered for the corp. */
        readonly OperatorId?: string;
      }
    | { readonly InfoType: 'change_order'; readonly OldOrderId: string; readonly NewOrderId: string }
    | { readonly InfoType: 'change_editon' }
  );

const PAID_APP_INFO_TYPES: readonly string[] = [
  'open_order',
  'change_order',
  'pay_for_app_success',
  'refund',
  'change_editon',
  'cancel_order',
];

/** Whether a command event is a paid-app event, narrowing its message. */
export const isPaidAppEvent = (
  detail: WeComCommandEvent,
): detail is WeComCommandEvent & {
  readonly infoType: PaidAppInfoType;
  readonly message: WeComPaidAppMessage;
} =>
  PAID_APP_INFO_TYPES.includes(detail.infoType) &&
  typeof detail.message.PaidCorpId === 'string' &&
  detail.message.InfoType === detail.infoType;

/**
 * A push to the provider's system-event URL (系统事件接收URL): interface licences (`license_pay_success`,
 * `license_refund`, `auto_activate`), registrations (`register_corp`), advanced-API orders
 * (`advanced_api_pay_success`, `advanced_api_refund`, `advanced_api_cancel`), and any InfoType WeCom
 * adds later. Credentials (`RegisterCode`, `ContactSync.AccessToken`) are removed from `message`.
 */
export interface WeComSystemEvent {
  /** Stable for one WeCom message: WeCom's retries carry the same id. Dedupe on it. */
  readonly eventId: string;
  readonly infoType: string;
  /** ServiceCorpId: your provider corp id. */
  readonly serviceCorpId?: string;
  /** AuthCorpId: the customer corp, when the event names one. */
  readonly authCorpId?: string;
  /** Unix seconds, as WeCom stamped the event. */
  readonly timeStamp?: number;
  readonly message: WeComMessage;
}

/** Who installed the app (WeCom's `auth_user_info`; `name` is not the real name for third-party apps). */
export interface WeComAuthorizationInstaller {
  readonly userId?: string;
  readonly openUserId?: string;
  readonly name?: string;
  readonly avatar?: string;
}

/** One app (agent) the corp authorized (`auth_info.agent[]`); privilege lists cut at 100 entries. */
export interface WeComAuthorizedAgent {
  readonly agentId: number;
  readonly name?: string;
  /** 0: the admin authorized it; 1: a member did. */
  readonly authMode?: number;
  readonly isCustomizedApp?: boolean;
  readonly authFromThirdApp?: boolean;
  readonly privilege?: {
    readonly level?: number;
    readonly allowParty?: readonly number[];
    readonly allowUser?: readonly string[];
    readonly allowTag?: readonly number[];
    readonly extraParty?: readonly number[];
    readonly extraUser?: readonly string[];
    readonly extraTag?: readonly number[];
    /** Some list was longer than 100 entries and was cut. */
    readonly listsTruncated?: true;
  };
  readonly sharedFrom?: { readonly corpId: string; readonly shareType?: number };
}

/** A paid app's edition in the corp (`edition_info.agent[]`). */
export interface WeComAgentEdition {
  readonly agentId: number;
  readonly editionId?: string;
  readonly editionName?: string;
  readonly appStatus?: number;
  readonly userLimit?: number;
  /** Unix seconds. */
  readonly expiredTime?: number;
  readonly isVirtualVersion?: boolean;
  readonly isSharedFromOtherCorp?: boolean;
}

/** What WeCom says about an authorization: in `active` Authorization Changed events, and from `authorization`. */
export interface WeComAuthorizationDetails {
  readonly installer?: WeComAuthorizationInstaller;
  /** `register_code_info` without the register code itself. */
  readonly registerCode?: { readonly templateId?: string; readonly state?: string };
  readonly agents?: readonly WeComAuthorizedAgent[];
  readonly editions?: readonly WeComAgentEdition[];
  /** The reseller the corp installed through (`dealer_corp_info`). */
  readonly dealer?: { readonly corpId: string; readonly corpName?: string };
  /** `auth_mode` of the app's own agent: 0 admin, 1 member authorization. */
  readonly authMode?: number;
}

export interface WeComAuthorizationChanged extends WeComAuthorizationDetails {
  /** Stable for one change: a re-publication (a retry, a replay) carries the same id. Dedupe on it. */
  readonly eventId: string;
  readonly suiteId: string;
  /** Absent only for `failed`. */
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
   * Your own reference of the install: the website `ref`, the 代开发 QR code's `state`, or the
   * `State` of a create_auth from a market or promotion link.
   */
  readonly installRef?: string;
  readonly reason?: string;
  /** ISO-8601 UTC: when the change was made. */
  readonly at: string;
}

interface Envelope<DetailType extends string, Detail> {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': DetailType;
  readonly source: 'wecom-credentials';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Detail;
}

/** An event of this service, as EventBridge delivers it to a rule's target. */
export type WeComEvent =
  | Envelope<'WeCom Data Callback', WeComDataCallback>
  | Envelope<'WeCom Command Event', WeComCommandEvent>
  | Envelope<'WeCom Authorization Changed', WeComAuthorizationChanged>
  | Envelope<'WeCom System Event', WeComSystemEvent>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Whether `value` is an event of this service (its envelope and the fields its detail-type requires). */
export const isWeComEvent = (value: unknown): value is WeComEvent => {
  if (!isRecord(value) || value.source !== 'wecom-credentials' || !isRecord(value.detail)) {
    return false;
  }
  const detail = value.detail;
  switch (value['detail-type']) {
    case 'WeCom Data Callback':
      return (
        isString(detail.eventId) &&
        isString(detail.suiteId) &&
        isString(detail.corpId) &&
        isString(detail.msgType) &&
        isRecord(detail.message)
      );
    case 'WeCom Command Event':
      return (
        isString(detail.eventId) &&
        isString(detail.suiteId) &&
        isString(detail.infoType) &&
        isRecord(detail.message)
      );
    case 'WeCom Authorization Changed':
      return (
        isString(detail.eventId) &&
        isString(detail.suiteId) &&
        ['active', 'revoked', 'failed', 'broken'].includes(String(detail.status)) &&
        isString(detail.cause) &&
        isString(detail.at) &&
        (detail.status === 'failed' || isString(detail.corpId))
      );
    case 'WeCom System Event':
      return isString(detail.eventId) && isString(detail.infoType) && isRecord(detail.message);
    default:
      return false;
  }
};
