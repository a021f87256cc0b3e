/**
 * Guardrails a runbook writes but nothing can watch yet: rollback triggers and stage criteria over
 * metrics when it names no metrics source, critical-probe triggers when it has no probe at all.
 * They stay in the runbook as written (a cockpit.yml imported from a Markdown runbook keeps them, so
 * the team fills in only the source), the run leaves them out and says auto-rollback is off, and
 * `cockpit validate` lists each one where it is written, with what to add. One module for both
 * file forms, so a Markdown runbook and its imported YAML agree on what is armed.
 */
import type { Path } from './rules.js';
import type { RawRunbook } from './schema.js';

type RawTrigger = NonNullable<NonNullable<RawRunbook['rollback']>['triggers']>[number];
type RawCriterion = NonNullable<RawRunbook['stages'][number]['criteria']>[number];

export type NotArmed = {
  readonly path: Path;
  readonly kind: 'trigger' | 'criterion';
  /** The trigger or criterion in words: "error_rate > 1 % for 2m", "critical probes 5xx". */
  readonly what: string;
  readonly why: 'no metrics source' | 'no probes';
};

function unitOf(rb: RawRunbook, metric: string): string {
  const u = rb.metrics?.series[metric]?.unit;
  return u ? ` ${u}` : '';
}

/** A trigger as written, in the words the guard uses for it (guard/describe.ts). */
export function describeRawTrigger(rb: RawRunbook, t: RawTrigger): string {
  const window = t.for !== undefined && t.for !== '0' ? ` for ${t.for}` : '';
  if ('probe' in t) {
    const what = t.latencyAbove !== undefined ? `latency > ${t.latencyAbove} ms` : String(t.status ?? '5xx');
    return `${t.probe === 'critical' ? 'critical probes' : `probe ${t.probe}`} ${what}${window}`;
  }
  const op = t.above !== undefined ? '>' : '<';
  return `${t.metric} ${op} ${t.above ?? t.below}${unitOf(rb, t.metric)}${window}`;
}

function describeCriterion(rb: RawRunbook, c: RawCriterion): string {
  return `${c.metric} ${c.below !== undefined ? '<' : '>'} ${c.below ?? c.above}${unitOf(rb, c.metric)}`;
}

/** Whether the run can watch this trigger: a metric one needs a metrics source, a critical-probe one a probe. */
export function isArmed(rb: RawRunbook, t: RawTrigger): boolean {
  if ('metric' in t) return rb.metrics?.source !== undefined;
  return !(t.probe === 'critical' && (rb.probes ?? []).length === 0);
}

/** Every trigger and criterion the run cannot watch, in document order (criteria first: stages come before rollback). */
export function notArmed(rb: RawRunbook): NotArmed[] {
  const out: NotArmed[] = [];
  if (rb.metrics?.source === undefined)
    rb.stages.forEach((s, si) =>
      (s.criteria ?? []).forEach((c, ci) => out.push({ path: ['stages', si, 'criteria', ci], kind: 'criterion', what: describeCriterion(rb, c), why: 'no metrics source' })),
    );
  (rb.rollback?.triggers ?? []).forEach((t, i) => {
    if (!isArmed(rb, t)) out.push({ path: ['rollback', 'triggers', i], kind: 'trigger', what: describeRawTrigger(rb, t), why: 'metric' in t ? 'no metrics source' : 'no probes' });
  });
  return out;
}

/** "rollback.triggers[0] (error_rate > 1 % for 2m): not armed: no metrics source" (the path is the reader's, not the Markdown's). */
export function notArmedMessage(n: NotArmed, path: string): string {
  return `${path} (${n.what}): ${n.kind === 'trigger' ? 'not armed' : 'not checked'}: ${n.why}`;
}

/** The not-armed list located in a document (the YAML, or the Markdown's located twin): `file:line:col: message`. */

/** What to fill in, one line each, so the guardrails are armed; empty when nothing is missing. */
export function armingNeeds(rb: RawRunbook): string[] {
  const missing = notArmed(rb);
  const out: string[] = [];
  const series = Object.keys(rb.metrics?.series ?? {});
  if (missing.some((n) => n.why === 'no metrics source')) {
    out.push('metrics.source: where the metrics come from: {type: prometheus, url: …}, {type: http-json, url: …}, {type: command, run: …} or {type: demo}');
    if (series.length > 0) out.push(`a query (PromQL, for prometheus) or a pointer (JSON pointer, for http-json) for each series: ${series.join(', ')}`);
  }
  const probes = missing.filter((n) => n.why === 'no probes');
  if (probes.length > 0) out.push(`probes: a probe marked critical: true, e.g. {name: checkout, url: http://…, critical: true} (for ${probes.map((n) => `"${n.what}"`).join(', ')})`);
  return out;
}

/** "4 rollback triggers and 1 stage criterion": what is not armed, counted. */
export function notArmedCount(list: readonly NotArmed[]): string {
  const t = list.filter((n) => n.kind === 'trigger').length;
  const c = list.length - t;
  const parts = [t ? `${t} rollback trigger${t === 1 ? '' : 's'}` : '', c ? `${c} stage criteri${c === 1 ? 'on' : 'a'}` : ''].filter(Boolean);
  return parts.join(' and ');
}
