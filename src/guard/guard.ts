/**
 * The guard: samples metrics and probes on scheduled ticks, evaluates the rollback triggers while
 * armed, applies the no-data policy, and asks for a rollback when a trigger fires. It reports
 * everything as events (recorded by the controller) and decides nothing about the release beyond
 * "roll back now" (runs once per incident: the controller enforces that).
 */
import type { Trigger, Runbook } from '../runbook/types.js';
import { parseDuration } from '../runbook/duration.js';
import type { EventBody } from '../core/events.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { allFailed, describeFetchError, type FetchResults, type MetricSource, type SeriesQuery } from '../metrics/sources/source.js';
import { probeOnce, type ProbeResult } from './probe.js';
import { idleTrigger, step, type Sample, type Transition, type TriggerState } from './trigger.js';
import { probeAsMetric, probeSample } from './probe-trigger.js';
import { describeTrigger, formatValue, unitsOf, type Units } from './describe.js';

export type GuardDeps = {
  readonly runbook: Runbook;
  readonly clock: Clock;
  /** Session time (ms), the time base of event `t`. */
  readonly now: () => number;
  readonly source?: MetricSource;
  readonly record: (e: EventBody) => void;
  /** Asks for the rollback pipeline; the session time of the first breaching sample starts the incident. */
  readonly rollback: (reason: string, incidentAt: number) => void;
  readonly probe?: (url: string, timeoutMs: number, method: 'GET' | 'HEAD') => Promise<ProbeResult>;
};

export const DEFAULT_INTERVAL_MS = 5000;

export class Guard {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly series: SeriesQuery[];
  private readonly triggers: readonly Trigger[];
  private readonly units: Units;
  private states = new Map<string, TriggerState>();
  private timer: TimerHandle | undefined;
  private startedAt = 0;
  private tick = 0;
  /** The newest tick processed: samples are processed in tick order, a stale one is dropped. */
  private lastTick = -1;
  private inFlight = false;
  private armedBy = new Set<string>();
  private stopped = true;
  private oneShot = false;
  private readonly latest = new Map<string, { value?: number; error?: string; t: number }>();
  private readonly history = new Map<string, (number | undefined)[]>();
  private holdReasons = new Set<string>();
  private readonly holdListeners = new Set<(holding: boolean) => void>();

  constructor(private readonly d: GuardDeps) {
    const m = d.runbook.metrics;
    this.intervalMs = parseDuration(m?.interval ?? '') ?? DEFAULT_INTERVAL_MS;
    this.timeoutMs = parseDuration(m?.timeout ?? '') ?? Math.floor(this.intervalMs / 2);
    this.series = Object.entries(m?.series ?? {}).map(([name, s]) => ({ name, query: s.query, pointer: s.pointer }));
    this.triggers = d.runbook.rollback?.triggers ?? [];
    this.units = unitsOf(d.runbook);
    for (const t of this.triggers) this.states.set(t.id, idleTrigger);
  }

  get active(): boolean {
    return this.series.length > 0 || this.d.runbook.probes.length > 0;
  }
  get armed(): boolean {
    return this.armedBy.size > 0;
  }
  get holding(): boolean {
    return this.holdReasons.size > 0;
  }
  triggerState(id: string): TriggerState | undefined {
    return this.states.get(id);
  }
  latestValue(series: string): { value?: number; error?: string; t: number } | undefined {
    return this.latest.get(series);
  }
  onHold(fn: (holding: boolean) => void): () => void {
    this.holdListeners.add(fn);
    return () => this.holdListeners.delete(fn);
  }

  /** Starts sampling: tick 0 now, then every interval, on a schedule that does not drift. */
  start(): void {
    if (!this.active || !this.stopped) return;
    this.stopped = false;
    this.startedAt = this.d.now();
    this.tick = 0;
    this.lastTick = -1;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const due = this.startedAt + this.tick * this.intervalMs;
    this.timer = this.d.clock.after(Math.max(0, due - this.d.now()), () => {
      const t = due;
      const n = this.tick++;
      void this.sample(n, t);
      this.schedule();
    });
  }

  /** One tick: fetch every series and probe (never overlapping the previous fetch), then evaluate. */
  /**
   * One sample now, outside the schedule (`cockpit flag` judges its guardrails on a fresh sample).
   * Triggers are evaluated when armed.
   */
  async sampleOnce(): Promise<void> {
    this.oneShot = true;
    try {
      await this.sample(this.lastTick + 1, this.d.now());
    } finally {
      this.oneShot = false;
    }
  }

