/**
 * The release engine's intents: turns what the operator asks (start, tick, run stage, retry,
 * skip, roll back, interrupt, quit) into the loops and effects of the engine (engine.ts), whose
 * every event is masked, journalled, then applied with reduce(). The TUI and the headless runner
 * drive it through the Session interface (session.ts); a follower is a ReadOnlySession instead.
 */
import { PREFLIGHT, ROLLBACK, type EventBody, type Outcome, type RollbackSource, type SessionEvent } from '../core/events.js';
import type { Decision } from '../flags/experiment.js';
import type { Experiments } from '../flags/experiments.js';
import type { FlagRamps } from '../flags/manager.js';
import type { Guard } from '../guard/guard.js';
import type { Runbook } from '../runbook/types.js';
import { Engine } from './engine.js';
import { flagStep, type FlagStepAsk, type FlagStepOutcome } from './flag-step.js';
import * as intents from './intents.js';
import { OK, refuse, type IntentResult } from './intents.js';
import { tickStepRefusal } from './manual.js';
import type { ControllerOptions } from './options.js';
import { afterPreflightChange, openPreflight, runPreflightChecks } from './preflight-loop.js';
import { rollbackSteps, type SessionState } from './reduce.js';
import { resumeSession } from './resume.js';
import type { RollbackHook } from './rollback.js';
import { SELF_TEST_ID } from './self-test.js';
import type { OutputListener, Session, SessionListener } from './session.js';
import * as side from './side-actions.js';
import { runStage, runStages } from './stage-loop.js';

export type { ControllerOptions, FailurePolicy } from './options.js';
export type { RollbackHook } from './rollback.js';
export type { Accepted, IntentResult, Refusal } from './intents.js';
export type { OutputListener } from './session.js';

export class Controller implements Session {
  private readonly x: Engine;

  constructor(private readonly o: ControllerOptions) {
    this.x = new Engine(o, (reason, incidentAt) => void this.rollback(reason, 'trigger', incidentAt));
  }

  /** Samples metrics and probes, evaluates triggers; undefined when the runbook has neither. */
  get guard(): Guard | undefined {
    return this.x.guard;
  }
  /** Flag ramps; undefined when the runbook has no flags. */
  get flags(): FlagRamps | undefined {
    return this.x.flags;
  }
  /** A/B experiments; undefined when the runbook has none. */
  get experiments(): Experiments | undefined {
    return this.x.experiments;
  }
  /** Resolves with the outcome when the session first ends. */
  get settled(): Promise<Outcome> {
    return this.x.log.feed.settled;
  }
  get state(): SessionState {
    return this.x.s;
  }
  get runbook(): Runbook {
    return this.o.runbook;
  }
  get sessionDir(): string {
    return this.o.sessionDir;
  }
  /** Monotonic milliseconds since the session began: the time base of every event's `t`. */
  elapsed(): number {
    return this.x.elapsed();
  }
  /** True while a step (or monitor, or rollback) is running. */
  get busy(): boolean {
    return this.x.busy;
  }
  /** The operator abandoned the running rollback (its incident step still runs). */
  get abandoned(): boolean {
    return this.x.abandoning;
  }
  /** A live session acts: never read-only (a follower is a ReadOnlySession). */
  get readOnly(): string | undefined {
    return undefined;
  }

  /** Adds a hook that runs first in every rollback (before any rollback step). */
  onRollback(hook: RollbackHook): void {
    this.x.rollbackHooks.push(hook);
  }

  /**
   * This cockpit hands the session to a background guard: `e` is the last event it records; its
   * timers stop and nothing after it is journalled (the steps run on under their supervisors).
   */
  leave(e: Extract<EventBody, { type: 'guard.handed-over' }>): void {
    this.x.emit(e);
    this.x.dispose();
    this.x.log.stop();
  }

  subscribe(fn: SessionListener): () => void {
    return this.x.log.feed.subscribe(fn);
  }
  /** Journals and applies an event from beside the engine (the session's records: src/session/records.ts). */
  record(body: EventBody): SessionEvent {
    return this.x.emit(body);
  }
  onOutput(fn: OutputListener): () => void {
    return this.x.log.feed.onOutput(fn);
  }

  // ── intents ───────────────────────────────────────────────────────────────────────────────

