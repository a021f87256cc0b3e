/** The guardrails part of the session state: samples, baselines, triggers, probes, escalation. */
import type { Runbook } from '../runbook/types.js';
import type { CriterionResult, ProbeReading, SessionEvent } from '../core/events.js';

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
};

export type EscalationView = { readonly level: number; readonly title: string; readonly action: string; readonly status: 'running' | 'done' | 'failed'; readonly error?: string; readonly attempts: number };

export type GuardState = {
  readonly armed: boolean;
  readonly holding: boolean;
  readonly series: Readonly<Record<string, SeriesState>>;
  readonly baseline: Readonly<Record<string, number | null>>;
  readonly triggers: Readonly<Record<string, TriggerView>>;
  readonly probes: Readonly<Record<string, ProbeReading>>;
  readonly criteria: Readonly<Record<string, readonly CriterionResult[]>>;
  readonly escalation: readonly EscalationView[];
  readonly acknowledged: boolean;
  readonly resolved: boolean;
  readonly restoreMs?: number;
  readonly incidentAt?: number;
};

export function initialGuard(rb: Runbook): GuardState {
  return {
    armed: false,
    holding: false,
    series: Object.fromEntries(Object.keys(rb.metrics?.series ?? {}).map((n) => [n, { samples: [], misses: 0 }])),
    baseline: {},
    triggers: Object.fromEntries((rb.rollback?.triggers ?? []).map((t) => [t.id, { status: 'idle', noData: false }])),
    probes: {},
    criteria: {},
    escalation: [],
    acknowledged: false,
    resolved: false,
  };
}

const idle: TriggerView = { status: 'idle', noData: false };

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
      return { ...g, series };
    }
    case 'probe.sampled':
      return { ...g, probes: { ...g.probes, ...e.results } };
    case 'baseline.taken':
      return { ...g, baseline: { ...g.baseline, ...e.values } };
    case 'guard.armed':
      return e.armed ? { ...g, armed: true } : { ...g, armed: false, triggers: Object.fromEntries(Object.entries(g.triggers).map(([k, t]) => [k, t.status === 'fired' ? t : idle])) };
    case 'guard.hold':
      return { ...g, holding: e.holding };
    case 'trigger.pending':
      return trig(e.trigger, (t) => ({ ...t, status: 'pending', since: e.since, value: e.value }));
    case 'trigger.reset':
      return trig(e.trigger, () => ({ ...idle, value: e.value }));
    case 'trigger.fired':
      return trig(e.trigger, (t) => ({ ...t, status: 'fired', since: e.since, value: e.value, reason: e.reason, noData: false }));
    case 'trigger.nodata':
      return trig(e.trigger, (t) => ({ ...t, noData: true }));
    case 'trigger.data-back':
      return trig(e.trigger, (t) => ({ ...t, noData: false }));
    case 'criteria.checked':
      return { ...g, criteria: { ...g.criteria, [e.stage]: e.results } };
    case 'rollback.started':
      return { ...g, incidentAt: e.incidentAt, acknowledged: false, resolved: false, escalation: [] };
    case 'rollback.verified':
      return { ...g, restoreMs: e.restoreMs };
    case 'escalation.started':
      return { ...g, escalation: [...g.escalation.filter((x) => x.level !== e.level), { level: e.level, title: e.title, action: e.action, status: 'running', attempts: 0 }] };
    case 'escalation.finished':
      return { ...g, escalation: g.escalation.map((x) => (x.level === e.level ? { ...x, status: e.ok ? 'done' : 'failed', error: e.error, attempts: e.attempts } : x)) };
    case 'incident.acknowledged':
      return { ...g, acknowledged: true };
    case 'incident.resolved':
      return { ...g, resolved: true };
    default:
      return undefined;
  }
}
