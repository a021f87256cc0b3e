/** The one word for each way a session ends: the screen's header, the summary and the history say the same. */
import type { Outcome } from './events.js';

export const OUTCOME_WORD: Readonly<Record<Outcome, string>> = {
  released: 'RELEASED',
  failed: 'FAILED',
  'rolled-back': 'ROLLED BACK',
  'rollback-failed': 'ROLLBACK FAILED',
  interrupted: 'INTERRUPTED',
  aborted: 'ABORTED',
};
