/**
 * The decision record: why a trigger fired, in full. What was measured (the query, or the probe's
 * URL), the value, the comparator and threshold, the `for` window and the samples in it. Built once,
 * by one pure function, when the trigger fires; journalled on trigger.fired and rollback.started;
 * rendered by one formatter for headless lines, the screen, notifications and history.
 */
import { sanitizeLine } from '../exec/log-format.js';
import type { ProbeReading } from '../core/events.js';
import type { DecisionRecord } from '../core/decision-record.js';

export type { DecisionRecord } from '../core/decision-record.js';
import { formatCompact } from '../runbook/duration.js';
import type { Runbook, Trigger } from '../runbook/types.js';
import { formatNumber } from './describe.js';
import { watched } from './probe-trigger.js';

/** How many of the window's samples a record keeps (the newest); `samples` counts them all. */
export const RECORD_SAMPLES = 60;
/** How many of them the formatter shows. */
const SHOWN = 12;
const QUERY_MAX = 300;


export type Fired = { readonly since: number; readonly value: number; readonly at: number; readonly window: readonly { readonly t: number; readonly value?: number }[] };

function probeCondition(t: Extract<Trigger, { kind: 'probe' }>): string {
  return t.latencyAbove !== undefined ? `latency > ${t.latencyAbove} ms` : String(t.status ?? '5xx');
}

function reading(name: string, r: ProbeReading | undefined): string {
  if (!r) return `${name} no answer`;
  return r.error !== undefined ? `${name} error (${r.error})` : `${name} ${r.status ?? '?'}${r.latencyMs !== undefined ? ` ${r.latencyMs}ms` : ''}`;
}

/** The record of a trigger that fired: pure, from the runbook, the trigger, its firing and the probes' latest answers. */
export function decisionRecord(rb: Runbook, t: Trigger, fired: Fired, probes: Readonly<Record<string, ProbeReading>> = {}): DecisionRecord {
  const window = fired.window.map((w) => [w.t, w.value ?? null] as const);
  const common = { trigger: t.id, value: fired.value, forMs: t.forMs, since: fired.since, at: fired.at, window: window.slice(-RECORD_SAMPLES), samples: window.length };
  if (t.kind === 'metric') {
    const s = rb.metrics?.series[t.metric];
    const query = s?.query ?? s?.pointer;
    return { ...common, kind: 'metric', subject: t.metric, ...(query !== undefined ? { query } : {}), ...(s?.unit ? { unit: s.unit } : {}), comparator: t.op === 'above' ? '>' : '<', threshold: t.threshold };
  }
  const names = watched(t, rb.probes);
  const urls = names.map((n) => rb.probes.find((p) => p.name === n)?.url).filter((u): u is string => u !== undefined);
  return { ...common, kind: 'probe', subject: t.probe, urls, comparator: 'is', threshold: probeCondition(t), observed: names.map((n) => reading(n, probes[n])).join(', ') };
}

const unitOf = (r: DecisionRecord) => (r.unit ? ` ${r.unit}` : '');

function sample(r: DecisionRecord, v: number | null): string {
  if (v === null) return '∅';
  return r.kind === 'probe' ? (v >= 1 ? 'bad' : 'ok') : formatNumber(v);
}

/** "error_rate 2.41 % > 1 % for 2m", "probe checkout is 5xx": the condition, with the value that met it. */
export function decisionCondition(r: DecisionRecord): string {
  const w = r.forMs === 0 ? '' : ` for ${formatCompact(r.forMs)}`;
  if (r.kind === 'probe') return `${r.subject === 'critical' ? 'critical probes' : `probe ${r.subject}`} ${r.comparator} ${r.threshold}${w}`;
  return `${r.subject} ${formatNumber(r.value)}${unitOf(r)} ${r.comparator} ${r.threshold}${unitOf(r)}${w}`;
}

/** "window 5 samples over 4s: 1.2 1.5 ∅ 2.41" (the newest SHOWN, "… 8 earlier" before them). */
export function decisionWindow(r: DecisionRecord): string {
  const shown = r.window.slice(-SHOWN);
  const earlier = r.samples - shown.length;
  const span = Math.max(0, r.at - r.since);
  return `window ${r.samples} sample${r.samples === 1 ? '' : 's'} over ${span === 0 ? '0s' : formatCompact(span)}: ${earlier > 0 ? `… ${earlier} earlier, ` : ''}${shown.map(([, v]) => sample(r, v)).join(' ')}`;
}

const clip = (s: string) => sanitizeLine(s.length > QUERY_MAX ? `${s.slice(0, QUERY_MAX - 1)}…` : s);

/** The record as lines (sanitised: it reaches terminals and messages): condition, source, observed, window. */
export function decisionLines(r: DecisionRecord): string[] {
  const lines = [sanitizeLine(decisionCondition(r))];
  if (r.query !== undefined) lines.push(`query: ${clip(r.query)}`);
  if (r.urls?.length) lines.push(`url: ${clip(r.urls.join(', '))}`);
  if (r.observed) lines.push(`observed: ${clip(r.observed)}`);
  lines.push(decisionWindow(r));
  return lines;
}

/** The record on one line (history, a notification's short text). */
export function decisionText(r: DecisionRecord): string {
  return decisionLines(r).join(' · ');
}
