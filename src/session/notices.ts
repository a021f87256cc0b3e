/** What the session says about itself, in the same words on the headless output and the screen's notice line. */
import type { SessionEvent } from '../core/events.js';
import { formatDuration } from '../runbook/duration.js';

/** What a journal that cannot be written says (headless line and the screen's notice). */
export function journalText(e: Extract<SessionEvent, { type: 'journal.unwritable' }>): string {
  return `journal cannot be written: ${e.error}; the release goes on, events kept in memory`;
}

/** What a take-over of a session says (headless line and the screen's notice). */
export function resumedText(e: Extract<SessionEvent, { type: 'session.resumed' }>): string {
  const who = e.previousPid ? `its cockpit (pid ${e.previousPid}) is gone` : 'its cockpit is gone';
  const what = e.running.length ? `following ${e.running.map((r) => `${r.stage}/${r.step}`).join(', ')} where it is` : 'nothing was running';
  return `↻ resumed this session: ${who}; ${what}`;
}

/** What leaving the guardrails says (headless line and the screen's notice, a follower's too). */
export function leftText(e: Extract<SessionEvent, { type: 'guard.handed-over' | 'guard.left-unguarded' }>): string {
  if (e.type === 'guard.handed-over')
    return `⛨ GUARDED IN THE BACKGROUND: cockpit pid ${e.pid} took the session over (${e.watching}); it samples and rolls back on its own; its output: ${e.log}`;
  return `⚠ LEFT UNGUARDED (${e.by === 'operator' ? 'typed by the operator' : `${e.by} twice`}): the guardrails stopped watching (${e.watching}); nothing rolls back on its own`;
}

/** What a stop of the cockpit process says (headless line and the screen's notice). */
export function pausedText(e: Extract<SessionEvent, { type: 'session.paused' }>): string {
  return `⏸ the cockpit was paused for ${formatDuration(e.ms)} (process stopped): no samples in that time; trigger windows start again from the samples after it`;
}
