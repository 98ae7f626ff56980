import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  installStateKey,
  isInstallRef,
  issueInstallState,
  openInstallState,
} from '../../../../functions/core/install/install-state.ts';

const key = installStateKey('suite-secret-a');
const NOW = 1_795_334_400_000;
const claims = { suiteId: 'wwsuite1', expiresAtMs: NOW + 20 * 60_000, nonce: new Uint8Array(8).fill(7) };

const reasonOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { reason?: string }).reason;
  }
};

describe('install state', () => {
  it('round-trips every ref, fits WeCom’s 128 [A-Za-z0-9] characters, and identifies its use by the nonce', () => {
    fc.assert(
      fc.property(
        fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), { nil: undefined }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        (ref, nonce) => {
          const state = issueInstallState(key, { ...claims, nonce, ...(ref === undefined ? {} : { ref }) });
          expect(state).toMatch(/^[A-Za-z0-9]{1,128}$/);
          const opened = openInstallState(key, 'wwsuite1', state, NOW);
          expect(opened.ref).toBe(ref);
          expect(opened.stateId).toBe(Buffer.from(nonce).toString('hex'));
          expect(opened.expiresAtMs).toBe(claims.expiresAtMs);
        },
      ),
    );
  });

  it('refuses a state of another suite, another secret, or with any character changed', () => {
    const state = issueInstallState(key, { ...claims, ref: 'order-42' });
    expect(reasonOf(() => openInstallState(key, 'wwsuite2', state, NOW))).toBe('FORGED');
    expect(reasonOf(() => openInstallState(installStateKey('rotated'), 'wwsuite1', state, NOW))).toBe(
      'FORGED',
    );
    for (let at = 0; at < state.length; at += 1) {
      const changed = `${state.slice(0, at)}${state[at] === 'A' ? 'B' : 'A'}${state.slice(at + 1)}`;
      expect(['FORGED', 'MALFORMED']).toContain(
        reasonOf(() => openInstallState(key, 'wwsuite1', changed, NOW)),
      );
    }
  });

  it('refuses an expired, truncated, non-canonical or foreign state', () => {
    const state = issueInstallState(key, claims);
    expect(reasonOf(() => openInstallState(key, 'wwsuite1', state, claims.expiresAtMs))).toBe('EXPIRED');
    expect(reasonOf(() => openInstallState(key, 'wwsuite1', state.slice(0, -2), NOW))).toMatch(
      /FORGED|MALFORMED/,
    );
    expect(reasonOf(() => openInstallState(key, 'wwsuite1', 'sandbox', NOW))).toBe('MALFORMED');
    expect(reasonOf(() => openInstallState(key, 'wwsuite1', `${state}A`, NOW))).toMatch(/FORGED|MALFORMED/);
    expect(reasonOf(() => openInstallState(key, 'wwsuite1', 'A'.repeat(129), NOW))).toBe('MALFORMED');
  });
});

describe('issuing a state', () => {
  it('refuses a nonce that is not 8 bytes and a ref outside [A-Za-z0-9_-]{1,64}', () => {
    expect(() => issueInstallState(key, { ...claims, nonce: new Uint8Array(7) })).toThrow(RangeError);
    expect(() => issueInstallState(key, { ...claims, ref: 'a b' })).toThrow(RangeError);
    expect(() => issueInstallState(key, { ...claims, ref: 'x'.repeat(65) })).toThrow(RangeError);
  });

  it('takes a ref of 1 to 64 letters, digits, - or _ and nothing else', () => {
    expect(isInstallRef('order-42_A')).toBe(true);
    expect(isInstallRef('x'.repeat(64))).toBe(true);
    for (const ref of ['', 'x'.repeat(65), 'a.b', 'a+b', '订单']) {
      expect(isInstallRef(ref)).toBe(false);
    }
  });
});
