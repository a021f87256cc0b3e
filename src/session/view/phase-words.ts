/** The session's state word (the screen's header, the wallboard's chip): a phase as a word, an ended one as its outcome's word. */
import type { Phase } from '../reduce.js';
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
 * outcome says what happened). The wallboard and `cockpit watch` both say it with this word.
 */
export function stoppedWord(p: Phase, ended: boolean): string | undefined {
  if (ended) return undefined;
  return p === 'rolling-back' ? 'ROLLBACK STOPPED' : 'STOPPED';
}
