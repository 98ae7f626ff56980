import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type {
  AuthorizationResponse,
  CorpTokenResponse,
  JsapiSignatureResponse,
  TokenResponse,
  UserDetailResponse,
  UserIdentityResponse,
} from './contract.ts';
import { CredentialServiceError, errorFromLambda } from './errors.ts';

export { type AuthorizeUrlRequest, buildAuthorizeUrl } from './authorize-url.ts';
export type * from './contract.ts';
export * from './errors.ts';
export { localLambdaClient } from './local-lambda.ts';

/**
 * The service's functions by the name `npm start` serves them under (in AWS, pass the names or
 * ARNs the stack outputs). The service's test suite checks at compile time that these are exactly
 * the functions it lets other services invoke.
 */
export const FUNCTION_NAMES = {
  suiteToken: 'suite-token',
  corpToken: 'corp-token',
  providerToken: 'provider-token',
  customizedAuthUrl: 'customized-auth-url',
  userIdentity: 'user-identity',
  userDetail: 'user-detail',
  jsapiTicket: 'jsapi-ticket',
  authorization: 'authorization',
} as const;

/** A token as the service handed it out (the `suite-token`/`provider-token` answer, with a Date). */
export interface Token extends Omit<TokenResponse, 'expiresAt'> {
  readonly expiresAt: Date;
}

export interface CorpToken extends Token, Omit<CorpTokenResponse, 'expiresAt'> {}

/**
 * Who signed in (`user-identity`). A member (`member: true`) has a `userId` and a `corpId` that
 * has an active authorization of the suite (a member of any other corp is refused with
 * CorpNotAuthorizedError); anyone else has an `openId`, and for a 代开发 app an `externalUserId`
 * when they are a customer of the corp.
 */
export interface UserIdentity extends Omit<UserIdentityResponse, 'userTicketExpiresAt'> {
  /** When `userTicket` ends (WeCom's `expires_in`, or its documented 1800 s for 代开发 apps). */
  readonly userTicketExpiresAt?: Date;
}

/** A member's details (`user-detail`): the function's answer as it is. */
export type UserDetail = UserDetailResponse;

/** `wx.config({ appId, timestamp, nonceStr, signature })` / `wx.agentConfig({ corpid: appId, agentid: agentId, … })`. */
export type JsapiSignature = JsapiSignatureResponse;

/**
 * A corp's authorization of a suite (`authorization`), as WeCom described it; never the permanent
 * code. `revoked`: the corp uninstalled (what was known of it stays).
 */
export interface Authorization extends Omit<AuthorizationResponse, 'authorizedAt' | 'revokedAt'> {
  readonly authorizedAt?: Date;
  readonly revokedAt?: Date;
}

export interface CredentialsClientOptions {
  /** A LambdaClient allowed to invoke the functions (locally: `localLambdaClient()`, npm start's LAMBDA_PORT with a region and placeholder credentials). */
  readonly lambda: LambdaClient;
  /** Name or ARN of the suite-token function. @default 'suite-token' */
  readonly suiteTokenFunction?: string;
  /** Name or ARN of the corp-token function. @default 'corp-token' */
  readonly corpTokenFunction?: string;
  /** Name or ARN of the provider-token function. @default 'provider-token' */
  readonly providerTokenFunction?: string;
  /** Name or ARN of the customized-auth-url function. @default 'customized-auth-url' */
  readonly customizedAuthUrlFunction?: string;
  /** @default 'user-identity' */
  readonly userIdentityFunction?: string;
  /** @default 'user-detail' */
  readonly userDetailFunction?: string;
  /** @default 'jsapi-ticket' */
  readonly jsapiTicketFunction?: string;
  /** @default 'authorization' */
  readonly authorizationFunction?: string;
  /** Stop using a cached token this long before it expires. @default 60 000 ms */
  readonly marginMs?: number;
  readonly nowMs?: () => number;
}

