import { describe, expect, it } from 'vitest';
import { type BlockAnnouncements, type Mint, obtainToken } from '../../../functions/app/obtain-token.ts';
import { DEFAULT_MINT_TIMING } from '../../../functions/app/token-deps.ts';
import {
  type AccessToken,
  ENDED_VALUE_GRACE_MS,
  tokenFromMint,
} from '../../../functions/core/credentials/access-token.ts';
import type { CredentialBlock } from '../../../functions/core/credentials/credential-block.ts';
import { BLOCK_SCHEDULE_MS } from '../../../functions/core/credentials/credential-block.ts';
import type { CredentialKey } from '../../../functions/core/credentials/credential-key.ts';
import {
  AuthorizationBrokenError,
  CorpNotAuthorizedError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../../../functions/core/errors.ts';
import { createInMemoryTokenWorld, type InMemoryTokenWorld } from '../../support/in-memory-token-deps.ts';
import { eventLoopUntil } from '../../support/manual-clock.ts';

/**
 * The single-flight mint on in-memory ports and a discrete-event clock: every scenario of
 * obtainToken in milliseconds, with WeCom's answers scripted. The in-memory cache is held to
 * DynamoTokenCache's behaviour by test/integration/token-cache-contract.test.ts.
 */

const KEY: CredentialKey = { kind: 'provider_token' };
const API = 'service/get_provider_token';

/** The provider token's mint, as get-provider-token has it: one WeCom call, its lifetime counted from the send. */
const mintFrom =
  (world: InMemoryTokenWorld): Mint =>
  async (previous) => {
    const requestedAtMs = world.clock.nowMs();
    const minted = await world.wecom.getProviderToken('wwunitprovider0001', 'unit-provider-secret-value');
    return tokenFromMint(minted.accessToken, minted.expiresInSeconds, requestedAtMs, previous);
  };

/** The same mint for a kind of credential asked for again 5 minutes before its end (refresh_due). */
const refreshingEarly =
  (mint: Mint): Mint =>
  async (previous, block) => {
    const token = await mint(previous, block);
    return { ...token, refreshAtMs: token.expiresAtMs - 5 * 60_000 };
  };

const outcomeOf = async <T>(pending: Promise<T>): Promise<T | Error> => {
  try {
    return await pending;
  } catch (error) {
    return error as Error;
  }
};

/** Records whether a promise has settled, without handling its outcome for the test. */
const track = <T>(pending: Promise<T>) => {
  const state = { settled: false, outcome: outcomeOf(pending) };
  void state.outcome.then(() => {
    state.settled = true;
  });
  return state;
};

describe('obtainToken, single flight', () => {
  it('asks WeCom once per lifetime for 200 concurrent callers in 5 containers, over three lifetimes', async () => {
    const world = createInMemoryTokenWorld();
    const containers = Array.from({ length: 5 }, () => world.newContainer());
    const mint = mintFrom(world);
    const servedPerLifetime: string[][] = [];
    const allValid: boolean[] = [];

    for (let lifetime = 0; lifetime < 3; lifetime += 1) {
      const tokens = await Promise.all(
        containers.flatMap((container) =>
          Array.from({ length: 40 }, () => obtainToken(container, KEY, mint)),
        ),
      );
      servedPerLifetime.push([...new Set(tokens.map((token) => token.value))]);
      allValid.push(tokens.every((token) => world.wecom.isValid(token.value)));
      world.clock.moveTo(Math.max(...tokens.map((token) => token.expiresAtMs)));
    }

    expect(servedPerLifetime.map((values) => values.length)).toEqual([1, 1, 1]);
    expect(new Set(servedPerLifetime.flat()).size).toBe(3);
    expect(allValid).toEqual([true, true, true]);
    expect(world.wecom.calls(API)).toBe(3);
  });

  it('answers a container’s repeated calls from its memory, and reads the shared cache again after 30 s', async () => {
    const world = createInMemoryTokenWorld();
    const container = world.newContainer();
    const mint = mintFrom(world);
    const first = await obtainToken(container, KEY, mint);
    const readsAfterFirst = world.cache.calls.read;

    for (let call = 0; call < 100; call += 1) {
      await obtainToken(container, KEY, mint);
    }
    const readsFromMemory = world.cache.calls.read;
    world.clock.advance(30_000);
    const later = await obtainToken(container, KEY, mint);

    expect(readsFromMemory).toBe(readsAfterFirst);
    expect(world.cache.calls.read).toBe(readsAfterFirst + 1);
    expect(later).toEqual(first);
    expect(world.wecom.calls(API)).toBe(1);
  });

  it('serves a value past its refresh point at once while one caller mints the next', async () => {
    const world = createInMemoryTokenWorld();
    const mint = refreshingEarly(mintFrom(world));
    const warm = world.newContainer();
    const first = await obtainToken(warm, KEY, mint);
    world.clock.moveTo(first.refreshAtMs);
    world.wecom.invalidate(first.value);
    const gate = world.wecom.hold(API);
    const minting = obtainToken(world.newContainer(), KEY, mint);
    await gate.reached;

    const servedMeanwhile = await Promise.all([
      obtainToken(warm, KEY, mint),
      obtainToken(world.newContainer(), KEY, mint),
    ]);
    const clockWhileServing = world.clock.nowMs();
    gate.release();
    const next = await minting;
    const afterwards = await obtainToken(world.newContainer(), KEY, mint);

    expect(servedMeanwhile).toEqual([first, first]);
    // Nobody waited: the clock only moves for callers that sleep.
    expect(clockWhileServing).toBe(first.refreshAtMs);
    expect(next.value).not.toBe(first.value);
    expect(world.wecom.isValid(next.value)).toBe(true);
    expect(afterwards).toEqual(next);
    expect(world.wecom.calls(API)).toBe(2);
  });

  it('makes callers wait for the lease holder’s mint once the value expired, and gives them its value', async () => {
    const world = createInMemoryTokenWorld();
    const mint = mintFrom(world);
    const first = await obtainToken(world.newContainer(), KEY, mint);
    world.clock.moveTo(first.expiresAtMs);
    const gate = world.wecom.hold(API);
    const minting = obtainToken(world.newContainer(), KEY, mint);
    await gate.reached;

    const waiters = Array.from({ length: 3 }, () => track(obtainToken(world.newContainer(), KEY, mint)));
    // Two seconds of polling pass while WeCom has not answered the lease holder.
    await eventLoopUntil(() => world.clock.nowMs() >= first.expiresAtMs + 2_000);
    const settledBeforeAnswer = waiters.filter((waiter) => waiter.settled).length;
    gate.release();
    const next = await minting;
    const waited = await Promise.all(waiters.map((waiter) => waiter.outcome));

    expect(settledBeforeAnswer).toBe(0);
    expect(next.value).not.toBe(first.value);
    expect(waited).toEqual([next, next, next]);
    expect(world.wecom.calls(API)).toBe(2);
  });

  it('hands a failed mint to the callers that were waiting on it; one of them retries a first failure at once', async () => {
    const world = createInMemoryTokenWorld();
    const mint = mintFrom(world);
    const busy = new WeComApiError(API, -1, 'system busy');
    const gate = world.wecom.hold(API, busy);
    world.wecom.script(API, busy);
    const minting = outcomeOf(obtainToken(world.newContainer(), KEY, mint));
    await gate.reached;
    const waiters = Array.from({ length: 3 }, () => outcomeOf(obtainToken(world.newContainer(), KEY, mint)));
    await eventLoopUntil(() => world.clock.sleeping === 3);

    gate.release();
    const outcomes = await Promise.all([minting, ...waiters]);

    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ name: 'WeComApiError', errcode: -1 });
    }
    // The held mint, and one waiter's retry: a first failure may be a blip, a second starts a wait.
    expect(world.wecom.calls(API)).toBe(2);
  });
});

