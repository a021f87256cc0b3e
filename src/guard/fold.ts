/**
 * The guardrails part of the session state: samples, baselines, triggers, probes, escalation.
 *
 * The triggers' machines are folded here from the samples through the pure `step` (trigger.ts):
 * replaying a journal rebuilds every pending window, miss streak and no-data state exactly. The
 * guard only reads the result and says what happened (trigger.* events, the rollback request).
 */
import type { Runbook, Trigger } from '../runbook/types.js';
import type { BaselineWindow, CriterionResult, ProbeReading, SessionEvent } from '../core/events.js';
import { afterPause, idleTrigger, step, type Transition, type TriggerState } from './trigger.js';
import { evaluatedTriggers, shadowStep, type ShadowView } from './shadow.js';
import { probeAsMetric, probeSample } from './probe-trigger.js';
import type { DecisionRecord } from '../core/decision-record.js';

/** How many samples per series the state keeps (sparklines and the "why" view). */
export const SERIES_KEEP = 120;

export type SeriesState = {
  /** [tick time, value or null for a missing sample], oldest first. */
  readonly samples: readonly (readonly [number, number | null])[];
  readonly error?: string;
  /** Consecutive missing samples. */
  readonly misses: number;
};

export type TriggerView = {
  readonly status: 'idle' | 'pending' | 'fired';
  readonly since?: number;
  readonly value?: number;
  readonly noData: boolean;
  readonly reason?: string;
  /** Why it fired, in full (absent in older journals). */
  readonly record?: DecisionRecord;
  /** Why the trigger is broken (its series answers with a configuration error), while it is. */
  readonly broken?: string;
};

export type NotificationView = { readonly target: string; readonly on: string; readonly ok: boolean; readonly error?: string; readonly attempts: number };

export type EscalationView = { readonly level: number; readonly title: string; readonly action: string; readonly status: 'running' | 'done' | 'failed'; readonly error?: string; readonly attempts: number };

type MetricTrigger = Extract<Trigger, { kind: 'metric' }>;

/** How one trigger is fed: a metric trigger from its series, a probe trigger from its probes (as a 0/1 metric). */
export type Evaluator = {
  readonly id: string;
  readonly on: 'metric.sampled' | 'probe.sampled';
  readonly machine: MetricTrigger;
  readonly probe?: Extract<Trigger, { kind: 'probe' }>;
  /** A shadow trigger: its decisions are only journalled (shadow.ts). */
  readonly shadow: boolean;
};

/** A trigger's machine and what its latest sample did to it (at which tick). */
export type Machine = { readonly state: TriggerState; readonly tick: number; readonly transitions: readonly Transition[] };

export type GuardState = {
  /** Fixed at the start (from the runbook): how each trigger is fed, and the probes it can watch. */
  readonly evaluators: readonly Evaluator[];
  readonly probeDefs: readonly { readonly name: string; readonly critical?: boolean }[];
  readonly machines: Readonly<Record<string, Machine>>;
  /** The triggers whose no-data policy holds the release now. */
  readonly holdingFor: readonly string[];
  readonly armed: boolean;
  readonly holding: boolean;
  /** Session time the current hold began (its guard.hold event), while holding. */
  readonly heldSince?: number;
  /** Session time the current hold fails the stage (its limit), while holding. */
  readonly heldUntil?: number;
  readonly series: Readonly<Record<string, SeriesState>>;
  readonly baseline: Readonly<Record<string, number | null>>;
  /** Where the baseline comes from: a window of history (its from/to), or the last samples when each stage starts (why). */
  readonly baselineFrom?: { readonly window: BaselineWindow } | { readonly samples: number; readonly why: string };
  readonly triggers: Readonly<Record<string, TriggerView>>;
  /** The shadow triggers: when each would have fired (their pending windows are their machines'). */
  readonly shadows: Readonly<Record<string, ShadowView>>;
  readonly probes: Readonly<Record<string, ProbeReading>>;
  readonly criteria: Readonly<Record<string, readonly CriterionResult[]>>;
  readonly escalation: readonly EscalationView[];
  readonly acknowledged: boolean;
  readonly resolved: boolean;
  /** Levels that were still due when the cockpit left the incident: they did not run. */
  readonly dropped?: { readonly levels: readonly { readonly level: number; readonly title: string; readonly dueAt: number }[]; readonly why: string; readonly at: number };
  readonly restoreMs?: number;
  readonly incidentAt?: number;
  /** What the `notify:` targets were told, and how it went (notification.finished). */
  readonly notifications: readonly NotificationView[];
  /** The incident's decision record: the trigger that started the rollback, why (rollback.started). */
  readonly decision?: DecisionRecord;
  /** When the cockpit process was stopped (session.paused), oldest first; absent before any. */
  readonly pauses?: readonly { readonly from: number; readonly to: number; readonly ms: number }[];
  /** The time restore time leaves out (the pauses during the incident), when any (rollback.verified). */
  readonly restorePausedMs?: number;
};

