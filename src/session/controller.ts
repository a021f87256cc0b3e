/**
 * The release engine: turns intents (start, tick, run stage, retry, skip, roll back, interrupt,
 * quit) and an injected clock into effects (steps run by a Runner) and events. Every event is
 * masked, appended to the journal, then applied with reduce(). The TUI, the headless runner and
 * the tests all drive this one class.
 */
import { join } from 'node:path';
import { maskerFor, maskStrings } from '../exec/log-format.js';
import type { Runner } from '../exec/runner.js';
import type { PlaceholderValues } from '../runbook/placeholders.js';
import type { Runbook } from '../runbook/types.js';
import { commandStep } from '../runbook/normalize.js';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { EMERGENCY, ESCALATION, EXPERIMENT, FLAG, PREFLIGHT, ROLLBACK, type EventBody, type LockTakenOver, type Outcome, type RollbackSource, type SessionEvent } from '../core/events.js';
import type { Journal } from './journal.js';
import { initialState, preflightReady, reduce, rollbackSteps, type SessionState } from './reduce.js';
import { StepRunner, type Active } from './steps.js';
import { isConfirmed, tickStepRefusal } from './manual.js';
import { RollbackPipeline, type RollbackHook } from './rollback.js';
import { describeUnmet, judgeCriteria } from './criteria.js';
import { planCommands } from './plan.js';
import * as intents from './intents.js';
import { OK, refuse, type IntentResult } from './intents.js';
import { Guard, type GuardDeps } from '../guard/guard.js';
import { Escalation, type EscalationDeps } from '../guard/escalation.js';
import { sourceFor } from '../metrics/sources/index.js';
import { probeOnce } from '../guard/probe.js';
import { runSelfTest, SELF_TEST_ID, unguardedRefusal, type SelfTestDeps } from './self-test.js';
import { commandProblem } from './rollback-ready.js';
import { FlagRamps } from '../flags/manager.js';
import { Experiments } from '../flags/experiments.js';
import type { Decision } from '../flags/experiment.js';
import type { MetricSource } from '../metrics/sources/source.js';
import { providerFor } from '../flags/providers/index.js';
import type { FlagProvider } from '../flags/providers/provider.js';

export type FailurePolicy = 'stop' | 'rollback' | 'wait';

export type ControllerOptions = {
  readonly runbook: Runbook;
  readonly runner: Runner;
  readonly journal: Journal;
  readonly sessionId: string;
  readonly sessionDir: string;
  readonly values: PlaceholderValues;
  readonly mode: 'tui' | 'headless';
  readonly clock?: Clock;
  /** Run stage after stage without waiting for the operator (headless). */
  readonly autoAdvance?: boolean;
  /** What a failed stage does: stop the release, roll back, or wait for the operator (TUI). */
  readonly onFailure?: FailurePolicy;
  /** Manual items (pre-flight, stages' manual steps) confirmed up front (by title or id); `yes` confirms all. */
  readonly confirm?: readonly string[];
  readonly yes?: boolean;
  /** Run from this stage; earlier stages are recorded as skipped. */
  readonly fromStage?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Replace how the guard fetches metrics and probes (tests); by default from the runbook. */
  readonly guard?: Partial<Pick<GuardDeps, 'source' | 'probe'>>;
  /** Replace where experiment figures come from (tests); by default the runbook's source. */
  readonly experimentSource?: MetricSource;
  /** Replace the flag provider (tests); by default the runbook's. */
  readonly flagProvider?: FlagProvider;
  /**
   * The journal of a session whose cockpit died: the state is its fold, and start() resumes it
   * (follows the steps still running, carries on) instead of starting anew.
   */
  readonly resume?: readonly SessionEvent[];
  /**
   * A read-only follower (`cockpit watch`): the state is the fold of another cockpit's journal
   * (fed by applyExternal), nothing runs, every intent is refused with `how` (how to act instead).
   */
  readonly follow?: { readonly how: string };
  /** The pid of the cockpit that drove the resumed session (from its lock), for the record. */
  readonly previousPid?: number;
  /** A stale lock taken over for this session (journalled with session.started). */
  readonly lockTakenOver?: LockTakenOver;
  /** Replace how escalation posts webhooks (tests). */
  readonly escalation?: Partial<Pick<EscalationDeps, 'post' | 'retryDelayMs'>>;
  /** The plan this session runs (plan-review.ts planAcceptedEvent): journalled right after session.started. */
  readonly plan?: Extract<EventBody, { type: 'plan.accepted' }>;
  /** Go on past a failed guardrail self-test (headless `--unguarded`): journalled as guard.unguarded. */
  readonly unguarded?: boolean;
};