describe('obtainToken, a lease whose owner died', () => {
  it('gives up waiting after maxWaitMs with UpstreamUnavailableError, and lets the next caller mint once leaseMs passed', async () => {
    const world = createInMemoryTokenWorld();
    const { leaseMs, maxWaitMs, maxPollMs } = DEFAULT_MINT_TIMING;
    const startMs = world.clock.nowMs();
    await world.cache.tryAcquireLease(KEY, 'owner-that-died', leaseMs);

    const gaveUp = await outcomeOf(obtainToken(world.newContainer(), KEY, mintFrom(world)));
    const waitedMs = world.clock.nowMs() - startMs;
    const callsWhileLeased = world.wecom.calls(API);
    world.clock.moveTo(startMs + leaseMs + 1);
    const minted = await obtainToken(world.newContainer(), KEY, mintFrom(world));

    expect(gaveUp).toBeInstanceOf(UpstreamUnavailableError);
    expect(waitedMs).toBeGreaterThanOrEqual(maxWaitMs);
    // The last wait before giving up is at most one poll long.
    expect(waitedMs).toBeLessThan(maxWaitMs + maxPollMs);
    expect(callsWhileLeased).toBe(0);
    expect(world.wecom.isValid(minted.value)).toBe(true);
    expect(world.wecom.calls(API)).toBe(1);
  });

  it('takes over while waiting when leaseMs is shorter than the wait, and keeps the late owner’s value out of the cache', async () => {
    const world = createInMemoryTokenWorld();
    const timing = { ...DEFAULT_MINT_TIMING, leaseMs: 5_000 };
    let comeBack: (token: AccessToken) => void = () => {};
    const diesWhileMinting: Mint = () =>
      new Promise((resolve) => {
        comeBack = resolve;
      });
    const startMs = world.clock.nowMs();
    const lateOwner = outcomeOf(obtainToken(world.newContainer({ timing }), KEY, diesWhileMinting));
    await eventLoopUntil(() => world.cache.peek(KEY).leaseExpiresAtMs !== undefined);

    const takenOver = await obtainToken(world.newContainer({ timing }), KEY, mintFrom(world));
    const tookOverAfterMs = world.clock.nowMs() - startMs;
    comeBack({ value: 'late-value', expiresAtMs: startMs + 7_200_000, refreshAtMs: startMs + 7_200_000 });
    await lateOwner;
    const afterwards = await obtainToken(world.newContainer({ timing }), KEY, mintFrom(world));

    expect(tookOverAfterMs).toBeGreaterThan(timing.leaseMs);
    expect(tookOverAfterMs).toBeLessThan(timing.leaseMs + timing.maxPollMs);
    expect(world.wecom.isValid(takenOver.value)).toBe(true);
    expect(afterwards).toEqual(takenOver);
    expect(world.cache.peek(KEY).token).toEqual(takenOver);
  });

  it('times out a caller that waits on a live lease, with no value to serve, after maxWaitMs of its own timing', async () => {
    const world = createInMemoryTokenWorld();
    const timing = { ...DEFAULT_MINT_TIMING, maxWaitMs: 3_000 };
    world.wecom.hold(API);
    void obtainToken(world.newContainer(), KEY, mintFrom(world));
    await eventLoopUntil(() => world.cache.peek(KEY).leaseExpiresAtMs !== undefined);
    const startMs = world.clock.nowMs();

    const gaveUp = await outcomeOf(obtainToken(world.newContainer({ timing }), KEY, mintFrom(world)));

    expect(gaveUp).toBeInstanceOf(UpstreamUnavailableError);
    expect((gaveUp as Error).message).toContain('timed out waiting');
    expect(world.clock.nowMs() - startMs).toBeGreaterThanOrEqual(3_000);
    expect(world.clock.nowMs() - startMs).toBeLessThan(3_000 + timing.maxPollMs);
    expect(world.wecom.calls(API)).toBe(1);
  });
});

