/**
 * Trigger evaluation with Prometheus alerting `for` semantics, on the sampler's scheduled ticks.
 *
 * - pending from the first breaching sample; fires at the first sample that still breaches once
 *   `for` has elapsed since that first breaching sample; one good sample resets it; `for: 0` fires
 *   on the first breach. A value exactly at the threshold does not breach.
 * - a missing sample (source error, no data) is neither a breach nor a recovery: a pending window
 *   keeps running, and fires only on a real breaching sample. After `maxErrors` consecutive missing
 *   samples the trigger is in NO DATA and its onNoData policy applies (once per streak).
 * - a pause of the process (SIGSTOP, a VM pause) is no sample at all: a pending window starts
 *   again from the real samples after it (afterPause).
 * - a configuration error (the query's fault: metrics/sources/source.ts) is not a missing sample:
 *   the trigger cannot watch anything, so it is BROKEN at once (reported once per distinct error;
 *   the guard fails the running step). It neither counts toward NO DATA nor moves a window; a real
 *   value ends it.
 *
 * Pure: (state, sample) → state + what happened. No clock, no I/O.
 */
import type { Trigger } from '../runbook/types.js';

export type TriggerStatus = 'idle' | 'pending' | 'fired' | 'nodata';

export type TriggerState = {
  readonly status: TriggerStatus;
  /** Tick time of the first breaching sample of the current window. */
  readonly pendingSince?: number;
  /** Consecutive missing samples. */
  readonly misses: number;
  /** The latest real value seen, and when. */
  readonly value?: number;
  readonly valueAt?: number;
  /** The samples of the current window (tick time, value or undefined for a miss). */
  readonly window: readonly { readonly t: number; readonly value?: number }[];
  /** Set when the no-data streak reached maxErrors (the policy applied once for this streak). */
  readonly noData: boolean;
  /** The configuration error the trigger's series answers with, while it does (no value since). */
  readonly broken?: string;
};

export const idleTrigger: TriggerState = { status: 'idle', misses: 0, window: [], noData: false };

export type Sample = { readonly t: number; readonly value?: number; readonly error?: string; readonly config?: boolean };

export type Transition =
  | { readonly kind: 'none' }
  | { readonly kind: 'pending'; readonly since: number; readonly value: number }
  | { readonly kind: 'reset'; readonly value: number }
  | { readonly kind: 'fired'; readonly since: number; readonly value: number; readonly window: TriggerState['window'] }
  | { readonly kind: 'nodata'; readonly misses: number; readonly error?: string }
  | { readonly kind: 'data-back' }
  | { readonly kind: 'broken'; readonly error: string };

export function breaches(t: Trigger, value: number): boolean {
  if (t.kind !== 'metric') return false;
  return t.op === 'above' ? value > t.threshold : value < t.threshold;
}

const MAX_WINDOW = 2000;

/** Feeds one sample (at its scheduled tick time) to a metric trigger. */
export function step(t: Extract<Trigger, { kind: 'metric' }>, s: TriggerState, sample: Sample): { state: TriggerState; transition: Transition } {
  if (s.status === 'fired') return { state: s, transition: { kind: 'none' } };
  if (sample.config && sample.value === undefined) {
    const error = sample.error ?? 'configuration error';
    return s.broken === error ? { state: s, transition: { kind: 'none' } } : { state: { ...s, broken: error }, transition: { kind: 'broken', error } };
  }
  if (sample.value === undefined || !Number.isFinite(sample.value)) {
    const misses = s.misses + 1;
    const window = s.status === 'pending' ? [...s.window, { t: sample.t }].slice(-MAX_WINDOW) : s.window;
    if (misses >= t.maxErrors && !s.noData) {
      return { state: { ...s, misses, window, noData: true, status: s.status === 'pending' ? 'pending' : 'nodata' }, transition: { kind: 'nodata', misses, error: sample.error } };
    }
    return { state: { ...s, misses, window, status: s.noData && s.status !== 'pending' ? 'nodata' : s.status }, transition: { kind: 'none' } };
  }
  const value = sample.value;
  const back: Transition | undefined = s.noData ? { kind: 'data-back' } : undefined;
  const base = { ...s, misses: 0, noData: false, broken: undefined, value, valueAt: sample.t };
  if (!breaches(t, value)) {
    const wasPending = s.status === 'pending';
    return { state: { ...base, status: 'idle', pendingSince: undefined, window: [] }, transition: wasPending ? { kind: 'reset', value } : back ?? { kind: 'none' } };
  }
  const since = s.status === 'pending' && s.pendingSince !== undefined ? s.pendingSince : sample.t;
  const window = [...(s.status === 'pending' ? s.window : []), { t: sample.t, value }].slice(-MAX_WINDOW);
  if (sample.t - since >= t.forMs) {
    return { state: { ...base, status: 'fired', pendingSince: since, window }, transition: { kind: 'fired', since, value, window } };
  }
  const transition: Transition = s.status === 'pending' ? back ?? { kind: 'none' } : { kind: 'pending', since, value };
  return { state: { ...base, status: 'pending', pendingSince: since, window }, transition };
}

/**
 * The process was stopped (core/pause.ts): nothing was measured meanwhile, so a pending window
 * cannot say the metric breached all that time. It starts again at the next real breaching sample
 * (a `for: 5s` trigger needs 5 s of samples after the pause). A NO DATA streak is left as it is:
 * the pause adds no miss, and the next sample ends or extends it.
 */
export function afterPause(s: TriggerState): TriggerState {
  if (s.status !== 'pending') return s;
  return { ...s, status: s.noData ? 'nodata' : 'idle', pendingSince: undefined, window: [] };
}

/** How long a pending trigger has been pending at time `now`, and what is left of its window. */
export function countdown(t: Trigger, s: TriggerState, now: number): { elapsedMs: number; leftMs: number } | undefined {
  if (s.status !== 'pending' || s.pendingSince === undefined) return undefined;
  const elapsedMs = Math.max(0, now - s.pendingSince);
  return { elapsedMs, leftMs: Math.max(0, t.forMs - elapsedMs) };
}
