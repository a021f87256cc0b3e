/**
 * Where a metric series stands, decided once for the screen's metrics pane and the wallboard's
 * charts: `waiting` (no sample taken yet: nothing is wrong, nothing is known), `no data` (its latest
 * sample is missing: the source failed or answered nothing) or `fresh` (its latest sample has a
 * value). A series read before its first sample is not stale: the cockpit has simply not asked yet.
 */
import type { SeriesState } from '../../guard/fold.js';

export type Reading = 'waiting' | 'no data' | 'fresh';

export function readingOf(st: Pick<SeriesState, 'samples' | 'misses'> | undefined): Reading {
  const last = st?.samples.at(-1);
  if (last === undefined) return 'waiting';
  return last[1] === null || !Number.isFinite(last[1]) || st!.misses > 0 ? 'no data' : 'fresh';
}

/** Where a series stands in words: its reading, or for a fresh one the band of its value (metrics/bands.ts). */
export type MetricStanding = Exclude<Reading, 'fresh'> | 'ok' | 'warn' | 'critical';

/**
 * A metric's standing in words, for every view: `word` where a word fits (the screen's metrics
 * pane gives it 5 cells), `title` where a phrase does (the wallboard's chart titles; nothing for
 * ok: a value inside its levels needs no word). A series not read yet is never STALE, which says
 * a source failed.
 */
export const METRIC_WORD: Readonly<Record<MetricStanding, { readonly word: string; readonly title: string }>> = {
  ok: { word: 'ok', title: '' },
  warn: { word: 'WARN', title: 'WARN' },
  critical: { word: 'CRIT', title: 'CRITICAL' },
  'no data': { word: 'STALE', title: 'no data' },
  waiting: { word: '…', title: 'waiting for its first sample' },
};
