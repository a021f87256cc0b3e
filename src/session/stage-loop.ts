/**
 * The stage loop: runs the next pending stage step by step (and, with autoAdvance, the ones after
 * it), its budget timer, its armed triggers, its criteria, and what a failed stage does by the
 * failure policy.
 */
import type { Stage } from '../runbook/types.js';
import { describeUnmet, judgeCriteria } from './criteria.js';
import type { Engine } from './engine.js';

/** Runs the next pending stage (and, with autoAdvance, the ones after it). */
export async function runStages(x: Engine): Promise<void> {
  const { fromStage } = x.o;
  if (fromStage && x.s.stages.every((st) => st.status === 'pending')) {
    const idx = x.s.stages.findIndex((st) => st.id === fromStage);
    for (const st of x.s.stages.slice(0, Math.max(0, idx))) x.emit({ type: 'stage.skipped', stage: st.id, reason: `started at stage "${fromStage}" (--stage)` });
  }
  const next = x.s.stages.find((st) => st.status === 'pending');
  if (next) await runStage(x, next.id);
}

const statusOf = (x: Engine, stageId: string) => x.s.stages.find((st) => st.id === stageId)?.status;

/** Starts a pending stage: its baseline, stage.started, its budget timer. */
function startStage(x: Engine, def: Stage): void {
  x.guard?.takeBaseline(def.id);
  x.emit({ type: 'stage.started', stage: def.id });
  x.budgetTimer?.cancel();
  if (def.budgetMs !== undefined) {
    const started = x.clock.now();
    const budgetMs = def.budgetMs;
    x.budgetTimer = x.clock.after(budgetMs, () => {
      if (statusOf(x, def.id) === 'running') x.emit({ type: 'stage.over-budget', stage: def.id, elapsedMs: Math.round(x.clock.now() - started), budgetMs });
    });
  }
}

/** Runs a stage's steps and checks its criteria; 'passed', 'stopped' (it failed or was interrupted) or 'waiting' (failed, the operator decides). */
async function runSteps(x: Engine, def: Stage): Promise<'passed' | 'stopped' | 'waiting'> {
  for (const step of def.steps) {
    const st = x.s.stages.find((s) => s.id === def.id)!.steps.find((s) => s.id === step.id)!;
    // running: a resumed session's step, followed where it is
    if (st.status !== 'pending' && st.status !== 'running' && st.status !== 'waiting') continue;
    const ok = await x.steps.runWithRetries(def.id, step);
    if (x.aborting || x.s.rollback.status !== 'idle') return 'stopped';
    if (!ok) {
      const failed = x.s.stages.find((s) => s.id === def.id)!.steps.find((s) => s.id === step.id)!;
      x.emit({ type: 'stage.failed', stage: def.id, step: step.id, reason: failed.reason ?? 'failed' });
      return (await afterStageFailed(x, `stage "${def.title}" failed at ${step.title}: ${failed.reason ?? 'failed'}`)) ? 'waiting' : 'stopped';
    }
  }
  const unmet = x.guard?.brokenNow() ?? checkCriteria(x, def);
  if (unmet) {
    x.emit({ type: 'stage.failed', stage: def.id, step: '', reason: unmet });
    return (await afterStageFailed(x, `stage "${def.title}" failed its criteria: ${unmet}`)) ? 'waiting' : 'stopped';
  }
  return 'passed';
}

export async function runStage(x: Engine, stageId: string): Promise<void> {
  const def = x.o.runbook.stages.find((st) => st.id === stageId)!;
  if (statusOf(x, stageId) === 'pending') {
    // the history baseline (read when the session started) comes before the first stage; the
    // step starts at once when there is none to wait for (no tick between the intent and the step)
    const reading = x.guard?.baselineRead();
    if (reading) {
      await reading;
      if (statusOf(x, stageId) !== 'pending' || x.aborting || x.s.rollback.status !== 'idle') return;
    }
    startStage(x, def);
  }
  if (def.armed) x.guard?.arm(`stage:${stageId}`);
  // a failed stage waiting for the operator keeps the triggers it armed: a trigger that fires
  // while the operator decides rolls back (retry, skip, R or q end the wait)
  let result: 'passed' | 'stopped' | 'waiting' = 'stopped';
  try {
    result = await runSteps(x, def);
  } finally {
    if (result !== 'waiting') x.guard?.disarm(`stage:${stageId}`);
  }
  if (result !== 'passed') return;
  const st = x.s.stages.find((s) => s.id === stageId)!;
  x.budgetTimer?.cancel();
  x.emit({ type: 'stage.passed', stage: stageId, durationMs: Math.round(x.s.now - (st.startedAt ?? x.s.now)) });
  const next = x.s.stages.find((s) => s.status === 'pending');
  if (!next) x.end('released');
  else if (x.o.autoAdvance) await runStage(x, next.id);
}

/** Checks a stage's criteria against the latest samples; returns what is unmet, in words. */
function checkCriteria(x: Engine, def: Stage): string | undefined {
  if (def.criteria.length === 0) return undefined;
  const results = judgeCriteria(def.criteria, x.s);
  x.emit({ type: 'criteria.checked', stage: def.id, results });
  return describeUnmet(x.o.runbook, results);
}

/** What a failed stage does, by the failure policy; true when it waits for the operator. */
async function afterStageFailed(x: Engine, reason: string): Promise<boolean> {
  const policy = x.o.onFailure ?? (x.o.mode === 'headless' ? 'stop' : 'wait');
  if (policy === 'stop') x.end('failed');
  else if (policy === 'rollback') {
    if (x.o.runbook.rollback) {
      x.rollbackPipeline.start(reason, 'on-failure');
      await x.rollbackPipeline.run();
    } else x.end('failed');
  }
  return policy === 'wait';
}