/**
 * The typed client other services use to get WeCom tokens from the credential service. It invokes
 * the suite-token and corp-token functions, turns their `errorType` back into typed errors, caches
 * each token until `expiresAt` minus a margin, and shares one in-flight request per token.
 *
 * When WeCom rejects a token you were given (40014, 42001, 40082, 42009), call `rejected(token)`
 * with it: the next get… asks the service to replace exactly that token. Within a minute of WeCom
 * handing it over, the service answers with the same token (docs/callers.md, Reporting a rejected
 * token): then suspect the clock, the corp or the URL, not the token.
 */
export class CredentialsClient {
  readonly #cache = new Map<string, CorpToken>();
  readonly #inFlight = new Map<string, Promise<CorpToken>>();
  readonly #rejected = new Set<string>();
  /** The token last handed out per key, so a rejected one can be named to the service. */
  readonly #lastIssued = new Map<string, string>();
  readonly #nowMs: () => number;
  readonly #marginMs: number;

  constructor(private readonly options: CredentialsClientOptions) {
    this.#nowMs = options.nowMs ?? Date.now;
    this.#marginMs = options.marginMs ?? 60_000;
  }

  /** The suite_access_token; `suiteId` may be left out when the service has exactly one suite. */
  async getSuiteToken(request: { readonly suiteId?: string } = {}): Promise<Token> {
    return this.#get(
      `suite|${request.suiteId ?? ''}`,
      this.options.suiteTokenFunction ?? FUNCTION_NAMES.suiteToken,
      request,
    );
  }

  /** A corp's access_token for a suite (third-party or 代开发). */
  async getCorpToken(request: { readonly corpId: string; readonly suiteId?: string }): Promise<CorpToken> {
    return this.#get(
      `corp|${request.suiteId ?? ''}|${request.corpId}`,
      this.options.corpTokenFunction ?? FUNCTION_NAMES.corpToken,
      request,
    );
  }

  /** The provider_access_token (service/get_provider_token), for WeCom's provider-level APIs. */
  async getProviderToken(): Promise<Token> {
    return this.#get('provider', this.options.providerTokenFunction ?? FUNCTION_NAMES.providerToken, {});
  }

  /**
   * A QR-code link with which a corp authorizes 代开发 templates (not cached: each call asks WeCom).
   * `state` ([A-Za-z0-9], at most 32) comes back with the authorization.
   */
  async getCustomizedAuthUrl(request: {
    readonly templateIds: readonly string[];
    readonly state?: string;
  }): Promise<{ readonly qrcodeUrl: string; readonly expiresAt: Date }> {
    const body = await this.#call(
      this.options.customizedAuthUrlFunction ?? FUNCTION_NAMES.customizedAuthUrl,
      request,
    );
    return { qrcodeUrl: String(body.qrcodeUrl), expiresAt: new Date(String(body.expiresAt)) };
  }

  /**
   * Who signed in with an OAuth `code` (single use: a used one throws WeComApiError 40029).
   * 代开发 templates need `corpId`. Not cached.
   */
  async getUserIdentity(request: {
    readonly code: string;
    readonly suiteId?: string;
    readonly corpId?: string;
  }): Promise<UserIdentity> {
    const body = await this.#call(this.options.userIdentityFunction ?? FUNCTION_NAMES.userIdentity, request);
    const { userTicketExpiresAt, ...identity } = body as unknown as Omit<
      UserIdentity,
      'userTicketExpiresAt'
    > & {
      userTicketExpiresAt?: string;
    };
    return {
      ...identity,
      ...(userTicketExpiresAt === undefined ? {} : { userTicketExpiresAt: new Date(userTicketExpiresAt) }),
    };
  }

  /** A member's details from the `userTicket` of their sign-in. 代开发 templates need `corpId`. */
  async getUserDetail(request: {
    readonly userTicket: string;
    readonly suiteId?: string;
    readonly corpId?: string;
  }): Promise<UserDetail> {
    return (await this.#call(
      this.options.userDetailFunction ?? FUNCTION_NAMES.userDetail,
      request,
    )) as unknown as UserDetail;
  }

  /**
   * What a page passes to `wx.config` (`type: 'corp'`) or `wx.agentConfig` (`type: 'agent'`),
   * signed by the service for `url` (the page's `location.href`; its `#…` is dropped). The ticket
   * stays in the service. Not cached: every page load gets its own nonce and timestamp.
   */
  async getJsapiSignature(request: {
    readonly corpId: string;
    readonly suiteId?: string;
    readonly type: 'corp' | 'agent';
    readonly url: string;
    /**
     * A signature from this service that the page's wx.config / wx.agentConfig refused (WeCom
     * ended the ticket early): the service replaces the ticket once and signs again.
     */
    readonly rejected?: JsapiSignature;
  }): Promise<JsapiSignature> {
    const { rejected, ...payload } = request;
    return (await this.#call(this.options.jsapiTicketFunction ?? FUNCTION_NAMES.jsapiTicket, {
      ...payload,
      ...(rejected === undefined
        ? {}
        : {
            rejectedSignature: {
              nonceStr: rejected.nonceStr,
              timestamp: rejected.timestamp,
              signature: rejected.signature,
            },
          }),
    })) as unknown as JsapiSignature;
  }

  /**
   * What the service knows of a corp's authorization: status, installer, agents and privileges,
   * edition, dealer, register code info, auth mode and your install reference. Not cached: it
   * changes with change_auth and change_editon (the Authorization Changed event says when).
   * CorpNotAuthorizedError when the corp never authorized the suite.
   */
  async getAuthorization(request: {
    readonly corpId: string;
    readonly suiteId?: string;
  }): Promise<Authorization> {
    const body = await this.#call(
      this.options.authorizationFunction ?? FUNCTION_NAMES.authorization,
      request,
    );
    const { authorizedAt, revokedAt, ...authorization } = body as unknown as Omit<
      Authorization,
      'authorizedAt' | 'revokedAt'
    > & { authorizedAt?: string; revokedAt?: string };
    return {
      ...authorization,
      ...(authorizedAt === undefined ? {} : { authorizedAt: new Date(authorizedAt) }),
      ...(revokedAt === undefined ? {} : { revokedAt: new Date(revokedAt) }),
    };
  }

  /** Reports a token WeCom refused; the next request for it asks the service for a new one. */
  rejected(accessToken: string): void {
    this.#rejected.add(accessToken);
    for (const [key, token] of this.#cache) {
      if (token.accessToken === accessToken) {
        this.#cache.delete(key);
      }
    }
  }

  async #get(key: string, functionName: string, request: object): Promise<CorpToken> {
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.expiresAt.getTime() - this.#marginMs > this.#nowMs()) {
      return cached;
    }
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) {
      return pending;
    }
    const last = this.#lastIssued.get(key);
    const staleToken = last !== undefined && this.#rejected.has(last) ? last : undefined;
    const call = this.#invoke(functionName, staleToken === undefined ? request : { ...request, staleToken })
      .then((token) => {
        this.#cache.set(key, token);
        this.#lastIssued.set(key, token.accessToken);
        if (staleToken !== undefined) {
          this.#rejected.delete(staleToken);
        }
        return token;
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, call);
    return call;
  }

  async #invoke(functionName: string, payload: object): Promise<CorpToken> {
    const fields = await this.#call(functionName, payload);
    if (typeof fields.accessToken !== 'string' || typeof fields.expiresAt !== 'string') {
      throw new CredentialServiceError(
        'InvalidResponse',
        `${functionName} answered without accessToken and expiresAt`,
      );
    }
    return {
      accessToken: fields.accessToken,
      expiresAt: new Date(fields.expiresAt),
      ...(typeof fields.agentId === 'number' ? { agentId: fields.agentId } : {}),
    };
  }

  /** Invokes a function; its typed error is thrown as the client's error class of the same name. */
  async #call(functionName: string, payload: object): Promise<Record<string, unknown>> {
    const response = await this.options.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    const text = response.Payload === undefined ? '' : new TextDecoder().decode(response.Payload);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new CredentialServiceError(
        'InvalidResponse',
        `${functionName} answered with something other than JSON`,
      );
    }
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (response.FunctionError !== undefined) {
      throw errorFromLambda(
        String(fields.errorType ?? response.FunctionError),
        String(fields.errorMessage ?? ''),
      );
    }
    return fields;
  }
}
