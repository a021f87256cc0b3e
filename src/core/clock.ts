/** Time for the engine: monotonic `now()` for decisions, `wall()` for the journal; injectable. */

export type TimerHandle = { cancel(): void };

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Wall time, ms since the epoch. */
  wall(): number;
  after(ms: number, fn: () => void): TimerHandle;
}

/** The longest delay one setTimeout takes (2^31-1 ms, about 24.8 days): Node fires a longer one after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** setTimeout for any delay: one longer than MAX_TIMER_MS is a chain of timers, never one that fires at once. */
export function longTimeout(fn: () => void, ms: number): TimerHandle {
  let t: NodeJS.Timeout;
  const arm = (left: number): void => {
    t = left > MAX_TIMER_MS ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fn, left);
  };
  arm(ms);
  return { cancel: () => clearTimeout(t) };
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now(),
  after: (ms, fn) => longTimeout(fn, ms),
};

/** A clock tests move by hand: timers fire in order as `advance` passes them. */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  constructor(private readonly wallStart = Date.UTC(2026, 10, 28, 12, 0, 0)) {}

  now(): number {
    return this.t;
  }
  wall(): number {
    return this.wallStart + this.t;
  }
  after(ms: number, fn: () => void): TimerHandle {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((x) => x !== timer)) };
  }
  /** Moves time forward, firing due timers (and awaiting the work they start) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
  /**
   * The process was stopped for `ms` (SIGSTOP, a VM pause): time jumps forward at once, then the
   * timers that came due meanwhile fire late, in order, all at the new time (as libuv's do).
   */
  async jump(ms: number): Promise<void> {
    this.t += ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > this.t) break;
      this.timers.shift();
      next.fn();
      await settle();
    }
    await settle();
  }
  pending(): number {
    return this.timers.length;
  }
}

/** Lets queued promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}
