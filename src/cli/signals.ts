/**
 * Signals to a headless cockpit (`cockpit run --headless`, `cockpit rollback`, a background
 * guard), each journalled (`signal.received`) with what it did. What each does is the one leave
 * policy's (session/leave-policy.ts), the screen's too; this file only carries it out:
 *
 * - during a rollback the first SIGINT or SIGTERM does not stop it (it says so, and how to); a
 *   second within 2 s abandons it: the running rollback step is interrupted, no further one runs,
 *   and the incident step still runs with the reason "rollback abandoned by the operator: …";
 * - while the guardrails watch production, the first keeps guarding (it says what watches, and
 *   how to leave); a second within 2 s leaves unguarded, journalled (`guard.left-unguarded`), and
 *   the session ends interrupted;
 * - otherwise the first interrupts the running step (the session ends interrupted) and a second
 *   leaves at once;
 * - SIGHUP (the terminal closed: a lost SSH session) never stops anything: journalled, the run goes on.
 */
import type { SignalAction } from '../core/events.js';
import type { Controller } from '../session/controller.js';
import { AGAIN_WORDS, leaveDecision, leaveFacts, repeatOf, type LeaveDecision } from '../session/leave-policy.js';
import type { Io } from './io.js';

type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const GOES_ON = `cockpit: the rollback goes on (it is what stops the bleeding); Ctrl+C ${AGAIN_WORDS} to abandon it`;

/** The line said on stderr for a decision (undefined: none). */
function said(d: LeaveDecision, c: Controller, quiet: boolean): string | undefined {
  switch (d.do) {
    case 'rollback-goes-on':
      return c.runbook.rollback?.incident !== undefined ? `${GOES_ON}, and the incident is opened anyway` : `${GOES_ON} (the runbook has no incident step)`;
    case 'abandon-rollback':
      return 'cockpit: abandoning the rollback: its running step is interrupted; the incident is opened anyway';
    case 'abandoning':
      return 'cockpit: the rollback is abandoned; its incident step runs, then cockpit exits';
    case 'keep-guarding':
      return `cockpit: the guardrails keep watching production (${d.watching}): nothing is interrupted. Ctrl+C ${AGAIN_WORDS} leaves them UNGUARDED (nothing rolls back on its own); cockpit rollback rolls back`;
    case 'leave-unguarded':
      return `cockpit: leaving UNGUARDED: the guardrails stop watching (${d.watching}); journalled`;
    case 'wait-records':
      return 'cockpit: the session has ended; its records are being written (Ctrl+C again to leave at once)';
    case 'interrupt':
      return quiet ? undefined : 'cockpit: interrupting the running step (Ctrl+C again to leave at once)';
    default:
      return undefined;
  }
}

const ACTIONS: Partial<Record<LeaveDecision['do'], SignalAction>> = {
  'rollback-goes-on': 'rollback-goes-on',
  'abandon-rollback': 'abandon-rollback',
  abandoning: 'ignored',
  'keep-guarding': 'keep-guarding',
  'leave-unguarded': 'leave-unguarded',
  interrupt: 'interrupt',
  ignore: 'ignored',
};

export function handleSignals(c: Controller, io: Io, o: { readonly quiet?: boolean } = {}): () => void {
  let lastAt: number | undefined;
  const on = (signal: Signal) => {
    const req = signal === 'SIGINT' ? 'ctrl-c' : signal;
    const repeat = repeatOf(req, lastAt, Date.now());
    lastAt = repeat.lastAt;
    const d = leaveDecision(req, c.state, c.runbook, leaveFacts(c, 'headless', { sinceLastMs: repeat.sinceLastMs }));
    const action = ACTIONS[d.do];
    if (action) c.record({ type: 'signal.received', signal, action });
    const line = said(d, c, o.quiet === true);
    if (line) io.err(line);
    if (d.do === 'exit-now') process.exit(130);
    if (d.do === 'abandon-rollback') c.abandonRollback();
    if (d.do === 'interrupt') void c.interrupt();
    if (d.do === 'leave-unguarded') {
      c.record({ type: 'guard.left-unguarded', by: signal, watching: d.watching });
      void c.interrupt();
    }
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, () => on(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return () => {
    for (const [s, h] of handlers) process.off(s, h);
  };
}
