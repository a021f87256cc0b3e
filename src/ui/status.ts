/** Every state has an icon and a word (never colour alone), and a theme slot for its colour. */
import type { Phase, SessionState, StageState, StageStatus } from '../session/reduce.js';
import type { Slot } from './theme.js';
import { waitingStep } from '../session/manual.js';
import { OUTCOME_WORD } from '../core/outcome-words.js';

export type AnyStatus = 'pending' | 'running' | 'waiting' | 'passed' | 'failed' | 'skipped' | 'interrupted' | 'rolled-back';

export const ICON: Record<AnyStatus, string> = {
  pending: '○',
  running: '◐',
  /** A manual step the stage waits at until the operator ticks it. */
  waiting: '☐',
  passed: '✓',
  failed: '✗',
  skipped: '↷',
  interrupted: '■',
  'rolled-back': '↺',
};

export const WORD: Record<AnyStatus, string> = {
  pending: 'pending',
  running: 'running',
  waiting: 'waiting for you',
  passed: 'passed',
  failed: 'FAILED',
  skipped: 'skipped',
  interrupted: 'interrupted',
  'rolled-back': 'rolled back',
};

export const SLOT: Record<AnyStatus, Slot> = {
  pending: 'stage.pending',
  running: 'stage.running',
  waiting: 'notice',
  passed: 'stage.passed',
  failed: 'stage.failed',
  skipped: 'stage.skipped',
  interrupted: 'stage.interrupted',
  'rolled-back': 'stage.rolledBack',
};

export function phaseWord(p: Phase, waiting: boolean): string {
  switch (p) {
    case 'ready':
      return 'READY';
    case 'preflight':
      return waiting ? 'READY' : 'PRE-FLIGHT';
    case 'running':
      return waiting ? 'READY' : 'RUNNING';
    case 'passed':
      // the session ended released: the summary's word (core/outcome-words.ts), not a second one
      return OUTCOME_WORD.released;
    case 'failed':
      return 'FAILED';
    case 'rolling-back':
      return 'ROLLING BACK';
    case 'rolled-back':
      return 'ROLLED BACK';
    case 'rollback-failed':
      return 'ROLLBACK FAILED';
    case 'interrupted':
      return 'INTERRUPTED';
  }
}

export function phaseSlot(p: Phase): Slot {
  if (p === 'passed') return 'stage.passed';
  if (p === 'failed' || p === 'rollback-failed') return 'stage.failed';
  if (p === 'rolling-back' || p === 'rolled-back') return 'stage.rolledBack';
  if (p === 'interrupted') return 'stage.interrupted';
  return 'stage.running';
}

/** A pre-flight check failed and waits for a retry or a skip (the screen), or the pre-flight failed (headless). */
export function preflightFailed(s: SessionState): boolean {
  return s.preflight.status === 'failed' || (s.preflight.status !== 'passed' && s.preflight.steps.some((x) => x.status === 'failed' || x.status === 'interrupted'));
}

/** The pre-flight as a stage: FAILED while one of its checks is. */
export function preflightStatus(s: SessionState): StageStatus {
  return preflightFailed(s) ? 'failed' : s.preflight.status;
}

/** A passed stage (or pre-flight) with skipped items says so: "Pre-flight (1 skipped)". */
export function titleWithSkipped(title: string, status: AnyStatus, st: Pick<StageState, 'steps'>): string {
  const n = status === 'passed' ? st.steps.filter((x) => x.status === 'skipped').length : 0;
  return n > 0 ? `${title} (${n} skipped)` : title;
}

/** The header's state word and its colour: PRE-FLIGHT FAILED rather than READY while a check has failed, WAITING FOR TICK at a manual step. */
export function stateWord(s: SessionState, waiting: boolean): { word: string; slot: Slot } {
  if ((s.phase === 'preflight' || s.phase === 'ready') && preflightFailed(s)) return { word: 'PRE-FLIGHT FAILED', slot: 'stage.failed' };
  // a stage waits at a manual step: the release goes on only when someone ticks it
  if (s.phase === 'running' && waitingStep(s)) return { word: 'WAITING FOR TICK', slot: 'notice' };
  return { word: phaseWord(s.phase, waiting), slot: phaseSlot(s.phase) };
}

/** A step that passed on a later attempt (a flaky check retried): "2nd try", so it never looks like a plain pass. */
export function passedOnTry(st: { readonly status: string; readonly attempt: number }): string | undefined {
  if (st.status !== 'passed' || st.attempt <= 1) return undefined;
  const n = st.attempt;
  const th = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${th} try`;
}