export type { RollbackHook } from './rollback.js';
export type { Accepted, IntentResult, Refusal } from './intents.js';

/**
 * What masking leaves as it is in an event: identifiers the fold looks steps, stages and sessions
 * up by (runbook names, cockpit-made ids and paths, enums), never a value a secret reaches. A short
 * secret ("100") inside a step id or a log path would otherwise break the session's state.
 */
const UNMASKED_KEYS: ReadonlySet<string> = new Set([
  'type', 'sessionId', 'session', 'file', 'logPath', 'journal', 'runbook', 'environment',
  'stage', 'step', 'id', 'trigger', 'triggers', 'flag', 'variant', 'metric', 'op',
  'mode', 'source', 'outcome', 'by', 'policy', 'via', 'checklist', 'state', 'decision', 'winner', 'sha',
]);

export type OutputListener = (stage: string, step: string, lines: readonly string[]) => void;

export class Controller {
  private s: SessionState;
  private readonly clock: Clock;
  private t0: number;
  private readonly listeners = new Set<(s: SessionState, e: SessionEvent) => void>();
  private readonly outputListeners = new Set<OutputListener>();
  private readonly mask: (t: string) => string;
  private readonly hasSecrets: boolean;
  private readonly secretNames: readonly string[];
  private active: Active | undefined;
  private loop: Promise<void> | undefined;
  private aborting = false;
  private interrupting = false;
  /** The operator abandoned the running rollback (abandonRollback). */
  private abandoning = false;
  /** Handed over to a background guard (leave): nothing more is recorded here. */
  private gone = false;
  /** Flag deploys running now (one at a time per flag). */
  private readonly deploying = new Set<string>();
  private budgetTimer: TimerHandle | undefined;
  private settledResolve!: (o: Outcome) => void;
  /** Samples metrics and probes, evaluates triggers; undefined when the runbook has neither. */
  readonly guard: Guard | undefined;
  private readonly escalation: Escalation;
  /** Flag ramps; undefined when the runbook has no flags. */
  readonly flags: FlagRamps | undefined;
  /** A/B experiments; undefined when the runbook has none. */
  readonly experiments: Experiments | undefined;
  private readonly rollbackHooks: RollbackHook[] = [];
  private readonly steps: StepRunner;
  private readonly rollbackPipeline: RollbackPipeline;
  private readonly selfTest: SelfTestDeps;
  /** Resolves with the outcome when the session first ends. */
  readonly settled: Promise<Outcome>;

