/**
 * SIGTERM and SIGHUP (a closed terminal) to the screen: nobody is there to ask, so the one leave
 * policy (session/leave-policy.ts) decides. While the guardrails watch production, or a rollback
 * runs, the session is handed to a background guard (never silently disarmed); where none can take
 * over, leaving unguarded is journalled and said. Otherwise the running step is interrupted and
 * the screen leaves, as a second Ctrl+C would (SIGHUP: the screen goes and nothing is stopped, the
 * session is resumable). SIGHUP once the session has ended releases the lock at once (hungUp): a
 * cockpit started again right away drives. Each signal is journalled (`signal.received`).
 */
import type { LeaveBy, SignalAction } from '../core/events.js';
import type { Session } from '../session/session.js';
import { leaveDecision, leaveFacts, type LeaveDecision } from '../session/leave-policy.js';

export type ScreenSignalHooks = {
  /** Hands the session over; undefined when done, else why not. Absent where no guard can take over. */
  readonly handOver?: (watching: string, by: LeaveBy) => string | undefined;
  /** Closes the screen. */
  readonly leave: () => void;
  /** A line for the terminal's scrollback after the screen (may be gone: SIGHUP). */
  readonly say: (line: string) => void;
  /**
   * The terminal is gone (SIGHUP) and the session has ended: the lock is released at once (a
   * cockpit started again drives) and nothing more is written to the terminal.
   */
  readonly hungUp?: () => void;
};

const ACTIONS: Partial<Record<LeaveDecision['do'], SignalAction>> = {
  'hand-over': 'hand-over',
  'leave-unguarded': 'leave-unguarded',
  'interrupt-and-leave': 'interrupt',
  leave: 'interrupt',
  detach: 'ignored',
  'rollback-goes-on': 'rollback-goes-on',
  abandoning: 'ignored',
};

export function screenSignals(c: Session, h: ScreenSignalHooks, noHandOver?: string): () => void {
  const unguarded = (signal: 'SIGTERM' | 'SIGHUP', watching: string, why?: string) => {
    c.record({ type: 'guard.left-unguarded', by: signal, watching });
    h.say(`cockpit: ${signal}: leaving UNGUARDED${why ? ` (${why})` : ''}: the guardrails stop watching (${watching})`);
    void c.interrupt().then(h.leave);
  };
  const on = (signal: 'SIGTERM' | 'SIGHUP') => {
    const d = leaveDecision(signal, c.state, c.runbook, leaveFacts(c, 'screen', { noHandOver }));
    const action = ACTIONS[d.do];
    if (action && c.readOnly === undefined) c.record({ type: 'signal.received', signal, action });
    switch (d.do) {
      case 'hand-over': {
        const why = h.handOver ? h.handOver(d.watching, signal) : 'no background guard here';
        if (why === undefined) return h.leave();
        return unguarded(signal, d.watching, `no background guard: ${why}`);
      }
      case 'leave-unguarded':
        return unguarded(signal, d.watching, noHandOver);
      case 'interrupt-and-leave':
        return void c.interrupt().then(h.leave);
      case 'leave':
        if (signal === 'SIGHUP') h.hungUp?.();
        c.quit();
        return h.leave();
      case 'detach':
        // nothing stopped: the steps run on under their supervisors; `cockpit run` resumes the session
        return process.exit(129);
      default:
        return undefined; // the rollback goes on
    }
  };
  const handlers = (['SIGTERM', 'SIGHUP'] as const).map((s) => [s, () => on(s)] as const);
  for (const [s, fn] of handlers) process.on(s, fn);
  return () => {
    for (const [s, fn] of handlers) process.off(s, fn);
  };
}
