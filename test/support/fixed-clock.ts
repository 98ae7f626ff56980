import type { Clock } from '../../functions/core/ports/clock.ts';

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

/**
 * A clock that runs with real time from a point a test can move forward: waits and timeouts still
 * pass, while hours of token lifetimes go by in a moment.
 */
export class ShiftedClock implements Clock {
  #offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Moves to `ms` (only forward). */
  moveTo(ms: number): void {
    this.#offsetMs += Math.max(0, ms - this.nowMs());
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
