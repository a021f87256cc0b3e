/**
 * What the pre-flight, each stage and the rollback look like: one rule, read by the screen's
 * strip and checklist, the summary, and the wallboard's stage panel.
 *
 * After a rollback that passed, every stage that ran (passed, failed or was interrupted) reads
 * "↺ rolled back": what it changed was undone. The rollback itself reads as its pipeline went:
 * ✓ passed, ✗ FAILED, ◐ running.
 */
import type { SessionState, StageState, StageStatus } from '../reduce.js';
import type { DisplayStatus } from './words.js';

/** A pre-flight check failed and waits for a retry or a skip (the screen), or the pre-flight failed (headless). */
export function preflightFailed(s: SessionState): boolean {
  return s.preflight.status === 'failed' || (s.preflight.status !== 'passed' && s.preflight.steps.some((x) => x.status === 'failed' || x.status === 'interrupted'));
}

/** The pre-flight as a stage: FAILED while one of its checks is. */
export function preflightStatus(s: SessionState): StageStatus {
  return preflightFailed(s) ? 'failed' : s.preflight.status;
}

export function stageDisplayStatus(s: SessionState, st: Pick<StageState, 'status'>): DisplayStatus {
  const ran = st.status === 'passed' || st.status === 'failed' || st.status === 'interrupted';
  return s.rollback.status === 'passed' && ran ? 'rolled-back' : st.status;
}

/** The rollback pipeline's own state, once it started (undefined before). */
export function rollbackDisplayStatus(s: SessionState): DisplayStatus | undefined {
  const r = s.rollback.status;
  return r === 'idle' ? undefined : r;
}

/** A passed stage (or pre-flight) with skipped items says so: "Pre-flight (1 skipped)". */
export function titleWithSkipped(title: string, status: DisplayStatus, st: Pick<StageState, 'steps'>): string {
  const n = status === 'passed' ? st.steps.filter((x) => x.status === 'skipped').length : 0;
  return n > 0 ? `${title} (${n} skipped)` : title;
}

export type StripItem = {
  readonly id: string;
  /** With its skipped count: "Pre-flight (1 skipped)". */
  readonly title: string;
  readonly status: DisplayStatus;
  /** The stage it stands for (undefined for the rollback). */
  readonly stage?: StageState;
};

/** Pre-flight, every stage, then the rollback once it started: "✓ Pre-flight  ↺ Build  ↺ Deploy  ✓ Rollback". */
export function stripItems(s: SessionState): StripItem[] {
  const pre = preflightStatus(s);
  const items: StripItem[] = [
    { id: 'preflight', title: titleWithSkipped(s.preflight.title, pre, s.preflight), status: pre, stage: s.preflight },
    ...s.stages.map((st) => {
      const status = stageDisplayStatus(s, st);
      return { id: st.id, title: titleWithSkipped(st.title, status, st), status, stage: st };
    }),
  ];
  const rollback = rollbackDisplayStatus(s);
  if (rollback) items.push({ id: 'rollback', title: 'Rollback', status: rollback });
  return items;
}
