import type { RollbackSource } from '../core/events.js';
import { formatDuration } from '../runbook/duration.js';

/**
 * Time to restore, defined once. The controller measures it live with this function (its
 * rollback.verified event carries the result) and `cockpit history` reads that measurement back.
 *
 * It runs from the incident's start to the moment the rollback is verified:
 * - the start is the rollback.started event's `incidentAt`: the first breaching sample of the
 *   trigger that fired (a window of `for: 2m` fires two minutes after the service broke, and those
 *   two minutes count), or the moment a person or a failed stage asked for the rollback;
 * - the end is the last verify step passing (rollback.verified), or the last rollback step when
 *   the runbook has no verify: the service is back, the incident command may still be running.
 *
 * Both are session times (the monotonic clock every event's `t` uses), so a wall-clock jump during
 * the incident cannot shorten or lengthen it. The time the cockpit process was stopped in between
 * (session.paused: SIGSTOP, a VM pause) is left out, and said (`pausedMs`): nobody was restoring
 * anything through the cockpit then, and the stop was not the service's. A rollback that never verifies has no time to
 * restore (it is not restored).
 */
export function timeToRestore(incidentAt: number, verifiedAt: number, pausedMs = 0): number {
  return Math.max(0, verifiedAt - incidentAt - pausedMs);
}

/**
 * The time to restore as every output says it (summary, headless, history): the journal's
 * `restoreMs`, with where it runs from. The rollback's own duration is another figure ("rollback
 * took"), never called a restore.
 */
export function restoredText(restoreMs: number, source: RollbackSource | undefined, pausedMs?: number): string {
  const paused = pausedMs ? `; the cockpit was paused ${formatDuration(pausedMs)} in that time, not counted` : '';
  return `restored in ${formatDuration(restoreMs)} (from the incident's start: ${source === 'trigger' ? 'the first breaching sample' : 'the rollback request'}${paused})`;
}

/** The rollback's own duration: from its start to its last step. */
export function rollbackTookText(durationMs: number): string {
  return `rollback took ${formatDuration(durationMs)}`;
}
