/** The session's state word (the screen's header, the wallboard's chip): a phase as a word, an ended one as its outcome's word. */
import type { Phase, SessionState } from '../reduce.js';
import { OUTCOME_WORD } from './words.js';

/** `waiting`: the session waits for the operator to start the next stage (the screen says READY). */
export function phaseWord(p: Phase, waiting: boolean): string {
  switch (p) {
    case 'ready':
      return 'READY';
    case 'preflight':
      return waiting ? 'READY' : 'PRE-FLIGHT';
    case 'running':
      return waiting ? 'READY' : 'RUNNING';
    case 'rolling-back':
      return 'ROLLING BACK';
    case 'passed':
      return OUTCOME_WORD.released;
    case 'failed':
    case 'rolled-back':
    case 'rollback-failed':
    case 'interrupted':
      return OUTCOME_WORD[p];
  }
}

/**
 * A session whose driving cockpit is gone before it ended (killed, its machine down): it neither
 * releases nor rolls back any more, whatever its last phase said. Undefined once it ended (its
 * outcome says what happened). The wallboard and `cockpit watch` both say it with this word. One
 * handed to a background guard that this view has not seen take it (a remote follower: the guard
 * does not share) is HANDED OVER, not STOPPED: the guard may still roll back.
 */
export function stoppedWord(s: Pick<SessionState, 'phase' | 'outcome' | 'left' | 'resumedAt'>): string | undefined {
  if (s.outcome !== undefined) return undefined;
  if (handedOverUnseen(s)) return 'HANDED OVER';
  return s.phase === 'rolling-back' ? 'ROLLBACK STOPPED' : 'STOPPED';
}

/** Handed to a background guard, and no take-over seen since (the guard's session.resumed). */
function handedOverUnseen(s: Pick<SessionState, 'left' | 'resumedAt'>): boolean {
  const left = s.left;
  return left?.how === 'background' && !s.resumedAt.some((t) => t >= left.t);
}
