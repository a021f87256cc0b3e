/**
 * The guard: turns the sampler's readings into events (metric.sampled, probe.sampled), reads what
 * the fold made of them (the triggers' machines live in the state, guard/fold.ts) and says what
 * happened: trigger.* events, the no-data policy, "roll back now" (once per incident: the
 * controller enforces that). It also arms and disarms the triggers for the stages that ask.
 */
import type { Trigger, Runbook } from '../runbook/types.js';
import { formatCompact, parseDuration } from '../runbook/duration.js';
import type { EventBody } from '../core/events.js';
import type { Clock } from '../core/clock.js';
import { Sampler, type ProbeFn, type Reading } from '../metrics/sampler.js';
import type { MetricSource } from '../metrics/sources/source.js';
import { probeOnce } from './probe.js';
import type { Transition, TriggerState } from './trigger.js';
import type { GuardState } from './fold.js';
import { describeTrigger, formatValue, unitsOf, type Units } from './describe.js';
import { baselineSeries, baselineWindow, historyBaseline, noHistory, samplesBaseline, DEFAULT_BASELINE_SAMPLES } from './baseline.js';
import { evaluatedTriggers } from './shadow.js';
import { decisionRecord } from './decision.js';
import { errorMessage } from '../core/error-message.js';

export type GuardDeps = {
  readonly runbook: Runbook;
  readonly clock: Clock;
  /** Session time (ms), the time base of event `t`. */
  readonly now: () => number;
  /** The guard part of the session state (the fold of what was recorded). */
  readonly state: () => GuardState;
  readonly source?: MetricSource;
  readonly record: (e: EventBody) => void;
  /** Asks for the rollback pipeline; the session time of the first breaching sample starts the incident. */
  readonly rollback: (reason: string, incidentAt: number) => void;
  readonly probe?: ProbeFn;
  /** A trigger's series answers with a configuration error: the running stage step fails with `reason`. */
  readonly broken?: (reason: string) => void;
};

export const DEFAULT_INTERVAL_MS = 5000;
/** How long a hold for lack of data may last by default (metrics.holdLimit). */
export const DEFAULT_HOLD_LIMIT_MS = 10 * 60_000;

/** How long a trigger with onNoData: hold may hold the release before the stage fails. */
export function holdLimitOf(rb: Runbook): number {
  return parseDuration(rb.metrics?.holdLimit ?? '') ?? DEFAULT_HOLD_LIMIT_MS;
}

/** "trigger error-rate-above: query "sum(rate(x[1m])" is broken: bad_data: 1:5: parse error: …" (one line). */
export function brokenReason(trigger: string, metric: string, def: { readonly query?: string; readonly pointer?: string } | undefined, error: string): string {
  const what = def?.query !== undefined ? `query "${def.query.replace(/\s+/g, ' ').trim()}"` : def?.pointer !== undefined ? `pointer ${def.pointer} of series ${metric}` : `series ${metric}`;
  return `trigger ${trigger}: ${what} is broken: ${error}`;
}

export class Guard {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly sampler: Sampler;
  private readonly triggers: readonly Trigger[];
  /** Every trigger the guard reports on, the shadow ones first (they act on nothing). */
  private readonly reported: readonly { trigger: Trigger; shadow: boolean }[];
  private readonly units: Units;
  /** The history baseline while it is being read (the first stage waits for it). */
  private baselinePending: Promise<void> | undefined;
  private armedBy = new Set<string>();
  private readonly holdListeners = new Set<(holding: boolean) => void>();

  constructor(private readonly d: GuardDeps) {
    const m = d.runbook.metrics;
    this.intervalMs = parseDuration(m?.interval ?? '') ?? DEFAULT_INTERVAL_MS;
    this.timeoutMs = parseDuration(m?.timeout ?? '') ?? Math.floor(this.intervalMs / 2);
    this.triggers = d.runbook.rollback?.triggers ?? [];
    const all = evaluatedTriggers(d.runbook);
    this.reported = [...all.filter((x) => x.shadow), ...all.filter((x) => !x.shadow)];
    this.units = unitsOf(d.runbook);
    this.sampler = new Sampler({
      clock: d.clock,
      now: d.now,
      intervalMs: this.intervalMs,
      timeoutMs: this.timeoutMs,
      series: Object.entries(m?.series ?? {}).map(([name, s]) => ({ name, query: s.query, pointer: s.pointer })),
      probes: d.runbook.probes.map((p) => ({ name: p.name, url: p.url, method: p.method, timeoutMs: parseDuration(p.timeout ?? '') ?? undefined })),
      source: d.source,
      probe: d.probe ?? probeOnce,
      onReading: (r) => this.onReading(r),
      // the process was stopped: said once, before the first sample after it (windows start again: fold.ts)
      onPause: (p) => this.d.record({ type: 'session.paused', ...p }),
    });
  }

