/**
 * Whether an intent may happen now, and why not: pure functions of the state. The controller
 * refuses with these words, and the keymap asks the same functions before it opens a dialog, so
 * the screen and the engine never disagree about what is allowed.
 */
import { PREFLIGHT, ROLLBACK } from '../core/events.js';
import type { Runbook } from '../runbook/types.js';
import { preflightReady, type SessionState, type StepState } from './reduce.js';
import { waitingStep } from './manual.js';
import { SELF_TEST_ID, SELF_TEST_NOT_SKIPPED, unguardedRefusal } from './self-test.js';

export type Refusal = { readonly ok: false; readonly reason: string };
export type Accepted = { readonly ok: true };
export type IntentResult = Accepted | Refusal;

export const OK: Accepted = { ok: true };
export const refuse = (reason: string): Refusal => ({ ok: false, reason });

const failedIn = (steps: readonly StepState[]) => steps.find((x) => x.status === 'failed' || x.status === 'interrupted');

/** What `r` would retry, or `s` skip: the failed rollback step, the failed stage's step, or a failed pre-flight check. */
export type FailedTarget = { readonly stage: string; readonly step?: StepState; readonly title: string };

export function failedTarget(s: SessionState): FailedTarget | undefined {
  if (s.rollback.status === 'failed') {
    const st = failedIn(s.rollback.steps);
    return { stage: ROLLBACK, step: st, title: st?.title ?? 'rollback' };
  }
  const stage = s.stages.find((x) => x.status === 'failed');
  if (stage && s.rollback.status === 'idle') {
    const st = failedIn(stage.steps);
    return st ? { stage: stage.id, step: st, title: st.title } : undefined;
  }
  if (s.preflight.status !== 'passed') {
    const st = failedIn(s.preflight.steps);
    if (st) return { stage: PREFLIGHT, step: st, title: st.title };
  }
  return undefined;
}

/** What `s` skips: the failed step, else the manual step the release waits at. */
export function skipTarget(s: SessionState): FailedTarget | undefined {
  const t = failedTarget(s);
  if (t) return t;
  const w = waitingStep(s);
  return w && { stage: w.stage, step: w.step, title: w.step.title };
}

export function nextStageRefusal(s: SessionState, busy: boolean): string | undefined {
  if (s.outcome && s.phase !== 'passed') return 'the session has ended';
  if (s.preflight.status !== 'passed') {
    const r = preflightReady(s);
    const parts = [
      r.failed.length ? `failed: ${r.failed.join(', ')}` : '',
      r.pending.length ? `still running: ${r.pending.join(', ')}` : '',
      r.unticked.length ? `not ticked: ${r.unticked.join(', ')}` : '',
    ].filter(Boolean);
    return `pre-flight not complete (${parts.join('; ')})`;
  }
  const w = waitingStep(s);
  if (w) return `"${w.step.title}" waits for you: space ticks it once done, s skips it`;
  if (busy) return 'a step is running';
  if (s.rollback.status !== 'idle') return 'the release was rolled back';
  const failed = s.stages.find((x) => x.status === 'failed');
  if (failed) return `stage "${failed.title}" failed: retry (r), skip (s) or roll back (R)`;
  if (!s.stages.some((x) => x.status === 'pending')) return 'every stage has run';
  return undefined;
}

export function tickRefusal(s: SessionState, id: string): string | undefined {
  const st = s.preflight.steps.find((x) => x.id === id);
  if (!st) return `no pre-flight item "${id}"`;
  if (st.kind !== 'manual') return `"${st.title}" is an automated check: it passes by running`;
  if (s.preflight.status === 'passed') return 'the pre-flight has passed';
  return undefined;
}

export function retryRefusal(s: SessionState, busy: boolean): string | undefined {
  if (busy) return 'a step is running';
  const t = failedTarget(s);
  if (!t || (t.stage !== ROLLBACK && !t.step)) return 'nothing to retry';
  return undefined;
}

export function skipRefusal(s: SessionState, busy: boolean, reason: string): string | undefined {
  if (!reason.trim()) return 'a skip needs a reason';
  return skipTargetRefusal(s, busy);
}

/** Why nothing may be skipped now, whatever the reason given (the key `s` asks this before its dialog asks for the reason). */
export function skipTargetRefusal(s: SessionState, busy: boolean): string | undefined {
  // a manual step waiting for its tick is skipped like a failed step (the stage goes on from it)
  if (waitingStep(s)) return undefined;
  if (busy) return 'a step is running';
  const t = failedTarget(s);
  // a rollback step is never skipped: a rollback half done is not a rollback
  if (!t || t.stage === ROLLBACK || !t.step) return 'nothing to skip';
  if (t.stage === PREFLIGHT && t.step.status !== 'failed') return 'nothing to skip';
  if (t.stage === PREFLIGHT && t.step.id === SELF_TEST_ID) return SELF_TEST_NOT_SKIPPED;
  return undefined;
}

/** Why a rollback cannot start now; a failed rollback is retried instead (not refused). */
export function rollbackRefusal(s: SessionState, rb: Runbook): string | undefined {
  if (!rb.rollback) return 'this runbook has no rollback section';
  if (s.rollback.status === 'running') return 'a rollback is already running';
  if (s.rollback.status === 'passed') return 'already rolled back (one rollback per incident)';
  return undefined;
}

/** Why the release may not go on past the failed guardrail self-test now (U): the self-test's rule, and nothing running. */
export function unguardedProceedRefusal(s: SessionState, busy: boolean): string | undefined {
  return unguardedRefusal(s) ?? (busy ? 'a step is running' : undefined);
}

export function acknowledgeRefusal(s: SessionState): string | undefined {
  if (s.rollback.status === 'idle') return 'there is no incident to acknowledge';
  if (s.guard.acknowledged) return 'already acknowledged';
  // verify passed: escalation has stopped, there is nobody to tell that someone is on it
  if (s.guard.resolved || s.guard.restoreMs !== undefined) return 'the incident is resolved (verify passed): nothing to acknowledge';
  return undefined;
}

export function quitRefusal(busy: boolean): string | undefined {
  return busy ? 'a step is running: interrupt it first (Ctrl+C) or wait' : undefined;
}

export function emergencyRefusal(s: SessionState, rb: Runbook, id: string): string | undefined {
  const step = rb.emergency.find((x) => x.id === id);
  if (!step) return `no emergency action "${id}"`;
  if (s.emergency.find((x) => x.id === id)?.status === 'running') return `${step.title} is already running`;
  return undefined;
}

/** The outcome `q` records for a session that has not ended yet. */
export function quitOutcome(s: SessionState): 'rolled-back' | 'rollback-failed' | 'failed' | 'aborted' {
  const p = s.phase;
  return p === 'rolled-back' ? 'rolled-back' : p === 'rollback-failed' ? 'rollback-failed' : p === 'failed' ? 'failed' : 'aborted';
}