describe.each([
  ['errcode -1', new WeComApiError(API, -1, 'system busy')],
  ['errcode 60020', new WeComApiError(API, 60020, 'not allow to access from your ip, from ip: 203.0.113.9')],
  ['errcode 45009', new WeComApiError(API, 45009, 'api freq out of limit')],
  ['a timeout', new UpstreamUnavailableError(`${API} is unreachable: The operation timed out`)],
])('obtainToken, a mint failing for a passing reason (%s)', (_label, error) => {
  const expected = {
    name: error.name,
    ...(error instanceof WeComApiError ? { errcode: error.errcode } : {}),
  };

  it('lets a first failure be retried at once, then makes every caller wait 2 s, 4 s … with the last failure', async () => {
    const world = createInMemoryTokenWorld();
    world.wecom.script(API, error, error, error);
    const ask = () => outcomeOf(obtainToken(world.newContainer(), KEY, mintFrom(world)));
    const startMs = world.clock.nowMs();

    const failed = [await ask(), await ask()];
    const duringFirstWait = await Promise.all(Array.from({ length: 10 }, ask));
    world.clock.advance(1_999);
    duringFirstWait.push(await ask());
    const callsDuringFirstWait = world.wecom.calls(API);
    world.clock.advance(1);
    failed.push(await ask());
    const recorded = world.cache.peek(KEY).mintFailure;
    world.clock.advance(3_999);
    const duringSecondWait = await ask();
    const callsDuringSecondWait = world.wecom.calls(API);
    world.clock.advance(1);
    const recovered = await ask();

    for (const outcome of [...failed, ...duringFirstWait, duringSecondWait]) {
      expect(outcome).toMatchObject(expected);
    }
    expect(callsDuringFirstWait).toBe(2);
    expect(callsDuringSecondWait).toBe(3);
    expect(recorded).toMatchObject({ consecutive: 3, retryAtMs: startMs + 2_000 + 4_000 });
    expect(recovered).toMatchObject({ value: expect.any(String) });
    expect(world.wecom.isValid((recovered as AccessToken).value)).toBe(true);
    expect(world.wecom.calls(API)).toBe(4);
    // Every caller was answered at once: nobody slept through a wait.
    expect(world.clock.nowMs() - startMs).toBe(6_000);
  });

  it('serves a still-valid value, rather than the failure, during the streak’s wait', async () => {
    const world = createInMemoryTokenWorld();
    const mint = refreshingEarly(mintFrom(world));
    const first = await obtainToken(world.newContainer(), KEY, mint);
    world.clock.moveTo(first.refreshAtMs);
    world.wecom.invalidate(first.value);
    world.wecom.script(API, error, error);
    const ask = () => outcomeOf(obtainToken(world.newContainer(), KEY, mint));

    const failedMints = [await ask(), await ask()];
    const duringWait = await Promise.all(Array.from({ length: 5 }, ask));

    for (const outcome of failedMints) {
      expect(outcome).toMatchObject(expected);
    }
    expect(duringWait).toEqual(Array.from({ length: 5 }, () => first));
    expect(world.wecom.calls(API)).toBe(3);
  });
});

