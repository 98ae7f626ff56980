import { describe, expect, it } from 'vitest';
import { isWeComId } from '../../../functions/core/wecom-id.ts';

describe('isWeComId', () => {
  it('accepts suite, template and corp ids of 1 to 64 letters, digits, - or _', () => {
    for (const id of ['wwsuite1', 'wx5823bf96d3bd56c7', 'dk-template_2', 'w', 'a'.repeat(64)]) {
      expect(isWeComId(id)).toBe(true);
    }
  });

  it('refuses an empty or longer id, another character, and anything not a string', () => {
    for (const value of [
      '',
      'a'.repeat(65),
      'ww.suite',
      'user@corp',
      'ww/..',
      'ww suite',
      'ww企业',
      undefined,
      42,
    ]) {
      expect(isWeComId(value)).toBe(false);
    }
  });
});
