import type { Clock } from '../../functions/core/ports/clock.ts';

/** 2026-11-22T08:00:00Z: where a ManualClock starts unless told otherwise. */
export const MANUAL_CLOCK_START_MS = 1_795_334_400_000;

let ioInFlight = 0;

/**
 * One round trip of an in-memory port: it yields to the event loop (so concurrent callers
 * interleave as they would around real I/O) and costs no virtual time, so a ManualClock does not
 * move while one is in flight. The fake decides after it, atomically, as the real store would.
 */
export const simulatedIo = async (): Promise<void> => {
  ioInFlight += 1;
  try {
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    ioInFlight -= 1;
  }
};

interface Sleeper {
  readonly wakeAtMs: number;
  readonly wake: () => void;
}

/**
 * A clock that only moves when told to, or when every caller is waiting on `sleep`: then it jumps
 * to the earliest wake-up (a discrete-event clock). So a test waits seconds or hours of backoff in
 * a few event-loop turns, no sleeper ever wakes before its time, and in-memory I/O costs nothing.
 * A caller held on something else (a gate the test controls) does not stop time for the sleepers.
 */
export class ManualClock implements Clock {
  #nowMs: number;
  readonly #sleepers: Sleeper[] = [];
  #driving = false;

  constructor(startMs = MANUAL_CLOCK_START_MS) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  /** Moves time forward by `ms` at once, waking every sleeper that is then due. */
  advance(ms: number): void {
    this.moveTo(this.#nowMs + ms);
  }

  /** Moves time to `ms` (never backwards), waking every sleeper that is then due. */
  moveTo(ms: number): void {
    this.#nowMs = Math.max(this.#nowMs, ms);
    this.#wakeDue();
  }

  /** Resolves once the clock reaches now + `ms`; injected as the use cases' `sleep`. */
  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      this.#sleepers.push({ wakeAtMs: this.#nowMs + Math.max(0, ms), wake });
      this.#drive();
    });

  /** How many callers are waiting on `sleep` right now. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  #drive(): void {
    if (this.#driving) {
      return;
    }
    this.#driving = true;
    setImmediate(() => this.#step());
  }

  #step(): void {
    if (this.#sleepers.length === 0) {
      this.#driving = false;
      return;
    }
    // Work still under way (a store or WeCom round trip) happens before the next wake-up.
    if (ioInFlight === 0) {
      const earliest = Math.min(...this.#sleepers.map((sleeper) => sleeper.wakeAtMs));
      this.moveTo(earliest);
    }
    setImmediate(() => this.#step());
  }

  #wakeDue(): void {
    const due = this.#sleepers.filter((sleeper) => sleeper.wakeAtMs <= this.#nowMs);
    for (const sleeper of due) {
      this.#sleepers.splice(this.#sleepers.indexOf(sleeper), 1);
      sleeper.wake();
    }
  }
}

/** A point a fake stops at until the test lets it go on. */
export interface Gate {
  /** Resolves when something reached the gate (and now waits at it). */
  readonly reached: Promise<void>;
  /** Lets whatever waits at the gate go on. */
  release(): void;
}

/** A gate and the promise a fake awaits at it. */
export const createGate = (): Gate & { readonly pass: () => Promise<void> } => {
  let arrive = () => {};
  let release = () => {};
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    reached,
    release,
    pass: () => {
      arrive();
      return released;
    },
  };
};

/**
 * Lets the event loop run until `condition` holds (the ManualClock meanwhile moves for whoever
 * sleeps). Bounded by turns, not by wall-clock time, so a busy machine cannot make it fail.
 *
 * @throws when `condition` still does not hold after `maxTurns` turns.
 */
export const eventLoopUntil = async (condition: () => boolean, maxTurns = 10_000): Promise<void> => {
  for (let turn = 0; turn < maxTurns; turn += 1) {
    if (condition()) {
      return;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`condition not met within ${maxTurns} event-loop turns`);
};
