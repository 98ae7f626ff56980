/** Percentile of already-sorted samples (nearest rank). */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
};

/**
 * The middle of `values`, or the mean of the two middle ones when their count is even: for a few
 * figures (row 5's run medians), where taking the lower middle would favour the faster half.
 */
export const midpointMedian = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const upper = sorted.length >> 1;
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return sorted.length % 2 === 1
    ? (sorted[upper] as number)
    : ((sorted[upper - 1] as number) + (sorted[upper] as number)) / 2;
};

export const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** Times `count` sequential runs of `action` after `warmup` unmeasured ones; returns sorted ms samples. */
export const sampleLatencies = async (
  action: (index: number) => Promise<unknown>,
  count: number,
  warmup: number,
): Promise<number[]> => {
  for (let index = 0; index < warmup; index += 1) {
    await action(-1 - index);
  }
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await action(index);
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
};

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** A deterministic pseudo-random generator (mulberry32), so runs use the same inputs. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * Times two actions alternately (a, b, a, b, …) after warm-ups of both, so that both see the same
 * machine load, JIT state and DynamoDB Local warmth; returns each one's sorted ms samples.
 */
export const samplePairedLatencies = async (
  first: (index: number) => Promise<unknown>,
  second: (index: number) => Promise<unknown>,
  count: number,
  warmup: number,
): Promise<[number[], number[]]> => {
  for (let index = 0; index < warmup; index += 1) {
    await first(-1 - index);
    await second(-1 - index);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let index = 0; index < count; index += 1) {
    let started = performance.now();
    await first(index);
    a.push(performance.now() - started);
    started = performance.now();
    await second(index);
    b.push(performance.now() - started);
  }
  return [a.sort((x, y) => x - y), b.sort((x, y) => x - y)];
};
