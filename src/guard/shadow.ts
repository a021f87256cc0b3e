/**
 * Shadow triggers (`shadow: true`): the same engine as every trigger (trigger.ts `step`), but what
 * they decide is only journalled ("would have fired at …"): they never roll back, never hold the
 * release for lack of data and never refuse a ramp. A shadow trigger that would have fired stays
 * so while its condition holds (a missing sample changes nothing) and resets on the first good
 * sample, as a Prometheus alert resolves; it may then fire again.
 */
import type { Trigger } from '../runbook/types.js';
import { breaches, idleTrigger, step, type Sample, type Transition, type TriggerState } from './trigger.js';

type MetricTrigger = Extract<Trigger, { kind: 'metric' }>;

export function shadowStep(t: MetricTrigger, s: TriggerState, sample: Sample): { state: TriggerState; transition: Transition } {
  if (s.status !== 'fired') return step(t, s, sample);
  const value = sample.value;
  if (value === undefined || !Number.isFinite(value)) return { state: s, transition: { kind: 'none' } };
  if (breaches(t, value)) return { state: { ...s, value, valueAt: sample.t }, transition: { kind: 'none' } };
  return { state: { ...idleTrigger, value, valueAt: sample.t }, transition: { kind: 'reset', value } };
}

/** What a shadow trigger did so far: each time it would have fired. */
export type ShadowView = {
  readonly fired: readonly { readonly at: number; readonly since: number; readonly value: number; readonly reason: string }[];
};

/** The triggers the guard evaluates: the rollback triggers, then the shadow ones. */
export function evaluatedTriggers(rb: { readonly rollback?: { readonly triggers: readonly Trigger[]; readonly shadows?: readonly Trigger[] } }): { trigger: Trigger; shadow: boolean }[] {
  return [...(rb.rollback?.triggers ?? []).map((trigger) => ({ trigger, shadow: false })), ...(rb.rollback?.shadows ?? []).map((trigger) => ({ trigger, shadow: true }))];
}

/** How a shadow trigger looks now: the state of its machine, and when it last would have fired. */
export type ShadowStatus = {
  readonly state: 'idle' | 'pending' | 'fired' | 'nodata' | 'disarmed';
  /** Session time its pending window began, while pending. */
  readonly since?: number;
  /** Wall time it last would have fired, and how many times it would have. */
  readonly lastFiredAt?: number;
  readonly times: number;
  readonly value?: number;
};

type ShadowGuard = {
  readonly armed: boolean;
  readonly machines: Readonly<Record<string, { readonly state: TriggerState }>>;
  readonly shadows: Readonly<Record<string, ShadowView>>;
};

export function shadowStatus(g: ShadowGuard, id: string): ShadowStatus {
  const m = g.machines[id]?.state ?? idleTrigger;
  const fired = g.shadows[id]?.fired ?? [];
  const base = { times: fired.length, lastFiredAt: fired.at(-1)?.at, value: m.value };
  if (!g.armed) return { ...base, state: 'disarmed' };
  if (m.status === 'fired') return { ...base, state: 'fired' };
  if (m.noData) return { ...base, state: 'nodata' };
  if (m.status === 'pending') return { ...base, state: 'pending', since: m.pendingSince };
  return { ...base, state: 'idle' };
}

/** "would have fired 14:03:12" (and "×3" when it would have more than once), from a wall time. */
export function wouldHaveFiredText(st: ShadowStatus): string | undefined {
  if (st.lastFiredAt === undefined) return undefined;
  const d = new Date(st.lastFiredAt);
  const hms = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  return `would have fired ${hms}${st.times > 1 ? ` (×${st.times})` : ''}`;
}
