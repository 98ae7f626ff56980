/**
 * The wire contract of the service's invoked functions: what each takes and answers as JSON, field
 * for field, with timestamps as ISO-8601 strings (the client turns them into `Date`s). The JSON
 * Schemas in the service's `schemas/invoke/` describe the same shapes for callers in other
 * languages; the service's tests check both against the functions' own parsers and types.
 */

import type { WeComAuthorizationDetails } from './events.ts';

/** `suite-token` request. `suiteId` may be left out when the service has exactly one suite. */
export interface SuiteTokenRequest {
  readonly suiteId?: string;
  /** A token WeCom refused (40014, 42001): the service replaces exactly that one. */
  readonly staleToken?: string;
}

/** `corp-token` request. */
export interface CorpTokenRequest extends SuiteTokenRequest {
  readonly corpId: string;
}

/** `provider-token` request. */
export interface ProviderTokenRequest {
  readonly staleToken?: string;
}

/** `customized-auth-url` request: 1–9 configured 代开发 template ids; `state` is [A-Za-z0-9]{1,32}. */
export interface CustomizedAuthUrlRequest {
  readonly templateIds: readonly string[];
  readonly state?: string;
}

/** `user-identity` request: the OAuth `code` WeCom appended to the redirect (single use). */
export interface UserIdentityRequest {
  readonly code: string;
  readonly suiteId?: string;
  readonly corpId?: string;
}

/** `user-detail` request: the `userTicket` of a sign-in. */
export interface UserDetailRequest {
  readonly userTicket: string;
  readonly suiteId?: string;
  readonly corpId?: string;
}

/** `jsapi-ticket` request: with `url`, a signature for that page; without, the ticket itself. */
export interface JsapiTicketRequest {
  readonly corpId: string;
  readonly suiteId?: string;
  readonly type: 'corp' | 'agent';
  readonly url?: string;
  /** Without `url` only: a ticket the JS-SDK refused. */
  readonly staleTicket?: string;
  /** With `url` only: a signature of the service's that the page's wx.config refused. */
  readonly rejectedSignature?: {
    readonly nonceStr: string;
    readonly timestamp: number;
    readonly signature: string;
  };
}

/** `suite-token` and `provider-token` response. */
export interface TokenResponse {
  readonly accessToken: string;
  /** ISO-8601 UTC. */
  readonly expiresAt: string;
}

/** `corp-token` response. */
export interface CorpTokenResponse extends TokenResponse {
  readonly agentId?: number;
}

/** `customized-auth-url` response. */
export interface CustomizedAuthUrlResponse {
  readonly qrcodeUrl: string;
  /** ISO-8601 UTC. */
  readonly expiresAt: string;
}

/**
 * `user-identity` response: a member of an authorized corp has a `userId`; anyone else comes back
 * with `member: false` and an `openId` (and, for a 代开发 app's customer, an `externalUserId`).
 */
export interface UserIdentityResponse {
  readonly member: boolean;
  /** The member's corp; for a non-member, the 代开发 app's corp, and absent for a third-party app. */
  readonly corpId?: string;
  readonly userId?: string;
  readonly openUserId?: string;
  readonly openId?: string;
  readonly externalUserId?: string;
  readonly userTicket?: string;
  /** ISO-8601 UTC (WeCom's `expires_in`, or its documented 1800 s for 代开发 apps). */
  readonly userTicketExpiresAt?: string;
}

/** `user-detail` response; sensitive fields only with the member's consent. */
export interface UserDetailResponse {
  readonly corpId: string;
  readonly userId: string;
  /**
   * For a third-party app this is the userid again, not the member's name: WeCom stopped returning
   * names there in 2020 (document/path/91122); show names with WeCom's contact component
   * (`ww-open-data`). 代开发 apps get none.
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

/** `jsapi-ticket` response with `url`: what wx.config / wx.agentConfig take. */
export interface JsapiSignatureResponse {
  readonly appId: string;
  readonly agentId?: number;
  readonly timestamp: number;
  readonly nonceStr: string;
  readonly signature: string;
}

/** `jsapi-ticket` response without `url`. */
export interface JsapiTicketOnlyResponse {
  readonly ticket: string;
  /** ISO-8601 UTC. */
  readonly expiresAt: string;
}

/** `authorization` request: `suiteId` may be left out when the service has exactly one suite. */
export interface AuthorizationRequest {
  readonly corpId: string;
  readonly suiteId?: string;
}

/**
 * `authorization` response: what the service knows of a corp's authorization of a suite, with what
 * WeCom said of it (installer, agents, editions, …), never its permanent code.
 */
export interface AuthorizationResponse extends WeComAuthorizationDetails {
  readonly suiteId: string;
  readonly corpId: string;
  readonly status: 'active' | 'revoked';
  readonly corpName?: string;
  readonly agentId?: number;
  /** Your own reference of the install: the website `ref`, the 代开发 QR `state`, or create_auth's `State`. */
  readonly installRef?: string;
  /** ISO-8601 UTC. */
  readonly authorizedAt?: string;
  /** ISO-8601 UTC. */
  readonly revokedAt?: string;
}

/** Each invoked function's request and response, by the name `npm start` serves it under. */
export interface InvokeContract {
  readonly 'suite-token': { readonly request: SuiteTokenRequest; readonly response: TokenResponse };
  readonly 'corp-token': { readonly request: CorpTokenRequest; readonly response: CorpTokenResponse };
  readonly 'provider-token': { readonly request: ProviderTokenRequest; readonly response: TokenResponse };
  readonly 'customized-auth-url': {
    readonly request: CustomizedAuthUrlRequest;
    readonly response: CustomizedAuthUrlResponse;
  };
  readonly 'user-identity': {
    readonly request: UserIdentityRequest;
    readonly response: UserIdentityResponse;
  };
  readonly 'user-detail': { readonly request: UserDetailRequest; readonly response: UserDetailResponse };
  readonly 'jsapi-ticket': {
    readonly request: JsapiTicketRequest;
    readonly response: JsapiSignatureResponse | JsapiTicketOnlyResponse;
  };
  readonly authorization: {
    readonly request: AuthorizationRequest;
    readonly response: AuthorizationResponse;
  };
}

/** The name of an invoked function. */
export type InvokedFunction = keyof InvokeContract;

/**
 * What an invocation answers when the function threw (with `X-Amz-Function-Error` set): the
 * Lambda Node.js runtime's envelope. `errorType` is one of the service's error names
 * (docs/errors.md), `Error` for an internal failure, or Lambda's own (`Sandbox.Timedout`, …).
 */
export interface InvokeErrorEnvelope {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}
