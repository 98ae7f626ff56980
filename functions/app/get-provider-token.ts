import type { AccessToken } from '../core/credentials/access-token.ts';
import { resolveProviderToken } from './credentials/credential-request.ts';
import { getCredential } from './credentials/get-credential.ts';
import type { TokenDeps } from './token-deps.ts';

/**
 * The provider_access_token, from the cache or minted once, with the guarantees of the other
 * tokens (single-flight across containers, served until its true end, `staleToken` replacement).
 *
 * 1. No `provider.providerSecret` in the configuration: ProviderNotConfiguredError, without
 *    calling WeCom.
 * 2. getCredential with service/get_provider_token (the provider's corp id and secret).
 */
export const getProviderToken = async (
  deps: TokenDeps,
  input: { readonly staleToken?: string },
): Promise<AccessToken> => getCredential(deps, await resolveProviderToken(deps), input.staleToken);
