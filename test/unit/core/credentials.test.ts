import { describe, expect, it } from 'vitest';
import {
  ENDED_VALUE_GRACE_MS,
  freshnessOf,
  tokenFromMint,
  withGrace,
} from '../../../functions/core/credentials/access-token.ts';
import {
  BLOCK_SCHEDULE_MS,
  errorFromBlock,
  isBlockingFailure,
  nextBlock,
} from '../../../functions/core/credentials/credential-block.ts';
import { memoryKeyOf } from '../../../functions/core/credentials/credential-key.ts';
import {
  describeMintFailure,
  errorFromMintFailure,
} from '../../../functions/core/credentials/mint-failure.ts';
import { RecentAuthorizations } from '../../../functions/core/credentials/recent-authorizations.ts';
import { TokenMemory } from '../../../functions/core/credentials/token-memory.ts';
import {
  AuthorizationBrokenError,
  CorpNotAuthorizedError,
  SuiteTicketMissingError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../../../functions/core/errors.ts';

const NOW = 1_795_334_400_000;

describe('tokenFromMint', () => {
  it('asks for the next token at the end of this one, counted from when the request was sent', () => {
    const token = tokenFromMint('t1', 7200, NOW);

    expect(token).toEqual({ value: 't1', expiresAtMs: NOW + 7_200_000, refreshAtMs: NOW + 7_200_000 });
  });

  it('serves a value WeCom still hands back after our end for a short grace only', () => {
    const ended = tokenFromMint('t1', 7200, NOW - 7_200_000);

    expect(withGrace(ended, NOW)).toEqual({
      value: 't1',
      expiresAtMs: NOW + ENDED_VALUE_GRACE_MS,
      refreshAtMs: NOW + ENDED_VALUE_GRACE_MS,
    });
  });

  it('keeps the expiry of a value WeCom handed back again, and tries next at its true end', () => {
    const previous = tokenFromMint('t1', 7200, NOW - 7_000_000);

    const again = tokenFromMint('t1', 7200, NOW, previous);

    expect(again).toEqual({
      value: 't1',
      expiresAtMs: previous.expiresAtMs,
      refreshAtMs: previous.expiresAtMs,
    });
  });

  it('believes a shorter remaining lifetime reported for the same value', () => {
    const previous = tokenFromMint('t1', 7200, NOW - 1000);

    const again = tokenFromMint('t1', 100, NOW, previous);

    expect(again.expiresAtMs).toBe(NOW + 100_000);
    expect(again.refreshAtMs).toBe(again.expiresAtMs);
  });
});

describe('freshnessOf', () => {
  const token = { value: 't', expiresAtMs: NOW + 7_200_000, refreshAtMs: NOW + 6_900_000 };

  it('is fresh before the refresh point, refresh_due until the true end, then expired', () => {
    expect(freshnessOf(token, NOW)).toBe('fresh');
    expect(freshnessOf(token, token.refreshAtMs - 1)).toBe('fresh');
    expect(freshnessOf(token, token.refreshAtMs)).toBe('refresh_due');
    expect(freshnessOf(token, token.expiresAtMs - 1)).toBe('refresh_due');
    expect(freshnessOf(token, token.expiresAtMs)).toBe('expired');
  });
});

describe('memoryKeyOf', () => {
  it('gives each credential kind and id its own key', () => {
    expect(
      new Set([
        memoryKeyOf({ kind: 'suite_token', suiteId: 's' }),
        memoryKeyOf({ kind: 'corp_token', suiteId: 's', corpId: 'c' }),
        memoryKeyOf({ kind: 'corp_token', suiteId: 's', corpId: 'd' }),
      ]).size,
    ).toBe(3);
  });
});

describe('credential blocks', () => {
  const refusal = new WeComApiError('service/get_corp_token', 48004, 'auth relation invalid');
  const broken = new AuthorizationBrokenError(refusal, 'the authorization of corp c for s is broken');

  it('waits 1, 5, 15, 30 and then 60 minutes between asks, counting refusals from the first', () => {
    let block = nextBlock(describeMintFailure(broken, NOW), NOW);
    const waits = [block.nextAttemptAtMs - NOW];
    for (let refusal = 2; refusal <= 7; refusal += 1) {
      const at = block.nextAttemptAtMs;
      block = nextBlock(describeMintFailure(broken, at), at, block);
      waits.push(block.nextAttemptAtMs - at);
    }

    expect(waits).toEqual([...BLOCK_SCHEDULE_MS, 3_600_000, 3_600_000]);
    expect(block).toMatchObject({ sinceMs: NOW, refusals: 7 });
    expect(BLOCK_SCHEDULE_MS[0]).toBeGreaterThanOrEqual(60_000);
  });

  it('turns into CorpNotAuthorizedError saying what WeCom answered and when it is asked again', () => {
    const block = nextBlock(describeMintFailure(broken, NOW), NOW);

    const error = errorFromBlock(block);

    expect(error).toBeInstanceOf(CorpNotAuthorizedError);
    expect(error.message).toContain('broken');
    expect(error.message).toContain(new Date(NOW + 60_000).toISOString());
    expect(describeMintFailure(broken, NOW)).toMatchObject({ errcode: 48004, api: 'service/get_corp_token' });
  });

  it('blocks only for a broken authorization', () => {
    expect(isBlockingFailure(broken)).toBe(true);
    expect(isBlockingFailure(refusal)).toBe(false);
    expect(isBlockingFailure(new CorpNotAuthorizedError('never installed'))).toBe(false);
  });
});

describe('TokenMemory', () => {
  it('returns a fresh token until it is kept too long, stale, or no longer fresh', () => {
    const memory = new TokenMemory(30_000);
    const token = tokenFromMint('t', 7200, NOW);
    memory.set('k', token, NOW);

    expect(memory.get('k', NOW + 29_999)).toBe(token);
    expect(memory.get('k', NOW + 1, 't')).toBeUndefined();
    memory.set('k', token, NOW);
    expect(memory.get('k', NOW + 30_000)).toBeUndefined();
    memory.set('k', token, token.refreshAtMs);
    expect(memory.get('k', token.refreshAtMs)).toBeUndefined();
    expect(memory.get('missing', NOW)).toBeUndefined();
  });
});

describe('RecentAuthorizations', () => {
  it('keeps an authorization for maxAge only', () => {
    const recent = new RecentAuthorizations(30_000);
    const authorization = { suiteId: 's', corpId: 'c', status: 'active' as const, permanentCode: 'p' };
    recent.set(authorization, NOW);

    expect(recent.get('s', 'c', NOW + 29_999)).toBe(authorization);
    expect(recent.get('s', 'c', NOW + 30_000)).toBeUndefined();
    expect(recent.get('s', 'other', NOW)).toBeUndefined();
  });
});

describe('mint failures shared with waiting callers', () => {
  it.each([
    [new WeComApiError('gettoken', 40001, 'invalid secret'), WeComApiError],
    [new SuiteTicketMissingError('no ticket'), SuiteTicketMissingError],
    [new CorpNotAuthorizedError('revoked'), CorpNotAuthorizedError],
    [new UpstreamUnavailableError('down'), UpstreamUnavailableError],
    [new Error('bug with a secret-value in it'), UpstreamUnavailableError],
  ])('rebuilds %s as the same typed error, never with foreign detail', (error, expected) => {
    const rebuilt = errorFromMintFailure(describeMintFailure(error, NOW));

    expect(rebuilt).toBeInstanceOf(expected);
    expect(rebuilt.message).not.toContain('secret-value');
    if (error instanceof WeComApiError) {
      expect(rebuilt.message).toBe(error.message);
    }
  });
});

describe('errorFromMintFailure with a partial record', () => {
  it('still yields a WeComApiError when the stored record lacks api, errcode or errmsg', () => {
    const rebuilt = errorFromMintFailure({ atMs: NOW, errorName: 'WeComApiError', message: 'm' });

    expect(rebuilt).toBeInstanceOf(WeComApiError);
    expect((rebuilt as WeComApiError).errcode).toBe(0);
  });
});

describe('the streak of failed mints', () => {
  it('lets a first failure be retried at once and makes a streak wait 2 s, 4 s … up to a minute', async () => {
    const { mintRetryAtMs, nextMintFailure } = await import(
      '../../../functions/core/credentials/mint-failure.ts'
    );
    const { UpstreamUnavailableError } = await import('../../../functions/core/errors.ts');
    const error = new UpstreamUnavailableError('down');
    const first = nextMintFailure(error, 1_000, undefined);
    const second = nextMintFailure(error, 2_000, first);
    let failure = second;
    for (let at = 3_000; at < 20_000; at += 1_000) {
      failure = nextMintFailure(error, at, failure);
    }
    const afterAPause = nextMintFailure(error, failure.atMs + 5 * 60_000, failure);

    expect(mintRetryAtMs(first)).toBe(1_000);
    expect(mintRetryAtMs({ atMs: 5, errorName: 'x', message: 'y' })).toBe(5);
    expect(second.consecutive).toBe(2);
    expect(mintRetryAtMs(second)).toBe(4_000);
    expect(mintRetryAtMs(failure)).toBe(failure.atMs + 60_000);
    expect(afterAPause.consecutive).toBe(1);
    // A failure recorded before streaks were counted is a streak of one.
    expect(nextMintFailure(error, 1_500, { atMs: 1_000, errorName: 'x', message: 'y' }).consecutive).toBe(2);
  });
});

describe('TokenMemory.shared and RecentAuthorizations.shared', () => {
  it('give concurrent callers one pending read, and a new one once it settled', async () => {
    const { TokenMemory } = await import('../../../functions/core/credentials/token-memory.ts');
    const { RecentAuthorizations } = await import(
      '../../../functions/core/credentials/recent-authorizations.ts'
    );
    const memory = new TokenMemory();
    const recent = new RecentAuthorizations();
    let reads = 0;
    const token = { value: 't', expiresAtMs: 10, refreshAtMs: 10 };
    const obtain = async () => {
      reads += 1;
      return token;
    };
    const read = async () => {
      reads += 1;
      return undefined;
    };

    await Promise.all([memory.shared('k', obtain), memory.shared('k', obtain)]);
    await memory.shared('k', obtain);
    await Promise.all([recent.shared('s', 'c', read), recent.shared('s', 'c', read)]);

    expect(reads).toBe(3);
  });
});
