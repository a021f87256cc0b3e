/**
 * Puts the screen's re-renders off for a moment: from the R that confirms a rollback until the
 * rollback's first step has been handed to its supervisor and had a moment to start (at most
 * `maxMs` in all). A frame costs the
 * cockpit's one thread 25-50 ms of CPU; drawn in that moment (the dialog closing, ROLLING BACK),
 * it would stand between the interrupted step's end and the rollback's start. Nothing is lost:
 * the updates put off are applied, in order, when the hold ends.
 */
export class FrameHold {
  private timer: NodeJS.Timeout | undefined;
  private endsAt = 0;
  private readonly queue: (() => void)[] = [];
  private readonly latest = new Map<string, () => void>();

  get held(): boolean {
    return this.timer !== undefined;
  }

  hold(maxMs: number): void {
    if (this.timer) return;
    this.endsAt = Date.now() + maxMs;
    this.timer = setTimeout(() => this.release(), maxMs);
  }

  /** Ends the hold in `ms` (sooner if it was to end sooner anyway). */
  releaseIn(ms: number): void {
    if (!this.timer) return;
    const endsAt = this.endsAt;
    if (Date.now() + ms >= endsAt) return;
    clearTimeout(this.timer);
    this.endsAt = Date.now() + ms;
    this.timer = setTimeout(() => this.release(), ms);
  }

  release(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const fns = [...this.queue.splice(0), ...this.latest.values()];
    this.latest.clear();
    for (const fn of fns) fn();
  }

  /** Runs fn now, or in order when the hold ends. */
  run(fn: () => void): void {
    if (this.timer) this.queue.push(fn);
    else fn();
  }

  /** Runs fn now, or when the hold ends if it is still the latest under `key` (a value that only its last setting matters). */
  latestOf(key: string, fn: () => void): void {
    if (this.timer) this.latest.set(key, fn);
    else fn();
  }
}
