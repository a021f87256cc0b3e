/**
 * What a background guard does with the session it took over (hand-over.ts): it guards, it does
 * not release.
 *
 * - The triggers are armed (reason `background`) for as long as it guards, also when the armed
 *   stage has passed: it keeps sampling and a trigger that fires rolls back (verify, incident)
 *   with no one asked, as on the screen. No new stage is started (the controller runs without
 *   auto-advance); what was running is followed to its end.
 * - It guards for the guard window: the longest `monitor:` of the runbook's armed stages (5 min
 *   when there is none), counted from the take-over and, after that, until nothing runs and no
 *   trigger is pending. Then it ends the session as `q` would have (guardWindowOver) and exits;
 *   the journal says so.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Runbook } from '../runbook/types.js';
import type { Controller } from './controller.js';
import type { SessionState } from './reduce.js';

export const DEFAULT_GUARD_WINDOW_MS = 5 * 60_000;

/** How long a background guard guards at least: the longest monitor window of the armed stages. */
export function guardWindowMs(rb: Runbook): number {
  const windows = rb.stages.filter((s) => s.armed).flatMap((s) => s.steps.flatMap((x) => (x.kind === 'monitor' ? [x.durationMs] : [])));
  return windows.length ? Math.max(...windows) : DEFAULT_GUARD_WINDOW_MS;
}

/** True when the guard window is over and the background guard may end the session: nothing runs, nothing pending. */
export function guardWindowOver(s: SessionState, busy: boolean, elapsedMs: number, windowMs: number): boolean {
  if (s.outcome !== undefined || busy || elapsedMs < windowMs) return false;
  return !Object.values(s.guard.triggers).some((t) => t.status === 'pending' || t.status === 'fired');
}

/** Arms the triggers and ends the session once the guard window is over; returns a stop function. */
export function guardInBackground(c: Controller, clock: Clock, checkEveryMs: number): () => void {
  const windowMs = guardWindowMs(c.runbook);
  const started = clock.now();
  let timer: TimerHandle | undefined;
  let stopped = false;
  const stop = () => {
    stopped = true;
    timer?.cancel();
    off();
  };
  const off = c.subscribe((s) => {
    if (s.outcome !== undefined) stop();
  });
  const check = () => {
    if (stopped) return;
    if (guardWindowOver(c.state, c.busy, clock.now() - started, windowMs)) {
      stop();
      c.quit();
      return;
    }
    timer = clock.after(checkEveryMs, check);
  };
  if (c.state.outcome === undefined && c.state.rollback.status === 'idle') c.guard?.arm('background');
  timer = clock.after(Math.min(windowMs, checkEveryMs), check);
  return stop;
}
