import type { CorpAuthorization } from '../../core/authorization/corp-authorization.ts';
import type { RegisteredSuite } from '../../core/config/suite-registry.ts';
import type { CredentialKey } from '../../core/credentials/credential-key.ts';
import { ProviderNotConfiguredError } from '../../core/errors.ts';
import type { JsapiTicketType } from '../../core/ports/wecom-api.ts';
import type { TokenDeps } from '../token-deps.ts';
import { requireActiveAuthorization } from './corp-authorization.ts';
import type { CallTokenKind } from './retry-layers.ts';

/**
 * A credential resolved against the configuration and the corp's authorization: everything its
 * mint needs besides WeCom and the cache. A use case resolves first (failing fast, without calling
 * WeCom, for an unknown suite or corp), then hands it to getCredential.
 */
export type Credential =
  | SuiteTokenCredential
  | CorpTokenCredential
  | ProviderTokenCredential
  | PreAuthCodeCredential
  | JsapiTicketCredential;

export interface SuiteTokenCredential {
  readonly kind: 'suite_token';
  readonly suite: RegisteredSuite;
}

export interface CorpTokenCredential {
  readonly kind: 'corp_token';
  readonly suite: RegisteredSuite;
  readonly corpId: string;
  readonly authorization: CorpAuthorization;
  readonly permanentCode: string;
}

export interface ProviderTokenCredential {
  readonly kind: 'provider_token';
  readonly providerCorpId: string;
  readonly providerSecret: string;
}

/** A suite's pre-auth code (the install from the provider's website). */
export interface PreAuthCodeCredential {
  readonly kind: 'pre_auth_code';
  readonly suite: RegisteredSuite;
}

/** A corp's JS-SDK ticket for one app. */
export interface JsapiTicketCredential {
  readonly kind: 'jsapi_ticket';
  readonly suite: RegisteredSuite;
  readonly corpId: string;
  readonly ticketType: JsapiTicketType;
  readonly authorization: CorpAuthorization;
}

/** A token that WeCom calls are made with, named by ids (`suiteId` optional when one suite is configured). */
export type TokenRequest =
  | { readonly kind: 'suite_token'; readonly suiteId?: string }
  | { readonly kind: 'corp_token'; readonly suiteId?: string; readonly corpId: string }
  | { readonly kind: 'provider_token' };

/** The suite, from its id (UnknownSuiteError), or the only configured one (InvalidRequestError if several). */
export const resolveSuiteToken = async (
  deps: TokenDeps,
  suiteId?: string,
): Promise<SuiteTokenCredential> => ({
  kind: 'suite_token',
  suite: (await deps.registry.current()).resolve(suiteId),
});

/**
 * The suite and the corp's active authorization. A caller that reports a stale token reads the
 * authorization from the table, not from the last 30 s of this container.
 *
 * @throws CorpNotAuthorizedError when the corp is unknown or has uninstalled the suite.
 */
export const resolveCorpToken = async (
  deps: TokenDeps,
  suiteId: string | undefined,
  corpId: string,
  staleToken?: string,
): Promise<CorpTokenCredential> => {
  const suite = (await deps.registry.current()).resolve(suiteId);
  const { authorization, permanentCode } = await requireActiveAuthorization(
    deps,
    suite.suiteId,
    corpId,
    staleToken !== undefined,
  );
  return { kind: 'corp_token', suite, corpId, authorization, permanentCode };
};

/** @throws ProviderNotConfiguredError when the configuration has no providerSecret. */
export const resolveProviderToken = async (deps: TokenDeps): Promise<ProviderTokenCredential> => {
  const registry = await deps.registry.current();
  const providerSecret = registry.providerSecret;
  if (providerSecret === undefined) {
    throw new ProviderNotConfiguredError(
      'the configuration has no provider.providerSecret (服务商管理后台 → 应用管理 → 通用开发参数 → ProviderSecret)',
    );
  }
  return { kind: 'provider_token', providerCorpId: registry.providerCorpId, providerSecret };
};

/**
 * The suite and the corp's active authorization (from the last 30 s of this container: a stale
 * ticket is the ticket's, not the authorization's).
 */
export const resolveJsapiTicket = async (
  deps: TokenDeps,
  suiteId: string | undefined,
  corpId: string,
  ticketType: JsapiTicketType,
): Promise<JsapiTicketCredential> => {
  const suite = (await deps.registry.current()).resolve(suiteId);
  const { authorization } = await requireActiveAuthorization(deps, suite.suiteId, corpId);
  return { kind: 'jsapi_ticket', suite, corpId, ticketType, authorization };
};

/** A token request resolved, as its use case resolves it. */
export const resolveTokenRequest = (
  deps: TokenDeps,
  request: TokenRequest,
  staleToken?: string,
): Promise<Credential & { readonly kind: CallTokenKind }> => {
  switch (request.kind) {
    case 'suite_token':
      return resolveSuiteToken(deps, request.suiteId);
    case 'corp_token':
      return resolveCorpToken(deps, request.suiteId, request.corpId, staleToken);
    case 'provider_token':
      return resolveProviderToken(deps);
  }
};

/** Where a credential is cached. */
export const keyOf = (credential: Credential): CredentialKey => {
  switch (credential.kind) {
    case 'suite_token':
    case 'pre_auth_code':
      return { kind: credential.kind, suiteId: credential.suite.suiteId };
    case 'corp_token':
      return { kind: 'corp_token', suiteId: credential.suite.suiteId, corpId: credential.corpId };
    case 'provider_token':
      return { kind: 'provider_token' };
    case 'jsapi_ticket':
      return {
        kind: 'jsapi_ticket',
        suiteId: credential.suite.suiteId,
        corpId: credential.corpId,
        ticketType: credential.ticketType,
      };
  }
};
