import { describe, expect, it } from 'vitest';
import { LAMBDA_RESERVE_MS } from '../../../../functions/adapters/deadline/request-budget.ts';
import { getCredential, withCredential } from '../../../../functions/app/credentials/get-credential.ts';
import {
  ENDED_VALUE_REASK,
  LEASE_WAIT,
  REJECTED_TOKEN,
} from '../../../../functions/app/credentials/retry-layers.ts';
import { getCorpToken } from '../../../../functions/app/get-corp-token.ts';
import { getSuiteToken } from '../../../../functions/app/get-suite-token.ts';
import { BLOCK_SCHEDULE_MS } from '../../../../functions/core/credentials/credential-block.ts';
import {
  CorpNotAuthorizedError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../../../../functions/core/errors.ts';
import { outcomeOf } from '../../../support/errors.ts';
import {
  createInMemoryTokenWorld,
  type InMemoryTokenWorld,
  LONGEST_JITTER,
  SHORTEST_JITTER,
  UNIT_PROVIDER,
  UNIT_SUITE,
  UNIT_TEMPLATE,
} from '../../../support/in-memory-token-deps.ts';

/**
 * Each retry layer of retry-layers.ts stops at its bound (in memory, in milliseconds). The bounds
 * of LEASE_WAIT's wait and lease and of ENDED_VALUE_REASK are held by mint-lease.test.ts and
 * get-credential.test.ts; HTTP_ATTEMPTS by the WeCom client's tests.
 */

const suiteId = UNIT_SUITE.suiteId;
const templateId = UNIT_TEMPLATE.suiteId;
const corpId = 'wxcorpretries';
const SUITE_TOKEN = 'service/get_suite_token';
const CORP_TOKEN = 'service/get_corp_token';
const GETTOKEN = 'gettoken';
const PROVIDER_TOKEN = 'service/get_provider_token';
const [FIRST_BLOCK_MS = 0] = BLOCK_SCHEDULE_MS;

const installedWorld = async (): Promise<InMemoryTokenWorld> => {
  const world = createInMemoryTokenWorld();
  await world.pushTicket(suiteId);
  world.authorizations.authorize(suiteId, corpId, 'permanent-code-1');
  world.authorizations.authorize(templateId, corpId, 'template-code-1');
  return world;
};

describe('REJECTED_TOKEN', () => {
  it('replaces a token WeCom rejects once, makes the call once more, and hands a second rejection to the caller', async () => {
    const world = await installedWorld();
    const tokensUsed: string[] = [];

    const outcome = await outcomeOf(
      withCredential(world.newContainer(), { kind: 'provider_token' }, async (providerAccessToken) => {
        tokensUsed.push(providerAccessToken);
        world.wecom.invalidate(providerAccessToken);
        throw new WeComApiError('service/get_customized_auth_url', 42001, 'access_token expired');
      }),
    );

    expect(outcome).toMatchObject({ name: 'WeComApiError', errcode: 42001 });
    expect(tokensUsed).toHaveLength(2);
    expect(new Set(tokensUsed).size).toBe(2);
    expect(world.wecom.calls(PROVIDER_TOKEN)).toBe(2);
  });

  it('does not replace a token for an answer that rejects another kind (40082 is the suite token’s)', async () => {
    const world = await installedWorld();
    let calls = 0;

    const outcome = await outcomeOf(
      withCredential(world.newContainer(), { kind: 'corp_token', suiteId, corpId }, async () => {
        calls += 1;
        throw new WeComApiError('auth/getuserinfo', 40082, 'invalid suite_access_token');
      }),
    );

    expect(REJECTED_TOKEN.corp_token.has(40082)).toBe(false);
    expect(outcome).toMatchObject({ errcode: 40082 });
    expect(calls).toBe(1);
    expect(world.wecom.calls(CORP_TOKEN)).toBe(1);
  });

  it('renews the suite token of a corp mint once: rejected twice, the mint fails as a passing failure, not a block', async () => {
    const world = await installedWorld();
    const rejected = new WeComApiError(CORP_TOKEN, 40014, 'invalid access_token');
    world.wecom.script(CORP_TOKEN, rejected, rejected);

    const outcome = await outcomeOf(getCorpToken(world.newContainer(), { suiteId, corpId }));

    expect(outcome).toMatchObject({ name: 'WeComApiError', errcode: 40014 });
    expect(world.wecom.calls(CORP_TOKEN)).toBe(2);
    expect(world.wecom.calls(SUITE_TOKEN)).toBe(2);
    expect(world.cache.peek({ kind: 'corp_token', suiteId, corpId })).toMatchObject({
      mintFailure: { errcode: 40014, consecutive: 1 },
    });
    expect(world.cache.peek({ kind: 'corp_token', suiteId, corpId })).not.toHaveProperty('block');
  });

  it('renews the suite token first on a blocked corp’s periodic retry, then asks once', async () => {
    const world = await installedWorld();
    const refusal = new WeComApiError(CORP_TOKEN, 40082, 'invalid suite_access_token');
    world.wecom.script(CORP_TOKEN, refusal, refusal, refusal);
    await outcomeOf(getCorpToken(world.newContainer(), { suiteId, corpId }));
    const [suiteCalls, corpCalls] = [world.wecom.calls(SUITE_TOKEN), world.wecom.calls(CORP_TOKEN)];
    world.clock.advance(FIRST_BLOCK_MS);

    const retried = await outcomeOf(getCorpToken(world.newContainer(), { suiteId, corpId }));

    // The first 40082 met a suite token WeCom had just confirmed: no renewal, no second ask.
    expect([suiteCalls, corpCalls]).toEqual([1, 1]);
    expect(retried).toBeInstanceOf(CorpNotAuthorizedError);
    expect(world.wecom.calls(CORP_TOKEN)).toBe(corpCalls + 1);
    expect(world.wecom.calls(SUITE_TOKEN)).toBe(suiteCalls + 1);
    expect(world.cache.peek({ kind: 'corp_token', suiteId, corpId })).toMatchObject({
      block: { refusals: 2 },
    });
  });
});

describe('PERMANENT_CODE_REREAD', () => {
  it('asks once more with a permanent code stored since, and no more: refused again, the corp is blocked', async () => {
    const world = await installedWorld();
    const warm = world.newContainer();
    // The container remembers the authorization but holds no token: its mint failed for a passing reason.
    world.wecom.script(GETTOKEN, new UpstreamUnavailableError('gettoken is unreachable'));
    await outcomeOf(getCorpToken(warm, { suiteId: templateId, corpId }));
    world.authorizations.authorize(templateId, corpId, 'template-code-2');
    const refused = new WeComApiError(GETTOKEN, 40001, 'invalid credential');
    world.wecom.script(GETTOKEN, refused, refused);

    const outcome = await outcomeOf(getCorpToken(warm, { suiteId: templateId, corpId }));

    expect(outcome).toBeInstanceOf(CorpNotAuthorizedError);
    expect(world.wecom.received.map((call) => call.args[1])).toEqual([
      'template-code-1',
      'template-code-1',
      'template-code-2',
    ]);
    expect(world.cache.peek({ kind: 'corp_token', suiteId: templateId, corpId })).toMatchObject({
      block: { refusals: 1, failure: { errcode: 40001 } },
    });
    expect(world.events.published).toHaveLength(1);
  });
});

describe('TICKET_FALLBACK', () => {
  it('asks with the previous suite_ticket once, and no more', async () => {
    const world = createInMemoryTokenWorld();
    await world.pushTicket(suiteId, 'ticket-older');
    await world.pushTicket(suiteId, 'ticket-newest');
    const invalid = new WeComApiError(SUITE_TOKEN, 40085, 'invalid suite_ticket');
    world.wecom.script(SUITE_TOKEN, invalid, invalid, invalid);

    const outcome = await outcomeOf(getSuiteToken(world.newContainer(), { suiteId }));

    expect(outcome).toMatchObject({ name: 'WeComApiError', errcode: 40085 });
    expect(world.wecom.received.map((call) => call.args[2])).toEqual(['ticket-newest', 'ticket-older']);
  });
});

describe('LEASE_WAIT', () => {
  it('slows a waiter’s reads to one per 200–400 ms, so its 12 s wait costs at most 65 reads', async () => {
    const readsOfAWaiter = async (random: () => number): Promise<number> => {
      const world = createInMemoryTokenWorld();
      await world.cache.tryAcquireLease({ kind: 'provider_token' }, 'owner-that-died', LEASE_WAIT.leaseMs);
      const before = world.cache.calls.read;
      const gaveUp = await outcomeOf(getCredential(world.newContainer({ random }), UNIT_PROVIDER));
      expect(gaveUp).toBeInstanceOf(UpstreamUnavailableError);
      expect(world.wecom.calls(PROVIDER_TOKEN)).toBe(0);
      return world.cache.calls.read - before;
    };

    // Pauses of 50, 75, 112 … ms up to 400 ms, each cut to 50–100 % by the jitter: with the
    // shortest jitter 64 pauses and 65 reads, with the longest 34 pauses and 35 reads.
    expect(await readsOfAWaiter(SHORTEST_JITTER)).toBe(65);
    expect(await readsOfAWaiter(LONGEST_JITTER)).toBe(35);
  });
});

describe('the worst case against the request deadline', () => {
  it('lets a request begin no pause that ends later than the Lambda timeout, once its deadline has passed', () => {
    const longestPauseMs = Math.max(LEASE_WAIT.maxPollMs, ENDED_VALUE_REASK.pauseMs);

    expect(longestPauseMs).toBeLessThan(LAMBDA_RESERVE_MS);
  });
});
