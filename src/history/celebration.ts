/**
 * The end of a release, as the seed runbook's "Release Celebration" has it: its checklist for a
 * release that shipped, or the one for a rollback, and a learnings line made of the session's own
 * facts (what failed, what fired, the time to restore) plus what the operator adds.
 */
import type { Outcome, ReleaseReview, RollbackSource } from '../core/events.js';
import { formatDuration } from '../runbook/duration.js';

/** The seed's "When We Ship Successfully". */
export const SHIPPED_CHECKLIST: readonly string[] = [
  'Update team in #releases with metrics',
  'Thank everyone who contributed',
  'Add learnings to knowledge base',
  'Plan next improvement to this runbook',
];

/** The seed's "When We Rollback". */
export const ROLLBACK_CHECKLIST: readonly string[] = [
  'Celebrate fast recovery (no blame!)',
  'Document what we learned',
  'Improve guardrails to catch it next time',
  'Share learnings with team',
];

/** What the learnings line is made of, taken from the session state (src/session/records.ts). */
export type ReleaseFacts = {
  readonly version: string;
  readonly environment: string;
  readonly outcome: Outcome;
  readonly stages: number;
  readonly stagesPassed: number;
  /** Whether a stage in the release's environment started: the change reached it. */
  readonly deployed: boolean;
  /** Failed steps ("Deploy to Staging / Run smoke tests") and why, in order. */
  readonly failures: readonly { readonly where: string; readonly reason: string }[];
  /** Steps that failed and then passed on a later attempt. */
  readonly recovered: readonly { readonly where: string; readonly attempt: number }[];
  readonly fired: readonly { readonly trigger: string; readonly reason: string }[];
  /** Shadow triggers that would have fired (they never act): how a new guardrail would have done. */
  readonly shadowFired?: readonly { readonly trigger: string; readonly times: number }[];
  readonly overBudget: readonly string[];
  readonly rollback?: {
    readonly source: RollbackSource;
    readonly reason: string;
    readonly ok?: boolean;
    /** The rollback step that failed, when it failed. */
    readonly failedAt?: string;
    readonly restoreMs?: number;
  };
};

const BY: Record<RollbackSource, string> = { operator: 'by the operator', trigger: 'by a trigger', 'on-failure': 'after a failed stage', command: 'by cockpit rollback' };

/** One sentence of facts. Nothing in it is judged or guessed: every clause is an event of the session. */
export function learningsOf(f: ReleaseFacts): string {
  const parts: string[] = [];
  const what = `${f.version} → ${f.environment}`;
  if (f.rollback) {
    const r = f.rollback;
    const cause = r.source === 'trigger' && f.fired.length > 0 ? `trigger ${f.fired.map((x) => `${x.trigger} fired (${x.reason})`).join(', ')}` : `rolled back ${BY[r.source]}: ${r.reason}`;
    parts.push(`${what}: ${cause}`);
    if (r.ok === false) parts.push(`ROLLBACK FAILED at ${r.failedAt ?? '?'}, not restored`);
    else if (r.restoreMs !== undefined) parts.push(`restored in ${formatDuration(r.restoreMs)} from the incident's start`);
  } else if (f.outcome === 'released') {
    parts.push(`${what} released: ${f.stagesPassed} of ${f.stages} stages passed, ${f.fired.length === 0 ? 'no trigger fired' : `trigger ${f.fired.map((x) => x.trigger).join(', ')} fired`}`);
  } else {
    const word = f.outcome === 'interrupted' ? 'interrupted' : f.outcome === 'aborted' ? 'quit' : 'failed';
    parts.push(`${what} ${word} after ${f.stagesPassed} of ${f.stages} stages, ${f.deployed ? `${f.environment} was reached and not rolled back` : `nothing reached ${f.environment}`}`);
  }
  const failures = f.failures.filter((x) => !f.recovered.some((r) => r.where === x.where));
  if (failures.length > 0) parts.push(`failed: ${failures.map((x) => `${x.where} (${x.reason})`).join(', ')}`);
  if (f.recovered.length > 0) parts.push(`passed on a retry: ${f.recovered.map((x) => `${x.where} (attempt ${x.attempt})`).join(', ')}`);
  if (f.overBudget.length > 0) parts.push(`over budget: ${f.overBudget.join(', ')}`);
  const shadows = f.shadowFired ?? [];
  if (shadows.length > 0) parts.push(`shadow trigger ${shadows.map((x) => `${x.trigger} would have fired${x.times > 1 ? ` ${x.times} times` : ''}`).join(', ')} (no action taken)`);
  return `${parts.join('; ')}.`;
}

/** The review of a release that ended: which checklist, the learnings, the operator's note. */
export function reviewOf(f: ReleaseFacts, note?: string): ReleaseReview {
  const checklist = f.rollback ? 'rolled-back' : f.outcome === 'released' ? 'shipped' : 'none';
  const items = checklist === 'shipped' ? SHIPPED_CHECKLIST : checklist === 'rolled-back' ? ROLLBACK_CHECKLIST : [];
  const text = note?.trim();
  return { outcome: f.outcome, checklist, items: [...items], learnings: learningsOf(f), ...(text ? { note: text } : {}) };
}

/** The review as lines of text: the headless output and the screen's end summary both print these. */
export function reviewLines(r: ReleaseReview): string[] {
  const title = r.checklist === 'shipped' ? '★ When we ship successfully:' : r.checklist === 'rolled-back' ? '★ When we roll back:' : undefined;
  return [
    ...(title ? [title, ...r.items.map((i) => `  [ ] ${i}`)] : []),
    `★ learnings: ${r.learnings}`,
    ...(r.note ? [`★ the operator's learning: ${r.note}`] : []),
  ];
}
