/** The normalised rollback triggers (Prometheus `for` semantics, ids unique) and the DORA targets. */
import { isArmed } from './armed.js';
import { explicitIds, ms, slug, uniquer } from './normalize-ids.js';
import type { RawRunbook } from './schema.js';
import { parseRate, parseSpan } from './span.js';
import type { Targets, Trigger } from './types.js';

export function triggerId(t: Trigger | { metric?: string; probe?: string; above?: number; below?: number }): string {
  if ('metric' in t && t.metric) return slug(`${t.metric}-${'above' in t && t.above !== undefined ? 'above' : 'below'}`);
  return slug(`probe-${(t as { probe?: string }).probe ?? 'probe'}`);
}

/** The rollback triggers, and the shadow ones apart (ids unique across both). */
export function triggers(raw: RawRunbook): { triggers: Trigger[]; shadows: Trigger[] } {
  const all = allTriggers(raw);
  const shadow = new Set((raw.rollback?.triggers ?? []).filter((t) => isArmed(raw, t) && t.shadow === true));
  const armed = (raw.rollback?.triggers ?? []).filter((t) => isArmed(raw, t));
  return { triggers: all.filter((_, i) => !shadow.has(armed[i])), shadows: all.filter((_, i) => shadow.has(armed[i])) };
}

function allTriggers(raw: RawRunbook): Trigger[] {
  const unique = uniquer(explicitIds(raw.rollback?.triggers));
  const defaultMaxErrors = raw.metrics?.maxErrors ?? 4;
  // a trigger with nothing to watch stays out of the run (it would only hold for want of data): Runbook.unarmed names it
  return (raw.rollback?.triggers ?? []).filter((t) => isArmed(raw, t)).map((t): Trigger => {
    if ('metric' in t) {
      const op = t.above !== undefined ? 'above' : 'below';
      return {
        kind: 'metric',
        id: t.id !== undefined ? unique(t.id, true) : unique(triggerId(t)),
        metric: t.metric,
        op,
        threshold: (op === 'above' ? t.above : t.below) ?? 0,
        forMs: ms(t.for) ?? 0,
        onNoData: t.onNoData ?? 'hold',
        maxErrors: t.maxErrors ?? defaultMaxErrors,
      };
    }
    return {
      kind: 'probe',
      id: t.id !== undefined ? unique(t.id, true) : unique(triggerId(t)),
      probe: t.probe,
      status: t.status,
      latencyAbove: t.latencyAbove,
      forMs: ms(t.for) ?? 0,
      onNoData: t.onNoData ?? 'hold',
    };
  });
}

export function targets(raw: NonNullable<RawRunbook['targets']>): Targets {
  const t = {
    deploymentFrequency: raw.deploymentFrequency,
    leadTimeMs: raw.leadTime === undefined ? undefined : parseSpan(raw.leadTime),
    changeFailureRate: raw.changeFailureRate === undefined ? undefined : parseRate(raw.changeFailureRate),
    timeToRestoreMs: raw.timeToRestore === undefined ? undefined : parseSpan(raw.timeToRestore),
    rollbackRate: raw.rollbackRate === undefined ? undefined : parseRate(raw.rollbackRate),
  };
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as Targets;
}
