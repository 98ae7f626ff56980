import { describe, expect, it } from 'vitest';
import { isAuthCode, isWeComValue } from '../../../functions/core/wecom-values.ts';

describe('isAuthCode (document/path/90603: 64 to 512 bytes)', () => {
  it('accepts 64 and 512 printable characters, as WeCom issues them (letters, digits, - and _ seen)', () => {
    expect(isAuthCode('A'.repeat(64))).toBe(true);
    expect(isAuthCode(`Xou-QQl_${'z'.repeat(504)}`)).toBe(true);
  });

  it('refuses 63 or 513 characters, a space, non-ASCII and anything not a string', () => {
    for (const value of [
      'A'.repeat(63),
      'A'.repeat(513),
      `${'A'.repeat(63)} `,
      `${'A'.repeat(63)}码`,
      64,
      undefined,
    ]) {
      expect(isAuthCode(value)).toBe(false);
    }
  });
});

describe('isWeComValue (codes, tickets and tokens: at most 512 bytes)', () => {
  it('accepts 1 to 512 printable characters', () => {
    expect(isWeComValue('x')).toBe(true);
    expect(isWeComValue('~'.repeat(512))).toBe(true);
  });

  it('refuses the empty string, 513 characters, spaces, control and non-ASCII characters', () => {
    for (const value of ['', 'x'.repeat(513), 'a b', 'a\nb', 'ticket€', null]) {
      expect(isWeComValue(value)).toBe(false);
    }
  });
});
