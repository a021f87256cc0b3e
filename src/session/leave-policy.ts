/**
 * The one interrupt and quit policy: what `q`, Ctrl+C (once, or again within 2 s), SIGTERM and a
 * closed terminal (SIGHUP) do, on the screen and headless. The screen's keymap and the signal
 * handlers (cli/signals.ts) both ask `leaveDecision` and do what it says; neither decides itself.
 *
 * The rules, as a release engineer can trust them:
 *
 * - **Leaving never silently disarms.** While the guardrails watch production (an armed stage has
 *   started, or a trigger is pending or firing) and the session has not ended:
 *   - on the screen, `q`, a second Ctrl+C, or a first Ctrl+C with nothing running open the leave
 *     dialog: roll back / keep guarding in the background / leave unguarded (typed `unguarded`,
 *     journalled). A first Ctrl+C while a step runs asks to interrupt that step only: the stage
 *     then waits with its triggers still armed.
 *   - on the screen, SIGTERM and SIGHUP (nobody is there to ask) hand the session over to a
 *     background guard: a detached headless cockpit that keeps sampling and rolls back on its own.
 *     Where no background guard can take over (the demo's service lives in this process), the
 *     cockpit leaves unguarded, journalled and said.
 *   - headless (already its own guard, and it never prompts), the first SIGINT or SIGTERM keeps
 *     guarding and says how to leave; a second within 2 s leaves unguarded, journalled. SIGHUP
 *     never stops anything.
 * - **A rollback is what stops the bleeding**: the first Ctrl+C or SIGTERM during one does not
 *   stop it; a second within 2 s abandons it, and its incident still opens (screen and headless
 *   alike). `q` during a rollback says so and stays. On the screen, SIGTERM and SIGHUP during a
 *   rollback hand it to the background guard, which finishes it and opens the incident.
 * - Otherwise, as before: the screen asks before it interrupts a running step or drops a due
 *   escalation level, a second Ctrl+C leaves at once; headless, the first SIGINT/SIGTERM
 *   interrupts the running step (the session ends interrupted), a second leaves at once (exit 130).
 *   On the screen SIGTERM interrupts what runs and leaves; SIGHUP (a lost SSH session) stops
 *   nothing: the screen goes, the session stays unfinished with its steps running under their
 *   supervisors, and the next `cockpit run` resumes it.
 */
import type { Runbook } from '../runbook/types.js';
import { triggerLabel } from '../guard/describe.js';
import { pendingLevels } from '../guard/escalation.js';
import type { SessionState } from './reduce.js';

/** A second Ctrl+C (or SIGTERM) within this long is "again". */
export const AGAIN_WITHIN_MS = 2000;

/** "again within 2 s", in the words every surface says it. */
export const AGAIN_WORDS = `again within ${AGAIN_WITHIN_MS / 1000} s`;

/** The word the operator types to leave the guardrails unguarded. */
export const UNGUARDED_WORD = 'unguarded';

export type LeaveRequest = 'q' | 'ctrl-c' | 'SIGTERM' | 'SIGHUP';
export type Surface = 'screen' | 'headless';

/** What the caller knows besides the state; everything else is read from the state. */
export type LeaveFacts = {
  readonly surface: Surface;
  /** A step runs now (controller.busy). */
  readonly busy: boolean;
  /** A read-only follower (`cockpit watch`): it only ever leaves. */
  readonly follower: boolean;
  /** Milliseconds since the previous Ctrl+C/SIGTERM of this cockpit, if there was one. */
  readonly sinceLastMs?: number;
  /** The operator already abandoned the running rollback. */
  readonly abandoning: boolean;
  /** An escalation level still due (it would not run if the cockpit left): the screen asks first. */
  readonly escalationDue?: { readonly level: number; readonly dueAt: number };
  /** Why no background guard can take this session over (undefined: one can). */
  readonly noHandOver?: string;
};