  get active(): boolean {
    return this.sampler.active;
  }
  /** Armed as the state says (a resumed session is armed before its stage re-arms for its reasons). */
  get armed(): boolean {
    return this.d.state().armed;
  }
  get holding(): boolean {
    return this.d.state().holdingFor.length > 0;
  }
  /** How long a hold may last (metrics.holdLimit) before the stage fails. */
  get holdLimitMs(): number {
    return holdLimitOf(this.d.runbook);
  }
  /** Session time the current hold began, while holding. */
  get heldSince(): number | undefined {
    return this.d.state().heldSince;
  }
  /** Why a hold that lasted its limit fails the stage: "held 10m for lack of data: error_rate had no data (connection refused)". */
  holdExpired(): string {
    const g = this.d.state();
    const what = g.holdingFor.map((id) => {
      const t = this.triggers.find((x) => x.id === id);
      if (!t) return `${id} had no data`;
      if (t.kind === 'metric') return `${t.metric} had no data${g.series[t.metric]?.error ? ` (${g.series[t.metric].error})` : ''}`;
      const names = t.probe === 'critical' ? this.d.runbook.probes.filter((p) => p.critical).map((p) => p.name) : [t.probe];
      const errors = [...new Set(names.map((n) => g.probes[n]?.error).filter((x): x is string => x !== undefined))];
      return `probe ${t.probe} had no data${errors.length ? ` (${errors.join('; ')})` : ''}`;
    });
    return `held ${formatCompact(this.holdLimitMs)} for lack of data: ${what.join(', ') || 'a trigger had no data'}`;
  }
  /** Why an armed trigger cannot watch (its series answers with a configuration error), while one cannot. */
  brokenNow(): string | undefined {
    const g = this.d.state();
    if (!g.armed) return undefined;
    for (const t of this.triggers) {
      if (g.machines[t.id]?.state.broken !== undefined) return g.triggers[t.id]?.broken;
    }
    return undefined;
  }
  /** The latest sample of a series (value, or the error of a missing one) and its tick time. */
  latestValue(series: string): { value?: number; error?: string; t: number } | undefined {
    const s = this.d.state().series[series];
    const last = s?.samples.at(-1);
    return last ? { value: last[1] ?? undefined, error: last[1] === null ? s.error : undefined, t: last[0] } : undefined;
  }
  /** A trigger's machine (pending window, misses), as the fold of the samples left it. */
  triggerState(id: string): TriggerState | undefined {
    return this.d.state().machines[id]?.state;
  }
  /** When the cockpit was stopped (session.paused), oldest first. */
  get pauses(): NonNullable<GuardState['pauses']> {
    return this.d.state().pauses ?? [];
  }
  onHold(fn: (holding: boolean) => void): () => void {
    this.holdListeners.add(fn);
    return () => this.holdListeners.delete(fn);
  }

  /** Starts sampling: tick 0 now, or on the schedule that began at `from` (a resumed session). */
  start(from?: number): void {
    this.sampler.start(from);
  }

  /**
   * The history baseline, once, when the session starts: read from a source with history (the
   * first stage waits for it: baselineRead), or said to come from the samples.
   */
  readBaseline(): void {
    if (this.d.state().baselineFrom || this.baselinePending) return;
    const names = baselineSeries(this.d.runbook);
    const m = this.d.runbook.metrics;
    const source = this.d.source;
    if (!m || !source || names.length === 0) return;
    if (!source.fetchRange) {
      this.d.record(noHistory(source.kind, Math.min(...names.map((n) => m.series[n].baselineSamples ?? DEFAULT_BASELINE_SAMPLES))));
      return;
    }
    const window = baselineWindow(this.d.runbook, this.d.clock.wall(), this.intervalMs);
    const read = historyBaseline(source.fetchRange.bind(source), m.series, names, window, Math.max(this.timeoutMs, 5000)).then(
      (e) => this.d.record(e),
      (e: unknown) => this.d.record({ type: 'baseline.taken', values: Object.fromEntries(names.map((n) => [n, null])), window, errors: Object.fromEntries(names.map((n) => [n, errorMessage(e)])) }),
    );
    this.baselinePending = read.finally(() => (this.baselinePending = undefined));
  }

  /** Resolves once the history baseline is read (at once when none is being read). */
  baselineRead(): Promise<void> | undefined {
    return this.baselinePending;
  }

  stop(): void {
    this.sampler.stop();
  }

  /** One sample now, outside the schedule; triggers are evaluated when armed. */
  sampleOnce(): Promise<void> {
    return this.sampler.sampleOnce();
  }

  private onReading(r: Reading): void {
    if (Object.keys(r.values).length) this.d.record({ type: 'metric.sampled', tick: r.tick, time: r.time, values: r.values, errors: r.errors, ...(r.config.length ? { config: r.config } : {}) });
    if (Object.keys(r.probes).length) this.d.record({ type: 'probe.sampled', tick: r.tick, time: r.time, results: r.probes });
    // what the fold made of this tick, in the runbook's order; a trigger that fires starts the
    // rollback, which disarms the guard: report no further
    for (const { trigger: trig, shadow } of this.reported) {
      if (!this.armed) return;
      const m = this.d.state().machines[trig.id];
      if (!m || m.tick !== r.tick) continue;
      for (const tr of m.transitions) {
        if (shadow) this.reportShadow(trig, tr, r.time);
        else this.report(trig, tr, r.time);
      }
    }
  }

