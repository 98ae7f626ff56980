import type { AuthInfo, AuthorizationDetails } from '../authorization/corp-authorization.ts';
import type { SuiteKind } from '../config/service-config.ts';

/** A token WeCom just issued. */
export interface MintedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

/** What get_permanent_code (v2) returns that the service keeps. */
export interface PermanentCodeGrant extends Pick<AuthorizationDetails, 'installer' | 'registerCode'> {
  readonly permanentCode: string;
  readonly corpId: string;
  readonly corpName?: string;
  /** The `state` of the link or QR code the corp authorized through (document/path/100776). */
  readonly state?: string;
}

/** Which JS-SDK ticket: the corp's (wx.config) or the app's (wx.agentConfig). */
export type JsapiTicketType = 'corp' | 'agent';

/**
 * Who an OAuth code belongs to, as WeCom says (document/path/91121, 96442): a member has a userId,
 * anyone else an openId (and, for a 代开发 app, an externalUserId when they are the corp's customer).
 */
export interface WeComUserIdentity {
  readonly corpId?: string;
  readonly userId?: string;
  readonly openUserId?: string;
  readonly openId?: string;
  readonly externalUserId?: string;
  readonly userTicket?: string;
  /** Seconds the user ticket stays valid, when WeCom says (getuserinfo3rd does, 代开发 auth/getuserinfo does not). */
  readonly userTicketExpiresInSeconds?: number;
}

/** A member's details (sensitive fields only with the member's consent, snsapi_privateinfo). */
export interface WeComUserDetail {
  readonly corpId?: string;
  readonly userId: string;
  /**
   * Not the member's name for a third-party app: getuserdetail3rd returns the userid here since
   * 2020-06-30 (document/path/91122; pages show names with WeCom's contact component). 代开发
   * auth/getuserdetail returns none.
   */
  readonly name?: string;
  readonly gender?: string;
  readonly avatar?: string;
  readonly qrCode?: string;
  readonly mobile?: string;
  readonly email?: string;
  readonly bizMail?: string;
  readonly address?: string;
}

/** The qyapi calls the service makes (docs/wecom-protocol.md §5). Errors: WeComApiError, UpstreamUnavailableError. */
export interface WeComApi {
  /** service/get_provider_token: the provider's own credential (login, licences, 代开发 links). */
  getProviderToken(providerCorpId: string, providerSecret: string): Promise<MintedToken>;
  /**
   * service/get_customized_auth_url: a QR-code link with which a corp authorizes 代开发 templates.
   * `state`: [A-Za-z0-9], at most 32.
   */
  getCustomizedAuthUrl(
    providerAccessToken: string,
    templateIds: readonly string[],
    state?: string,
  ): Promise<{ readonly qrcodeUrl: string; readonly expiresInSeconds: number }>;
  getSuiteToken(suiteId: string, suiteSecret: string, suiteTicket: string): Promise<MintedToken>;
  /** service/get_pre_auth_code: the code an install link from the provider's website carries (1200 s). */
  getPreAuthCode(suiteAccessToken: string): Promise<MintedToken>;
  /** service/set_session_info: `authType` 1 makes installs with this pre-auth code test authorizations. */
  setSessionInfo(suiteAccessToken: string, preAuthCode: string, authType: 0 | 1): Promise<void>;
  /** service/v2/get_permanent_code, for third-party suites and 代开发 templates alike. */
  getPermanentCode(suiteAccessToken: string, authCode: string): Promise<PermanentCodeGrant>;
  /**
   * What the corp granted: service/get_auth_info for a third-party suite, service/v2/get_auth_info
   * for a 代开发 template (docs/wecom-protocol.md §5.7).
   */
  getAuthInfo(
    suiteAccessToken: string,
    corpId: string,
    permanentCode: string,
    kind: SuiteKind,
  ): Promise<AuthInfo>;
  /** Third-party suites: service/get_corp_token. */
  getCorpToken(suiteAccessToken: string, corpId: string, permanentCode: string): Promise<MintedToken>;
  /** 代开发 templates: gettoken with the permanent code as corpsecret. */
  getCustomizedCorpToken(corpId: string, permanentCode: string): Promise<MintedToken>;
  /** Third-party suites: service/auth/getuserinfo3rd (an OAuth code, single use). */
  getUserInfo3rd(suiteAccessToken: string, code: string): Promise<WeComUserIdentity>;
  /** 代开发 templates: auth/getuserinfo with the corp's token (an OAuth code, single use). */
  getCustomizedUserInfo(corpAccessToken: string, code: string): Promise<WeComUserIdentity>;
  /** Third-party suites: service/auth/getuserdetail3rd. */
  getUserDetail3rd(suiteAccessToken: string, userTicket: string): Promise<WeComUserDetail>;
  /** 代开发 templates: auth/getuserdetail with the corp's token. */
  getCustomizedUserDetail(corpAccessToken: string, userTicket: string): Promise<WeComUserDetail>;
  /** get_jsapi_ticket (`corp`, for wx.config) or ticket/get?type=agent_config (`agent`), with the corp's token. */
  getJsapiTicket(corpAccessToken: string, type: JsapiTicketType): Promise<MintedToken>;
}
