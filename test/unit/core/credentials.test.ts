import { describe, expect, it } from 'vitest';
import {
  freshnessOf,
  MINIMUM_REMAINING_MS,
  REFRESH_MARGIN_MS,
  SAME_TOKEN_RETRY_MS,
  tokenFromMint,
} from '../../../functions/core/credentials/access-token.ts';
import {
  describeMintFailure,
  errorFromMintFailure,
} from '../../../functions/core/credentials/mint-failure.ts';
import { RecentAuthorizations } from '../../../functions/core/credentials/recent-authorizations.ts';
import { TokenMemory } from '../../../functions/core/credentials/token-memory.ts';
import {
  CorpNotAuthorizedError,
  SuiteTicketMissingError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../../../functions/core/errors.ts';

const NOW = 1_795_334_400_000;

describe('tokenFromMint', () => {
  it('refreshes a new token 5 minutes before it expires', () => {
    const token = tokenFromMint('t1', 7200, NOW);

    expect(token).toEqual({
      value: 't1',
      expiresAtMs: NOW + 7_200_000,
      refreshAtMs: NOW + 7_200_000 - REFRESH_MARGIN_MS,
    });
  });

  it('keeps the expiry of a token WeCom handed back again, and retries a minute later', () => {
    const previous = tokenFromMint('t1', 7200, NOW - 7_000_000);

    const again = tokenFromMint('t1', 7200, NOW, previous);

    expect(again.expiresAtMs).toBe(previous.expiresAtMs);
    expect(again.refreshAtMs).toBe(NOW + SAME_TOKEN_RETRY_MS);
  });

  it('never refreshes a re-issued token after it has expired', () => {
    const previous = tokenFromMint('t1', 7200, NOW - 7_180_000);

    expect(tokenFromMint('t1', 7200, NOW, previous).refreshAtMs).toBe(previous.expiresAtMs);
  });
});

describe('freshnessOf', () => {
  const token = tokenFromMint('t', 7200, NOW);

  it('is fresh before the refresh point, refreshable after it, expired near expiry', () => {
    expect(freshnessOf(token, NOW)).toBe('fresh');
    expect(freshnessOf(token, token.refreshAtMs)).toBe('refreshable');
    expect(freshnessOf(token, token.expiresAtMs - MINIMUM_REMAINING_MS)).toBe('expired');
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
