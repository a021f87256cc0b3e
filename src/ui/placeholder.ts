/** What the output pane says before there is output: the next thing to do. */
import type { Session } from '../session/session.js';
import { formatClock, formatCompact } from '../runbook/duration.js';
import type { ChecklistRow } from './rows.js';
import { whyLines } from './view-model.js';
import { preflightReady, type SessionState } from '../session/reduce.js';
import { ICON, WORD, type AnyStatus } from './status.js';
import { pausedWithin } from '../core/pause.js';
import { retryRefusal, rollbackRefusal, skipRefusal } from '../session/intents.js';

/** A stage's manual step: what it is at, its full text (the pane wraps it), and what to do. */
function manualPane(row: ChecklistRow, readOnly: boolean): string[] {
  const st = row.step!;
  const head =
    st.status === 'waiting'
      ? `${ICON.waiting} ${row.title}: waiting for ${readOnly ? 'the operator' : 'you'}`
      : st.status === 'passed'
        ? `${ICON.passed} ${row.title}: ticked`
        : st.status === 'skipped'
          ? `${ICON.skipped} ${row.title}: skipped${st.skipReason ? `: ${st.skipReason}` : ''}`
          : `${ICON[st.status as AnyStatus]} ${row.title}: manual step, ${WORD[st.status as AnyStatus]}`;
  const what =
    st.status === 'waiting'
      ? readOnly
        ? 'The cockpit that runs the release ticks it (space there).'
        : 'Space ticks it once done (journalled: who and when); s skips it with a reason; R rolls back.'
      : st.status === 'pending'
        ? 'The stage waits here until it is ticked.'
        : st.status === 'interrupted' || st.status === 'failed'
          ? `${st.reason ?? WORD[st.status]}: r waits for the tick again, s skips it, R rolls back.`
          : undefined;
  return [head, '', st.command, ...(what ? ['', what] : [])];
}

/** What the keys can do about the failed step now, asked of the engine's own refusals (session/intents.ts): no "r retries" once it was rolled back. */
export function failedKeys(s: SessionState, c: Pick<Session, 'busy' | 'runbook'>): string[] {
  return [
    retryRefusal(s, c.busy) === undefined ? 'r retries' : '',
    skipRefusal(s, c.busy, 'reason') === undefined ? 's skips with a reason' : '',
    rollbackRefusal(s, c.runbook) === undefined ? 'R rolls back' : '',
  ].filter(Boolean);
}

/** The line under a failed step's reason in the output pane. */
export function failedAdvice(s: SessionState, c: Pick<Session, 'busy' | 'runbook'>): string {
  const can = failedKeys(s, c);
  if (can.length) return `${can.join(', ')}.`;
  return s.rollback.status === 'passed' ? 'Rolled back: nothing to retry. q quits; the summary stays in your scrollback.' : '';
}

export function placeholderFor(s: SessionState, c: Session, row?: ChecklistRow): string[] {
  if (row?.kind === 'manual' && row.stageId !== 'preflight' && row.step) return manualPane(row, c.readOnly !== undefined);
  if (row?.kind === 'monitor' && row.step?.status === 'running') {
    const lines = [`Watching for ${formatCompact(row.step.monitorMs ?? 0)} with the rollback triggers armed.`];
    const left = s.guard.heldUntil !== undefined ? ` (the stage fails in ${formatClock(Math.max(0, s.guard.heldUntil - s.now))} if it is not)` : '';
    lines.push(s.guard.holding ? `HOLD: a trigger has no data; the countdown is paused until data is back${left}.` : 'The stage passes when the window ends with nothing fired.');
    const paused = pausedWithin(s.guard.pauses ?? [], row.step.startedAt ?? s.now, s.now);
    if (paused > 0) lines.push(`The cockpit was paused ${formatCompact(paused)}: not watched, so not counted.`);
    lines.push('', ...whyLines(c.runbook, s));
    return lines;
  }
  // a step that failed before printing anything (a missing script, a bad cwd): say why here too
  const failed = row?.step?.status === 'failed' && row.step.reason ? `${row.title} FAILED: ${row.step.reason}` : undefined;
  if (row?.step?.status === 'passed' && row.step.note) return [`${row.title}: ${row.step.note}`];
  if (failed && row?.stageId !== 'preflight')
    return [failed, row?.stageId === 'rollback' && s.rollback.status === 'failed' ? 'ROLLBACK FAILED: r retries this rollback step (fix what it says first).' : failedAdvice(s, c)];
  if (s.phase === 'rolled-back') return ['Rolled back. q quits; the summary stays in your scrollback.'];
  if (s.phase === 'rolling-back') return ['Rolling back…'];
  if (s.preflight.status !== 'passed') {
    const r = preflightReady(s);
    const lines = ['Pre-flight.'];
    if (failed) lines.push(failed);
    if (r.pending.length) lines.push(`Running: ${r.pending.join(', ')}`);
    const can = failedKeys(s, c);
    if (r.failed.length) lines.push(`Failed: ${r.failed.join(', ')}${can.length ? ` (${can.join(', ')})` : ''}`);
    if (r.unticked.length) lines.push(`To tick (↑↓ select, space ticks): ${r.unticked.join(', ')}`);
    return lines;
  }
  const next = s.stages.find((x) => x.status === 'pending');
  if (s.outcome === 'released') return ['Released. q quits; the summary stays in your scrollback.'];
  if (next && !c.busy) return [`Next: ${next.title}. Press Enter to run it.`];
  return [];
}