describe('obtainToken, a failure that blocks the credential', () => {
  const corpId = 'wxcorpblocked';
  const CORP_KEY: CredentialKey = { kind: 'corp_token', suiteId: 'dkunittemplate0001', corpId };
  const GETTOKEN = 'gettoken';

  /** The 代开发 corp token's mint, with 48004 meaning the authorization is broken (get-corp-token). */
  const corpMint =
    (world: InMemoryTokenWorld, blocksSeen: (CredentialBlock | undefined)[]): Mint =>
    async (previous, block) => {
      blocksSeen.push(block);
      const requestedAtMs = world.clock.nowMs();
      try {
        const minted = await world.wecom.getCustomizedCorpToken(corpId, 'permanent-code');
        return tokenFromMint(minted.accessToken, minted.expiresInSeconds, requestedAtMs, previous);
      } catch (error) {
        if (error instanceof WeComApiError && error.errcode === 48004) {
          throw new AuthorizationBrokenError(error, `the authorization of corp ${corpId} is broken`);
        }
        throw error;
      }
    };

  it('blocks WeCom out until the next attempt, announces it once, and announces the recovery', async () => {
    const world = createInMemoryTokenWorld();
    const refusal = new WeComApiError(GETTOKEN, 48004, 'api forbidden');
    world.wecom.script(GETTOKEN, refusal, refusal);
    const blocksSeen: (CredentialBlock | undefined)[] = [];
    const announced: string[] = [];
    const announce: BlockAnnouncements = {
      blocked: async (block) => {
        announced.push(`blocked after ${block.refusals} refusal(s)`);
      },
      recovered: async (block) => {
        announced.push(`recovered after ${block.refusals} refusal(s)`);
      },
    };
    const ask = (staleToken?: string) =>
      outcomeOf(
        obtainToken(world.newContainer(), CORP_KEY, corpMint(world, blocksSeen), staleToken, announce),
      );
    const startMs = world.clock.nowMs();
    const [firstWaitMs = 0, secondWaitMs = 0] = BLOCK_SCHEDULE_MS;

    const refused = await ask();
    const blocked = world.cache.peek(CORP_KEY);
    const whileBlocked: (AccessToken | Error)[] = [];
    for (let elapsed = 10_000; elapsed < firstWaitMs; elapsed += 10_000) {
      world.clock.moveTo(startMs + elapsed);
      whileBlocked.push(await ask(), await ask('a-token-reported-stale'));
    }
    const callsWhileBlocked = world.wecom.calls(GETTOKEN);
    world.clock.moveTo(startMs + firstWaitMs);
    const refusedAgain = await ask();
    world.clock.advance(secondWaitMs - 1);
    const stillBlocked = await ask();
    const callsBeforeSecondRetry = world.wecom.calls(GETTOKEN);
    world.clock.advance(1);
    const recovered = await ask();
    const afterwards = await ask();

    expect(refused).toBeInstanceOf(CorpNotAuthorizedError);
    expect(blocked).toMatchObject({
      block: { refusals: 1, sinceMs: startMs, nextAttemptAtMs: startMs + firstWaitMs },
    });
    expect(blocked).not.toHaveProperty('token');
    expect(whileBlocked).toHaveLength(10);
    for (const outcome of [...whileBlocked, stillBlocked]) {
      expect(outcome).toBeInstanceOf(CorpNotAuthorizedError);
    }
    expect((whileBlocked[0] as Error).message).toContain(
      `WeCom is asked again after ${new Date(startMs + firstWaitMs).toISOString()}`,
    );
    expect(callsWhileBlocked).toBe(1);
    expect(refusedAgain).toBeInstanceOf(CorpNotAuthorizedError);
    expect(callsBeforeSecondRetry).toBe(2);
    expect(blocksSeen.map((block) => block?.refusals)).toEqual([undefined, 1, 2]);
    expect(world.wecom.isValid((recovered as AccessToken).value)).toBe(true);
    expect(afterwards).toEqual(recovered);
    expect(world.cache.peek(CORP_KEY)).not.toHaveProperty('block');
    expect(world.wecom.calls(GETTOKEN)).toBe(3);
    expect(announced).toEqual(['blocked after 1 refusal(s)', 'recovered after 2 refusal(s)']);
  });
});

