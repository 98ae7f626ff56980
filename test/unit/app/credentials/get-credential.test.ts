import { describe, expect, it } from 'vitest';
import { getCredential } from '../../../../functions/app/credentials/get-credential.ts';
import { CONFIRMED_VALUE_WINDOW_MS } from '../../../../functions/app/credentials/retry-layers.ts';
import { getCorpToken } from '../../../../functions/app/get-corp-token.ts';
import { getJsapiTicket } from '../../../../functions/app/get-jsapi-ticket.ts';
import { getSuiteToken } from '../../../../functions/app/get-suite-token.ts';
import { ENDED_VALUE_GRACE_MS } from '../../../../functions/core/credentials/access-token.ts';
import type { CredentialKey } from '../../../../functions/core/credentials/credential-key.ts';
import { TokenMemory } from '../../../../functions/core/credentials/token-memory.ts';
import { WeComApiError } from '../../../../functions/core/errors.ts';
import { outcomeOf } from '../../../support/errors.ts';
import {
  cacheRefreshingEarly,
  createInMemoryTokenWorld,
  type InMemoryTokenWorld,
  UNIT_PROVIDER,
  UNIT_SUITE,
} from '../../../support/in-memory-token-deps.ts';
import { eventLoopUntil } from '../../../support/manual-clock.ts';

/**
 * getCredential's single flight on in-memory ports and a discrete-event clock, in milliseconds,
 * with WeCom's answers scripted: one mint per lifetime, a value reported stale, a value handed
 * back at its end. Dead lease owners, failure streaks and blocks: mint-lease.test.ts. The cases run
 * on the provider token (one WeCom call, no other credential). The in-memory cache is held to
 * DynamoTokenCache's behaviour by test/integration/token-cache-contract.test.ts.
 */

const KEY: CredentialKey = { kind: 'provider_token' };
const API = 'service/get_provider_token';
const PROVIDER = UNIT_PROVIDER;

/** Records whether a promise has settled, without handling its outcome for the test. */
const track = <T>(pending: Promise<T>) => {
  const state = { settled: false, outcome: outcomeOf(pending) };
  void state.outcome.then(() => {
    state.settled = true;
  });
  return state;
};

