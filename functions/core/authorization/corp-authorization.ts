import type { AuthCodeSource } from './auth-code.ts';

/** Who installed the app, as get_permanent_code's `auth_user_info` says (WeCom may leave it out or empty). */
export interface AuthorizationInstaller {
  readonly userId?: string;
  readonly openUserId?: string;
  /** WeCom's display name for the installer; for third-party apps not the real name (document/path/91122). */
  readonly name?: string;
  readonly avatar?: string;
}

/**
 * What an app may see in the corp (`auth_info.agent[].privilege`). A list longer than
 * {@link PRIVILEGE_LIST_LIMIT} is cut there and `listsTruncated` says so: the item and the events
 * have size limits, and a corp may grant thousands of members.
 */
export interface AgentPrivilege {
  readonly level?: number;
  readonly allowParty?: readonly number[];
  readonly allowUser?: readonly string[];
  readonly allowTag?: readonly number[];
  readonly extraParty?: readonly number[];
  readonly extraUser?: readonly string[];
  readonly extraTag?: readonly number[];
  readonly listsTruncated?: true;
}

/** The most entries kept of each privilege list. */
export const PRIVILEGE_LIST_LIMIT = 100;

/** One app (agent) the corp authorized, as get_auth_info's `auth_info.agent[]` says. */
export interface AuthorizedAgent {
  readonly agentId: number;
  readonly name?: string;
  /** WeCom's `auth_mode`: 0 the admin authorized the app, 1 a member did. */
  readonly authMode?: number;
  readonly isCustomizedApp?: boolean;
  readonly authFromThirdApp?: boolean;
  readonly privilege?: AgentPrivilege;
  /** The app came to this corp shared by another (`shared_from`). */
  readonly sharedFrom?: { readonly corpId: string; readonly shareType?: number };
}

/** A paid app's edition in the corp (`edition_info.agent[]`, document/path/91911 and 91912). */
export interface AgentEdition {
  readonly agentId: number;
  readonly editionId?: string;
  readonly editionName?: string;
  /** WeCom's `app_status` (0–7: trial, paid, expired, …). */
  readonly appStatus?: number;
  readonly userLimit?: number;
  /** Unix seconds. */
  readonly expiredTime?: number;
  readonly isVirtualVersion?: boolean;
  readonly isSharedFromOtherCorp?: boolean;
}

/** The dealer (reseller) through which the corp installed (`dealer_corp_info`). */
export interface DealerCorp {
  readonly corpId: string;
  readonly corpName?: string;
}

/**
 * The register code the corp was created with (`register_code_info`), without the code itself:
 * a credential, never kept or published (docs/architecture.md, Events).
 */
export interface RegisterCodeInfo {
  readonly templateId?: string;
  readonly state?: string;
}

/**
 * What WeCom says about an authorization, beyond its ids and permanent code: kept on the
 * authorization item, carried in its Authorization Changed events and served by `authorization`.
 */
export interface AuthorizationDetails {
  /** From get_permanent_code; WeCom does not repeat it later, so a refresh keeps it. */
  readonly installer?: AuthorizationInstaller;
  /** From get_permanent_code. */
  readonly registerCode?: RegisterCodeInfo;
  /** From get_auth_info, refreshed on change_auth and change_editon. */
  readonly agents?: readonly AuthorizedAgent[];
  readonly editions?: readonly AgentEdition[];
  readonly dealer?: DealerCorp;
  /** The `auth_mode` of the app's own agent (the first): 0 admin, 1 member authorization. */
  readonly authMode?: number;
}

/** What get_auth_info returns that the service keeps. */
export interface AuthInfo extends Pick<AuthorizationDetails, 'agents' | 'editions' | 'dealer' | 'authMode'> {
  readonly corpName?: string;
  readonly agentId?: number;
}

/** Why an authorization's info is read again: a corp changed what it granted, or its paid edition. */
export type AuthInfoRefreshCause = 'change_auth' | 'change_editon';

/** What an authorization exchange left behind for a corp and suite. */
export interface CorpAuthorization extends AuthorizationDetails {
  readonly suiteId: string;
  readonly corpId: string;
  readonly status: 'active' | 'revoked';
  /** For 代开发 this is the app secret. Absent once revoked. */
  readonly permanentCode?: string;
  readonly corpName?: string;
  readonly agentId?: number;
  /**
   * The provider's own reference of the install that made it (the website `ref`, the 代开发 QR
   * code's `state`, or the `State` of a create_auth from a market or promotion link).
   */
  readonly installRef?: string;
  /** set by change_auth until get_auth_info has been read again. */
  readonly authInfoStale?: boolean;
  /** The change (and its WeCom TimeStamp, seconds) to announce once get_auth_info was read again. */
  readonly refreshFor?: { readonly cause: AuthInfoRefreshCause; readonly timeStamp: number };
  /** A change written but not yet published as an Authorization Changed event (the item's outbox). */
  readonly pendingEvent?: PendingAuthorizationChange;
}

/** What an authorization item holds until its change is published. */
export interface PendingAuthorizationChange {
  readonly status: 'active';
  readonly cause: AuthCodeSource | AuthInfoRefreshCause;
  readonly installRef?: string;
  /** When the change was made: the event's `at`, and with the rest its id. */
  readonly atMs: number;
}

/** A permanent code just obtained from WeCom, to store for the corp. */
export interface ExchangedAuthorization extends Pick<AuthorizationDetails, 'installer' | 'registerCode'> {
  readonly suiteId: string;
  readonly corpId: string;
  readonly permanentCode: string;
  readonly corpName?: string;
  /** TimeStamp of the create_auth / reset_permanent_code event, Unix seconds. */
  readonly authorizedTimeStamp: number;
  /** Which event brought the code (the `cause` of the Authorization Changed event). */
  readonly source: AuthCodeSource;
  /** The provider's own reference of the install (see CorpAuthorization). */
  readonly installRef?: string;
}
