/** One line per metric: name, sparkline, value + unit, band word, and its warn/critical thresholds. */
import { Text } from 'ink';
import type { Slot } from '../theme.js';
import { pad, padStart } from '../text.js';
import { Pane } from './Pane.js';
import { S } from './S.js';
import { bar, sparkScale, type SparkLevels } from '../sparkline.js';
import { METRIC_WORD } from '../../session/view/metric-reading.js';

/** A value's band; `stale`: its latest sample is missing; `waiting`: none taken yet (session/view/metric-reading.ts). */
export type Band = 'ok' | 'warn' | 'critical' | 'stale' | 'waiting';

export type SeriesView = {
  readonly name: string;
  readonly label: string;
  readonly unit: string;
  readonly values: readonly (number | undefined)[];
  /** The band of each value (its cell is drawn in that band's colour: the warn and critical levels show). */
  readonly bands?: readonly (Exclude<Band, 'stale' | 'waiting'> | undefined)[];
  /** The series' warn and critical levels: where its bars start and end (sparkline.ts sparkScale). */
  readonly levels?: SparkLevels;
  readonly value?: number;
  readonly band: Band;
  readonly thresholds: string;
  readonly error?: string;
};

const BAND_SLOT: Record<Band, Slot> = { ok: 'metric.ok', warn: 'metric.warn', critical: 'metric.critical', stale: 'metric.stale', waiting: 'dim' };
/** Each band's word (session/view/metric-reading.ts: the one vocabulary); `stale` is the reading "no data". */
const BAND_WORD: Record<Band, string> = { ok: METRIC_WORD.ok.word, warn: METRIC_WORD.warn.word, critical: METRIC_WORD.critical.word, stale: METRIC_WORD['no data'].word, waiting: METRIC_WORD.waiting.word };

export function formatValue(v: number | undefined, unit: string): string {
  if (v === undefined) return '—';
  const abs = Math.abs(v);
  const n = abs >= 10_000 ? `${(v / 1000).toFixed(1)}k` : abs >= 100 ? v.toFixed(0) : abs >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit ? `${n} ${unit}` : n;
}

type Props = {
  readonly series: readonly SeriesView[];
  readonly width: number;
  readonly height: number;
  readonly empty?: string;
  /** Where the drop/rise bands' baseline comes from ("base: 30m before 14:02"), in the title. */
  readonly baseline?: string;
};

const EMPTY = 'no metrics in this runbook';
const SPARK = 24;
/** Cells of a line besides the label, the sparkline and the thresholds: spaces, value, band word. */
const FIXED = 1 + 1 + 9 + 1 + 5;

const labelWidth = (series: readonly SeriesView[]) => Math.min(14, Math.max(...series.map((s) => s.label.length), 6));
/** Room kept for the thresholds ("warn 500 crit 1000") before the sparkline gets any. */
const reserve = (series: readonly SeriesView[]) => Math.min(19, Math.max(0, ...series.map((s) => s.thresholds.length)) + 1);

/** The width the pane's lines need (borders and a space before the right one included): the layout gives the flags pane the rest. */
export function metricsColumns(series: readonly SeriesView[], empty = EMPTY): number {
  // no series: the message, a long one on two lines (with room for its words to break)
  if (series.length === 0) return 2 + (empty.length <= 40 ? empty.length : Math.ceil(empty.length / 2) + 12) + 1;
  return 2 + labelWidth(series) + FIXED + SPARK + 1 + Math.max(0, ...series.map((s) => s.thresholds.length)) + 1;
}

/** The last `width` values as bars, each in its band's colour, right-aligned. */
function Spark({ s, width }: { readonly s: SeriesView; readonly width: number }) {
  const start = Math.max(0, s.values.length - width);
  const values = s.values.slice(start);
  const scale = sparkScale(values, s.levels);
  const runs: { slot: Slot; text: string }[] = [{ slot: 'dim', text: ' '.repeat(width - values.length) }];
  values.forEach((v, i) => {
    const gap = v === undefined || !Number.isFinite(v);
    const slot = gap ? 'dim' : s.band === 'stale' ? BAND_SLOT.stale : BAND_SLOT[s.bands?.[start + i] ?? s.band];
    const text = gap ? ' ' : bar(v, scale);
    const last = runs[runs.length - 1];
    if (last.slot === slot) runs[runs.length - 1] = { slot, text: last.text + text };
    else runs.push({ slot, text });
  });
  return (
    <>
      {runs.map((r, i) => (r.text ? <S key={i} slot={r.slot}>{r.text}</S> : null))}
    </>
  );
}

export function MetricsPane({ series, width, height, empty = EMPTY, baseline }: Props) {
  const inner = width - 2;
  const label = labelWidth(series);
  const spark = Math.max(6, Math.min(SPARK, inner - label - FIXED - reserve(series)));
  return (
    <Pane title={baseline ? `Metrics · ${baseline}` : 'Metrics'} width={width} height={height}>
      {series.length === 0 ? <S slot="dim">{empty}</S> : null}
      {series.slice(0, height - 2).map((s) => (
        <Text key={s.name} wrap="truncate-end">
          {pad(s.label, label)}{' '}
          <Spark s={s} width={spark} />{' '}
          <S slot={BAND_SLOT[s.band]}>{padStart(formatValue(s.value, s.unit), 9)}</S>{' '}
          <S slot={BAND_SLOT[s.band]}>{pad(BAND_WORD[s.band], 5)}</S>
          <S slot="dim">{s.error ? ` ${s.error}` : ` ${s.thresholds}`}</S>
        </Text>
      ))}
    </Pane>
  );
}
