/**
 * The system clock's timers for delays past setTimeout's limit (2^31-1 ms, about 24.8 days): Node
 * fires a longer one after 1 ms, so a `monitor: 600h` or an escalation level after 600h would
 * fire at once. Vitest's fake timers overflow the same way Node does (a delay over 2^31-1 is 1 ms).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { longTimeout, MAX_TIMER_MS, systemClock } from '../../src/core/clock.js';

const HOUR = 3_600_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('systemClock.after with a delay past 2^31 ms', () => {
  it('600h fires after 600h, once, not at once', () => {
    const fired: number[] = [];
    const start = Date.now();
    systemClock.after(600 * HOUR, () => fired.push(Date.now() - start));
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(600 * HOUR - 1000 - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([600 * HOUR]);
    vi.advanceTimersByTime(1000 * HOUR);
    expect(fired).toEqual([600 * HOUR]);
  });

  it('a delay of exactly the limit, and one just past it (two timers chained)', () => {
    const fired: string[] = [];
    systemClock.after(MAX_TIMER_MS, () => fired.push('limit'));
    systemClock.after(MAX_TIMER_MS + 1, () => fired.push('past'));
    vi.advanceTimersByTime(MAX_TIMER_MS - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['limit']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['limit', 'past']);
  });

  it('cancel stops a chained timer, before and after its first link', () => {
    const fired: string[] = [];
    const early = systemClock.after(3 * MAX_TIMER_MS, () => fired.push('early'));
    const late = longTimeout(() => fired.push('late'), 3 * MAX_TIMER_MS);
    early.cancel();
    vi.advanceTimersByTime(MAX_TIMER_MS + 5);
    late.cancel();
    vi.advanceTimersByTime(10 * MAX_TIMER_MS);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a short delay is one plain timer, as before', () => {
    const fired: number[] = [];
    systemClock.after(250, () => fired.push(1));
    vi.advanceTimersByTime(249);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([1]);
  });
});
