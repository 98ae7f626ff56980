import { describe, expect, it } from 'vitest';
import { resolveCorpToken } from '../../../../functions/app/credentials/credential-request.ts';
import { getCredential } from '../../../../functions/app/credentials/get-credential.ts';
import { LEASE_WAIT } from '../../../../functions/app/credentials/retry-layers.ts';
import type { AccessToken } from '../../../../functions/core/credentials/access-token.ts';
import { BLOCK_SCHEDULE_MS } from '../../../../functions/core/credentials/credential-block.ts';
import type { CredentialKey } from '../../../../functions/core/credentials/credential-key.ts';
import {
  CorpNotAuthorizedError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../../../../functions/core/errors.ts';
import { outcomeOf } from '../../../support/errors.ts';
import {
  cacheRefreshingEarly,
  createInMemoryTokenWorld,
  type InMemoryTokenWorld,
  LONGEST_JITTER,
  SHORTEST_JITTER,
  UNIT_PROVIDER,
  UNIT_TEMPLATE,
} from '../../../support/in-memory-token-deps.ts';
import { eventLoopUntil } from '../../../support/manual-clock.ts';

/**
 * The shared cache's side of getCredential (mint-lease.ts) on in-memory ports and a
 * discrete-event clock: a lease whose owner died, waits that end, failure streaks and blocks, in
 * milliseconds. Most cases run on the provider token (one WeCom call, no other credential).
 * Every duration asserted here is the ManualClock's, which moves only when every caller waits: no
 * wall clock is read, so a busy machine cannot change one. The waiting callers' jitter is fixed
 * (`random`), so each wait is known to the millisecond.
 */

const KEY: CredentialKey = { kind: 'provider_token' };
const API = 'service/get_provider_token';
const PROVIDER = UNIT_PROVIDER;
/**
 * With SHORTEST_JITTER and LEASE_WAIT, a caller's waits on a lease: 25 ms, each half again as
 * long, six growing waits in all (519.53125 ms), then 200 ms each (half of maxPollMs).
 */
const GROWING_WAITS_MS = [25, 37.5, 56.25, 84.375, 126.5625, 189.84375];
const GROWING_TOTAL_MS = GROWING_WAITS_MS.reduce((total, ms) => total + ms, 0);
const CAPPED_WAIT_MS = 200;

describe('getCredential, waiting on another caller’s lease', () => {
  it('polls half again as long each time up to maxPollMs, each wait jittered between half and all of its poll', async () => {
    const waits = async (random: () => number): Promise<number[]> => {
      const world = createInMemoryTokenWorld();
      await world.cache.tryAcquireLease(KEY, 'owner-that-died', LEASE_WAIT.leaseMs);
      const slept: number[] = [];
      const deps = world.newContainer({ random });
      const sleep = (ms: number) => {
        slept.push(ms);
        return deps.sleep(ms);
      };
      await outcomeOf(getCredential({ ...deps, sleep }, PROVIDER));
      return slept;
    };

    const shortest = await waits(SHORTEST_JITTER);
    const middle = await waits(() => 0.5);
    const longest = await waits(LONGEST_JITTER);

    expect(shortest.slice(0, 6)).toEqual(GROWING_WAITS_MS);
    expect(new Set(shortest.slice(6))).toEqual(new Set([CAPPED_WAIT_MS]));
    expect(middle.slice(0, 7)).toEqual([...GROWING_WAITS_MS.map((ms) => ms * 1.5), 300]);
    expect(longest.slice(0, 7)).toEqual([...GROWING_WAITS_MS.map((ms) => ms * 2), 400]);
    // Every caller stops after maxWaitMs (12 s): fewer waits, the longer they are.
    expect([shortest.length, middle.length, longest.length]).toEqual([64, 44, 34]);
  });
});

describe('getCredential, a lease whose owner died', () => {
  it('gives up waiting after maxWaitMs with UpstreamUnavailableError, and lets the next caller mint once leaseMs passed', async () => {
    const world = createInMemoryTokenWorld();
    const { leaseMs, maxWaitMs } = LEASE_WAIT;
    const startMs = world.clock.nowMs();
    await world.cache.tryAcquireLease(KEY, 'owner-that-died', leaseMs);

    const gaveUp = await outcomeOf(getCredential(world.newContainer({ random: SHORTEST_JITTER }), PROVIDER));
    const waitedMs = world.clock.nowMs() - startMs;
    const callsWhileLeased = world.wecom.calls(API);
    world.clock.moveTo(startMs + leaseMs + 1);
    const minted = await getCredential(world.newContainer(), PROVIDER);

    expect(gaveUp).toBeInstanceOf(UpstreamUnavailableError);
    // The first wait to end at or past maxWaitMs (12 s): the growing waits, then 58 capped ones.
    expect(waitedMs).toBe(GROWING_TOTAL_MS + 58 * CAPPED_WAIT_MS);
    expect(waitedMs - CAPPED_WAIT_MS).toBeLessThan(maxWaitMs);
    expect(callsWhileLeased).toBe(0);
    expect(world.wecom.isValid(minted.value)).toBe(true);
    expect(world.wecom.calls(API)).toBe(1);
  });

  it('takes over while waiting when leaseMs is shorter than the wait, and keeps the late owner’s value out of the cache', async () => {
    const world = createInMemoryTokenWorld();
    const leaseWait = { ...LEASE_WAIT, leaseMs: 5_000 };
    // The owner's WeCom call answers only when the test lets it: it "dies" while minting.
    let comeBack: () => void = () => {};
    world.wecom.script(API, {
      wait: () =>
        new Promise<void>((resolve) => {
          comeBack = resolve;
        }),
      thenAnswer: { accessToken: 'late-value', expiresInSeconds: 7_200 },
    });
    const startMs = world.clock.nowMs();
    const lateOwner = outcomeOf(getCredential(world.newContainer({ leaseWait }), PROVIDER));
    await eventLoopUntil(() => world.cache.peek(KEY).leaseExpiresAtMs !== undefined);

    const takenOver = await getCredential(
      world.newContainer({ leaseWait, random: SHORTEST_JITTER }),
      PROVIDER,
    );
    const tookOverAfterMs = world.clock.nowMs() - startMs;
    comeBack();
    const late = await lateOwner;
    const afterwards = await getCredential(world.newContainer({ leaseWait }), PROVIDER);

    expect(late).toMatchObject({ value: 'late-value', expiresAtMs: startMs + 7_200_000 });
    // The first wait to end past the lease's 5 s: the growing waits, then 23 capped ones.
    expect(tookOverAfterMs).toBe(GROWING_TOTAL_MS + 23 * CAPPED_WAIT_MS);
    expect(world.wecom.isValid(takenOver.value)).toBe(true);
    expect(afterwards).toEqual(takenOver);
    expect(world.cache.peek(KEY).token).toEqual(takenOver);
  });

  it('times out a caller that waits on a live lease, with no value to serve, after maxWaitMs of its own timing', async () => {
    const world = createInMemoryTokenWorld();
    const leaseWait = { ...LEASE_WAIT, maxWaitMs: 3_000 };
    world.wecom.hold(API);
    void getCredential(world.newContainer(), PROVIDER);
    await eventLoopUntil(() => world.cache.peek(KEY).leaseExpiresAtMs !== undefined);
    const startMs = world.clock.nowMs();

    const gaveUp = await outcomeOf(
      getCredential(world.newContainer({ leaseWait, random: SHORTEST_JITTER }), PROVIDER),
    );

    expect(gaveUp).toBeInstanceOf(UpstreamUnavailableError);
    expect((gaveUp as Error).message).toContain('timed out waiting');
    // The first wait to end at or past its 3 s: the growing waits, then 13 capped ones.
    expect(world.clock.nowMs() - startMs).toBe(GROWING_TOTAL_MS + 13 * CAPPED_WAIT_MS);
    expect(world.wecom.calls(API)).toBe(1);
  });
});

describe.each([
  ['errcode -1', new WeComApiError(API, -1, 'system busy')],
  ['errcode 60020', new WeComApiError(API, 60020, 'not allow to access from your ip, from ip: 203.0.113.9')],
  ['errcode 45009', new WeComApiError(API, 45009, 'api freq out of limit')],
  ['a timeout', new UpstreamUnavailableError(`${API} is unreachable: The operation timed out`)],
])('getCredential, a mint failing for a passing reason (%s)', (_label, error) => {
  const expected = {
    name: error.name,
    ...(error instanceof WeComApiError ? { errcode: error.errcode } : {}),
  };

  it('lets a first failure be retried at once, then makes every caller wait 2 s, 4 s … with the last failure', async () => {
    const world = createInMemoryTokenWorld();
    world.wecom.script(API, error, error, error);
    const ask = () => outcomeOf(getCredential(world.newContainer(), PROVIDER));
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
    await cacheRefreshingEarly(world);
    const first = await getCredential(world.newContainer(), PROVIDER);
    world.clock.moveTo(first.refreshAtMs);
    world.wecom.invalidate(first.value);
    world.wecom.script(API, error, error);
    const ask = () => outcomeOf(getCredential(world.newContainer(), PROVIDER));

    const failedMints = [await ask(), await ask()];
    const duringWait = await Promise.all(Array.from({ length: 5 }, ask));

    for (const outcome of failedMints) {
      expect(outcome).toMatchObject(expected);
    }
    expect(duringWait).toEqual(Array.from({ length: 5 }, () => first));
    expect(world.wecom.calls(API)).toBe(3);
  });
});

describe('getCredential, a failure that blocks the credential', () => {
  const templateId = UNIT_TEMPLATE.suiteId;
  const corpId = 'wxcorpblocked';
  const CORP_KEY: CredentialKey = { kind: 'corp_token', suiteId: templateId, corpId };
  const GETTOKEN = 'gettoken';

  const authorizationEvents = (world: InMemoryTokenWorld) =>
    world.events.published.map((event) => {
      const detail = event.detail as { status?: string; cause?: string };
      return [detail.status, detail.cause];
    });

  it('blocks WeCom out until the next attempt, announces it once, and announces the recovery', async () => {
    const world = createInMemoryTokenWorld();
    // A 代开发 corp: 48004 from gettoken means its authorization is broken.
    world.authorizations.authorize(templateId, corpId, 'permanent-code');
    const refusal = new WeComApiError(GETTOKEN, 48004, 'api forbidden');
    world.wecom.script(GETTOKEN, refusal, refusal);
    const ask = async (staleToken?: string) => {
      const deps = world.newContainer();
      return outcomeOf(
        resolveCorpToken(deps, templateId, corpId, staleToken).then((credential) =>
          getCredential(deps, credential, staleToken),
        ),
      );
    };
    const startMs = world.clock.nowMs();
    const [firstWaitMs = 0, secondWaitMs = 0] = BLOCK_SCHEDULE_MS;

    const refused = await ask();
    const blocked = world.cache.peek(CORP_KEY);
    const eventsOnceBlocked = authorizationEvents(world);
    const whileBlocked: (AccessToken | Error)[] = [];
    for (let elapsed = 10_000; elapsed < firstWaitMs; elapsed += 10_000) {
      world.clock.moveTo(startMs + elapsed);
      whileBlocked.push(await ask(), await ask('a-token-reported-stale'));
    }
    const callsWhileBlocked = world.wecom.calls(GETTOKEN);
    world.clock.moveTo(startMs + firstWaitMs);
    const refusedAgain = await ask();
    const blockedAgain = world.cache.peek(CORP_KEY);
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
    expect(eventsOnceBlocked).toEqual([['broken', 'wecom_refused']]);
    expect(whileBlocked).toHaveLength(10);
    for (const outcome of [...whileBlocked, stillBlocked]) {
      expect(outcome).toBeInstanceOf(CorpNotAuthorizedError);
    }
    expect((whileBlocked[0] as Error).message).toContain(
      `WeCom is asked again after ${new Date(startMs + firstWaitMs).toISOString()}`,
    );
    expect(callsWhileBlocked).toBe(1);
    expect(refusedAgain).toBeInstanceOf(CorpNotAuthorizedError);
    // The retry's mint knew the block it retried: the refusals count on from it, since the start.
    expect(blockedAgain).toMatchObject({
      block: { refusals: 2, sinceMs: startMs, nextAttemptAtMs: startMs + firstWaitMs + secondWaitMs },
    });
    expect(callsBeforeSecondRetry).toBe(2);
    expect(world.wecom.isValid((recovered as AccessToken).value)).toBe(true);
    expect(afterwards).toEqual(recovered);
    expect(world.cache.peek(CORP_KEY)).not.toHaveProperty('block');
    expect(world.wecom.calls(GETTOKEN)).toBe(3);
    // Announced once when the block began (not on the second refusal), and once on recovery.
    expect(authorizationEvents(world)).toEqual([
      ['broken', 'wecom_refused'],
      ['active', 'wecom_accepted'],
    ]);
  });
});
