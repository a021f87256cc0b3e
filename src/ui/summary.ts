/** The one-screen summary printed to normal scrollback when the cockpit closes. */
import { decisionLines } from '../guard/decision.js';
import { formatClock } from '../runbook/duration.js';
import { restoredText, rollbackTookText } from '../history/restore-time.js';
import { EXIT_CODES } from '../core/events.js';
import type { SessionState } from '../session/reduce.js';
import { stateWord } from './status.js';
import { reviewLines } from '../history/celebration.js';
import { ICON, outcomeWord } from '../session/view/words.js';
import { stripItems } from '../session/view/stage-status.js';

export function summaryLines(s: SessionState, journalPath: string): string[] {
  const outcome = s.outcome ?? 'aborted';
  // the outcome's word; a session that ended where the header says more (PRE-FLIGHT FAILED) says that
  const word = outcome === 'aborted' || outcome === 'released' ? outcomeWord(outcome) : stateWord(s, false).word;
  const lines = [`cockpit · ${s.runbook} ${s.version} → ${s.environment} · ${word} · exit ${EXIT_CODES[outcome]} · ${formatClock(s.now)}`];
  // the screen's strip, item for item (session/view/stage-status.ts)
  lines.push(`  ${stripItems(s).map((x) => `${ICON[x.status]} ${x.title}`).join('  ')}`);
  for (const st of [s.preflight, ...s.stages]) {
    for (const step of st.steps) {
      if (step.status === 'failed' || step.status === 'interrupted') lines.push(`  ${ICON[step.status]} ${st.title} / ${step.title}: ${step.reason ?? step.status}`);
      if (step.status === 'skipped' && step.skipReason) lines.push(`  ${ICON.skipped} ${st.title} / ${step.title}: skipped: ${step.skipReason}`);
      if (step.status === 'passed' && step.note) lines.push(`  ${ICON.passed} ${st.title} / ${step.title}: ${step.note}`);
    }
    if (st.overBudget) lines.push(`  ⚠ ${st.title} went over its budget`);
  }
  if (s.rollback.status !== 'idle') {
    const failed = s.rollback.steps.find((x) => x.status === 'failed');
    // time to restore is the journal's restoreMs (one definition: history/restore-time.ts); the rollback's own duration is labelled apart
    const restored = s.guard.restoreMs !== undefined ? restoredText(s.guard.restoreMs, s.rollback.source, s.guard.restorePausedMs) : 'rolled back (not verified: no time to restore)';
    lines.push(
      s.rollback.status === 'passed'
        ? `  ${ICON['rolled-back']} ${restored}: ${s.rollback.reason ?? ''}`
        : `  ${ICON.failed} ROLLBACK ${s.rollback.status === 'failed' ? `FAILED at ${failed?.title ?? '?'}: ${failed?.reason ?? ''}` : 'did not finish'}`,
    );
    if (s.rollback.status === 'passed' && s.rollback.durationMs !== undefined) lines.push(`    ${rollbackTookText(s.rollback.durationMs)} (from its start to its last step)`);
    if (s.guard.decision) lines.push(...decisionLines(s.guard.decision).map((l, i) => `    ${i === 0 ? 'why: ' : ''}${l}`));
  }
  for (const n of s.guard.notifications) if (!n.ok) lines.push(`  ${ICON.failed} NOTIFICATION FAILED: ${n.target} (${n.on}): ${n.error ?? 'failed'}`);
  for (const l of s.guard.dropped?.levels ?? []) lines.push(`  ${ICON.failed} escalation level ${l.level} (${l.title}) did not run: ${s.guard.dropped!.why} ${formatClock(Math.max(0, l.dueAt - s.guard.dropped!.at))} before it was due`);
  for (const r of s.riskRegister ?? []) lines.push(r.ok ? `  ⚑ risk register: ${r.target}` : `  ${ICON.failed} RISK REGISTER FAILED (${r.target}): ${r.error ?? 'failed'}: record the rollback by hand`);
  if (s.review) lines.push(...reviewLines(s.review).map((l) => `  ${l}`));
  lines.push(`  journal: ${journalPath}`);
  return lines;
}
