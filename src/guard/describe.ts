/** Triggers in words: "error_rate > 1 % for 2m", "critical probes 5xx". */
import { formatCompact } from '../runbook/duration.js';
import type { Runbook, Trigger } from '../runbook/types.js';

export type Units = Readonly<Record<string, string>>;

/** Units of the runbook's series, for values in messages. */
export function unitsOf(rb: Runbook): Units {
  return Object.fromEntries(Object.entries(rb.metrics?.series ?? {}).map(([n, s]) => [n, s.unit ?? '']));
}

function window(ms: number): string {
  return ms === 0 ? '' : ` for ${formatCompact(ms)}`;
}

export function describeTrigger(t: Trigger, units: Units = {}): string {
  if (t.kind === 'probe') {
    const what = t.latencyAbove !== undefined ? `latency > ${t.latencyAbove} ms` : String(t.status ?? '5xx');
    return `${t.probe === 'critical' ? 'critical probes' : `probe ${t.probe}`} ${what}${window(t.forMs)}`;
  }
  const unit = units[t.metric] ? ` ${units[t.metric]}` : '';
  return `${t.metric} > ${t.threshold}${unit}${window(t.forMs)}`.replace(' > ', t.op === 'above' ? ' > ' : ' < ');
}

export function formatNumber(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : Number(v.toFixed(3)).toString();
}

export function formatValue(t: Trigger, v: number, units: Units = {}): string {
  if (t.kind === 'probe') return v >= 1 ? 'breaching' : 'fine';
  const unit = units[t.metric] ? ` ${units[t.metric]}` : '';
  return `${t.metric} ${formatNumber(v)}${unit}`;
}

/** Short trigger labels: "error_rate>1% 2m", "critical 5xx" (the triggers bar, ramp refusals). */
export function triggerLabel(t: Trigger, rb?: Runbook): string {
  if (t.kind === 'probe') return `${t.probe === 'critical' ? 'critical' : t.probe} ${t.latencyAbove !== undefined ? `>${t.latencyAbove}ms` : (t.status ?? '5xx')}`;
  const unit = rb?.metrics?.series?.[t.metric]?.unit ?? '';
  const w = t.forMs === 0 ? '' : ` ${formatCompact(t.forMs)}`;
  return `${t.metric}${t.op === 'above' ? '>' : '<'}${t.threshold}${unit}${w}`;
}