  /** Opens the session: confirms what was confirmed up front, runs the automated pre-flight checks; a resumed one carries on. */
  async start(): Promise<void> {
    if (this.o.resume?.length) return resumeSession(this.x);
    return openPreflight(this.x);
  }

  /** Records the session's start (once). `start()` does this; `cockpit rollback` needs only this. */
  begin(o: { watch?: boolean } = {}): void {
    this.x.begin(o);
  }

  /** Goes on past the failed guardrail self-test (the screen's typed confirmation): journalled, UNGUARDED from now on. */
  proceedUnguarded(): IntentResult {
    const why = intents.unguardedProceedRefusal(this.x.s, this.busy);
    if (why) return refuse(why);
    this.x.emit({ type: 'guard.unguarded', by: 'operator', reason: this.x.s.preflight.steps.find((st) => st.id === SELF_TEST_ID)?.reason ?? 'failed' });
    afterPreflightChange(this.x);
    return OK;
  }

  tick(id: string): IntentResult {
    const why = intents.tickRefusal(this.x.s, id);
    if (why) return refuse(why);
    const st = this.x.s.preflight.steps.find((s) => s.id === id)!;
    this.x.emit(st.ticked ? { type: 'check.unticked', id } : { type: 'check.ticked', id, by: 'operator' });
    if (!this.busy) afterPreflightChange(this.x);
    return OK;
  }

  /** Ticks the manual step a stage waits at (space): journalled, then the stage goes on. */
  tickStep(stageId: string, stepId: string): IntentResult {
    const why = tickStepRefusal(this.x.s, stageId, stepId);
    if (why) return refuse(why);
    this.x.emit({ type: 'check.ticked', stage: stageId, id: stepId, by: 'operator' });
    this.x.steps.waits.release(stageId, stepId);
    return OK;
  }

  /** Runs the next stage (Enter). Refused until the pre-flight passed, or while something runs. */
  runNextStage(): IntentResult {
    const why = intents.nextStageRefusal(this.x.s, this.busy);
    if (why) return refuse(why);
    void this.x.track(runStages(this.x));
    return OK;
  }

  /** Retries the failed step (stage, pre-flight check or rollback step) and carries on from it. */
  retry(): IntentResult {
    const why = intents.retryRefusal(this.x.s, this.busy);
    if (why) return refuse(why);
    const t = intents.failedTarget(this.x.s)!;
    if (t.stage === ROLLBACK) {
      void this.x.track(this.x.rollbackPipeline.run());
      return OK;
    }
    this.x.emit({ type: 'step.retrying', stage: t.stage, step: t.step!.id, attempt: t.step!.attempt + 1, automatic: false });
    void this.x.track(t.stage === PREFLIGHT ? runPreflightChecks(this.x) : runStage(this.x, t.stage));
    return OK;
  }

  /** Skips the failed step (or the manual step the stage waits at) with a recorded reason and carries on. */
  skip(reason: string): IntentResult {
    const why = intents.skipRefusal(this.x.s, this.busy, reason);
    if (why) return refuse(why);
    const t = intents.skipTarget(this.x.s)!;
    const waiting = t.step!.status === 'waiting';
    this.x.emit({ type: 'step.skipped', stage: t.stage, step: t.step!.id, reason: reason.trim() });
    // a manual step the stage waits at: the stage, still running, goes on from it
    if (waiting) this.x.steps.waits.release(t.stage, t.step!.id);
    else if (t.stage !== PREFLIGHT) void this.x.track(runStage(this.x, t.stage));
    else afterPreflightChange(this.x);
    return OK;
  }

  /**
   * The rollback pipeline, once per incident: interrupts the running step, runs the rollback
   * steps, verify, then the incident command with the reason.
   */
  rollback(reason: string, source: RollbackSource, incidentAt?: number): IntentResult {
    const why = intents.rollbackRefusal(this.x.s, this.o.runbook);
    if (why) return refuse(why);
    if (this.x.s.rollback.status === 'failed') return this.retry();
    this.x.begin();
    void this.x.track(
      (async () => {
        this.x.rollbackPipeline.start(reason, source, incidentAt);
        await this.x.stopActive();
        await this.x.rollbackPipeline.run();
      })(),
    );
    return OK;
  }