function evaluatorOf(t: Trigger, maxErrors: number, shadow: boolean): Evaluator {
  return t.kind === 'metric' ? { id: t.id, on: 'metric.sampled', machine: t, shadow } : { id: t.id, on: 'probe.sampled', machine: probeAsMetric(t, maxErrors), probe: t, shadow };
}

export function initialGuard(rb: Runbook): GuardState {
  const all = evaluatedTriggers(rb);
  return {
    evaluators: all.map((x) => evaluatorOf(x.trigger, rb.metrics?.maxErrors ?? 4, x.shadow)),
    probeDefs: rb.probes.map((p) => ({ name: p.name, critical: p.critical })),
    machines: Object.fromEntries(all.map((x) => [x.trigger.id, { state: idleTrigger, tick: -1, transitions: [] }])),
    holdingFor: [],
    armed: false,
    holding: false,
    series: Object.fromEntries(Object.keys(rb.metrics?.series ?? {}).map((n) => [n, { samples: [], misses: 0 }])),
    baseline: {},
    triggers: Object.fromEntries((rb.rollback?.triggers ?? []).map((t) => [t.id, { status: 'idle', noData: false }])),
    shadows: Object.fromEntries((rb.rollback?.shadows ?? []).map((t) => [t.id, { fired: [] }])),
    probes: {},
    criteria: {},
    escalation: [],
    notifications: [],
    acknowledged: false,
    resolved: false,
  };
}

const idle: TriggerView = { status: 'idle', noData: false };

/**
 * Feeds one tick's samples to the armed triggers fed by this event. A trigger that fired stays
 * fired; when a trigger fires the rollback disarms the guard (its guard.armed event follows).
 */
function evaluate(g: GuardState, e: Extract<SessionEvent, { type: 'metric.sampled' | 'probe.sampled' }>): Readonly<Record<string, Machine>> {
  if (!g.armed) return g.machines;
  const machines: Record<string, Machine> = { ...g.machines };
  const real = g.evaluators.filter((ev) => !ev.shadow);
  const firedNow = () => real.some((ev) => machines[ev.id]?.tick === e.tick && machines[ev.id].transitions.some((t) => t.kind === 'fired'));
  for (const ev of g.evaluators) {
    // the first trigger to fire in a tick starts the rollback: nothing is evaluated after it (a
    // shadow trigger firing starts nothing)
    if (firedNow()) break;
    if (ev.on !== e.type) continue;
    const m = machines[ev.id] ?? { state: idleTrigger, tick: -1, transitions: [] };
    if (m.state.status === 'fired' && !ev.shadow) continue;
    const sample =
      e.type === 'metric.sampled'
        ? { t: e.time, value: e.values[ev.machine.metric] ?? undefined, error: e.errors[ev.machine.metric], config: e.config?.includes(ev.machine.metric) }
        : probeSample(ev.probe!, g.probeDefs, e.results, e.time);
    const { state, transition } = (ev.shadow ? shadowStep : step)(ev.machine, m.state, sample);
    // NO DATA ended on a sample that also moved the trigger (pending, reset, fired): data back
    // first, or a hold would never be released
    const transitions: Transition[] = m.state.noData && !state.noData && transition.kind !== 'data-back' ? [{ kind: 'data-back' }, transition] : [transition];
    machines[ev.id] = { state, tick: e.tick, transitions };
  }
  return machines;
}

