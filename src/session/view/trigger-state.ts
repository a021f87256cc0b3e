/**
 * What a rollback trigger looks like now: fired, a broken query, no data (and how long a hold has
 * left), pending (for how long, clamped to its window), idle, or not armed. One selector for the
 * screen's trigger bar and the wallboard's trigger panel; the icons and words are here too.
 */
import type { SessionState } from '../reduce.js';

export type TriggerStateName = 'fired' | 'broken' | 'nodata' | 'pending' | 'idle' | 'disarmed';

export type TriggerState = {
  readonly state: TriggerStateName;
  /** Pending: how long its condition has held, at most its window (`for`). */
  readonly pendingMs?: number;
  /** No data while it holds the release: the time left before the hold fails the stage. */
  readonly holdLeftMs?: number;
};

export const TRIGGER_ICON: Readonly<Record<TriggerStateName, string>> = { fired: '●', broken: '✗', nodata: '?', pending: '◐', idle: '○', disarmed: '·' };
export const TRIGGER_WORD: Readonly<Record<TriggerStateName, string>> = { fired: 'FIRED', broken: 'BROKEN QUERY', nodata: 'NO DATA', pending: 'PENDING', idle: 'idle', disarmed: 'off' };

/** How long a condition has held since `since`, clamped to its window: never below 0, never past `forMs`. */
export function heldFor(since: number | undefined, forMs: number, now: number): number {
  return Math.min(forMs, Math.max(0, now - (since ?? now)));
}

export function triggerState(s: SessionState, t: { readonly id: string; readonly forMs: number }, now: number): TriggerState {
  const v = s.guard.triggers[t.id];
  if (v?.status === 'fired') return { state: 'fired' };
  // its query answers with a configuration error (while armed): it watches nothing
  if (v?.broken !== undefined) return { state: 'broken' };
  if (v?.noData) {
    // a trigger that holds the release: how long until the hold fails the stage
    const until = s.guard.holdingFor.includes(t.id) ? s.guard.heldUntil : undefined;
    return { state: 'nodata', holdLeftMs: until !== undefined ? Math.max(0, until - now) : undefined };
  }
  if (v?.status === 'pending') return { state: 'pending', pendingMs: heldFor(v.since, t.forMs, now) };
  return { state: s.guard.armed ? 'idle' : 'disarmed' };
}
