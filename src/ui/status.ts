/**
 * Every state has an icon and a word (never colour alone), and a theme slot for its colour. The
 * icons, words and selectors are the one vocabulary's (src/session/view/); the slots are the screen's.
 */
import type { Phase, SessionState } from '../session/reduce.js';
import type { Slot } from './theme.js';
import { waitingStep } from '../session/manual.js';
import { type DisplayStatus } from '../session/view/words.js';
import { preflightFailed } from '../session/view/stage-status.js';
import { phaseWord } from '../session/view/phase-words.js';

export { ICON, WORD } from '../session/view/words.js';
export { preflightFailed, preflightStatus, titleWithSkipped } from '../session/view/stage-status.js';
export { phaseWord } from '../session/view/phase-words.js';
export type AnyStatus = DisplayStatus;

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

export function phaseSlot(p: Phase): Slot {
  if (p === 'passed') return 'stage.passed';
  if (p === 'failed' || p === 'rollback-failed') return 'stage.failed';
  if (p === 'rolling-back' || p === 'rolled-back') return 'stage.rolledBack';
  if (p === 'interrupted') return 'stage.interrupted';
  return 'stage.running';
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
