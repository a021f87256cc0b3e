/** What the metrics, triggers and flags panes show, derived from the runbook and the session. */
import type { Runbook, Trigger } from '../runbook/types.js';
import type { SessionState } from '../session/reduce.js';
import type { FlagView } from './components/FlagsPane.js';
import type { SeriesView } from './components/MetricsPane.js';
import type { TriggerView } from './components/TriggersBar.js';
import { formatDuration } from '../runbook/duration.js';

export function triggerLabel(t: Trigger): string {
  if (t.kind === 'probe') return `${t.probe === 'critical' ? 'critical probe' : t.probe} ${t.status ?? 'error'}`;
  const window = t.forMs > 0 ? ` ${formatDuration(t.forMs).replace('m00s', 'm')}` : '';
  return `${t.metric}${t.op === 'above' ? '>' : '<'}${t.threshold}${window}`;
}

export function triggerViews(rb: Runbook, _s: SessionState): TriggerView[] {
  return (rb.rollback?.triggers ?? []).map((t) => ({ id: t.id, label: triggerLabel(t), state: 'idle', forMs: t.forMs }));
}

export function seriesViews(rb: Runbook, _s: SessionState): SeriesView[] {
  return Object.entries(rb.metrics?.series ?? {}).map(([name, s]) => ({
    name,
    label: s.label ?? name.replace(/_/g, ' '),
    unit: s.unit ?? '',
    values: [],
    band: 'stale',
    thresholds: [s.warn !== undefined ? `warn ${s.warn}` : '', s.critical !== undefined ? `crit ${s.critical}` : '', s.dropWarnPct !== undefined ? `drop ${s.dropWarnPct}%` : ''].filter(Boolean).join(' '),
  }));
}

export function flagViews(rb: Runbook, _s: SessionState): FlagView[] {
  return Object.entries(rb.flags?.ramps ?? {}).map(([name, ramp]) => {
    const steps = Array.isArray(ramp) ? ramp : ramp.steps;
    return { name, percent: undefined, next: steps[0], state: 'not read yet' };
  });
}
