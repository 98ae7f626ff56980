import type { Clock } from '../../functions/core/ports.ts';

/** A clock that stands still until a test moves it. */
export class FixedClock implements Clock {
  constructor(private currentMs: number) {}

  nowMs(): number {
    return this.currentMs;
  }

  set(ms: number): void {
    this.currentMs = ms;
  }

  advanceSeconds(seconds: number): void {
    this.currentMs += seconds * 1000;
  }
}
