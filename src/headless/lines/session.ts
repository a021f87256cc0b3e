/** Headless lines of the session itself: its start and end, the plan, signals, pauses, the journal. */
import { sanitizeLine } from '../../exec/log-format.js';
import { journalText, leftText, pausedText, resumedText } from '../../session/notices.js';
import { planText } from '../../session/plan-review.js';
import { MARK, outcomeWord } from '../../session/view/words.js';
import type { EventOf, Lines } from './types.js';

function started(e: EventOf<'session.started'>): string {
  const took = e.lockTakenOver ? `\n${MARK.retry} took over the lock: ${sanitizeLine(e.lockTakenOver.why)}` : '';
  return `cockpit · ${sanitizeLine(e.runbook)} ${sanitizeLine(e.version)} → ${sanitizeLine(e.environment)} · session ${e.sessionId}${took}`;
}

function missing(e: EventOf<'programs.checked'>): string {
  return [`${MARK.warning} ${e.missing.length} step${e.missing.length === 1 ? '' : 's'} cannot run as things are:`, ...e.missing.map((m) => `    ${m.stage}/${m.step}: ${m.reason}`)].join('\n');
}

/** What a signal did, as the signal policy decided it. */
function signal(e: EventOf<'signal.received'>): string {
  const again = e.signal === 'SIGINT' ? 'Ctrl+C' : e.signal;
  return {
    interrupt: `${MARK.ended} ${e.signal}: interrupting`,
    'rollback-goes-on': `${MARK.warning} ${e.signal}: the rollback goes on`,
    'abandon-rollback': `${MARK.ended} ${e.signal} again: the rollback is abandoned by the operator; the incident is opened anyway`,
    ignored: e.signal === 'SIGHUP' ? `${MARK.warning} SIGHUP (the terminal closed): the run goes on; cockpit watch follows it` : `${MARK.warning} ${e.signal}: ignored`,
    'keep-guarding': `${MARK.warning} ${e.signal}: the guardrails keep watching production; ${again} again within 2 s leaves them unguarded`,
    'leave-unguarded': `${MARK.ended} ${e.signal} again: leaving the guardrails unguarded`,
    'hand-over': `${MARK.ended} ${e.signal}: handing the session over to a background guard`,
  }[e.action];
}

const none = () => undefined;

export const SESSION_LINES: Lines<
  | 'session.started'
  | 'session.resumed'
  | 'plan.accepted'
  | 'programs.checked'
  | 'session.interrupted'
  | 'signal.received'
  | 'lease.lost'
  | 'guard.handed-over'
  | 'guard.left-unguarded'
  | 'journal.unwritable'
  | 'session.paused'
  | 'session.ended'
  | 'release.commit'
  | 'step.output'
  | 'flag.applying'
  | 'flag.auto'
  | 'flag.failed'
  | 'flag.read'
  | 'flag.refused'
  | 'flag.set'
  | 'experiment.concluded'
  | 'experiment.sampled'
> = {
  'session.started': (_s, e) => started(e),
  'session.resumed': (_s, e) => resumedText(e),
  'plan.accepted': (_s, e) => planText(e),
  'programs.checked': (_s, e) => missing(e),
  'session.interrupted': (_s, e) => `${MARK.ended} Ctrl+C${e.step ? `: interrupted ${e.stage}/${e.step}` : ''}`,
  'signal.received': (_s, e) => signal(e),
  'lease.lost': (_s, e) => `${MARK.warning} LEASE LOST: ${sanitizeLine(e.why)}; another cockpit may now release this environment`,
  'guard.handed-over': (_s, e) => leftText(e),
  'guard.left-unguarded': (_s, e) => leftText(e),
  'journal.unwritable': (_s, e) => `${MARK.warning} ${journalText(e)}`,
  'session.paused': (_s, e) => pausedText(e),
  // the outcome's one word (session/view/words.ts): "■ ROLLED BACK"
  'session.ended': (_s, e) => `${MARK.ended} ${outcomeWord(e.outcome)}`,
  'release.commit': (_s, e) => `  ${MARK.sample} commit ${e.sha.slice(0, 12)}`,
  // output comes in batches of its own (attachPlain); flags and experiments print no line here
  'step.output': none,
  'flag.applying': none,
  'flag.auto': none,
  'flag.failed': none,
  'flag.read': none,
  'flag.refused': none,
  'flag.set': none,
  'experiment.concluded': none,
  'experiment.sampled': none,
};
