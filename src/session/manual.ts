/**
 * Manual steps inside stages ("Verify the canary dashboard", "Announce in #releases"): the stage
 * waits at one until the operator ticks it. The rules are pure functions of the state (the engine,
 * the keymap and the headless runner ask the same ones); ManualWaits is the wait itself.
 */
import type { ManualStep, Runbook } from '../runbook/types.js';
import type { EventBody } from '../core/events.js';
import type { SessionState, StepState } from './reduce.js';

/** The release's current wait, as the engine holds what runs (steps.ts Active): finish() ends it as interrupted. */
type ActiveWait = { stage: string; step: string; monitor?: { finish: () => void } };

/** Whether an item was confirmed up front: `--yes`, or a `--confirm` naming its title or id (case-insensitive). */
export function isConfirmed(item: { readonly id: string; readonly title: string }, confirm: readonly string[] | undefined, yes: boolean | undefined): boolean {
  if (yes) return true;
  const want = (confirm ?? []).map((c) => c.trim().toLowerCase());
  return want.includes(item.title.trim().toLowerCase()) || want.includes(item.id.toLowerCase());
}

/** The --confirm values that name no manual item (pre-flight) or manual step (stages): a typo would otherwise go unseen until the run fails there. */
export function unmatchedConfirms(rb: Pick<Runbook, 'preflight' | 'stages'>, confirm: readonly string[] | undefined): { unmatched: string[]; known: string[] } {
  const items = [...rb.preflight.filter((p) => p.kind === 'manual'), ...rb.stages.flatMap((s) => s.steps.filter((x) => x.kind === 'manual'))];
  const unmatched = (confirm ?? []).filter((c) => !items.some((item) => isConfirmed(item, [c], false)));
  return { unmatched, known: items.map((i) => i.title) };
}

/** Why a headless run fails at a manual step nobody confirmed: the step, and the flag to pass. */
export function notConfirmedReason(title: string): string {
  return `not confirmed: a headless run cannot wait for a tick; pass --confirm ${JSON.stringify(title)} (or --yes)`;
}

/** The manual step a stage waits at now (the operator's tick moves it on), if any. */
export function waitingStep(s: SessionState): { readonly stage: string; readonly step: StepState } | undefined {
  if (s.rollback.status !== 'idle') return undefined;
  for (const st of s.stages) {
    if (st.status !== 'running') continue;
    const step = st.steps.find((x) => x.kind === 'manual' && x.status === 'waiting');
    if (step) return { stage: st.id, step };
  }
  return undefined;
}

/** Why the manual step `stepId` of stage `stageId` cannot be ticked now, else undefined. */
export function tickStepRefusal(s: SessionState, stageId: string, stepId: string): string | undefined {
  const stage = s.stages.find((x) => x.id === stageId);
  const step = stage?.steps.find((x) => x.id === stepId);
  if (!stage || !step) return `no step "${stageId}/${stepId}"`;
  if (step.kind !== 'manual') return `"${step.title}" is not a manual step: it runs by itself`;
  if (step.status === 'passed') return `"${step.title}" is already ticked`;
  const w = waitingStep(s);
  if (w?.stage !== stageId || w.step.id !== stepId) return `"${step.title}" is not the step the release is at`;
  return undefined;
}

/** The words a waiting manual step shows beside its title: "waiting: space ticks" (a follower only looks). */
export function waitingWord(readOnly: boolean): string {
  return readOnly ? 'waiting for the operator' : 'waiting: space ticks';
}

export type WaitDeps = {
  readonly emit: (e: EventBody) => void;
  /** Session time (ms). */
  readonly now: () => number;
  readonly setActive: (a: ActiveWait | undefined) => void;
  /** Ticked up front (--confirm, --yes): the step passes at once. */
  readonly confirmed: (step: ManualStep) => boolean;
  /** Whether someone can tick it later (the screen); a headless run cannot, so the step fails instead. */
  readonly canWait: boolean;
};

/** The wait at a manual step: resolves true once it is ticked or skipped, false when it failed or was interrupted. */
export class ManualWaits {
  private current: { readonly stage: string; readonly step: string; readonly end: (ok: boolean) => void } | undefined;

  constructor(private readonly d: WaitDeps) {}

  /** `resumedAt`: the session time a step the journal shows waiting began to wait (a resumed session waits again, not anew). */
  wait(stageId: string, step: ManualStep, attempt: number, resumedAt?: number): Promise<boolean> {
    if (resumedAt === undefined) this.d.emit({ type: 'step.waiting', stage: stageId, step: step.id, attempt });
    const since = resumedAt ?? this.d.now();
    if (this.d.confirmed(step)) {
      this.d.emit({ type: 'check.ticked', stage: stageId, id: step.id, by: 'confirm' });
      return Promise.resolve(true);
    }
    const fail = (reason: string, interrupted: boolean) =>
      this.d.emit({ type: 'step.finished', stage: stageId, step: step.id, ok: false, exitCode: null, signal: null, timedOut: false, interrupted, durationMs: Math.max(0, this.d.now() - since), reason, notStarted: !interrupted });
    if (!this.d.canWait) {
      fail(notConfirmedReason(step.title), false);
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const end = (ok: boolean) => {
        if (this.current?.end !== end) return;
        this.current = undefined;
        this.d.setActive(undefined);
        resolve(ok);
      };
      this.current = { stage: stageId, step: step.id, end };
      // a rollback, or Ctrl+C on the step, ends the wait as interrupted (retry waits again)
      this.d.setActive({ stage: stageId, step: step.id, monitor: { finish: () => {
        if (this.current?.end !== end) return;
        fail('interrupted', true);
        end(false);
      } } });
    });
  }

  /** The step was ticked or skipped (its event already journalled): the stage goes on. */
  release(stageId: string, stepId: string): void {
    if (this.current?.stage === stageId && this.current.step === stepId) this.current.end(true);
  }
}
