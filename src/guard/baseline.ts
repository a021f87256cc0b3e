/**
 * The baseline of drop/rise bands (dropWarnPct, riseWarnPct). Where the source has history
 * (prometheus: query_range) it is the mean of each series over the window before the release
 * (metrics.baseline, default 30m), read once when the session starts: the first armed stage has
 * one. A source without history (http-json, command) cannot look back: the baseline is the mean of
 * the last samples when each stage starts, and the session says so (baseline.from-samples).
 */
import type { BaselineWindow, EventBody } from '../core/events.js';
import type { MetricSource } from '../metrics/sources/source.js';
import { formatCompact, parseDuration } from '../runbook/duration.js';
import type { Runbook } from '../runbook/types.js';
import type { SeriesState } from './fold.js';

export const DEFAULT_BASELINE_MS = 30 * 60_000;
/** How many samples a stage's baseline averages by default (baselineSamples). */
export const DEFAULT_BASELINE_SAMPLES = 5;
/** Points a window is read at, at most (Prometheus refuses more than 11 000 a series). */
const MAX_POINTS = 1000;

type Series = NonNullable<Runbook['metrics']>['series'];

/** The series a baseline serves: those with a drop or rise band. */
export function baselineSeries(rb: Runbook): string[] {
  return Object.entries(rb.metrics?.series ?? {})
    .filter(([, s]) => s.dropWarnPct !== undefined || s.riseWarnPct !== undefined)
    .map(([name]) => name);
}

export function baselineWindowMs(rb: Runbook): number {
  return parseDuration(rb.metrics?.baseline ?? '') ?? DEFAULT_BASELINE_MS;
}

/** The window before `to` (wall ms), read every interval (or coarser: at most MAX_POINTS points). */
export function baselineWindow(rb: Runbook, to: number, intervalMs: number): BaselineWindow {
  const ms = baselineWindowMs(rb);
  return { from: to - ms, to, stepMs: Math.max(intervalMs, Math.ceil(ms / MAX_POINTS)) };
}

const hhmm = (wall: number) => {
  const d = new Date(wall);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

/** "30m before 14:02": a history window in words (local time). */
export function baselineWindowText(w: BaselineWindow): string {
  return `${formatCompact(w.to - w.from)} before ${hhmm(w.to)}`;
}

/** Where the baseline comes from, in words: "30m before 14:02", "last 5 samples at each stage". */
export function baselineFromText(from: { readonly window: BaselineWindow } | { readonly samples: number } | undefined): string | undefined {
  if (!from) return undefined;
  return 'window' in from ? baselineWindowText(from.window) : `last ${from.samples} samples at each stage`;
}

/**
 * Reads the window before the release from a source with history; the event that records it
 * (values null where a series had none: those fall back to their samples when a stage starts).
 */
export async function historyBaseline(
  fetchRange: NonNullable<MetricSource['fetchRange']>,
  series: Series,
  names: readonly string[],
  window: BaselineWindow,
  timeoutMs: number,
): Promise<EventBody> {
  const queries = names.map((name) => ({ name, query: series[name]?.query, pointer: series[name]?.pointer }));
  const results = await fetchRange(queries, window, timeoutMs, new AbortController().signal);
  const values: Record<string, number | null> = {};
  const points: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const name of names) {
    const r = results[name] ?? { error: 'no answer' };
    if ('mean' in r) {
      values[name] = r.mean;
      points[name] = r.points;
    } else {
      values[name] = null;
      errors[name] = r.error;
    }
  }
  return { type: 'baseline.taken', values, window, points, ...(Object.keys(errors).length ? { errors } : {}) };
}

/** Why a source gives no history baseline, and what the baseline is instead. */
export function noHistory(kind: string, samples: number): EventBody {
  return { type: 'baseline.from-samples', why: `the ${kind} source has no history`, samples };
}

/** A stage's baseline: the mean of each series' last baselineSamples samples. */
export function samplesBaseline(series: Series, state: Readonly<Record<string, SeriesState>>): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const [name, s] of Object.entries(series)) {
    const n = s.baselineSamples ?? DEFAULT_BASELINE_SAMPLES;
    const h = (state[name]?.samples ?? []).slice(-n).map((x) => x[1]).filter((v): v is number => v !== null);
    values[name] = h.length ? h.reduce((a, b) => a + b, 0) / h.length : null;
  }
  return values;
}
