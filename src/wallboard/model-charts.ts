/**
 * What each metric chart shows: the series' samples as a line, its warn/critical levels as flat
 * lines beside it, a title that says the latest value and its band in words, and a y scale with
 * round labels. Pure: runbook + state in, numbers and words out.
 */
import { formatNumber } from '../guard/describe.js';
import { bandOf, type BandDef } from '../metrics/bands.js';
import { formatClock } from '../runbook/duration.js';
import type { Runbook } from '../runbook/types.js';
import type { SeriesState } from '../guard/fold.js';
import type { SessionState } from '../session/reduce.js';
import { METRIC_WORD, readingOf } from '../session/view/metric-reading.js';

export type ChartBand = 'ok' | 'warn' | 'critical' | 'no data';

export type ChartLine = { readonly title: string; readonly y: readonly number[]; readonly tone: 'value' | 'warn' | 'critical' };

export type ChartModel = {
  readonly name: string;
  /** "latency p95 412 ms · warn 500 crit 1000", "error rate 3.2 % CRITICAL · …", "memory no data". */
  readonly title: string;
  /** The title, then shorter forms of it for a narrow chart, the last one the series' label alone. */
  readonly titles: readonly string[];
  /** One label per plotted sample: its tick's session time (m:ss). */
  readonly x: readonly string[];
  /** The value line first, then one flat line per level. */
  readonly lines: readonly ChartLine[];
  /** The highest value any line reaches (the y scale must show it). */
  readonly peak: number;
  readonly band: ChartBand;
  /** Samples in the window that had no data (not plotted: a gap is neither a breach nor a recovery). */
  readonly missed: number;
};

type Level = { readonly title: string; readonly value: number; readonly tone: 'warn' | 'critical' };

/** The levels drawn beside a series: warn and critical as written, and a drop/rise warn level against the baseline once it is taken. */
export function levelsOf(def: BandDef, baseline: number | undefined): Level[] {
  const out: Level[] = [];
  if (def.warn !== undefined) out.push({ title: `warn ${def.warn}`, value: def.warn, tone: 'warn' });
  if (def.critical !== undefined) out.push({ title: `critical ${def.critical}`, value: def.critical, tone: 'critical' });
  if (baseline !== undefined && baseline > 0) {
    if (def.dropWarnPct !== undefined) out.push({ title: `warn −${def.dropWarnPct} %`, value: Number((baseline * (1 - def.dropWarnPct / 100)).toPrecision(4)), tone: 'warn' });
    if (def.riseWarnPct !== undefined) out.push({ title: `warn +${def.riseWarnPct} %`, value: Number((baseline * (1 + def.riseWarnPct / 100)).toPrecision(4)), tone: 'warn' });
  }
  return out;
}

/** A chart's band and its titles, longest first (the panel shows the longest that fits), by where its series stands (readingOf). */
function headline(def: BandDef & { readonly unit?: string }, st: SeriesState | undefined, label: string, levels: readonly Level[], baseline: number | undefined): { band: ChartBand; titles: string[] } {
  const reading = readingOf(st);
  if (reading === 'waiting') return { band: 'no data', titles: [`${label} ${METRIC_WORD.waiting.title}`, label] };
  const none = METRIC_WORD['no data'].title;
  if (reading === 'no data') return { band: 'no data', titles: [...(st?.error ? [`${label} ${none} (${st.error})`] : []), `${label} ${none}`, label] };
  const v = st!.samples.at(-1)![1]!;
  const band = bandOf(def, v, baseline);
  const value = formatNumber(v);
  const unit = def.unit ? ` ${def.unit}` : '';
  const word = METRIC_WORD[band].title ? ` ${METRIC_WORD[band].title}` : '';
  const marks = levels.map((l) => l.title.replace('critical', 'crit')).join(' ');
  return { band, titles: [...(marks ? [`${label} ${value}${unit}${word} · ${marks}`] : []), `${label} ${value}${unit}${word}`, `${label} ${value}${word}`, `${label} ${value}`, label] };
}

export function chartModels(rb: Runbook, s: SessionState): ChartModel[] {
  return Object.entries(rb.metrics?.series ?? {}).map(([name, def]) => {
    const samples = s.guard.series[name]?.samples ?? [];
    const plotted = samples.filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]));
    const baseline = s.guard.baseline[name] ?? undefined;
    const levels = levelsOf(def, baseline);
    const label = def.label ?? name.replace(/_/g, ' ');
    const { band, titles } = headline(def, s.guard.series[name], label, levels, baseline);
    const values = plotted.map(([, v]) => v);
    const n = values.length;
    const lines: ChartLine[] = [{ title: label, y: values, tone: 'value' }, ...levels.map((l) => ({ title: l.title, y: Array<number>(n).fill(l.value), tone: l.tone }))];
    const peak = Math.max(0, ...values, ...levels.map((l) => l.value));
    return { name, title: titles[0], titles: [...new Set(titles)], x: plotted.map(([t]) => formatClock(t)), lines, peak, band, missed: samples.length - n };
  });
}

/**
 * A y scale with round labels for `labels` labels from 0: blessed-contrib prints label i as
 * (i × max / labels), rounded to whole numbers when the step is 1 or more and to 2 decimals below,
 * so the step is 1, 2 or 5 × 10^k and the top leaves a little room above the peak.
 */
export function yScale(peak: number, labels: number): { max: number; step: number } {
  const n = Math.max(1, Math.floor(labels));
  const want = peak > 0 ? (peak * 1.1) / n : 1 / n;
  const exp = Math.pow(10, Math.floor(Math.log10(want)));
  const step = [1, 2, 5, 10].map((m) => m * exp).find((x) => x >= want - 1e-12) ?? 10 * exp;
  const clean = Number(step.toPrecision(6));
  return { max: Number((clean * n).toPrecision(6)), step: clean };
}
