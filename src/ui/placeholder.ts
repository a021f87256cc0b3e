/** What the output pane says before there is output: the next thing to do. */
import type { Controller } from '../session/controller.js';
import { preflightReady, type SessionState } from '../session/reduce.js';

export function placeholderFor(s: SessionState, c: Controller): string[] {
  if (s.phase === 'rolled-back') return ['Rolled back. q quits; the summary stays in your scrollback.'];
  if (s.preflight.status !== 'passed') {
    const r = preflightReady(s);
    const lines = ['Pre-flight.'];
    if (r.pending.length) lines.push(`Running: ${r.pending.join(', ')}`);
    if (r.failed.length) lines.push(`Failed: ${r.failed.join(', ')} (r retries, s skips with a reason)`);
    if (r.unticked.length) lines.push(`To tick (↑↓ select, space ticks): ${r.unticked.join(', ')}`);
    return lines;
  }
  const next = s.stages.find((x) => x.status === 'pending');
  if (s.outcome === 'released') return ['Released. q quits; the summary stays in your scrollback.'];
  if (next && !c.busy) return [`Next: ${next.title}. Press Enter to run it.`];
  return [];
}
