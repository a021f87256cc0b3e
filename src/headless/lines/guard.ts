/** Headless lines of the guardrails: samples, the baseline, arming, holds, triggers and criteria. */
import { sanitizeLine, timeOfDay } from '../../exec/log-format.js';
import { baselineWindowText } from '../../guard/baseline.js';
import { decisionLines } from '../../guard/decision.js';
import { formatCompact } from '../../runbook/duration.js';
import type { SessionState } from '../../session/reduce.js';
import { TRIGGER_ICON, TRIGGER_WORD } from '../../session/view/trigger-state.js';
import { ICON, MARK } from '../../session/view/words.js';
import { num } from './common.js';
import type { EventOf, Lines } from './types.js';

/** "  · baseline throughput=412"; from history: "  · baseline (30m before 14:02): throughput=412 (360 points)". */
function baselineText(e: EventOf<'baseline.taken'>): string {
  const value = (k: string, v: number | null) => {
    if (!e.window) return `${k}=${v === null ? '∅' : num(v)}`;
    if (v === null) return `${k}=∅ (${sanitizeLine(e.errors?.[k] ?? 'no data')}: from the samples when each stage starts)`;
    return `${k}=${num(v)} (${e.points?.[k] ?? '?'} points)`;
  };
  const parts = Object.entries(e.values).map(([k, v]) => value(k, v));
  return e.window ? `  ${MARK.sample} baseline (${baselineWindowText(e.window)}): ${parts.join('  ')}` : `  ${MARK.sample} baseline ${parts.join('  ')}`;
}

function metrics(e: EventOf<'metric.sampled'>): string {
  const parts = Object.entries(e.values).map(([k, v]) => `${k}=${v === null ? `∅(${sanitizeLine(e.errors[k] ?? 'no data')})` : num(v)}`);
  return `  ${MARK.sample} metrics ${parts.join('  ')}`;
}

function probes(e: EventOf<'probe.sampled'>): string {
  const parts = Object.entries(e.results).map(([k, r]) => `${k}=${r.error ? `error(${r.error})` : `${r.status} ${r.latencyMs}ms`}`);
  return `  ${MARK.sample} probes ${parts.join('  ')}`;
}

function hold(s: SessionState, e: EventOf<'guard.hold'>): string {
  if (e.holding) return `${MARK.hold} HOLD: no data from ${e.triggers.join(', ')}: monitors and ramps paused${e.limitMs !== undefined ? ` (the stage fails if it holds ${formatCompact(e.limitMs)})` : ''}`;
  return Object.values(s.guard.triggers).some((t) => t.noData) ? `${MARK.started} hold lifted: the triggers are disarmed` : `${MARK.started} hold lifted: data is back`;
}

function fired(e: EventOf<'trigger.fired'>): string {
  const why = e.record ? decisionLines(e.record).map((l, i) => `    ${i === 0 ? 'why: ' : ''}${l}`) : [];
  return [`${TRIGGER_ICON.fired} trigger ${e.trigger} ${TRIGGER_WORD.fired}: ${e.reason}`, ...why].join('\n');
}

function criteria(e: EventOf<'criteria.checked'>): string {
  return e.results.map((r) => `  ${r.ok ? ICON.passed : ICON.failed} criterion ${r.metric} ${r.op === 'below' ? '<' : '>'} ${r.threshold}: ${r.value === null ? 'no data' : num(r.value)}`).join('\n');
}

export const GUARD_LINES: Lines<
  | 'metric.sampled'
  | 'probe.sampled'
  | 'baseline.taken'
  | 'baseline.from-samples'
  | 'guard.armed'
  | 'guard.unguarded'
  | 'guard.hold'
  | 'trigger.pending'
  | 'trigger.reset'
  | 'trigger.fired'
  | 'trigger.shadow-fired'
  | 'trigger.nodata'
  | 'trigger.data-back'
  | 'trigger.broken'
  | 'criteria.checked'
> = {
  'metric.sampled': (_s, e) => metrics(e),
  'probe.sampled': (_s, e) => probes(e),
  'baseline.taken': (_s, e) => baselineText(e),
  'baseline.from-samples': (_s, e) => `  ${MARK.sample} baseline: ${e.why}: the mean of the last ${e.samples} samples when each stage starts`,
  'guard.armed': (_s, e) => `${MARK.guard} triggers ${e.armed ? 'ARMED' : 'disarmed'} (${e.why})`,
  'guard.unguarded': (_s, e) =>
    `${MARK.warning} UNGUARDED: the release goes on past the failed guardrail self-test (${e.by === 'flag' ? '--unguarded' : 'confirmed by the operator'}): ${sanitizeLine(e.reason)}`,
  'guard.hold': hold,
  'trigger.pending': (_s, e) => `${TRIGGER_ICON.pending} trigger ${e.trigger} ${TRIGGER_WORD.pending} (value ${num(e.value)})`,
  'trigger.reset': (_s, e) => `${TRIGGER_ICON.idle} trigger ${e.trigger} reset (value ${num(e.value)})`,
  'trigger.fired': (_s, e) => fired(e),
  'trigger.shadow-fired': (_s, e) => `◌ shadow trigger ${e.trigger} would have fired at ${timeOfDay(e.at)}: ${e.reason} (shadow: no rollback)`,
  'trigger.nodata': (_s, e) => `${TRIGGER_ICON.nodata} trigger ${e.trigger} ${TRIGGER_WORD.nodata} for ${e.misses} samples (${e.error ?? 'source error'}): policy ${e.policy}`,
  'trigger.data-back': (_s, e) => `${TRIGGER_ICON.idle} trigger ${e.trigger}: data is back`,
  'trigger.broken': (_s, e) => `${TRIGGER_ICON.broken} ${sanitizeLine(e.reason)}: the step fails now (a configuration error, not no data)`,
  'criteria.checked': (_s, e) => criteria(e),
};
