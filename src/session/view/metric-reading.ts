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

/** What a series waiting for its first sample says, in a sentence (the wallboard's chart title). */
export const WAITING_TEXT = 'waiting for its first sample';
