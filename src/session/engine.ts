/**
 * The engine's shared core: its parts (wiring.ts), its event log (event-log.ts), what runs now
 * and the few things every loop needs (end the session, track a loop, stop what runs, record the
 * start). The loops (stage-loop.ts, preflight-loop.ts, resume.ts), the side actions
 * (side-actions.ts) and the intents (controller.ts) all work through it.
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import type { EventBody, Outcome, SessionEvent } from '../core/events.js';
import type { Guard } from '../guard/guard.js';
import type { Escalation } from '../guard/escalation.js';
import type { FlagRamps } from '../flags/manager.js';
import type { Experiments } from '../flags/experiments.js';
import { EventLog } from './event-log.js';
import type { ControllerOptions } from './options.js';
import { planCommands } from './plan.js';
import type { SessionState } from './reduce.js';
import type { RollbackHook, RollbackPipeline } from './rollback.js';
import { commandProblem } from './rollback-ready.js';
import type { SelfTestDeps } from './self-test.js';
import type { Active, StepRunner } from './steps.js';
import { wire, type TriggerRollback } from './wiring.js';

export class Engine {
  readonly clock: Clock;
  readonly log: EventLog;
  readonly guard: Guard | undefined;
  readonly flags: FlagRamps | undefined;
  readonly experiments: Experiments | undefined;
  readonly escalation: Escalation;
  readonly steps: StepRunner;
  readonly rollbackPipeline: RollbackPipeline;
  readonly selfTest: SelfTestDeps;
  readonly rollbackHooks: RollbackHook[];
  /** What runs now in the release's own line. */
  active: Active | undefined;
  /** The loop running now (stage, pre-flight, rollback), if any. */
  loop: Promise<void> | undefined;
  aborting = false;
  interrupting = false;
  /** The operator abandoned the running rollback (abandonRollback). */
  abandoning = false;
  budgetTimer: TimerHandle | undefined;
  /** Flag deploys running now (one at a time per flag). */
  readonly deploying = new Set<string>();

  constructor(readonly o: ControllerOptions, rollback: TriggerRollback) {
    this.clock = o.clock ?? systemClock;
    this.log = new EventLog(o, this.clock);
    const p = wire(this, rollback);
    this.guard = p.guard;
    this.flags = p.flags;
    this.experiments = p.experiments;
    this.escalation = p.escalation;
    this.steps = p.steps;
    this.rollbackPipeline = p.rollbackPipeline;
    this.selfTest = p.selfTest;
    this.rollbackHooks = p.rollbackHooks;
    // a new session or a resumed one: a lease lost once it is under way is journalled
    o.onLeaseLost?.((why) => {
      if (this.s.sessionId) this.emit({ type: 'lease.lost', why });
    });
  }

  get s(): SessionState {
    return this.log.state;
  }
  emit(body: EventBody): SessionEvent {
    return this.log.emit(body);
  }
  elapsed(): number {
    return this.log.elapsed();
  }

  /** True while a step (or monitor, or rollback) is running. */
  get busy(): boolean {
    return this.active !== undefined || this.s.rollback.status === 'running' || this.loop !== undefined;
  }

  track(p: Promise<void>): Promise<void> {
    const run = p.finally(() => {
      if (this.loop === run) this.loop = undefined;
    });
    this.loop = run;
    return run;
  }

  end(outcome: Outcome): void {
    if (this.interrupting && outcome !== 'interrupted') return;
    this.budgetTimer?.cancel();
    // headless sessions end here; a screen keeps watching (and escalating) until the operator quits
    if (this.o.mode === 'headless' || outcome === 'interrupted' || outcome === 'aborted') this.dispose();
    this.emit({ type: 'session.ended', outcome });
  }

  async stopActive(): Promise<void> {
    this.aborting = true;
    const a = this.active;
    if (a?.handle) a.handle.kill();
    if (a?.monitor) a.monitor.finish();
    const loop = this.loop;
    // the rollback itself runs inside a tracked loop; wait only for the stage loop it interrupts
    if (loop && a) await a.handle?.done;
    await new Promise<void>((r) => setImmediate(r));
    this.aborting = false;
  }

  /** Stops every timer the session owns (sampling, escalation, budget): the process can exit. */
  dispose(): void {
    this.guard?.stop();
    this.flags?.stopAuto();
    this.experiments?.stop();
    this.escalation.abandon('the cockpit ended');
    this.budgetTimer?.cancel();
  }

  /** Sampling, flag reads and auto ramps, experiments: what follows a session while it runs. */
  startWatching(): void {
    if (this.flags) {
      void this.flags.readAll();
      this.flags.startAuto();
    }
    this.experiments?.start();
  }

  /** Records the session's start (once). */
  begin(o: { watch?: boolean } = {}): void {
    if (this.s.sessionId) return;
    if (o.watch !== false) {
      // sampling, flag reads and experiments follow the session (one-shot commands do their own)
      queueMicrotask(() => this.guard?.start());
      this.startWatching();
    }
    const rb = this.o.runbook;
    this.emit({
      type: 'session.started',
      sessionId: this.o.sessionId,
      runbook: rb.name,
      file: rb.file,
      version: this.o.values.version ?? rb.versionTemplate,
      environment: rb.environment,
      mode: this.o.mode,
      ...(this.o.lockTakenOver ? { lockTakenOver: this.o.lockTakenOver } : {}),
      ...(this.o.teamLease ? { teamLease: this.o.teamLease } : {}),
    });
    if (this.o.plan) this.emit(this.o.plan);
    if (o.watch !== false) this.guard?.readBaseline();
    this.checkPrograms();
  }

  /** Marks every step whose cwd or program is missing or unusable: a state to see, not a crash. */
  private checkPrograms(): void {
    const rb = this.o.runbook;
    const missing = planCommands(rb).flatMap(({ stage, step, tracked }) => {
      if (!tracked) return [];
      const reason = commandProblem(step, rb.dir, this.o.values);
      return reason ? [{ stage, step: step.id, reason }] : [];
    });
    if (missing.length > 0) this.emit({ type: 'programs.checked', missing });
  }
}
