import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIRMED_VALUE_WINDOW_MS } from '../../functions/app/credentials/retry-layers.ts';
import { getProviderToken } from '../../functions/app/get-provider-token.ts';
import { SuiteRegistry } from '../../functions/core/config/suite-registry.ts';
import { ProviderNotConfiguredError } from '../../functions/core/errors.ts';
import { TEST_CONFIG } from '../support/callback-harness.ts';
import { ShiftedClock } from '../support/fixed-clock.ts';
import { createTokenHarness, type TokenHarness } from '../support/token-harness.ts';

/** The provider token: the same guarantees as the other tokens, and a typed error without a secret. */

// A reported value is replaced only a minute after WeCom handed it over: tests move this clock.
const clock = new ShiftedClock();
let harness: TokenHarness;

beforeAll(async () => {
  harness = await createTokenHarness({ clock });
}, 60_000);

afterAll(async () => {
  await harness.close();
});

describe('provider-token', () => {
  it('gives 40 cold concurrent callers in 4 containers one token, minted once upstream', async () => {
    const handlers = Array.from({ length: 4 }, () => harness.handler('provider-token'));
    const before = harness.simulator.calls('service/get_provider_token');

    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) => handlers[index % handlers.length]?.({})),
    );

    const values = new Set(answers.map((answer) => answer?.accessToken));
    expect(values.size).toBe(1);
    expect(harness.simulator.isValidProviderToken([...values][0] ?? '')).toBe(true);
    expect(harness.simulator.calls('service/get_provider_token') - before).toBe(1);
  });

  it('replaces a token reported stale only if it is still the cached one', async () => {
    const { accessToken } = await harness.handler('provider-token')({});
    const before = harness.simulator.calls('service/get_provider_token');

    const withinMinute = await harness.handler('provider-token')({ staleToken: accessToken });
    const callsWithinMinute = harness.simulator.calls('service/get_provider_token') - before;
    clock.advance(CONFIRMED_VALUE_WINDOW_MS);
    const again = await harness.handler('provider-token')({ staleToken: accessToken });
    const unrelated = await harness.handler('provider-token')({ staleToken: 'not-the-cached-one' });

    // A report within a minute of WeCom handing the token over is answered from the cache.
    expect(withinMinute.accessToken).toBe(accessToken);
    expect(callsWithinMinute).toBe(0);
    // WeCom hands back the same token while it is valid; one call was made for the later report.
    expect(again.accessToken).toBe(accessToken);
    expect(unrelated.accessToken).toBe(accessToken);
    expect(harness.simulator.calls('service/get_provider_token') - before).toBe(1);
  });

  it('answers ProviderNotConfiguredError without calling WeCom when there is no providerSecret', async () => {
    const { providerSecret: _secret, ...provider } = TEST_CONFIG.provider;
    const registry = new SuiteRegistry({ ...TEST_CONFIG, provider });
    const deps = { ...harness.newContainer(), registry: { current: async () => registry } };
    const before = harness.simulator.calls('service/get_provider_token');

    const error = await getProviderToken(deps, {}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderNotConfiguredError);
    expect((error as Error).message).toContain('providerSecret');
    expect(harness.simulator.calls('service/get_provider_token')).toBe(before);
  });

  it('refuses a payload with anything but staleToken', async () => {
    await expect(harness.handler('provider-token')({ suiteId: 'ww1' })).rejects.toMatchObject({
      name: 'InvalidRequestError',
    });
  });
});