/** A broken trigger whose series answers with a value again is broken no more. */
function mendedViews(views: Readonly<Record<string, TriggerView>>, machines: Readonly<Record<string, Machine>>): Readonly<Record<string, TriggerView>> {
  if (!Object.values(views).some((v) => v.broken !== undefined)) return views;
  return Object.fromEntries(Object.entries(views).map(([k, v]) => [k, v.broken !== undefined && machines[k]?.state.broken === undefined ? { ...v, broken: undefined } : v]));
}

/** Disarmed: every window ends; a trigger that fired stays fired (a shadow one only says it would have, in `shadows`). */
const disarmed = (g: GuardState): Record<string, Machine> => {
  const shadow = new Set(g.evaluators.filter((ev) => ev.shadow).map((ev) => ev.id));
  return Object.fromEntries(Object.entries(g.machines).map(([k, m]) => [k, m.state.status === 'fired' && !shadow.has(k) ? m : { state: idleTrigger, tick: m.tick, transitions: [] }]));
};

/** Applies a guard event; returns undefined for events that are not the guard's. */
export function reduceGuard(g: GuardState, e: SessionEvent): GuardState | undefined {
  const trig = (id: string, f: (t: TriggerView) => TriggerView): GuardState => ({ ...g, triggers: { ...g.triggers, [id]: f(g.triggers[id] ?? idle) } });
  switch (e.type) {
    case 'metric.sampled': {
      const series: Record<string, SeriesState> = { ...g.series };
      for (const [name, v] of Object.entries(e.values)) {
        const prev = series[name] ?? { samples: [], misses: 0 };
        const samples = [...prev.samples, [e.time, v] as const];
        series[name] = { samples: samples.length > SERIES_KEEP ? samples.slice(-SERIES_KEEP) : samples, error: e.errors[name], misses: v === null ? prev.misses + 1 : 0 };
      }
      const machines = evaluate(g, e);
      return { ...g, series, machines, triggers: mendedViews(g.triggers, machines) };
    }
    case 'probe.sampled':
      return { ...g, probes: { ...g.probes, ...e.results }, machines: evaluate(g, e) };
    case 'baseline.taken': {
      // a history baseline is kept where it has a value; a stage's samples fill in the others
      const values = e.window ? e.values : Object.fromEntries(Object.entries(e.values).filter(([k]) => !(g.baselineFrom && 'window' in g.baselineFrom && typeof g.baseline[k] === 'number')));
      return { ...g, baseline: { ...g.baseline, ...values }, ...(e.window ? { baselineFrom: { window: e.window } } : {}) };
    }
    case 'baseline.from-samples':
      return { ...g, baselineFrom: { samples: e.samples, why: e.why } };
    case 'trigger.shadow-fired': {
      const prev = g.shadows[e.trigger] ?? { fired: [] };
      return { ...g, shadows: { ...g.shadows, [e.trigger]: { fired: [...prev.fired, { at: e.at, since: e.since, value: e.value, reason: e.reason }] } } };
    }
    case 'guard.armed':
      return e.armed
        ? { ...g, armed: true }
        : { ...g, armed: false, holdingFor: [], machines: disarmed(g), triggers: Object.fromEntries(Object.entries(g.triggers).map(([k, t]) => [k, t.status === 'fired' ? t : idle])) };
    case 'guard.hold': {
      if (!e.holding) return { ...g, holding: false, heldSince: undefined, heldUntil: undefined, holdingFor: [] };
      const heldSince = g.holding ? (g.heldSince ?? e.t) : e.t;
      return { ...g, holding: true, heldSince, heldUntil: e.limitMs !== undefined ? heldSince + e.limitMs : g.heldUntil };
    }
    case 'trigger.pending':
      return trig(e.trigger, (t) => ({ ...t, status: 'pending', since: e.since, value: e.value }));
    case 'trigger.reset':
      return trig(e.trigger, () => ({ ...idle, value: e.value }));
    case 'trigger.fired':
      return trig(e.trigger, (t) => ({ ...t, status: 'fired', since: e.since, value: e.value, reason: e.reason, noData: false, ...(e.record ? { record: e.record } : {}) }));
    case 'trigger.nodata': {
      const holds = e.policy === 'hold' && !g.holdingFor.includes(e.trigger);
      return { ...trig(e.trigger, (t) => ({ ...t, noData: true })), holdingFor: holds ? [...g.holdingFor, e.trigger] : g.holdingFor };
    }
    case 'trigger.data-back':
      return { ...trig(e.trigger, (t) => ({ ...t, noData: false })), holdingFor: g.holdingFor.filter((x) => x !== e.trigger) };
    case 'trigger.broken':
      // the machine (folded from the samples) says whether it is still broken; the view keeps the why
      return trig(e.trigger, (t) => ({ ...t, broken: e.reason }));
    case 'criteria.checked':
      return { ...g, criteria: { ...g.criteria, [e.stage]: e.results } };
    case 'rollback.started':
      return { ...g, incidentAt: e.incidentAt, decision: e.record, acknowledged: false, resolved: false, dropped: undefined, escalation: [] };
    case 'rollback.verified':
      return { ...g, restoreMs: e.restoreMs, ...(e.pausedMs ? { restorePausedMs: e.pausedMs } : {}) };
    case 'session.paused': {
      // no sample in the pause: pending windows start again from real samples after it (a
      // shadow trigger's too); a fired trigger stays fired
      const machines = Object.fromEntries(Object.entries(g.machines).map(([k, m]) => [k, { ...m, state: afterPause(m.state), transitions: [] }]));
      const triggers = Object.fromEntries(Object.entries(g.triggers).map(([k, t]) => [k, t.status === 'pending' ? { ...t, status: 'idle' as const, since: undefined } : t]));
      return { ...g, machines, triggers, pauses: [...(g.pauses ?? []), { from: e.from, to: e.to, ms: e.ms }] };
    }
    case 'escalation.started':
      return { ...g, escalation: [...g.escalation.filter((x) => x.level !== e.level), { level: e.level, title: e.title, action: e.action, status: 'running', attempts: 0 }] };
    case 'escalation.finished':
      return { ...g, escalation: g.escalation.map((x) => (x.level === e.level ? { ...x, status: e.ok ? 'done' : 'failed', error: e.error, attempts: e.attempts } : x)) };
    case 'notification.finished':
      return { ...g, notifications: [...g.notifications, { target: e.target, on: e.on, ok: e.ok, attempts: e.attempts, ...(e.error !== undefined ? { error: e.error } : {}) }] };
    case 'escalation.dropped':
      return { ...g, dropped: { levels: e.levels, why: e.why, at: e.t } };
    case 'incident.acknowledged':
      return { ...g, acknowledged: true };
    case 'incident.resolved':
      return { ...g, resolved: true };
    default:
      return undefined;
  }
}

/** The record of the trigger that fired at the first breaching sample `incidentAt` (a trigger's rollback), if one did. */
export function firedRecord(g: GuardState, incidentAt: number | undefined): DecisionRecord | undefined {
  if (incidentAt === undefined) return undefined;
  return Object.values(g.triggers).find((t) => t.status === 'fired' && t.record?.since === incidentAt)?.record;
}
