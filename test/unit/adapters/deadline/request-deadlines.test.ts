import { describe, expect, it } from 'vitest';
import { RequestDeadlines } from '../../../../functions/adapters/deadline/request-deadlines.ts';

describe('RequestDeadlines', () => {
  it('has no deadline outside a request', () => {
    expect(new RequestDeadlines(() => 0).remainingMs()).toBeUndefined();
  });

  it('tells the time left inside a request, across awaits, and forgets it after', async () => {
    let now = 1000;
    const deadlines = new RequestDeadlines(() => now);

    const seen = await deadlines.run(1800, async () => {
      const first = deadlines.remainingMs();
      await Promise.resolve();
      now = 1500;
      return [first, deadlines.remainingMs()];
    });

    expect(seen).toEqual([800, 300]);
    expect(deadlines.remainingMs()).toBeUndefined();
  });

  it('keeps concurrent requests apart', async () => {
    const deadlines = new RequestDeadlines(() => 0);
    const remainingAfterTick = (deadlineAtMs: number) =>
      deadlines.run(deadlineAtMs, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return deadlines.remainingMs();
      });

    expect(await Promise.all([remainingAfterTick(100), remainingAfterTick(900)])).toEqual([100, 900]);
  });

  it('stretches every budget by its factor', async () => {
    const deadlines = new RequestDeadlines(() => 1000, 10);

    expect(await deadlines.run(1100, async () => deadlines.remainingMs())).toBe(1000);
  });
});