  constructor(private readonly o: ControllerOptions) {
    this.clock = o.clock ?? systemClock;
    this.s = initialState(o.runbook);
    this.t0 = this.clock.now();
    if (o.resume?.length) {
      for (const e of o.resume) this.s = reduce(this.s, e);
      // session time carries on from the session's start: the journal's `t` stays one time base
      const started = o.resume[0];
      this.t0 = this.clock.now() - Math.max(this.s.now, this.clock.wall() - started.at);
    }
    const env = o.env ?? process.env;
    this.secretNames = o.runbook.secrets;
    this.mask = maskerFor(this.secretNames.map((n) => env[n] ?? ''));
    this.hasSecrets = this.secretNames.some((n) => (env[n] ?? '').length >= 3);
    this.settled = new Promise((r) => (this.settledResolve = r));
    const record = (e: EventBody) => void this.emit(e);
    const now = () => this.elapsed();
    const source = o.guard?.source ?? sourceFor(o.runbook, env);
    const guard = new Guard({
      runbook: o.runbook,
      clock: this.clock,
      now,
      record,
      state: () => this.s.guard,
      source,
      probe: o.guard?.probe,
      rollback: (reason, incidentAt) => void this.rollback(reason, 'trigger', incidentAt),
      broken: (reason) => this.active?.monitor?.fail?.(reason),
    });
    this.guard = guard.active ? guard : undefined;
    const output = (stage: string, step: string, lines: readonly string[]) => {
      for (const l of this.outputListeners) l(stage, step, lines);
    };
    this.selfTest = { runbook: o.runbook, values: o.values, sessionDir: o.sessionDir, source, probe: o.guard?.probe ?? probeOnce, timeoutMs: guard.timeoutMs, check: (p, cwd) => o.runner.programProblem(p, cwd), now, emit: record, output, mask: this.mask };
    this.flags = o.runbook.flags
      ? new FlagRamps({ readOnly: o.follow?.how, runbook: o.runbook, provider: o.flagProvider ?? providerFor(o.runbook, env), record, state: () => this.s, clock: this.clock, now })
      : undefined;
    this.experiments =
      Object.keys(o.runbook.experiments).length > 0
        ? new Experiments({ runbook: o.runbook, clock: this.clock, record, state: () => this.s, intervalMs: guard.intervalMs, env, source: o.experimentSource })
        : undefined;
    // the first rollback action: every ramped flag back to 0 % (or its rollbackTo)
    if (this.flags) this.rollbackHooks.push(() => this.flags!.rollbackAll());
    this.escalation = new Escalation({
      runbook: o.runbook,
      clock: this.clock,
      now,
      record,
      env,
      version: o.values.version ?? o.runbook.versionTemplate,
      environment: o.runbook.environment,
      post: o.escalation?.post,
      retryDelayMs: o.escalation?.retryDelayMs,
      session: o.sessionId,
      decision: () => this.s.guard.decision,
      runCommand: async (level, reason) => {
        // a journalled step in the pseudo-stage escalation: its output streams and is kept like any step's
        if (!level.run) return { ok: true };
        const ok = await this.steps.runCommand(ESCALATION, level.run, 1, { reason, level: String(level.level) }, false);
        return ok ? { ok } : { ok, error: 'the escalation command failed (see its log)' };
      },
    });
    this.steps = new StepRunner({
      runbook: o.runbook,
      runner: o.runner,
      sessionDir: o.sessionDir,
      values: o.values,
      secretNames: this.secretNames,
      clock: this.clock,
      now,
      state: () => this.s,
      emit: record,
      guard: this.guard,
      flags: this.flags,
      output,
      setActive: (a) => (this.active = a),
      // an abandoned rollback's interrupted step is not retried
      aborting: () => this.aborting || this.abandoning,
      confirmed: (step) => isConfirmed(step, o.confirm, o.yes),
      canWait: o.mode !== 'headless',
    });
    this.rollbackPipeline = new RollbackPipeline({
      runbook: o.runbook,
      mode: o.mode,
      state: () => this.s,
      emit: record,
      elapsed: () => this.elapsed(),
      steps: this.steps,
      guard: this.guard,
      escalation: this.escalation,
      hooks: this.rollbackHooks,
      end: (outcome) => this.end(outcome),
      interrupting: () => this.interrupting,
      abandoned: () => this.abandoning,
    });
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

  /** Adds a hook that runs first in every rollback (before any rollback step). */
  onRollback(hook: RollbackHook): void {
    this.rollbackHooks.push(hook);
  }

  get state(): SessionState {
    return this.s;
  }
  get runbook(): Runbook {
    return this.o.runbook;
  }
  get sessionDir(): string {
    return this.o.sessionDir;
  }
  /** Monotonic milliseconds since the session began: the time base of every event's `t`. */
  elapsed(): number {
    return Math.round(this.clock.now() - this.t0);
  }

  /** True while a step (or monitor, or rollback) is running. */
  get busy(): boolean {
    if (this.o.follow) return false; // nothing of a follower's runs: q just leaves
    return this.active !== undefined || this.s.rollback.status === 'running' || this.loop !== undefined;
  }

  /** The operator abandoned the running rollback (its incident step still runs). */
  get abandoned(): boolean {
    return this.abandoning;
  }

  /**
   * This cockpit hands the session to a background guard: `e` is the last event it records; its
   * timers stop and nothing after it is journalled (the steps run on under their supervisors).
   */
  leave(e: Extract<EventBody, { type: 'guard.handed-over' }>): void {
    this.emit(e);
    this.dispose();
    this.gone = true;
  }

  /** Why this screen cannot act (a follower), else undefined. */
  get readOnly(): string | undefined {
    return this.o.follow?.how;
  }

  /** A follower's feed: events another cockpit journalled, folded and shown as if they were ours. */
  applyExternal(events: readonly SessionEvent[]): void {
    for (const e of events) {
      // session time is the watched session's: from its start
      if (e.type === 'session.started') this.t0 = this.clock.now() - (this.clock.wall() - e.at);
      this.s = reduce(this.s, e);
      if (e.type === 'session.ended') this.settledResolve(e.outcome);
      for (const l of this.listeners) l(this.s, e);
    }
  }

  /** A follower's feed: lines of a step's log, as a step of ours would hand them over. */
  relayOutput(stage: string, step: string, lines: readonly string[]): void {
    for (const l of this.outputListeners) l(stage, step, lines);
  }

  subscribe(fn: (s: SessionState, e: SessionEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  /** Journals and applies an event from beside the engine (the session's records: src/session/records.ts). */
  record(body: EventBody): SessionEvent { return this.emit(body); }
  onOutput(fn: OutputListener): () => void {
    this.outputListeners.add(fn);
    return () => this.outputListeners.delete(fn);
  }

  private emit(body: EventBody): SessionEvent {
    const raw = { ...body, at: this.clock.wall(), t: Math.round(this.clock.now() - this.t0) } as SessionEvent;
    // every string is masked before anything serialises the event (not its JSON text: a secret
    // "100" would eat numbers, one with a quote would not be found escaped); with no secret set,
    // nothing to walk
    const e = this.hasSecrets ? maskStrings(raw, this.mask, UNMASKED_KEYS) : raw;
    if (this.gone) return e; // handed over: the session is another cockpit's now
    const failing = this.o.journal.failure !== undefined;
    this.o.journal.append(e);
    this.s = reduce(this.s, e);
    if (e.type === 'session.ended') this.settledResolve(e.outcome);
    for (const l of this.listeners) l(this.s, e);
    // a journal that just became unwritable is said once, loudly, wherever the session is shown
    const failure = this.o.journal.failure;
    if (failure !== undefined && !failing) this.emit({ type: 'journal.unwritable', error: failure });
    return e;
  }

  // ── intents ───────────────────────────────────────────────────────────────────────────────

  /** Opens the session: confirms what was confirmed up front, runs the automated pre-flight checks. */
  async start(): Promise<void> {
    if (this.o.follow) return;
    if (this.o.resume?.length) return this.resume();
    this.begin();
    const rb = this.o.runbook;
    for (const item of rb.preflight) {
      if (item.kind === 'manual' && isConfirmed(item, this.o.confirm, this.o.yes)) this.emit({ type: 'check.ticked', id: item.id, by: 'confirm' });
    }
    if (this.o.mode === 'headless') {
      // nobody can tick anything later: say so now instead of after the checks have run
      const unticked = this.s.preflight.steps.filter((x) => x.kind === 'manual' && !x.ticked).map((x) => x.title);
      if (unticked.length > 0) {
        this.emit({ type: 'preflight.failed', failed: [], unticked });
        this.end('failed');
        return;
      }
    }
    await this.track(this.runPreflightChecks());
  }

  /** Records the session's start (once). `start()` does this; `cockpit rollback` needs only this. */
  begin(o: { watch?: boolean } = {}): void {
    if (this.s.sessionId) return;
    if (o.watch !== false) {
      // sampling, flag reads and experiments follow the session (one-shot commands do their own)
      queueMicrotask(() => this.guard?.start());
      if (this.flags) {
        void this.flags.readAll();
        this.flags.startAuto();
      }
      this.experiments?.start();
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
    });
    if (this.o.plan) this.emit(this.o.plan);
    if (o.watch !== false) this.guard?.readBaseline();
    this.checkPrograms();
  }

  /**
   * Takes over a session whose cockpit died: sampling, flags and experiments start again (the
   * triggers' windows as the journal left them), the incident's escalation carries on from its
   * start, and what was running is followed to its end; then the release goes on as it would have.
   */
  private async resume(): Promise<void> {
    const s = this.s;
    const running = [
      ...s.preflight.steps.filter((x) => x.status === 'running').map((x) => ({ stage: PREFLIGHT, step: x.id })),
      ...s.stages.flatMap((st) => st.steps.filter((x) => x.status === 'running').map((x) => ({ stage: st.id, step: x.id }))),
      ...s.rollback.steps.filter((x) => x.status === 'running').map((x) => ({ stage: ROLLBACK, step: x.id })),
      ...s.emergency.filter((x) => x.status === 'running').map((x) => ({ stage: EMERGENCY, step: x.id })),
    ];
    this.emit({ type: 'session.resumed', pid: process.pid, previousPid: this.o.previousPid, mode: this.o.mode, running });
    // the sampler keeps the schedule it had: tick n at its first tick + n × interval
    const first = this.o.resume!.find((e) => e.type === 'metric.sampled' || e.type === 'probe.sampled') as Extract<SessionEvent, { type: 'metric.sampled' }> | undefined;
    queueMicrotask(() => this.guard?.start(first ? first.time - first.tick * this.guard.intervalMs : undefined));
    if (this.flags) {
      void this.flags.readAll();
      this.flags.startAuto();
    }
    this.experiments?.start();
    const g = this.s.guard;
    if (this.s.rollback.status !== 'idle' && !g.resolved && !g.dropped)
      this.escalation.start(g.incidentAt ?? this.s.rollback.startedAt ?? 0, this.s.rollback.reason ?? '', new Set(g.escalation.map((x) => x.level)), this.s.rollback.startedAt);
    // an emergency action that was running: followed to its end beside the release
    for (const r of running.filter((x) => x.stage === EMERGENCY)) {
      const step = this.o.runbook.emergency.find((x) => x.id === r.step);
      const st = this.s.emergency.find((x) => x.id === r.step);
      if (step && st) void this.steps.reattach(EMERGENCY, step, st);
    }
    const rbState = this.s.rollback.status;
    if (rbState === 'running') return this.track(this.rollbackPipeline.run());
    if (rbState !== 'idle' || this.s.outcome) return;
    const stage = this.s.stages.find((x) => x.status === 'running');
    if (stage) return this.track(this.runStage(stage.id));
    // a failed stage waiting for the operator: its triggers stay armed for the reason they were
    const failed = this.s.stages.find((x) => x.status === 'failed');
    if (failed && this.s.guard.armed && this.o.runbook.stages.find((x) => x.id === failed.id)?.armed) this.guard?.arm(`stage:${failed.id}`);
    if (this.s.preflight.status !== 'passed') return this.track(this.runPreflightChecks());
    if (this.o.autoAdvance && this.s.stages.some((x) => x.status === 'pending') && !this.s.stages.some((x) => x.status === 'failed')) return this.track(this.runStages());
  }

  private async runPreflightChecks(): Promise<void> {
    for (const item of this.o.runbook.preflight) {
      if (item.kind !== 'auto' || this.aborting) continue;
      const st = this.s.preflight.steps.find((x) => x.id === item.id);
      if (st?.status !== 'pending' && st?.status !== 'running') continue;
      await this.steps.runWithRetries(PREFLIGHT, { ...item, kind: 'command' });
    }
    const test = this.s.preflight.steps.find((x) => x.id === SELF_TEST_ID);
    if (!this.aborting && (test?.status === 'pending' || test?.status === 'running')) {
      const ok = await runSelfTest(this.selfTest, test.attempt + (test.status === 'running' ? 0 : 1));
      if (!ok && this.o.unguarded) this.emit({ type: 'guard.unguarded', by: 'flag', reason: this.s.preflight.steps.find((x) => x.id === SELF_TEST_ID)?.reason ?? 'failed' });
    }
    if (!this.aborting && this.evaluatePreflight() && this.o.autoAdvance) await this.runStages();
  }

  /** Goes on past the failed guardrail self-test (the screen's typed confirmation): journalled, UNGUARDED from now on. */
  proceedUnguarded(): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const why = unguardedRefusal(this.s) ?? (this.busy ? 'a step is running' : undefined);
    if (why) return refuse(why);
    this.emit({ type: 'guard.unguarded', by: 'operator', reason: this.s.preflight.steps.find((x) => x.id === SELF_TEST_ID)?.reason ?? 'failed' });
    if (this.evaluatePreflight() && this.o.autoAdvance) void this.track(this.runStages());
    return OK;
  }

  /** Records the pre-flight's verdict once it has one; true when it passed just now. */
  private evaluatePreflight(): boolean {
    if (this.s.preflight.status === 'passed') return false;
    const r = preflightReady(this.s);
    if (r.ready) {
      this.emit({ type: 'preflight.passed' });
      return true;
    }
    if (r.pending.length === 0 && this.o.mode === 'headless') {
      this.emit({ type: 'preflight.failed', failed: r.failed, unticked: r.unticked });
      this.end('failed');
    }
    return false;
  }

  tick(id: string): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const why = intents.tickRefusal(this.s, id);
    if (why) return refuse(why);
    const st = this.s.preflight.steps.find((x) => x.id === id)!;
    this.emit(st.ticked ? { type: 'check.unticked', id } : { type: 'check.ticked', id, by: 'operator' });
    if (!this.busy && this.evaluatePreflight() && this.o.autoAdvance) void this.track(this.runStages());
    return OK;
  }

