import { describe, expect, it } from 'vitest';
import { getProviderToken } from '../../../functions/app/get-provider-token.ts';
import { ProviderNotConfiguredError } from '../../../functions/core/errors.ts';
import { createInMemoryTokenWorld, UNIT_CONFIG } from '../../support/in-memory-token-deps.ts';

const API = 'service/get_provider_token';

describe('getProviderToken', () => {
  it('gives 40 concurrent callers in 4 containers one token, minted once with the provider’s corp id and secret', async () => {
    const world = createInMemoryTokenWorld();
    const containers = Array.from({ length: 4 }, () => world.newContainer());

    const tokens = await Promise.all(
      containers.flatMap((deps) => Array.from({ length: 10 }, () => getProviderToken(deps, {}))),
    );

    expect(new Set(tokens.map((token) => token.value)).size).toBe(1);
    expect(world.wecom.isValid(tokens[0]?.value ?? '')).toBe(true);
    expect(world.wecom.received.map((call) => [call.api, ...call.args])).toEqual([
      [API, UNIT_CONFIG.provider.corpId, UNIT_CONFIG.provider.providerSecret],
    ]);
  });

  it('answers ProviderNotConfiguredError without asking WeCom when there is no providerSecret', async () => {
    const { providerSecret: _secret, ...provider } = UNIT_CONFIG.provider;
    const world = createInMemoryTokenWorld({ config: { ...UNIT_CONFIG, provider } });

    const error = await getProviderToken(world.newContainer(), {}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderNotConfiguredError);
    expect((error as Error).message).toContain('providerSecret');
    expect(world.wecom.received).toEqual([]);
  });
});