describe('obtainToken, a value reported stale', () => {
  it('is replaced once however many report it, and a late report of it mints nothing', async () => {
    const world = createInMemoryTokenWorld();
    const mint = mintFrom(world);
    const warm = world.newContainer();
    const first = await obtainToken(warm, KEY, mint);
    world.wecom.invalidate(first.value);

    const replaced = await Promise.all([
      obtainToken(warm, KEY, mint, first.value),
      obtainToken(world.newContainer(), KEY, mint, first.value),
      obtainToken(world.newContainer(), KEY, mint, first.value),
    ]);
    const callsAfterReplacement = world.wecom.calls(API);
    const lateReport = await obtainToken(world.newContainer(), KEY, mint, first.value);

    const [next] = replaced;
    expect(next?.value).not.toBe(first.value);
    expect(world.wecom.isValid(next?.value ?? '')).toBe(true);
    expect(replaced).toEqual([next, next, next]);
    expect(callsAfterReplacement).toBe(2);
    expect(lateReport).toEqual(next);
    expect(world.wecom.calls(API)).toBe(2);
  });
});

describe('obtainToken, a value WeCom hands back at its end', () => {
  const ended = { answer: { accessToken: 'ending-value', expiresInSeconds: 0 } };

  it('is asked for again, five times at most, then served for a short grace', async () => {
    const world = createInMemoryTokenWorld();
    world.wecom.script(API, ...Array.from({ length: 6 }, () => ended));
    const startMs = world.clock.nowMs();

    const served = await obtainToken(world.newContainer(), KEY, mintFrom(world));

    expect(world.wecom.calls(API)).toBe(6);
    // Five waits of 200 ms between the asks.
    expect(world.clock.nowMs() - startMs).toBe(1_000);
    expect(served).toEqual({
      value: 'ending-value',
      expiresAtMs: world.clock.nowMs() + ENDED_VALUE_GRACE_MS,
      refreshAtMs: world.clock.nowMs() + ENDED_VALUE_GRACE_MS,
    });
  });

  it('gives way to the next value as soon as WeCom hands one out', async () => {
    const world = createInMemoryTokenWorld();
    world.wecom.script(API, ended, ended);

    const served = await obtainToken(world.newContainer(), KEY, mintFrom(world));

    expect(world.wecom.calls(API)).toBe(3);
    expect(served.value).not.toBe('ending-value');
    expect(world.wecom.isValid(served.value)).toBe(true);
    expect(world.cache.peek(KEY).token).toEqual(served);
  });
});
