/** Every qyapi answer may carry these; token APIs omit errcode on success (docs/wecom-protocol.md §5.3). */
export interface WireStatus {
  readonly errcode?: number;
  readonly errmsg?: string;
}

export interface WireSuiteTokenResponse extends WireStatus {
  readonly suite_access_token?: string;
  readonly expires_in?: number;
}

export interface WireAccessTokenResponse extends WireStatus {
  readonly access_token?: string;
  readonly expires_in?: number;
}

/** service/v2/get_permanent_code (document/path/100776). */
export interface WirePermanentCodeResponse extends WireStatus {
  readonly permanent_code?: string;
  readonly auth_corp_info?: { readonly corpid?: string; readonly corp_name?: string };
  readonly auth_user_info?: {
    readonly userid?: string;
    readonly open_userid?: string;
    readonly name?: string;
    readonly avatar?: string;
  };
  readonly register_code_info?: {
    readonly register_code?: string;
    readonly template_id?: string;
    readonly state?: string;
  };
  readonly state?: string;
}

/** `auth_info.agent[]` of get_auth_info. */
export interface WireAuthorizedAgent {
  readonly agentid?: number;
  readonly name?: string;
  readonly auth_mode?: number;
  readonly is_customized_app?: boolean;
  readonly auth_from_thirdapp?: boolean;
  readonly privilege?: {
    readonly level?: number;
    readonly allow_party?: readonly number[];
    readonly allow_user?: readonly string[];
    readonly allow_tag?: readonly number[];
    readonly extra_party?: readonly number[];
    readonly extra_user?: readonly string[];
    readonly extra_tag?: readonly number[];
  };
  readonly shared_from?: { readonly corpid?: string; readonly share_type?: number };
}

/** `edition_info.agent[]` of a paid app (document/path/91911, 91912). */
export interface WireAgentEdition {
  readonly agentid?: number;
  readonly edition_id?: string;
  readonly edition_name?: string;
  readonly app_status?: number;
  readonly user_limit?: number;
  readonly expired_time?: number;
  readonly is_virtual_version?: boolean;
  readonly is_shared_from_other_corp?: boolean;
}

/** service/get_auth_info (document/14943) and service/v2/get_auth_info (document/path/100795). */
export interface WireAuthInfoResponse extends WireStatus {
  readonly dealer_corp_info?: { readonly corpid?: string; readonly corp_name?: string };
  readonly auth_corp_info?: { readonly corpid?: string; readonly corp_name?: string };
  readonly auth_info?: { readonly agent?: readonly WireAuthorizedAgent[] };
  readonly edition_info?: { readonly agent?: readonly WireAgentEdition[] };
}

/** service/get_provider_token */
export interface WireProviderTokenResponse extends WireStatus {
  readonly provider_access_token?: string;
  readonly expires_in?: number;
}

/** service/get_customized_auth_url */
/** service/get_pre_auth_code */
export interface WirePreAuthCodeResponse extends WireStatus {
  readonly pre_auth_code?: string;
  readonly expires_in?: number;
}

export interface WireCustomizedAuthUrlResponse extends WireStatus {
  readonly qrcode_url?: string;
  readonly expires_in?: number;
}

/** service/auth/getuserinfo3rd and auth/getuserinfo (代开发). */
export interface WireUserInfoResponse extends WireStatus {
  readonly corpid?: string;
  readonly userid?: string;
  readonly open_userid?: string;
  readonly openid?: string;
  /** 代开发 auth/getuserinfo only: an outsider who is a customer of the corp (document/path/96442). */
  readonly external_userid?: string;
  readonly user_ticket?: string;
  /** getuserinfo3rd only; 代开发 auth/getuserinfo has none (its user_ticket lives 1800 s). */
  readonly expires_in?: number;
}

/** service/auth/getuserdetail3rd and auth/getuserdetail (代开发). */
export interface WireUserDetailResponse extends WireStatus {
  readonly corpid?: string;
  readonly userid?: string;
  readonly name?: string;
  readonly gender?: string | number;
  readonly avatar?: string;
  readonly qr_code?: string;
  readonly mobile?: string;
  readonly email?: string;
  readonly biz_mail?: string;
  readonly address?: string;
}

/** get_jsapi_ticket and ticket/get?type=agent_config. */
export interface WireTicketResponse extends WireStatus {
  readonly ticket?: string;
  readonly expires_in?: number;
}
