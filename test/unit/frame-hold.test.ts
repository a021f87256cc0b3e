import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameHold } from '../../src/ui/frame-hold.js';

/** The screen's frame hold (from a rollback's R to its first step): nothing lost, order kept, never stuck. */
describe('FrameHold', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs at once when not held', () => {
    const h = new FrameHold();
    const got: string[] = [];
    h.run(() => got.push('a'));
    h.latestOf('k', () => got.push('b'));
    expect(got).toEqual(['a', 'b']);
    expect(h.held).toBe(false);
  });

  it('puts updates off until release: run() in order, latestOf() only the last per key', () => {
    const h = new FrameHold();
    const got: string[] = [];
    h.hold(150);
    h.run(() => got.push('close dialog'));
    h.latestOf('session', () => got.push('session 1'));
    h.run(() => got.push('select none'));
    h.latestOf('session', () => got.push('session 2'));
    h.latestOf('now', () => got.push('now'));
    expect(got).toEqual([]);
    h.release();
    expect(got).toEqual(['close dialog', 'select none', 'session 2', 'now']);
    expect(h.held).toBe(false);
    h.release(); // twice: nothing more
    expect(got).toHaveLength(4);
  });

  it('ends on its own after maxMs: the screen is never left still', () => {
    const h = new FrameHold();
    const got: string[] = [];
    h.hold(150);
    h.run(() => got.push('x'));
    vi.advanceTimersByTime(149);
    expect(got).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(got).toEqual(['x']);
    expect(h.held).toBe(false);
  });

  it('releaseIn() brings the end forward, never back; a second hold() does not extend it', () => {
    const h = new FrameHold();
    const got: string[] = [];
    h.hold(150);
    vi.advanceTimersByTime(100);
    h.hold(150);
    h.releaseIn(100); // would end at 200: later than 150, ignored
    h.run(() => got.push('x'));
    vi.advanceTimersByTime(50);
    expect(got).toEqual(['x']);

    h.hold(150);
    h.run(() => got.push('y'));
    h.releaseIn(40);
    vi.advanceTimersByTime(39);
    expect(got).toEqual(['x']);
    vi.advanceTimersByTime(1);
    expect(got).toEqual(['x', 'y']);
  });
});
