/** One line per metric: name, sparkline, value + unit, band word, and its warn/critical thresholds. */
import { Text } from 'ink';
import type { Slot } from '../theme.js';
import { pad, padStart } from '../text.js';
import { Pane } from './Pane.js';
import { S } from './S.js';
import { sparkline } from '../sparkline.js';

export type Band = 'ok' | 'warn' | 'critical' | 'stale';

export type SeriesView = {
  readonly name: string;
  readonly label: string;
  readonly unit: string;
  readonly values: readonly (number | undefined)[];
  readonly value?: number;
  readonly band: Band;
  readonly thresholds: string;
  readonly error?: string;
};

const BAND_SLOT: Record<Band, Slot> = { ok: 'metric.ok', warn: 'metric.warn', critical: 'metric.critical', stale: 'metric.stale' };
const BAND_WORD: Record<Band, string> = { ok: 'ok', warn: 'WARN', critical: 'CRIT', stale: 'STALE' };

export function formatValue(v: number | undefined, unit: string): string {
  if (v === undefined) return '—';
  const abs = Math.abs(v);
  const n = abs >= 10_000 ? `${(v / 1000).toFixed(1)}k` : abs >= 100 ? v.toFixed(0) : abs >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit ? `${n} ${unit}` : n;
}

type Props = { readonly series: readonly SeriesView[]; readonly width: number; readonly height: number; readonly empty?: string };

export function MetricsPane({ series, width, height, empty = 'no metrics in this runbook' }: Props) {
  const inner = width - 2;
  const label = Math.min(14, Math.max(...series.map((s) => s.label.length), 6));
  const spark = Math.max(6, Math.min(24, inner - label - 36));
  return (
    <Pane title="Metrics" width={width} height={height}>
      {series.length === 0 ? <S slot="dim">{empty}</S> : null}
      {series.slice(0, height - 2).map((s) => (
        <Text key={s.name} wrap="truncate-end">
          {pad(s.label, label)}{' '}
          <S slot={BAND_SLOT[s.band]}>{sparkline(s.values, spark)}</S>{' '}
          <S slot={BAND_SLOT[s.band]}>{padStart(formatValue(s.value, s.unit), 9)}</S>{' '}
          <S slot={BAND_SLOT[s.band]}>{pad(BAND_WORD[s.band], 5)}</S>
          <S slot="dim">{s.error ? ` ${s.error}` : ` ${s.thresholds}`}</S>
        </Text>
      ))}
    </Pane>
  );
}
