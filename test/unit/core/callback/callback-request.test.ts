import { describe, expect, it } from 'vitest';
import { assertWithinReplayWindow } from '../../../../functions/core/callback/callback-request.ts';
import { CallbackAuthError } from '../../../../functions/core/errors.ts';

const NOW_MS = 1_795_334_400_000;

describe('assertWithinReplayWindow', () => {
  it('accepts a timestamp at the edge of the window, on either side', () => {
    expect(() => assertWithinReplayWindow(String(NOW_MS / 1000 - 300), NOW_MS, 300)).not.toThrow();
    expect(() => assertWithinReplayWindow(String(NOW_MS / 1000 + 300), NOW_MS, 300)).not.toThrow();
  });

  it('rejects a timestamp one second past the window', () => {
    expect(() => assertWithinReplayWindow(String(NOW_MS / 1000 - 301), NOW_MS, 300)).toThrow(
      CallbackAuthError,
    );
  });

  it('accepts anything when the window is 0 (off)', () => {
    expect(() => assertWithinReplayWindow('1', NOW_MS, 0)).not.toThrow();
  });
});
