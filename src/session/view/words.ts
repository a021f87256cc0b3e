/**
 * The one vocabulary: every state's icon and word, every outcome's word, the marks of the
 * headless event lines. The screen, the wallboard, headless output, the summary and history all
 * read these tables; none of them spells a state of its own. Pure data, no React or Ink.
 */
import type { Outcome } from '../../core/events.js';

/** What a stage, a step or the rollback looks like: its own status, or rolled back (stage-status.ts). */
export type DisplayStatus = 'pending' | 'running' | 'waiting' | 'passed' | 'failed' | 'skipped' | 'interrupted' | 'rolled-back';

export const ICON: Readonly<Record<DisplayStatus, string>> = {
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

/** Lower case, except a failure, which shouts. */
export const WORD: Readonly<Record<DisplayStatus, string>> = {
  pending: 'pending',
  running: 'running',
  waiting: 'waiting for you',
  passed: 'passed',
  failed: 'FAILED',
  skipped: 'skipped',
  interrupted: 'interrupted',
  'rolled-back': 'rolled back',
};

/**
 * The one word for each way a session ends, as a title (the screen's header, the wallboard's
 * chip, headless's last line, the summary's first line). `aborted` is the operator quitting
 * before the release went out, and says so.
 */
export const OUTCOME_WORD: Readonly<Record<Outcome, string>> = {
  released: 'RELEASED',
  failed: 'FAILED',
  'rolled-back': 'ROLLED BACK',
  'rollback-failed': 'ROLLBACK FAILED',
  interrupted: 'INTERRUPTED',
  aborted: 'QUIT BEFORE RELEASE',
};

const FAILURES: ReadonlySet<Outcome> = new Set(['failed', 'rollback-failed']);

/**
 * The outcome's word. `title` (the default): upper case. `inline` (in a sentence or a table
 * cell: the wallboard's session line, history's OUTCOME column, the risk register): the same
 * words in lower case, except a failure, which shouts as WORD's FAILED does.
 */
export function outcomeWord(o: Outcome, where: 'title' | 'inline' = 'title'): string {
  const word = OUTCOME_WORD[o];
  return where === 'title' || FAILURES.has(o) ? word : word.toLowerCase();
}

/** The marks that start headless event lines, where they are not a state's icon. */
export const MARK = {
  /** The session ended: "■ ROLLED BACK". */
  ended: '■',
  /** The rollback pipeline starts or finishes: "⟲ ROLLING BACK (trigger): …", "⟲ ROLLED BACK (…)". */
  rollback: '⟲',
  started: '▶',
  warning: '⚠',
  retry: '↻',
  incident: '⚑',
  guard: '⛨',
  sample: '·',
  notified: '✉',
  hold: '⏸',
} as const;
