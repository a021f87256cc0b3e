/**
 * Probe triggers use the metric trigger machinery: each probe result becomes a sample whose value
 * is 1 (breach) or 0 (fine), or no value when the probe could not say (connection error, timeout)
 * and the trigger is not about errors. `status: 5xx` on a critical probe with no `for` fires on
 * the first 5xx.
 */
import type { Trigger } from '../runbook/types.js';
import type { ProbeResult } from './probe.js';
import type { Sample } from './trigger.js';

type ProbeTrigger = Extract<Trigger, { kind: 'probe' }>;
type ProbeDef = { readonly name: string; readonly critical?: boolean };

export function probeBreach(t: ProbeTrigger, r: ProbeResult): boolean | undefined {
  if (r.error !== undefined || r.status === undefined) return t.status === 'error' ? true : undefined;
  if (t.latencyAbove !== undefined && (r.latencyMs ?? 0) > t.latencyAbove) return true;
  const s = t.status;
  if (s === '5xx') return r.status >= 500 && r.status <= 599;
  if (s === '4xx') return r.status >= 400 && r.status <= 499;
  if (typeof s === 'number') return r.status === s;
  if (s === 'error') return false;
  return t.latencyAbove !== undefined ? false : r.status >= 500;
}

/** The probes a trigger watches: one by name, or every critical one. */
export function watched(t: ProbeTrigger, probes: readonly ProbeDef[]): string[] {
  return t.probe === 'critical' ? probes.filter((p) => p.critical).map((p) => p.name) : [t.probe];
}

export function probeSample(t: ProbeTrigger, probes: readonly ProbeDef[], results: Record<string, ProbeResult>, at: number): Sample {
  let unknown = 0;
  const errors: string[] = [];
  for (const name of watched(t, probes)) {
    const r = results[name];
    const b = r ? probeBreach(t, r) : undefined;
    if (b === true) return { t: at, value: 1 };
    if (b === undefined) {
      unknown++;
      errors.push(`${name}: ${r?.error ?? 'no result'}`);
    }
  }
  const total = watched(t, probes).length;
  return unknown === total && total > 0 ? { t: at, error: errors.join('; ') } : { t: at, value: 0 };
}

export function probeAsMetric(t: ProbeTrigger, maxErrors: number): Extract<Trigger, { kind: 'metric' }> {
  return { kind: 'metric', id: t.id, metric: `probe:${t.probe}`, op: 'above', threshold: 0.5, forMs: t.forMs, onNoData: t.onNoData, maxErrors };
}
