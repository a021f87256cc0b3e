/**
 * Signals to a headless cockpit (`cockpit run --headless`, `cockpit rollback`), each journalled
 * (`signal.received`) with what it did.
 *
 * A rollback is what stops the bleeding: the first SIGINT or SIGTERM during one does not stop it
 * (it says so, and how to); a second within 2 s abandons it: the running rollback step is
 * interrupted, no further one runs, and the incident step still runs with the reason "rollback
 * abandoned by the operator: …" before cockpit exits. Outside a rollback, the first interrupts the
 * running step (the session ends interrupted) and a second leaves at once. SIGHUP (the terminal
 * closed: a lost SSH session) never stops anything: journalled, and the run goes on.
 */
import type { SignalAction } from '../core/events.js';
import type { Controller } from '../session/controller.js';
import type { Io } from './io.js';

/** A second Ctrl+C within this long abandons a rollback. */
export const ABANDON_WITHIN_MS = 2000;

type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export function handleSignals(c: Controller, io: Io, o: { readonly quiet?: boolean } = {}): () => void {
  let warnedAt = -Infinity;
  let interrupts = 0;
  let abandoned = false;
  const record = (signal: Signal, action: SignalAction) => c.record({ type: 'signal.received', signal, action });
  const on = (signal: Signal) => {
    if (signal === 'SIGHUP') {
      record(signal, 'ignored');
      return;
    }
    if (c.state.rollback.status === 'running') {
      if (abandoned) {
        record(signal, 'ignored');
        io.err('cockpit: the rollback is abandoned; its incident step runs, then cockpit exits');
        return;
      }
      if (Date.now() - warnedAt <= ABANDON_WITHIN_MS) {
        abandoned = true;
        record(signal, 'abandon-rollback');
        io.err('cockpit: abandoning the rollback: its running step is interrupted; the incident is opened anyway');
        c.abandonRollback();
        return;
      }
      warnedAt = Date.now();
      record(signal, 'rollback-goes-on');
      const incident = c.runbook.rollback?.incident !== undefined;
      io.err(
        incident
          ? 'cockpit: the rollback goes on (it is what stops the bleeding); Ctrl+C again within 2 s to abandon it, and the incident is opened anyway'
          : 'cockpit: the rollback goes on (it is what stops the bleeding); Ctrl+C again within 2 s to abandon it (the runbook has no incident step)',
      );
      return;
    }
    interrupts++;
    if (interrupts > 1) process.exit(130);
    if (c.state.outcome) {
      io.err('cockpit: the session has ended; its records are being written (Ctrl+C again to leave at once)');
      return;
    }
    record(signal, 'interrupt');
    if (!o.quiet) io.err('cockpit: interrupting the running step (Ctrl+C again to leave at once)');
    void c.interrupt();
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, () => on(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return () => {
    for (const [s, h] of handlers) process.off(s, h);
  };
}
