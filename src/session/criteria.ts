/** A stage's criteria, judged on the latest samples: pure, from the state the journal folds to. */
import type { CriterionResult } from '../core/events.js';
import { formatNumber } from '../guard/describe.js';
import type { Runbook, Stage } from '../runbook/types.js';
import type { SessionState } from './reduce.js';

/** The latest real value of a series, or null when its latest sample is missing (or none yet). */
export function latestValue(s: SessionState, series: string): number | null {
  return s.guard.series[series]?.samples.at(-1)?.[1] ?? null;
}

export function judgeCriteria(criteria: Stage['criteria'], s: SessionState): CriterionResult[] {
  return criteria.map((c) => {
    const value = latestValue(s, c.metric);
    const op = c.below !== undefined ? 'below' : 'above';
    const threshold = (c.below ?? c.above)!;
    return { metric: c.metric, op, threshold, value, ok: value !== null && (op === 'below' ? value < threshold : value > threshold) };
  });
}

/** What is unmet, in words ("latency_p95 812 ms (needs < 500 ms)"), or undefined when all hold. */
export function describeUnmet(rb: Runbook, results: readonly CriterionResult[]): string | undefined {
  const units = rb.metrics?.series ?? {};
  const unmet = results.filter((r) => !r.ok);
  if (unmet.length === 0) return undefined;
  return unmet
    .map((r) => {
      const unit = units[r.metric]?.unit ? ` ${units[r.metric]!.unit}` : '';
      const need = `needs ${r.op === 'below' ? '<' : '>'} ${r.threshold}${unit}`;
      return r.value === null ? `${r.metric}: no data (${need})` : `${r.metric} ${formatNumber(r.value)}${unit} (${need})`;
    })
    .join('; ');
}