  async sample(n: number, t: number): Promise<void> {
    if (this.inFlight) {
      this.process(n, t, Object.fromEntries(this.series.map((s) => [s.name, { error: 'previous fetch still running' }])), {});
      return;
    }
    this.inFlight = true;
    const abort = new AbortController();
    // The guard enforces the deadline itself, on its clock and within one interval: a tick is
    // decided (late answers count as misses) before the next tick, so samples stay in tick order.
    // The fetch is still awaited before the next one starts: never two fetches at once.
    const limit = Math.min(this.intervalMs, Math.max(this.timeoutMs, ...this.d.runbook.probes.map((p) => parseDuration(p.timeout ?? '') ?? 0)));
    const probeErrors = (error: string) => Object.fromEntries(this.d.runbook.probes.map((p) => [p.name, { error }]));
    let metrics: FetchResults | undefined;
    let probes: Record<string, ProbeResult> | undefined;
    const work = Promise.all([
      (this.d.source && this.series.length ? this.d.source.fetch(this.series, this.timeoutMs, abort.signal) : Promise.resolve({})).then(
        (r) => void (metrics = r),
        (e: unknown) => void (metrics = allFailed(this.series, describeFetchError(e, this.timeoutMs))),
      ),
      this.fetchProbes().then(
        (r) => void (probes = r),
        (e: unknown) => void (probes = probeErrors(describeFetchError(e, limit))),
      ),
    ]);
    let timer: TimerHandle | undefined;
    const deadline = new Promise<false>((resolve) => (timer = this.d.clock.after(limit, () => resolve(false))));
    try {
      const finished = await Promise.race([work.then(() => true), deadline]);
      timer?.cancel();
      if (!finished) abort.abort();
      const late = `timed out after ${limit} ms`;
      this.process(n, t, metrics ?? allFailed(this.series, late), probes ?? probeErrors(late));
      if (!finished) await work;
    } finally {
      this.inFlight = false;
    }
  }

  private async fetchProbes(): Promise<Record<string, ProbeResult>> {
    const probe = this.d.probe ?? probeOnce;
    const list = this.d.runbook.probes;
    const results = await Promise.all(list.map(async (p) => [p.name, await probe(p.url, parseDuration(p.timeout ?? '') ?? this.timeoutMs, p.method ?? 'GET')] as const));
    return Object.fromEntries(results);
  }

  private process(n: number, t: number, fetched: Record<string, { value?: number; error?: string }>, probes: Record<string, ProbeResult>): void {
    if ((this.stopped && !this.oneShot) || n <= this.lastTick) return;
    this.lastTick = n;
    const values: Record<string, number | null> = {};
    const errors: Record<string, string> = {};
    // NaN / ±Infinity are missing samples (no data), never values: shown, averaged or compared
    const metrics: Record<string, { value?: number; error?: string }> = { ...fetched };
    for (const s of this.series) {
      const r = fetched[s.name] ?? { error: 'no result' };
      const v = 'value' in r ? r.value : undefined;
      values[s.name] = v !== undefined && Number.isFinite(v) ? v : null;
      const error = values[s.name] === null ? (r.error ?? (v !== undefined ? `no data (${v})` : undefined)) : undefined;
      if (error !== undefined) errors[s.name] = error;
      metrics[s.name] = values[s.name] === null ? { error } : { value: v };
      this.latest.set(s.name, { value: values[s.name] ?? undefined, error: errors[s.name], t });
      const h = this.history.get(s.name) ?? [];
      h.push(values[s.name] ?? undefined);
      if (h.length > 600) h.splice(0, h.length - 300);
      this.history.set(s.name, h);
    }
    if (this.series.length) this.d.record({ type: 'metric.sampled', tick: n, time: t, values, errors });
    if (Object.keys(probes).length) this.d.record({ type: 'probe.sampled', tick: n, time: t, results: probes });
    // a trigger that fires starts the rollback, which disarms the guard: evaluate no further
    for (const trig of this.triggers) {
      if (!this.armed) return;
      this.evaluate(trig, t, metrics, probes);
    }
  }