export type LeaveDecision =
  /** Leave now: nothing is lost. */
  | { readonly do: 'leave' }
  /** Ask y/n first (a step runs and would be interrupted, or an escalation level would not run). */
  | { readonly do: 'ask-quit' }
  /** Ask to interrupt only the running step (the stage waits; armed triggers stay armed). */
  | { readonly do: 'ask-interrupt' }
  /** The three choices: roll back / keep guarding in the background / leave unguarded. */
  | { readonly do: 'ask-guarded'; readonly watching: string; readonly noHandOver?: string }
  /** Interrupt what runs, end the session interrupted, leave. */
  | { readonly do: 'interrupt-and-leave' }
  /** Headless, first: interrupt the running step; the session ends interrupted. */
  | { readonly do: 'interrupt' }
  /** The session has ended and its records are being written: wait (headless, first). */
  | { readonly do: 'wait-records' }
  /** Leave at once (exit 130). */
  | { readonly do: 'exit-now' }
  /** The rollback goes on; again within 2 s abandons it. */
  | { readonly do: 'rollback-goes-on' }
  /** Abandon the rollback: its running step is interrupted, the incident still opens. */
  | { readonly do: 'abandon-rollback' }
  /** Already abandoning: the incident step runs, then the cockpit leaves. */
  | { readonly do: 'abandoning' }
  /** A detached headless cockpit takes the session over and guards it; this one leaves. */
  | { readonly do: 'hand-over'; readonly watching: string }
  /** Headless, guarded, first: the guard goes on; again within 2 s leaves unguarded. */
  | { readonly do: 'keep-guarding'; readonly watching: string }
  /** Leave with nothing watching: journalled and said, then interrupt and leave. */
  | { readonly do: 'leave-unguarded'; readonly watching: string }
  /** The screen goes, nothing is stopped: the session stays unfinished, to be resumed (SIGHUP, nothing guarded). */
  | { readonly do: 'detach' }
  /** Nothing happens (SIGHUP headless: the run goes on). */
  | { readonly do: 'ignore' };

/** What a live cockpit (the controller) tells the policy besides its state. */
export type LeaveSource = {
  readonly state: SessionState;
  readonly runbook: Runbook;
  readonly busy: boolean;
  /** Why this cockpit cannot act (a follower), else undefined. */
  readonly readOnly?: string;
  readonly abandoned: boolean;
};

/** The escalation level still due (it would not run if the cockpit left), if any. */
export function escalationDue(s: SessionState, rb: Runbook): { level: number; dueAt: number } | undefined {
  const next = pendingLevels(rb.escalation, s.guard, s.rollback)[0];
  return next && { level: next.level, dueAt: next.dueAt };
}

/** The facts of one request, read from the cockpit that got it: the keys and the signal handlers all build them here. */
export function leaveFacts(c: LeaveSource, surface: Surface, o: { readonly sinceLastMs?: number; readonly noHandOver?: string } = {}): LeaveFacts {
  const follower = c.readOnly !== undefined;
  return { surface, busy: c.busy, follower, abandoning: c.abandoned, sinceLastMs: o.sinceLastMs, escalationDue: follower ? undefined : escalationDue(c.state, c.runbook), noHandOver: o.noHandOver };
}

/** Whether a request counts toward "again" (Ctrl+C, SIGINT, SIGTERM): q and SIGHUP never do. */
export function countsAsAgain(req: LeaveRequest): boolean {
  return req === 'ctrl-c' || req === 'SIGTERM';
}

/**
 * The time since the previous request that counts toward "again" (undefined: none, or this one
 * does not count), and the time to remember for the next one.
 */
export function repeatOf(req: LeaveRequest, lastAt: number | undefined, now: number): { readonly sinceLastMs?: number; readonly lastAt?: number } {
  if (!countsAsAgain(req)) return { lastAt };
  return { sinceLastMs: lastAt === undefined ? undefined : now - lastAt, lastAt: now };
}

/**
 * What the guardrails watch now, in words, or undefined when leaving disarms nothing: the session
 * has ended, a rollback runs, the runbook has no trigger, or no armed stage has started and no
 * trigger is pending or firing.
 */