  /** A shadow trigger says only that it would have fired: no rollback, no hold, no trigger.* event that anything acts on. */
  private reportShadow(trig: Trigger, tr: Transition, t: number): void {
    if (tr.kind !== 'fired') return;
    const reason = `${describeTrigger(trig, this.units)}: ${formatValue(trig, tr.value, this.units)} now, breaching since ${Math.round((t - tr.since) / 1000)}s (${tr.window.length} samples)`;
    this.d.record({ type: 'trigger.shadow-fired', trigger: trig.id, since: tr.since, value: tr.value, window: tr.window.map((w) => [w.t, w.value ?? null]), reason });
  }

  private report(trig: Trigger, tr: Transition, t: number): void {
    const wasHolding = this.holding;
    switch (tr.kind) {
      case 'pending':
        this.d.record({ type: 'trigger.pending', trigger: trig.id, since: tr.since, value: tr.value });
        return;
      case 'reset':
        this.d.record({ type: 'trigger.reset', trigger: trig.id, value: tr.value });
        return;
      case 'fired': {
        const reason = `${describeTrigger(trig, this.units)}: ${formatValue(trig, tr.value, this.units)} now, breaching since ${Math.round((t - tr.since) / 1000)}s (${tr.window.length} samples)`;
        const record = decisionRecord(this.d.runbook, trig, { since: tr.since, value: tr.value, at: t, window: tr.window }, this.d.state().probes);
        this.d.record({ type: 'trigger.fired', trigger: trig.id, since: tr.since, value: tr.value, window: tr.window.map((w) => [w.t, w.value ?? null]), reason, record });
        this.d.rollback(`trigger fired: ${reason}`, tr.since);
        return;
      }
      case 'nodata':
        // a `hold` policy holds the release from this event on (the fold keeps who holds)
        this.d.record({ type: 'trigger.nodata', trigger: trig.id, misses: tr.misses, policy: trig.onNoData, error: tr.error });
        if (trig.onNoData === 'rollback') this.d.rollback(`no data: ${describeTrigger(trig, this.units)} had no data for ${tr.misses} samples (${tr.error ?? 'source error'})`, t);
        else this.holdChanged(wasHolding);
        return;
      case 'data-back':
        this.d.record({ type: 'trigger.data-back', trigger: trig.id });
        this.holdChanged(wasHolding);
        return;
      case 'broken': {
        if (trig.kind !== 'metric') return;
        const def = this.d.runbook.metrics?.series[trig.metric];
        const reason = brokenReason(trig.id, trig.metric, def, tr.error);
        this.d.record({ type: 'trigger.broken', trigger: trig.id, metric: trig.metric, ...(def?.query !== undefined ? { query: def.query } : {}), error: tr.error, reason });
        this.d.broken?.(reason);
        return;
      }
      case 'none':
        return;
    }
  }

  private holdChanged(was: boolean): void {
    const now = this.holding;
    if (now === was) return;
    this.d.record({ type: 'guard.hold', holding: now, triggers: this.d.state().holdingFor, ...(now ? { limitMs: this.holdLimitMs } : {}) });
    for (const l of this.holdListeners) l(now);
  }

  /**
   * Arms the triggers for a reason (a stage, a monitor step); disarmed when no reason is left.
   * A resumed session re-arms for the reasons still true; a guard the journal left armed is not
   * armed twice.
   */
  arm(why: string): void {
    this.armedBy.add(why);
    if (!this.armed) this.d.record({ type: 'guard.armed', armed: true, why });
  }

  disarm(why: string): void {
    if (!this.armedBy.delete(why) || this.armedBy.size > 0 || !this.armed) return;
    if (this.holding) {
      this.d.record({ type: 'guard.hold', holding: false, triggers: [] });
      for (const l of this.holdListeners) l(false);
    }
    this.d.record({ type: 'guard.armed', armed: false, why });
  }

  /** Disarms everything (a rollback began: one rollback per incident). */
  disarmAll(): void {
    for (const why of [...this.armedBy]) this.disarm(why);
    // a resumed session whose journal left the guard armed, with no reason re-armed yet
    if (this.d.state().armed && !this.armed) this.d.record({ type: 'guard.armed', armed: false, why: 'rollback' });
  }

  /** The mean of the last N samples of each series, for drop/rise bands; recorded as an event (a history baseline stays where it has a value: fold.ts). */
  takeBaseline(stage: string): void {
    const values = samplesBaseline(this.d.runbook.metrics?.series ?? {}, this.d.state().series);
    if (Object.keys(values).length) this.d.record({ type: 'baseline.taken', stage, values });
  }
}
