/**
 * Time jumps, decided once. A timer that fires far later than it was due means the process did
 * not run meanwhile (SIGSTOP, Ctrl+Z, a VM pause, a laptop lid on a clock that kept counting):
 * the span is a pause. Nothing was measured in it, so nothing is made up for it: the sampler takes
 * no missed tick (metrics/sampler.ts), trigger windows need real samples after it (guard/trigger.ts
 * afterPause), and restore time leaves it out (history/restore-time.ts).
 */

/** A pause is at least this long, whatever the interval (a busy event loop is late by less). */
export const PAUSE_MIN_MS = 2000;

/**
 * The span [from, to] was a pause when the timer due at `due` fires at `now` late by more than
 * twice the sampling interval and by at least PAUSE_MIN_MS; undefined otherwise (just late).
 */
export function pauseOf(due: number, now: number, intervalMs: number): { from: number; to: number; ms: number } | undefined {
  const late = now - due;
  if (late < PAUSE_MIN_MS || late <= 2 * intervalMs) return undefined;
  return { from: Math.round(due), to: Math.round(now), ms: Math.round(late) };
}

/** How much of [from, to] the pauses cover (ms). */
export function pausedWithin(pauses: readonly { readonly from: number; readonly to: number }[], from: number, to: number): number {
  return pauses.reduce((sum, p) => sum + Math.max(0, Math.min(to, p.to) - Math.max(from, p.from)), 0);
}

/**
 * A wait of `ms` (a monitor window) that began at `start` and whose timer fired at `now` (session
 * times): how much of it is still to wait because the cockpit was stopped meanwhile. A window is
 * time the cockpit ran and watched; a pause in it is not.
 */
export function stillToWait(start: number, ms: number, now: number, pauses: readonly { readonly from: number; readonly to: number }[]): number {
  const paused = pausedWithin(pauses, start, now);
  return paused === 0 ? 0 : Math.max(0, Math.round(ms - (now - start - paused)));
}
