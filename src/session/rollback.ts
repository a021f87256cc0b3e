/**
 * The rollback pipeline, once per incident: the rollback hooks first (flags to 0 %), the rollback
 * steps, verify (the service is restored: time to restore is taken here), then the incident
 * command with the reason. A failed rollback still opens the incident, saying so; `r` retries it
 * from the step that failed.
 */
import { ROLLBACK, type EventBody, type Outcome, type RollbackSource } from '../core/events.js';
import type { Escalation } from '../guard/escalation.js';
import type { Guard } from '../guard/guard.js';
import { firedRecord } from '../guard/fold.js';
import { timeToRestore } from '../history/restore-time.js';
import { pausedWithin } from '../core/pause.js';
import type { CommandStep, Runbook } from '../runbook/types.js';
import { rollbackSteps, type SessionState } from './reduce.js';
import type { StepRunner } from './steps.js';

/** Runs first when a rollback starts (the flags layer sets ramped flags to 0 % here). */
export type RollbackHook = (reason: string) => Promise<void>;

export type RollbackDeps = {
  readonly runbook: Runbook;
  readonly mode: 'tui' | 'headless';
  readonly state: () => SessionState;
  readonly emit: (e: EventBody) => void;
  readonly elapsed: () => number;
  readonly steps: StepRunner;
  readonly guard?: Guard;
  readonly escalation: Escalation;
  readonly hooks: readonly RollbackHook[];
  readonly end: (o: Outcome) => void;
  readonly interrupting: () => boolean;
  /** The operator abandoned the rollback (Ctrl+C twice): no further step runs, the incident step still does. */
  readonly abandoned: () => boolean;
};

export class RollbackPipeline {
  constructor(private readonly d: RollbackDeps) {}

  /** Records the start: triggers disarmed (one rollback per incident), escalation's clock started. */
  start(reason: string, source: RollbackSource, incidentAt?: number): void {
    const at = incidentAt ?? this.d.elapsed();
    this.d.guard?.disarmAll();
    // a trigger's rollback carries why it fired (the decision record) into the journal and every renderer
    const record = source === 'trigger' ? firedRecord(this.d.state().guard, incidentAt) : undefined;
    this.d.emit({ type: 'rollback.started', reason, source, incidentAt: at, ...(record ? { record } : {}) });
    this.d.escalation.start(at, reason, new Set(), this.d.state().rollback.startedAt);
  }

  /**
   * Verify passed: the service is restored, the incident resolved (no further escalation level
   * runs, on the screen as headless). Time to restore runs from the incident's start.
   */
  private restored(): void {
    const s = this.d.state();
    const since = s.guard.incidentAt ?? s.rollback.startedAt ?? s.now;
    const now = this.d.elapsed();
    const pausedMs = pausedWithin(s.guard.pauses ?? [], since, now);
    this.d.emit({ type: 'rollback.verified', restoreMs: timeToRestore(since, now, pausedMs), ...(pausedMs > 0 ? { pausedMs } : {}) });
    this.d.escalation.resolve();
  }

  async run(): Promise<void> {
    const s = this.d.state;
    const plan = rollbackSteps(this.d.runbook);
    const rb = this.d.runbook.rollback!;
    if (s().rollback.steps.every((x) => x.status === 'pending')) {
      for (const hook of this.d.hooks) await hook(s().rollback.reason ?? '').catch(() => undefined);
    }
    const verifyEnds = rb.steps.length + rb.verify.length;
    const started = s().rollback.startedAt ?? s().now;
    const incidentAt = rb.incident ? plan.length - 1 : -1;
    for (let i = 0; i < plan.length; i++) {
      const st = s().rollback.steps[i];
      if (st.status === 'passed') continue;
      // abandoned: no further step, but the incident step (all there is left, or opened anyway)
      if (this.d.abandoned() && i !== incidentAt) return this.abandon(plan, i, started);
      if (st.status === 'failed') this.d.emit({ type: 'step.retrying', stage: ROLLBACK, step: st.id, attempt: st.attempt + 1, automatic: false });
      const ok = await this.d.steps.runWithRetries(ROLLBACK, plan[i]);
      if (!ok) {
        if (this.d.abandoned() && i !== incidentAt) return this.abandon(plan, i, started);
        const failed = s().rollback.steps[i];
        // a failed rollback is when an incident matters most: open it anyway, saying so
        const incident = plan.length - 1;
        if (rb.incident && i < incident && s().rollback.steps[incident].status === 'pending' && !this.d.interrupting()) {
          const why = `ROLLBACK FAILED at ${failed.title} (${failed.reason ?? 'failed'}); ${s().rollback.reason ?? ''}`;
          await this.d.steps.runCommand(ROLLBACK, plan[incident], 1, { reason: why });
        }
        this.d.emit({ type: 'rollback.finished', ok: false, step: failed.id, reason: failed.reason, durationMs: Math.round(s().now - started) });
        if (this.d.mode === 'headless') this.d.end('rollback-failed');
        return;
      }
      if (i === verifyEnds - 1 && s().guard.restoreMs === undefined) this.restored();
    }
    this.d.emit({ type: 'rollback.finished', ok: true, durationMs: Math.round(s().now - started) });
    this.d.end('rolled-back');
  }

  /**
   * The operator abandoned the rollback at step `at` (interrupted, or not started): the incident
   * step still runs, saying so; the rollback is recorded as not done and the session interrupted.
   */
  private async abandon(plan: readonly CommandStep[], at: number, started: number): Promise<void> {
    const s = this.d.state;
    const incident = plan.length - 1;
    if (this.d.runbook.rollback!.incident && at < incident && s().rollback.steps[incident].status === 'pending')
      await this.d.steps.runCommand(ROLLBACK, plan[incident], 1, { reason: `rollback abandoned by the operator: ${s().rollback.reason ?? ''}` });
    const step = s().rollback.steps[at];
    this.d.emit({ type: 'rollback.finished', ok: false, step: step.id, reason: 'abandoned by the operator', durationMs: Math.round(s().now - started) });
    this.d.emit({ type: 'session.interrupted', stage: ROLLBACK, step: step.id });
    this.d.end('interrupted');
  }
}