  private evaluate(trig: Trigger, t: number, metrics: Record<string, { value?: number; error?: string }>, probes: Record<string, ProbeResult>): void {
    const s = this.states.get(trig.id) ?? idleTrigger;
    if (s.status === 'fired') return;
    let sample: Sample;
    let metricTrigger;
    if (trig.kind === 'metric') {
      const r = metrics[trig.metric] ?? { error: 'no result' };
      sample = { t, value: r.value, error: r.error };
      metricTrigger = trig;
    } else {
      sample = probeSample(trig, this.d.runbook.probes, probes, t);
      metricTrigger = probeAsMetric(trig, this.d.runbook.metrics?.maxErrors ?? 4);
    }
    const { state, transition } = step(metricTrigger, s, sample);
    this.states.set(trig.id, state);
    // NO DATA ended on a sample that also moved the trigger (pending, reset, fired): data back first,
    // or a hold would never be released
    if (s.noData && !state.noData && transition.kind !== 'data-back') this.report(trig, { kind: 'data-back' }, sample);
    this.report(trig, transition, sample);
  }

  private report(trig: Trigger, tr: Transition, sample: Sample): void {
    switch (tr.kind) {
      case 'pending':
        this.d.record({ type: 'trigger.pending', trigger: trig.id, since: tr.since, value: tr.value });
        return;
      case 'reset':
        this.d.record({ type: 'trigger.reset', trigger: trig.id, value: tr.value });
        return;
      case 'fired': {
        const reason = `${describeTrigger(trig, this.units)}: ${formatValue(trig, tr.value, this.units)} now, breaching since ${Math.round((sample.t - tr.since) / 1000)}s (${tr.window.length} samples)`;
        this.d.record({ type: 'trigger.fired', trigger: trig.id, since: tr.since, value: tr.value, window: tr.window.map((w) => [w.t, w.value ?? null]), reason });
        this.d.rollback(`trigger fired: ${reason}`, tr.since);
        return;
      }
      case 'nodata': {
        this.d.record({ type: 'trigger.nodata', trigger: trig.id, misses: tr.misses, policy: trig.onNoData, error: tr.error });
        if (trig.onNoData === 'rollback') this.d.rollback(`no data: ${describeTrigger(trig, this.units)} had no data for ${tr.misses} samples (${tr.error ?? 'source error'})`, sample.t);
        else if (trig.onNoData === 'hold') this.setHold(trig.id, true);
        return;
      }
      case 'data-back':
        this.d.record({ type: 'trigger.data-back', trigger: trig.id });
        this.setHold(trig.id, false);
        return;
      case 'none':
        return;
    }
  }

  private setHold(id: string, on: boolean): void {
    const before = this.holding;
    if (on) this.holdReasons.add(id);
    else this.holdReasons.delete(id);
    if (before !== this.holding) {
      this.d.record({ type: 'guard.hold', holding: this.holding, triggers: [...this.holdReasons] });
      for (const l of this.holdListeners) l(this.holding);
    }
  }

  /** Arms the triggers for a reason (a stage, a monitor step); disarmed when no reason is left. */
  arm(why: string): void {
    const was = this.armed;
    this.armedBy.add(why);
    if (!was) this.d.record({ type: 'guard.armed', armed: true, why });
  }

  disarm(why: string): void {
    if (!this.armedBy.delete(why) || this.armed) return;
    for (const t of this.triggers) if (this.states.get(t.id)?.status !== 'fired') this.states.set(t.id, idleTrigger);
    if (this.holding) {
      this.holdReasons.clear();
      this.d.record({ type: 'guard.hold', holding: false, triggers: [] });
      for (const l of this.holdListeners) l(false);
    }
    this.d.record({ type: 'guard.armed', armed: false, why });
  }

  /** Disarms everything (a rollback began: one rollback per incident). */
  disarmAll(): void {
    for (const why of [...this.armedBy]) this.disarm(why);
  }

  /** The mean of the last N samples of each series, for drop/rise bands; recorded as an event. */
  takeBaseline(stage: string): void {
    const values: Record<string, number | null> = {};
    for (const [name, s] of Object.entries(this.d.runbook.metrics?.series ?? {})) {
      const n = s.baselineSamples ?? 5;
      const h = (this.history.get(name) ?? []).slice(-n).filter((v): v is number => v !== undefined);
      values[name] = h.length ? h.reduce((a, b) => a + b, 0) / h.length : null;
    }
    if (Object.keys(values).length) this.d.record({ type: 'baseline.taken', stage, values });
  }
}