describe('getCredential, single flight', () => {
  it('asks WeCom once per lifetime for 200 concurrent callers in 5 containers, over three lifetimes', async () => {
    const world = createInMemoryTokenWorld();
    const containers = Array.from({ length: 5 }, () => world.newContainer());
    const servedPerLifetime: string[][] = [];
    const allValid: boolean[] = [];

    for (let lifetime = 0; lifetime < 3; lifetime += 1) {
      const tokens = await Promise.all(
        containers.flatMap((container) =>
          Array.from({ length: 40 }, () => getCredential(container, PROVIDER)),
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
    const first = await getCredential(container, PROVIDER);
    const readsAfterFirst = world.cache.calls.read;

    for (let call = 0; call < 100; call += 1) {
      await getCredential(container, PROVIDER);
    }
    const readsFromMemory = world.cache.calls.read;
    world.clock.advance(30_000);
    const later = await getCredential(container, PROVIDER);

    expect(readsFromMemory).toBe(readsAfterFirst);
    expect(world.cache.calls.read).toBe(readsAfterFirst + 1);
    expect(later).toEqual(first);
    expect(world.wecom.calls(API)).toBe(1);
  });

  it('serves a value past its refresh point at once while one caller mints the next', async () => {
    const world = createInMemoryTokenWorld();
    const warm = world.newContainer();
    await cacheRefreshingEarly(world);
    const first = await getCredential(warm, PROVIDER);
    world.clock.moveTo(first.refreshAtMs);
    world.wecom.invalidate(first.value);
    const gate = world.wecom.hold(API);
    const minting = getCredential(world.newContainer(), PROVIDER);
    await gate.reached;

    const servedMeanwhile = await Promise.all([
      getCredential(warm, PROVIDER),
      getCredential(world.newContainer(), PROVIDER),
    ]);
    const clockWhileServing = world.clock.nowMs();
    gate.release();
    const next = await minting;
    const afterwards = await getCredential(world.newContainer(), PROVIDER);

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
    const first = await getCredential(world.newContainer(), PROVIDER);
    world.clock.moveTo(first.expiresAtMs);
    const gate = world.wecom.hold(API);
    const minting = getCredential(world.newContainer(), PROVIDER);
    await gate.reached;

    const waiters = Array.from({ length: 3 }, () => track(getCredential(world.newContainer(), PROVIDER)));
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
    const busy = new WeComApiError(API, -1, 'system busy');
    const gate = world.wecom.hold(API, busy);
    world.wecom.script(API, busy);
    const minting = outcomeOf(getCredential(world.newContainer(), PROVIDER));
    await gate.reached;
    const waiters = Array.from({ length: 3 }, () => outcomeOf(getCredential(world.newContainer(), PROVIDER)));
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

describe('getCredential, a value reported stale', () => {
  it('is replaced once however many report it, and a late report of it mints nothing', async () => {
    const world = createInMemoryTokenWorld();
    const warm = world.newContainer();
    const first = await getCredential(warm, PROVIDER);
    world.wecom.invalidate(first.value);
    world.clock.advance(CONFIRMED_VALUE_WINDOW_MS); // reports of a value WeCom just handed over are ignored

    const replaced = await Promise.all([
      getCredential(warm, PROVIDER, first.value),
      getCredential(world.newContainer(), PROVIDER, first.value),
      getCredential(world.newContainer(), PROVIDER, first.value),
    ]);
    const callsAfterReplacement = world.wecom.calls(API);
    const lateReport = await getCredential(world.newContainer(), PROVIDER, first.value);

    const [next] = replaced;
    expect(next?.value).not.toBe(first.value);
    expect(world.wecom.isValid(next?.value ?? '')).toBe(true);
    expect(replaced).toEqual([next, next, next]);
    expect(callsAfterReplacement).toBe(2);
    expect(lateReport).toEqual(next);
    expect(world.wecom.calls(API)).toBe(2);
  });
});

describe('getCredential, a value reported stale within a minute of WeCom handing it over', () => {
  it('is served from the cache, without a call, and every such report is counted', async () => {
    const world = createInMemoryTokenWorld();
    const ignored: string[] = [];
    const container = () => ({
      ...world.newContainer(),
      signals: { reportIgnored: (kind: string) => ignored.push(kind), suiteTokenSuspect: () => undefined },
    });
    const first = await getCredential(container(), PROVIDER);
    world.clock.advance(CONFIRMED_VALUE_WINDOW_MS - 1);

    const reports = await Promise.all(
      Array.from({ length: 20 }, () => getCredential(container(), PROVIDER, first.value)),
    );

    expect(reports.every((token) => token.value === first.value)).toBe(true);
    expect(world.wecom.calls(API)).toBe(1);
    expect(ignored).toEqual(Array(20).fill('provider_token'));
  });

  it('asks WeCom for a value WeCom itself rejected in a call just made, however recent', async () => {
    const world = createInMemoryTokenWorld();
    const first = await getCredential(world.newContainer(), PROVIDER);
    world.wecom.invalidate(first.value);

    const replaced = await getCredential(world.newContainer(), PROVIDER, first.value, 'rejection');

    expect(replaced.value).not.toBe(first.value);
    expect(world.wecom.calls(API)).toBe(2);
  });
});

describe('getCredential, a value WeCom hands back at its end', () => {
  const ended = { answer: { accessToken: 'ending-value', expiresInSeconds: 0 } };

  it('is asked for again, five times at most, then served for a short grace', async () => {
    const world = createInMemoryTokenWorld();
    world.wecom.script(API, ...Array.from({ length: 6 }, () => ended));
    const startMs = world.clock.nowMs();

    const served = await getCredential(world.newContainer(), PROVIDER);

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

    const served = await getCredential(world.newContainer(), PROVIDER);

    expect(world.wecom.calls(API)).toBe(3);
    expect(served.value).not.toBe('ending-value');
    expect(world.wecom.isValid(served.value)).toBe(true);
    expect(world.cache.peek(KEY).token).toEqual(served);
  });
});

describe('getCredential, a credential minted with another', () => {
  const suiteId = UNIT_SUITE.suiteId;
  const corpId = 'wxcorpchain';

  const installedWorld = async (): Promise<InMemoryTokenWorld> => {
    const world = createInMemoryTokenWorld();
    await world.pushTicket(suiteId);
    world.authorizations.authorize(suiteId, corpId, 'permanent-code-1', { agentId: 1_000_003 });
    return world;
  };

  /** A container's memory that records which kinds of credential it was asked for. */
  class RecordingTokenMemory extends TokenMemory {
    readonly asked: string[] = [];

    override get(key: string, nowMs: number, staleToken?: string) {
      this.asked.push(key.slice(0, key.indexOf('|') === -1 ? key.length : key.indexOf('|')));
      return super.get(key, nowMs, staleToken);
    }
  }

  /** The shared cache's calls from `from` on, as `call kind`. */
  const cacheCalls = (world: InMemoryTokenWorld, from = 0) =>
    world.cache.operations.slice(from).map(({ call, key }) => `${call} ${key.kind}`);

  it('mints a corp token under its own lease, getting the suite token by one call down, once', async () => {
    const world = await installedWorld();
    const memory = new RecordingTokenMemory();

    const { token } = await getCorpToken({ ...world.newContainer(), memory }, { suiteId, corpId });

    expect(world.wecom.isValid(token.value)).toBe(true);
    expect(memory.asked).toEqual(['corp_token', 'suite_token']);
    expect(cacheCalls(world)).toEqual([
      'read corp_token',
      'tryAcquireLease corp_token',
      'read suite_token',
      'tryAcquireLease suite_token',
      'storeMinted suite_token',
      'storeMinted corp_token',
    ]);
    expect(world.wecom.received.map((call) => call.api)).toEqual([
      'service/get_suite_token',
      'service/get_corp_token',
    ]);
  });

  it('takes the suite token a container remembers without touching the cache for it', async () => {
    const world = await installedWorld();
    const container = world.newContainer();
    const { token: suiteToken } = await getSuiteToken(container, { suiteId });
    const from = world.cache.operations.length;

    await getCorpToken(container, { suiteId, corpId });

    expect(cacheCalls(world, from)).toEqual([
      'read corp_token',
      'tryAcquireLease corp_token',
      'storeMinted corp_token',
    ]);
    expect(world.wecom.received.find((call) => call.api === 'service/get_corp_token')?.args[0]).toBe(
      suiteToken.value,
    );
  });

  it('goes down the chain JS-SDK ticket → corp token → suite token, each minted once, never back up', async () => {
    const world = await installedWorld();

    const { ticket, agentId } = await getJsapiTicket(world.newContainer(), {
      suiteId,
      corpId,
      type: 'agent',
    });

    expect(world.wecom.isValid(ticket.value)).toBe(true);
    expect(agentId).toBe(1_000_003);
    expect(cacheCalls(world)).toEqual([
      'read jsapi_ticket',
      'tryAcquireLease jsapi_ticket',
      'read corp_token',
      'tryAcquireLease corp_token',
      'read suite_token',
      'tryAcquireLease suite_token',
      'storeMinted suite_token',
      'storeMinted corp_token',
      'storeMinted jsapi_ticket',
    ]);
    expect(world.wecom.received.map((call) => call.api)).toEqual([
      'service/get_suite_token',
      'service/get_corp_token',
      'ticket/get',
    ]);
  });
});