  /**
   * `cockpit rollback` on a session taken over from a cockpit that died with a step still running:
   * resumes it (the step is followed again), then rolls it back, interrupting that step first. A
   * rollback the session was already running is followed to its end instead of started again.
   */
  resumeAndRollback(reason: string, source: RollbackSource): IntentResult {
    if (!this.o.resume?.length) return this.rollback(reason, source);
    // start() follows what runs at once (the step is the active one before it returns)
    void this.start();
    if (this.x.s.rollback.status === 'running' || this.x.s.outcome) return OK;
    return this.rollback(reason, source);
  }

  /** The operator acknowledges the incident (`a`): journalled; escalation runs until verify passes. */
  acknowledge(): IntentResult {
    const why = intents.acknowledgeRefusal(this.x.s);
    if (why) return refuse(why);
    this.x.emit({ type: 'incident.acknowledged' });
    if (this.x.s.guard.restoreMs !== undefined) this.x.escalation.resolve();
    return OK;
  }

  /** Ctrl+C: interrupts the running step's process group and ends the session as interrupted. */
  async interrupt(): Promise<void> {
    this.x.interrupting = true;
    const at = this.x.active;
    await this.x.stopActive();
    this.x.emit({ type: 'session.interrupted', stage: at?.stage, step: at?.step });
    this.x.end('interrupted');
  }

  /**
   * The operator abandons the running rollback (a second Ctrl+C within 2 s, headless): the running
   * rollback step is interrupted and no further one runs, but the incident step still does, with
   * the reason "rollback abandoned by the operator: …"; the session ends interrupted. An incident
   * step already running is let finish (the rollback before it is done).
   */
  abandonRollback(): IntentResult {
    if (this.x.s.rollback.status !== 'running') return refuse('no rollback is running');
    if (this.x.abandoning) return OK;
    this.x.abandoning = true;
    const a = this.x.active;
    const incident = this.o.runbook.rollback?.incident ? rollbackSteps(this.o.runbook).at(-1)?.id : undefined;
    if (a?.stage === ROLLBACK && a.step !== incident) a.handle?.kill();
    return OK;
  }

  /** Ends the session when nothing runs; refused while a step runs. */
  quit(): IntentResult {
    const why = intents.quitRefusal(this.busy);
    if (why) return refuse(why);
    if (!this.x.s.outcome) {
      // a failed stage's triggers were armed while the operator decided: leaving ends that
      this.x.guard?.disarmAll();
      this.x.end(intents.quitOutcome(this.x.s));
    }
    // escalation levels still due will not run (the screen asked first): journalled before the summary
    this.x.escalation.abandon('the operator quit the cockpit');
    return OK;
  }

  /**
   * Interrupts only the running step (the TUI's confirmed Ctrl+C): its process group gets SIGTERM,
   * then SIGKILL; the stage stops as failed and offers retry, skip or roll back.
   */
  async interruptStep(): Promise<void> {
    const a = this.x.active;
    if (!a) return;
    a.handle?.kill();
    a.monitor?.finish();
    await a.handle?.done;
    await new Promise<void>((r) => setImmediate(r));
  }

  runEmergency(id: string): IntentResult {
    return side.runEmergency(this.x, id);
  }
  deployExperiment(id: string): IntentResult {
    return side.deployExperiment(this.x, id);
  }
  deployFlag(flag: string): Promise<IntentResult> {
    return side.deployFlag(this.x, flag);
  }
  concludeExperiment(id: string, winner: string, decision: Decision): Promise<IntentResult> {
    return side.concludeExperiment(this.x, id, winner, decision);
  }

  /** The one-shot flag step (`cockpit flag`): flag-step.ts. */
  flagStep(ask: FlagStepAsk): Promise<FlagStepOutcome> {
    return flagStep(this.x, ask);
  }

  /** Stops every timer the session owns (sampling, escalation, budget): the process can exit. */
  dispose(): void {
    this.x.dispose();
  }

  /** Waits for whatever is running to finish (tests, headless). */
  async idle(): Promise<void> {
    while (this.x.loop) await this.x.loop;
  }

  /** Resolves when every escalation message in flight has its outcome journalled. */
  drainEscalation(): Promise<void> {
    return this.x.escalation.drain();
  }
}
