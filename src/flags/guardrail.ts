/**
 * Whether a ramp may step up now: refused while any trigger is pending or fired, any trigger has no
 * data, or any metric is critical or has no data. Stepping down and the kill switch are always allowed.
 */
import { bandOf } from '../metrics/bands.js';
import type { Runbook } from '../runbook/types.js';
import type { ReleaseView } from './fold.js';
import { triggerLabel } from '../guard/describe.js';

/**
 * `noDataAfter`: how many consecutive missing samples make a metric "no data" (default 2, or
 * maxErrors if lower); a one-shot command that has one fresh sample passes 1.
 */
export function stepUpRefusal(rb: Runbook, s: ReleaseView, noDataAfter?: number): string | undefined {
  for (const t of rb.rollback?.triggers ?? []) {
    const v = s.guard.triggers[t.id];
    if (v?.status === 'fired') return `trigger ${triggerLabel(t, rb)} has FIRED`;
    if (v?.status === 'pending') return `trigger ${triggerLabel(t, rb)} is PENDING`;
    if (v?.noData) return `trigger ${triggerLabel(t, rb)} has NO DATA`;
  }
  const maxErrors = rb.metrics?.maxErrors ?? 4;
  for (const [name, def] of Object.entries(rb.metrics?.series ?? {})) {
    const st = s.guard.series[name];
    if (!st || st.samples.length === 0) continue; // not sampled yet: nothing to judge
    const last = st.samples[st.samples.length - 1][1];
    if (last === null) {
      if (st.misses >= (noDataAfter ?? Math.min(maxErrors, 2))) return `metric ${name} has NO DATA (${st.error ?? 'no sample'})`;
      continue;
    }
    const band = bandOf(def, last, s.guard.baseline[name] ?? undefined);
    if (band === 'critical') return `metric ${name} is CRITICAL (${Number(last.toPrecision(4))}${def.unit ? ` ${def.unit}` : ''})`;
  }
  if (s.rollback.status !== 'idle') return 'a rollback has started';
  return undefined;
}
