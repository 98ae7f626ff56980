import { type AccessToken, tokenFromMint } from '../core/credentials/access-token.ts';
import { ProviderNotConfiguredError } from '../core/errors.ts';
import { obtainToken } from './obtain-token.ts';
import type { TokenDeps } from './token-deps.ts';

/**
 * The provider_access_token, from the cache or minted once, with the guarantees of the other
 * tokens (single-flight across containers, served until its true end, `staleToken` replacement).
 *
 * 1. No `provider.providerSecret` in the configuration: ProviderNotConfiguredError, without
 *    calling WeCom.
 * 2. obtainToken with service/get_provider_token (the provider's corp id and secret).
 */
export const getProviderToken = async (
  deps: TokenDeps,
  input: { readonly staleToken?: string },
): Promise<AccessToken> => {
  const registry = await deps.registry.current();
  const providerSecret = registry.providerSecret;
  if (providerSecret === undefined) {
    throw new ProviderNotConfiguredError(
      'the configuration has no provider.providerSecret (服务商管理后台 → 应用管理 → 通用开发参数 → ProviderSecret)',
    );
  }
  return obtainToken(
    deps,
    { kind: 'provider_token' },
    async (previous) => {
      const requestedAtMs = deps.clock.nowMs();
      const minted = await deps.wecom.getProviderToken(registry.providerCorpId, providerSecret);
      return tokenFromMint(minted.accessToken, minted.expiresInSeconds, requestedAtMs, previous);
    },
    input.staleToken,
  );
};