export function guardWatching(s: SessionState, rb: Runbook): string | undefined {
  if (s.outcome !== undefined || s.rollback.status !== 'idle') return undefined;
  const triggers = rb.rollback?.triggers ?? [];
  if (triggers.length === 0) return undefined;
  const label = (id: string) => {
    const t = triggers.find((x) => x.id === id);
    return t ? triggerLabel(t, rb) : id;
  };
  const fired = Object.entries(s.guard.triggers).find(([, v]) => v.status === 'fired');
  if (fired) return `trigger ${label(fired[0])} has FIRED`;
  const pending = Object.entries(s.guard.triggers).find(([, v]) => v.status === 'pending');
  if (pending) return `trigger ${label(pending[0])} is PENDING`;
  const armed = new Set(rb.stages.filter((x) => x.armed).map((x) => x.id));
  const reached = s.stages.find((x) => armed.has(x.id) && x.status !== 'pending' && x.status !== 'skipped');
  if (reached) return `${reached.title} has been reached: ${triggers.length} trigger${triggers.length === 1 ? '' : 's'} armed`;
  return undefined;
}

const again = (f: LeaveFacts) => f.sinceLastMs !== undefined && f.sinceLastMs <= AGAIN_WITHIN_MS;

/** The decision for one request: the whole table (see the module's comment for the rules). */
export function leaveDecision(req: LeaveRequest, s: SessionState, rb: Runbook, f: LeaveFacts): LeaveDecision {
  if (f.follower) return { do: 'leave' };
  if (s.rollback.status === 'running') return duringRollback(req, f);
  const watching = guardWatching(s, rb);
  if (watching !== undefined) return f.surface === 'screen' ? guardedScreen(req, watching, f) : guardedHeadless(req, watching, f);
  return f.surface === 'screen' ? plainScreen(req, s, f) : plainHeadless(req, s, f);
}

function duringRollback(req: LeaveRequest, f: LeaveFacts): LeaveDecision {
  if (f.abandoning) return { do: 'abandoning' };
  if (f.surface === 'screen' && (req === 'SIGTERM' || req === 'SIGHUP')) return f.noHandOver === undefined ? { do: 'hand-over', watching: 'the rollback is running' } : { do: 'rollback-goes-on' };
  if (req === 'q') return f.surface === 'screen' ? { do: 'rollback-goes-on' } : { do: 'ignore' };
  if (req === 'SIGHUP') return { do: 'ignore' };
  return again(f) ? { do: 'abandon-rollback' } : { do: 'rollback-goes-on' };
}

function guardedScreen(req: LeaveRequest, watching: string, f: LeaveFacts): LeaveDecision {
  if (req === 'SIGTERM' || req === 'SIGHUP') return f.noHandOver === undefined ? { do: 'hand-over', watching } : { do: 'leave-unguarded', watching };
  if (req === 'ctrl-c' && !again(f) && f.busy) return { do: 'ask-interrupt' };
  return { do: 'ask-guarded', watching, ...(f.noHandOver !== undefined ? { noHandOver: f.noHandOver } : {}) };
}

function guardedHeadless(req: LeaveRequest, watching: string, f: LeaveFacts): LeaveDecision {
  if (req === 'SIGHUP' || req === 'q') return { do: 'ignore' };
  return again(f) ? { do: 'leave-unguarded', watching } : { do: 'keep-guarding', watching };
}

function plainScreen(req: LeaveRequest, s: SessionState, f: LeaveFacts): LeaveDecision {
  if (req === 'SIGHUP') return s.outcome === undefined ? { do: 'detach' } : { do: 'leave' };
  if (req === 'SIGTERM') return { do: 'interrupt-and-leave' };
  if (req === 'q') return f.busy || f.escalationDue ? { do: 'ask-quit' } : { do: 'leave' };
  if (again(f)) return { do: 'interrupt-and-leave' };
  if (f.busy) return { do: 'ask-interrupt' };
  return f.escalationDue ? { do: 'ask-quit' } : { do: 'leave' };
}

function plainHeadless(req: LeaveRequest, s: SessionState, f: LeaveFacts): LeaveDecision {
  if (req === 'SIGHUP' || req === 'q') return { do: 'ignore' };
  // a second one (at any distance) leaves at once, as before
  if (f.sinceLastMs !== undefined) return { do: 'exit-now' };
  return s.outcome !== undefined ? { do: 'wait-records' } : { do: 'interrupt' };
}
