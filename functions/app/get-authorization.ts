import type { AuthorizationDetails } from '../core/authorization/corp-authorization.ts';
import { CorpNotAuthorizedError } from '../core/errors.ts';
import type { AuthorizationStatusReader } from '../core/ports/authorization-store.ts';
import type { SuiteRegistrySource } from '../core/ports/suite-registry-source.ts';

/** What the `authorization` use case needs: the suites, and the authorizations without their secrets. */
export interface AuthorizationQueryDeps {
  readonly registry: SuiteRegistrySource;
  readonly authorizations: AuthorizationStatusReader;
}

/** A corp's authorization of a suite as the `authorization` function answers it. */
export interface AuthorizationView extends AuthorizationDetails {
  readonly suiteId: string;
  readonly corpId: string;
  readonly status: 'active' | 'revoked';
  readonly corpName?: string;
  readonly agentId?: number;
  /** The provider's own reference of the install (website `ref`, QR `state`, create_auth `State`). */
  readonly installRef?: string;
  /** ISO-8601 UTC, from WeCom's TimeStamp of the install. */
  readonly authorizedAt?: string;
  /** ISO-8601 UTC, from WeCom's TimeStamp of the cancel_auth. */
  readonly revokedAt?: string;
}

/**
 * What the service knows of a corp's authorization of a suite, never its permanent code.
 *
 * 1. Resolve the suite (UnknownSuiteError; without `suiteId`, the only configured suite).
 * 2. Read the authorization without its secret (the store cannot read the permanent code: IAM
 *    grants this read on the other attributes only). Nothing stored for the corp:
 *    CorpNotAuthorizedError. An uninstalled corp answers `revoked`, with what was known of it.
 */
export const getAuthorization = async (
  deps: AuthorizationQueryDeps,
  input: { readonly suiteId?: string; readonly corpId: string },
): Promise<AuthorizationView> => {
  const suite = (await deps.registry.current()).resolve(input.suiteId);
  const stored = await deps.authorizations.getAuthorizationStatus(suite.suiteId, input.corpId);
  if (stored === undefined) {
    throw new CorpNotAuthorizedError(`corp ${input.corpId} never authorized suite ${suite.suiteId}`);
  }
  const { authorizedTimeStamp, revokedTimeStamp, ...view } = stored;
  return {
    ...view,
    ...(authorizedTimeStamp === undefined ? {} : { authorizedAt: isoOf(authorizedTimeStamp) }),
    ...(revokedTimeStamp === undefined ? {} : { revokedAt: isoOf(revokedTimeStamp) }),
  };
};

const isoOf = (seconds: number): string => new Date(seconds * 1000).toISOString();
