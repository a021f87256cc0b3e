/**
 * The sampler: fetches every metric series and probe on scheduled ticks (tick n at start + n ×
 * interval, no drift), never two fetches at once, each tick decided within one interval (late
 * answers count as misses), ticks handed over in order (a stale one is dropped). Ticks missed
 * while the process did not run are not taken afterwards; a pause is reported (core/pause.ts). It only reads:
 * what the samples mean (triggers, bands) is decided by whoever receives them.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { pauseOf } from '../core/pause.js';
import type { ProbeReading } from '../core/events.js';
import { allFailed, describeFetchError, isConfigError, type FetchResults, type MetricSource, type SeriesQuery } from './sources/source.js';

export type ProbeDef = { readonly name: string; readonly url: string; readonly timeoutMs?: number; readonly method?: 'GET' | 'HEAD' };
export type ProbeFn = (url: string, timeoutMs: number, method: 'GET' | 'HEAD') => Promise<ProbeReading>;

/** One tick's readings: a value per series (null: missing, with its error) and each probe's result. */
export type Reading = {
  readonly tick: number;
  /** Scheduled tick time, in the session's time base. */
  readonly time: number;
  readonly values: Readonly<Record<string, number | null>>;
  readonly errors: Readonly<Record<string, string>>;
  /** The series whose error is a configuration error (the query's fault, sources/source.ts), not no data. */
  readonly config: readonly string[];
  readonly probes: Readonly<Record<string, ProbeReading>>;
};

export type SamplerDeps = {
  readonly clock: Clock;
  readonly now: () => number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly series: readonly SeriesQuery[];
  readonly probes: readonly ProbeDef[];
  readonly source?: MetricSource;
  readonly probe: ProbeFn;
  readonly onReading: (r: Reading) => void;
  /** The process was stopped from `from` to `to` (session times, core/pause.ts): no tick was taken in it. */
  readonly onPause?: (p: { from: number; to: number; ms: number }) => void;
};

export class Sampler {
  private timer: TimerHandle | undefined;
  private startedAt = 0;
  private tick = 0;
  /** The newest tick handed over: readings go out in tick order, a stale one is dropped. */
  private lastTick = -1;
  private inFlight = false;
  private stopped = true;
  private oneShot = false;

  constructor(private readonly d: SamplerDeps) {}

  get active(): boolean {
    return this.d.series.length > 0 || this.d.probes.length > 0;
  }

  /** Starts sampling: tick 0 now (or at `from`, a session time in the past when resuming), then every interval. */
  start(from?: number): void {
    if (!this.active || !this.stopped) return;
    this.stopped = false;
    const now = this.d.now();
    // a resumed session keeps its schedule: the next tick is the first one due from now
    this.startedAt = from ?? now;
    this.tick = from === undefined ? 0 : Math.max(0, Math.ceil((now - from) / this.d.intervalMs));
    this.lastTick = this.tick - 1;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const due = this.startedAt + this.tick * this.d.intervalMs;
    this.timer = this.d.clock.after(Math.max(0, due - this.d.now()), () => {
      const now = this.d.now();
      let at = due;
      // later than the next tick (the process was stopped, or the event loop was held): the ticks
      // missed are not taken, none is stamped with a time that passed unmeasured; this one is now,
      // and the schedule goes on every interval from it (no drift from here)
      if (now - due > this.d.intervalMs) {
        this.tick = Math.max(this.tick, Math.floor((now - this.startedAt) / this.d.intervalMs));
        this.startedAt = now - this.tick * this.d.intervalMs;
        at = now;
        const pause = pauseOf(due, now, this.d.intervalMs);
        if (pause) {
          // a fetch begun before the pause is not handed over after it
          this.lastTick = Math.max(this.lastTick, this.tick - 1);
          this.d.onPause?.(pause);
        }
      }
      const n = this.tick++;
      void this.sample(n, at);
      this.schedule();
    });
  }

  /** One reading now, outside the schedule (`cockpit flag` judges its guardrails on a fresh sample). */
  async sampleOnce(): Promise<void> {
    this.oneShot = true;
    try {
      await this.sample(this.lastTick + 1, this.d.now());
    } finally {
      this.oneShot = false;
    }
  }

  async sample(n: number, t: number): Promise<void> {
    const series = this.d.series;
    if (this.inFlight) {
      this.handOver(n, t, allFailed(series, 'previous fetch still running'), {});
      return;
    }
    this.inFlight = true;
    const abort = new AbortController();
    // the deadline is enforced here, on the injected clock and within one interval, so a tick is
    // decided before the next one; the fetch is still awaited before another starts
    const limit = Math.min(this.d.intervalMs, Math.max(this.d.timeoutMs, ...this.d.probes.map((p) => p.timeoutMs ?? 0)));
    const probeErrors = (error: string) => Object.fromEntries(this.d.probes.map((p) => [p.name, { error }]));
    let metrics: FetchResults | undefined;
    let probes: Record<string, ProbeReading> | undefined;
    const work = Promise.all([
      (this.d.source && series.length ? this.d.source.fetch(series, this.d.timeoutMs, abort.signal) : Promise.resolve({})).then(
        (r) => void (metrics = r),
        (e: unknown) => void (metrics = allFailed(series, describeFetchError(e, this.d.timeoutMs))),
      ),
      this.fetchProbes().then(
        (r) => void (probes = r),
        (e: unknown) => void (probes = probeErrors(describeFetchError(e, limit))),
      ),
    ]);
    let timer: TimerHandle | undefined;
    const deadlineAt = this.d.now() + limit;
    // a deadline that passes while the process is stopped says nothing of the source: the tick is dropped
    const deadline = new Promise<false | 'paused'>((resolve) => (timer = this.d.clock.after(limit, () => resolve(pauseOf(deadlineAt, this.d.now(), this.d.intervalMs) ? 'paused' : false))));
    try {
      const finished = await Promise.race([work.then(() => true as const), deadline]);
      timer?.cancel();
      if (finished !== true) abort.abort();
      const late = `timed out after ${limit} ms`;
      if (finished !== 'paused') this.handOver(n, t, metrics ?? allFailed(series, late), probes ?? probeErrors(late));
      if (finished !== true) await work;
    } finally {
      this.inFlight = false;
    }
  }

  private async fetchProbes(): Promise<Record<string, ProbeReading>> {
    const results = await Promise.all(this.d.probes.map(async (p) => [p.name, await this.d.probe(p.url, p.timeoutMs ?? this.d.timeoutMs, p.method ?? 'GET')] as const));
    return Object.fromEntries(results);
  }

  private handOver(n: number, t: number, fetched: FetchResults, probes: Record<string, ProbeReading>): void {
    if ((this.stopped && !this.oneShot) || n <= this.lastTick) return;
    this.lastTick = n;
    const values: Record<string, number | null> = {};
    const errors: Record<string, string> = {};
    const config: string[] = [];
    for (const s of this.d.series) {
      const r = fetched[s.name] ?? { error: 'no result' };
      const v = 'value' in r ? r.value : undefined;
      // NaN / ±Infinity are missing samples (no data), never values: shown, averaged or compared
      values[s.name] = v !== undefined && Number.isFinite(v) ? v : null;
      const error = values[s.name] === null ? (('error' in r ? r.error : undefined) ?? (v !== undefined ? `no data (${v})` : undefined)) : undefined;
      if (error !== undefined) errors[s.name] = error;
      if (error !== undefined && isConfigError(r)) config.push(s.name);
    }
    this.d.onReading({ tick: n, time: t, values, errors, config, probes });
  }
}
