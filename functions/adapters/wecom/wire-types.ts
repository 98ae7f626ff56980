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

export interface WirePermanentCodeResponse extends WireStatus {
  readonly permanent_code?: string;
  readonly auth_corp_info?: { readonly corpid?: string; readonly corp_name?: string };
}

export interface WireAuthInfoResponse extends WireStatus {
  readonly auth_corp_info?: { readonly corpid?: string; readonly corp_name?: string };
  readonly auth_info?: { readonly agent?: readonly { readonly agentid?: number }[] };
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
