/** Headless lines of the rollback and the incident: the rollback, its verification, escalation, notifications, the risk register, the review. */
import { sanitizeLine } from '../../exec/log-format.js';
import { reviewLines } from '../../history/celebration.js';
import { restoredText, rollbackTookText } from '../../history/restore-time.js';
import { formatClock } from '../../runbook/duration.js';
import { ICON, MARK, OUTCOME_WORD, WORD } from '../../session/view/words.js';
import { attemptsText } from './common.js';
import type { EventOf, Lines } from './types.js';

/** "⟲ ROLLED BACK (rollback took 4s)": the outcome's word, the rollback's mark. */
function rollbackFinished(e: EventOf<'rollback.finished'>): string {
  return e.ok ? `${MARK.rollback} ${OUTCOME_WORD['rolled-back']} (${rollbackTookText(e.durationMs)})` : `${ICON.failed} ${OUTCOME_WORD['rollback-failed']} at ${e.step}: ${e.reason ?? 'failed'}`;
}

function notified(e: EventOf<'notification.finished'>): string {
  if (e.ok) return `${MARK.notified} notified ${e.target} (${e.on})`;
  return `${ICON.failed} NOTIFICATION ${WORD.failed}: ${e.target} (${e.on}): ${sanitizeLine(e.error ?? 'failed')}${attemptsText(e.attempts)}`;
}

function registered(e: EventOf<'risk.registered'>): string {
  if (e.ok) return `${MARK.incident} risk register: entry for session ${e.entry.session} ${e.via === 'file' ? 'appended to' : 'handed to'} ${e.target}`;
  return `${ICON.failed} RISK REGISTER ${WORD.failed} (${e.target}): ${e.error ?? 'failed'}: record the rollback by hand (the rollback itself is done)`;
}

export const INCIDENT_LINES: Lines<
  | 'rollback.started'
  | 'rollback.finished'
  | 'rollback.verified'
  | 'escalation.started'
  | 'escalation.finished'
  | 'notification.finished'
  | 'escalation.dropped'
  | 'incident.acknowledged'
  | 'incident.resolved'
  | 'risk.registered'
  | 'release.reviewed'
> = {
  'rollback.started': (_s, e) => `${MARK.rollback} ROLLING BACK (${e.source}): ${e.reason}`,
  'rollback.finished': (_s, e) => rollbackFinished(e),
  'rollback.verified': (s, e) => `${ICON.passed} rollback verified: ${restoredText(e.restoreMs, s.rollback.source, e.pausedMs)}`,
  'escalation.started': (_s, e) => `${MARK.incident} escalation level ${e.level} (${e.title}): ${e.action}`,
  'escalation.finished': (_s, e) => (e.ok ? `${MARK.incident} escalation level ${e.level} done` : `${ICON.failed} escalation level ${e.level} ${WORD.failed}: ${e.error ?? 'failed'}${attemptsText(e.attempts)}`),
  'notification.finished': (_s, e) => notified(e),
  'escalation.dropped': (_s, e) => e.levels.map((l) => `${ICON.failed} escalation level ${l.level} (${l.title}) will not run: ${e.why} ${formatClock(Math.max(0, l.dueAt - e.t))} before it was due`).join('\n'),
  'incident.acknowledged': () => `${MARK.incident} incident acknowledged`,
  'incident.resolved': () => `${MARK.incident} incident resolved: escalation stopped`,
  'risk.registered': (_s, e) => registered(e),
  'release.reviewed': (_s, e) => reviewLines(e).join('\n'),
};