  /** Ticks the manual step a stage waits at (space): journalled, then the stage goes on. */
  tickStep(stageId: string, stepId: string): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const why = tickStepRefusal(this.s, stageId, stepId);
    if (why) return refuse(why);
    this.emit({ type: 'check.ticked', stage: stageId, id: stepId, by: 'operator' });
    this.steps.waits.release(stageId, stepId);
    return OK;
  }

  /** Runs the next stage (Enter). Refused until the pre-flight passed, or while something runs. */
  runNextStage(): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const why = intents.nextStageRefusal(this.s, this.busy);
    if (why) return refuse(why);
    void this.track(this.runStages());
    return OK;
  }

  /** Runs the next pending stage (and, with autoAdvance, the ones after it). */
  private async runStages(): Promise<void> {
    if (this.o.fromStage && this.s.stages.every((x) => x.status === 'pending')) {
      const idx = this.s.stages.findIndex((x) => x.id === this.o.fromStage);
      for (const st of this.s.stages.slice(0, Math.max(0, idx))) this.emit({ type: 'stage.skipped', stage: st.id, reason: `started at stage "${this.o.fromStage}" (--stage)` });
    }
    const next = this.s.stages.find((x) => x.status === 'pending');
    if (next) await this.runStage(next.id);
  }

  /** Retries the failed step (stage, pre-flight check or rollback step) and carries on from it. */
  retry(): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const why = intents.retryRefusal(this.s, this.busy);
    if (why) return refuse(why);
    const t = intents.failedTarget(this.s)!;
    if (t.stage === ROLLBACK) {
      void this.track(this.rollbackPipeline.run());
      return OK;
    }
    this.emit({ type: 'step.retrying', stage: t.stage, step: t.step!.id, attempt: t.step!.attempt + 1, automatic: false });
    void this.track(t.stage === PREFLIGHT ? this.runPreflightChecks() : this.runStage(t.stage));
    return OK;
  }

  /** Skips the failed step (or the manual step the stage waits at) with a recorded reason and carries on. */
  skip(reason: string): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const why = intents.skipRefusal(this.s, this.busy, reason);
    if (why) return refuse(why);
    const t = intents.skipTarget(this.s)!;
    const waiting = t.step!.status === 'waiting';
    this.emit({ type: 'step.skipped', stage: t.stage, step: t.step!.id, reason: reason.trim() });
    // a manual step the stage waits at: the stage, still running, goes on from it
    if (waiting) this.steps.waits.release(t.stage, t.step!.id);
    else if (t.stage !== PREFLIGHT) void this.track(this.runStage(t.stage));
    else if (this.evaluatePreflight() && this.o.autoAdvance) void this.track(this.runStages());
    return OK;
  }

  /**
   * The rollback pipeline, once per incident: interrupts the running step, runs the rollback
   * steps, verify, then the incident command with the reason.
   */
  rollback(reason: string, source: RollbackSource, incidentAt?: number): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const why = intents.rollbackRefusal(this.s, this.o.runbook);
    if (why) return refuse(why);
    if (this.s.rollback.status === 'failed') return this.retry();
    this.begin();
    void this.track(
      (async () => {
        this.rollbackPipeline.start(reason, source, incidentAt);
        await this.stopActive();
        await this.rollbackPipeline.run();
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
    if (this.o.follow) return refuse(this.o.follow.how);
    if (!this.o.resume?.length) return this.rollback(reason, source);
    // start() follows what runs at once (the step is the active one before it returns)
    void this.start();
    if (this.s.rollback.status === 'running' || this.s.outcome) return OK;
    return this.rollback(reason, source);
  }

  /** The operator acknowledges the incident (`a`): journalled; escalation runs until verify passes. */
  acknowledge(): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const why = intents.acknowledgeRefusal(this.s);
    if (why) return refuse(why);
    this.emit({ type: 'incident.acknowledged' });
    if (this.s.guard.restoreMs !== undefined) this.escalation.resolve();
    return OK;
  }

  /** Ctrl+C: interrupts the running step's process group and ends the session as interrupted. */
  async interrupt(): Promise<void> {
    if (this.o.follow) return;
    this.interrupting = true;
    const at = this.active;
    await this.stopActive();
    this.emit({ type: 'session.interrupted', stage: at?.stage, step: at?.step });
    this.end('interrupted');
  }

  /**
   * The operator abandons the running rollback (a second Ctrl+C within 2 s, headless): the running
   * rollback step is interrupted and no further one runs, but the incident step still does, with
   * the reason "rollback abandoned by the operator: …"; the session ends interrupted. An incident
   * step already running is let finish (the rollback before it is done).
   */
  abandonRollback(): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    if (this.s.rollback.status !== 'running') return refuse('no rollback is running');
    if (this.abandoning) return OK;
    this.abandoning = true;
    const a = this.active;
    const incident = this.o.runbook.rollback?.incident ? rollbackSteps(this.o.runbook).at(-1)?.id : undefined;
    if (a?.stage === ROLLBACK && a.step !== incident) a.handle?.kill();
    return OK;
  }

  /** Ends the session when nothing runs; refused while a step runs. */
  quit(): IntentResult {
    // a follower leaves; the session it watches goes on
    if (this.o.follow) return OK;
    const why = intents.quitRefusal(this.busy);
    if (why) return refuse(why);
    if (!this.s.outcome) {
      // a failed stage's triggers were armed while the operator decided: leaving ends that
      this.guard?.disarmAll();
      this.end(intents.quitOutcome(this.s));
    }
    // escalation levels still due will not run (the screen asked first): journalled before the summary
    this.escalation.abandon('the operator quit the cockpit');
    return OK;
  }

  /**
   * Interrupts only the running step (the TUI's confirmed Ctrl+C): its process group gets SIGTERM,
   * then SIGKILL; the stage stops as failed and offers retry, skip or roll back.
   */
  async interruptStep(): Promise<void> {
    if (this.o.follow) return;
    const a = this.active;
    if (!a) return;
    a.handle?.kill();
    a.monitor?.finish();
    await a.handle?.done;
    await new Promise<void>((r) => setImmediate(r));
  }

  /** Runs an emergency quick-reference action (health check, incident alert…), beside whatever runs. */
  runEmergency(id: string): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const why = intents.emergencyRefusal(this.s, this.o.runbook, id);
    if (why) return refuse(why);
    const step = this.o.runbook.emergency.find((x) => x.id === id)!;
    this.begin();
    const attempt = (this.s.emergency.find((x) => x.id === id)?.attempt ?? 0) + 1;
    void this.steps.runCommand(EMERGENCY, step, attempt, {}, false);
    return OK;
  }

  /** Stops every timer the session owns (sampling, escalation, budget): the process can exit. */
  dispose(): void {
    this.guard?.stop();
    this.flags?.stopAuto();
    this.experiments?.stop();
    this.escalation.abandon('the cockpit ended');
    this.budgetTimer?.cancel();
  }

  /** Runs an experiment's deploy-variants command (pseudo-stage `experiment`, beside what runs). */
  deployExperiment(id: string): IntentResult {
    if (this.o.follow) return refuse(this.o.follow.how);
    const ex = this.o.runbook.experiments[id];
    if (!ex) return refuse(`no experiment "${id}"`);
    if (ex.deploy === undefined) return refuse(`experiment ${id} has no deploy command`);
    this.begin();
    void this.steps.runCommand(EXPERIMENT, commandStep(ex.deploy, { id: `${id}-deploy`, title: `deploy ${id} variants` }), 1, { experiment: id }, false);
    return OK;
  }

  /**
   * Runs the flags' deploy command for one flag (the code with the flag off, before its ramp), in
   * the pseudo-stage `flag`, beside what runs. Resolves when it has ended: ok, or why not.
   */
  async deployFlag(flag: string): Promise<IntentResult> {
    if (this.o.follow) return refuse(this.o.follow.how);
    const flags = this.o.runbook.flags;
    if (!flags || !(flag in flags.ramps)) return refuse(`no flag "${flag}"`);
    if (flags.deploy === undefined) return refuse('the runbook has no flag deploy command (flags.deploy)');
    const id = `${flag}-deploy`;
    if (this.deploying.has(id)) return refuse(`the deploy of ${flag} is already running`);
    this.begin();
    this.deploying.add(id);
    let reason: string | undefined;
    const off = this.subscribe((_s, e) => {
      if (e.type === 'step.finished' && e.stage === FLAG && e.step === id) reason = e.reason;
    });
    try {
      const ok = await this.steps.runCommand(FLAG, commandStep(flags.deploy, { id, title: `deploy ${flag} (flag off)` }), 1, { flag }, false);
      return ok ? OK : refuse(`the deploy of ${flag} failed: ${reason ?? 'failed'} (log: ${join(this.o.sessionDir, `${FLAG}.${id}.log`)})`);
    } finally {
      off();
      this.deploying.delete(id);
    }
  }

  /**
   * Concludes an experiment: the conclude command runs with {winner} and {decision}, the decision
   * and its figures go to the journal and the brief's "Experiment Log".
   */
  async concludeExperiment(id: string, winner: string, decision: Decision): Promise<IntentResult> {
    if (this.o.follow) return refuse(this.o.follow.how);
    const ex = this.o.runbook.experiments[id];
    if (!ex) return refuse(`no experiment "${id}"`);
    if (winner !== 'none' && !ex.variants.includes(winner)) return refuse(`"${winner}" is not a variant of ${id} (${ex.variants.join(', ')})`);
    this.begin();
    const figures = (await this.experiments?.figures(id)) ?? this.s.experiments[id]?.figures;
    if (ex.conclude !== undefined) {
      const ok = await this.steps.runCommand(EXPERIMENT, commandStep(ex.conclude, { id: `${id}-conclude`, title: `conclude ${id}` }), 1, { experiment: id, winner, decision }, false);
      if (!ok) return refuse(`the conclude command failed: nothing recorded (see its log)`);
    }
    const brief = this.experiments?.record(id, winner, decision, figures);
    return brief?.startsWith('could not') ? refuse(brief) : OK;
  }

  /** Waits for whatever is running to finish (tests, headless). */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  /** Resolves when every escalation message in flight has its outcome journalled. */
  drainEscalation(): Promise<void> {
    return this.escalation.drain();
  }

  // ── effects ───────────────────────────────────────────────────────────────────────────────

  private track(p: Promise<void>): Promise<void> {
    const run = p.finally(() => {
      if (this.loop === run) this.loop = undefined;
    });
    this.loop = run;
    return run;
  }

  private end(outcome: Outcome): void {
    if (this.interrupting && outcome !== 'interrupted') return;
    this.budgetTimer?.cancel();
    // headless sessions end here; a screen keeps watching (and escalating) until the operator quits
    if (this.o.mode === 'headless' || outcome === 'interrupted' || outcome === 'aborted') this.dispose();
    this.emit({ type: 'session.ended', outcome });
  }

  private async stopActive(): Promise<void> {
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

  private async runStage(stageId: string): Promise<void> {
    const def = this.o.runbook.stages.find((x) => x.id === stageId)!;
    if (this.s.stages.find((x) => x.id === stageId)?.status === 'pending') {
      // the history baseline (read when the session started) comes before the first stage
      const reading = this.guard?.baselineRead();
      if (reading) {
        await reading;
        if (this.s.stages.find((x) => x.id === stageId)?.status !== 'pending' || this.aborting || this.s.rollback.status !== 'idle') return;
      }
      this.guard?.takeBaseline(stageId);
      this.emit({ type: 'stage.started', stage: stageId });
      this.budgetTimer?.cancel();
      if (def.budgetMs !== undefined) {
        const started = this.clock.now();
        const budgetMs = def.budgetMs;
        this.budgetTimer = this.clock.after(budgetMs, () => {
          if (this.s.stages.find((x) => x.id === stageId)?.status === 'running')
            this.emit({ type: 'stage.over-budget', stage: stageId, elapsedMs: Math.round(this.clock.now() - started), budgetMs });
        });
      }
    }
    if (def.armed) this.guard?.arm(`stage:${stageId}`);
    // a failed stage waiting for the operator keeps the triggers it armed: a trigger that fires
    // while the operator decides rolls back (retry, skip, R or q end the wait)
    let waiting = false;
    try {
      for (const step of def.steps) {
        const st = this.s.stages.find((x) => x.id === stageId)!.steps.find((x) => x.id === step.id)!;
        // running: a resumed session's step, followed where it is
        if (st.status !== 'pending' && st.status !== 'running' && st.status !== 'waiting') continue;
        const ok = await this.steps.runWithRetries(stageId, step);
        if (this.aborting || this.s.rollback.status !== 'idle') return;
        if (!ok) {
          const failed = this.s.stages.find((x) => x.id === stageId)!.steps.find((x) => x.id === step.id)!;
          this.emit({ type: 'stage.failed', stage: stageId, step: step.id, reason: failed.reason ?? 'failed' });
          waiting = await this.afterStageFailed(`stage "${def.title}" failed at ${step.title}: ${failed.reason ?? 'failed'}`);
          return;
        }
      }
      const unmet = this.guard?.brokenNow() ?? this.checkCriteria(stageId);
      if (unmet) {
        this.emit({ type: 'stage.failed', stage: stageId, step: '', reason: unmet });
        waiting = await this.afterStageFailed(`stage "${def.title}" failed its criteria: ${unmet}`);
        return;
      }
    } finally {
      if (!waiting) this.guard?.disarm(`stage:${stageId}`);
    }
    const st = this.s.stages.find((x) => x.id === stageId)!;
    this.budgetTimer?.cancel();
    this.emit({ type: 'stage.passed', stage: stageId, durationMs: Math.round(this.s.now - (st.startedAt ?? this.s.now)) });
    const next = this.s.stages.find((x) => x.status === 'pending');
    if (!next) this.end('released');
    else if (this.o.autoAdvance) await this.runStage(next.id);
  }

  /** Checks a stage's criteria against the latest samples; returns what is unmet, in words. */
  private checkCriteria(stageId: string): string | undefined {
    const def = this.o.runbook.stages.find((x) => x.id === stageId)!;
    if (def.criteria.length === 0) return undefined;
    const results = judgeCriteria(def.criteria, this.s);
    this.emit({ type: 'criteria.checked', stage: stageId, results });
    return describeUnmet(this.o.runbook, results);
  }

  /** What a failed stage does, by the failure policy; true when it waits for the operator. */
  private async afterStageFailed(reason: string): Promise<boolean> {
    const policy = this.o.onFailure ?? (this.o.mode === 'headless' ? 'stop' : 'wait');
    if (policy === 'stop') this.end('failed');
    else if (policy === 'rollback') {
      if (this.o.runbook.rollback) {
        this.rollbackPipeline.start(reason, 'on-failure');
        await this.rollbackPipeline.run();
      } else this.end('failed');
    }
    return policy === 'wait';
  }

}

