/**
 * The release engine: turns intents (start, tick, run stage, retry, skip, roll back, interrupt,
 * quit) and an injected clock into effects (steps run by a Runner) and events. Every event is
 * masked, appended to the journal, then applied with reduce(). The TUI, the headless runner and
 * the tests all drive this one class.
 */
import { join } from 'node:path';
import { maskerFor, parseLogLine } from '../exec/log-format.js';
import type { Runner, StepHandle, StepResult } from '../exec/runner.js';
import { programOf, quoteForDisplay } from '../runbook/command.js';
import { checkProgram } from '../exec/program.js';
import { resolveInvocation, type PlaceholderValues } from '../runbook/placeholders.js';
import type { CommandStep, FlagStep, Runbook, Step } from '../runbook/types.js';
import { commandStep } from '../runbook/normalize.js';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { EMERGENCY, ESCALATION, EXPERIMENT, FLAG, PREFLIGHT, ROLLBACK, stageValue, type EventBody, type Outcome, type RollbackSource, type SessionEvent } from '../core/events.js';
import type { Journal } from './journal.js';
import { initialState, preflightReady, reduce, rollbackSteps, type SessionState, type StepState } from './reduce.js';
import { findTroubleshooting } from './troubleshoot.js';
import { Guard, type GuardDeps } from '../guard/guard.js';
import { Escalation, type EscalationDeps } from '../guard/escalation.js';
import { sourceFor } from '../metrics/sources/index.js';
import type { CriterionResult } from '../core/events.js';
import { formatNumber } from '../guard/describe.js';
import { FlagRamps } from '../flags/manager.js';
import { Experiments } from '../flags/experiments.js';
import type { Decision } from '../flags/experiment.js';
import type { MetricSource } from '../metrics/sources/source.js';
import { providerFor } from '../flags/providers/index.js';
import type { FlagProvider } from '../flags/providers/provider.js';
import { timeToRestore } from '../history/restore-time.js';

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
  /** Manual pre-flight items confirmed up front (by title or id); `yes` confirms all. */
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
  /** Replace how escalation posts webhooks (tests). */
  readonly escalation?: Partial<Pick<EscalationDeps, 'post' | 'retryDelayMs'>>;
};

/** Runs first when a rollback starts (the flags layer sets ramped flags to 0 % here). */
export type RollbackHook = (reason: string) => Promise<void>;

export type Refusal = { readonly ok: false; readonly reason: string };
export type Accepted = { readonly ok: true };
export type IntentResult = Accepted | Refusal;

const OK: Accepted = { ok: true };
const refuse = (reason: string): Refusal => ({ ok: false, reason });

type Active = { stage: string; step: string; handle?: StepHandle; monitor?: { finish: () => void } };

export type OutputListener = (stage: string, step: string, lines: readonly string[]) => void;

function lastLineOf(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = parseLogLine(lines[i]).text.trim();
    if (text && !text.startsWith('cockpit: ')) return text.length > 200 ? `${text.slice(0, 199)}…` : text;
  }
  return undefined;
}

export class Controller {
  private s: SessionState;
  private readonly clock: Clock;
  private readonly t0: number;
  private readonly listeners = new Set<(s: SessionState, e: SessionEvent) => void>();
  private readonly outputListeners = new Set<OutputListener>();
  private readonly mask: (t: string) => string;
  private readonly hasSecrets: boolean;
  private readonly secretNames: readonly string[];
  private active: Active | undefined;
  private loop: Promise<void> | undefined;
  private aborting = false;
  private interrupting = false;
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
  /** Resolves with the outcome when the session first ends. */
  readonly settled: Promise<Outcome>;

  constructor(private readonly o: ControllerOptions) {
    this.clock = o.clock ?? systemClock;
    this.t0 = this.clock.now();
    this.s = initialState(o.runbook);
    const env = o.env ?? process.env;
    this.secretNames = o.runbook.secrets;
    this.mask = maskerFor(this.secretNames.map((n) => env[n] ?? ''));
    this.hasSecrets = this.secretNames.some((n) => (env[n] ?? '').length >= 3);
    this.settled = new Promise((r) => (this.settledResolve = r));
    const record = (e: EventBody) => void this.emit(e);
    const now = () => this.elapsed();
    const guard = new Guard({
      runbook: o.runbook,
      clock: this.clock,
      now,
      record,
      source: o.guard?.source ?? sourceFor(o.runbook, env),
      probe: o.guard?.probe,
      rollback: (reason, incidentAt) => void this.rollback(reason, 'trigger', incidentAt),
    });
    this.guard = guard.active ? guard : undefined;
    this.flags = o.runbook.flags
      ? new FlagRamps({ runbook: o.runbook, provider: o.flagProvider ?? providerFor(o.runbook, env), record, state: () => this.s, clock: this.clock, now })
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
      runCommand: async (level, reason) => {
        if (!level.run) return { ok: true };
        const ok = await this.runCommand(ESCALATION, level.run, 1, { reason, level: String(level.level) }, false);
        return ok ? { ok } : { ok, error: 'the escalation command failed (see its log)' };
      },
    });
  }

  /** Marks every step whose program is missing or not executable: a state to see, not a crash. */
  private checkPrograms(): void {
    const rb = this.o.runbook;
    const all: { stage: string; step: CommandStep }[] = [
      ...rb.preflight.flatMap((p) => (p.kind === 'auto' ? [{ stage: PREFLIGHT, step: { ...p, kind: 'command' as const } }] : [])),
      ...rb.stages.flatMap((st) => st.steps.flatMap((x) => (x.kind === 'command' ? [{ stage: st.id, step: x }] : []))),
      ...rollbackSteps(rb).map((step) => ({ stage: ROLLBACK, step })),
      ...rb.emergency.map((x) => ({ stage: EMERGENCY, step: x })),
    ];
    const missing = all.flatMap(({ stage, step }) => {
      const inv = resolveInvocation(step.command, this.o.values);
      const program = step.command.kind === 'argv' ? inv.file : programOf(step.command);
      const reason = program ? checkProgram(program, step.cwd ? join(rb.dir, step.cwd) : rb.dir) : undefined;
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
    return this.active !== undefined || this.s.rollback.status === 'running' || this.loop !== undefined;
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
    // with no secret set, nothing to mask: no serialising round trip on every event
    let e = raw;
    if (this.hasSecrets) {
      const text = JSON.stringify(raw);
      const masked = this.mask(text);
      if (masked !== text) e = JSON.parse(masked) as SessionEvent;
    }
    this.o.journal.append(e);
    this.s = reduce(this.s, e);
    if (e.type === 'session.ended') this.settledResolve(e.outcome);
    for (const l of this.listeners) l(this.s, e);
    return e;
  }

  // ── intents ───────────────────────────────────────────────────────────────────────────────

  /** Opens the session: confirms what was confirmed up front, runs the automated pre-flight checks. */
  async start(): Promise<void> {
    this.begin();
    const rb = this.o.runbook;
    const confirmed = new Set((this.o.confirm ?? []).map((c) => c.toLowerCase()));
    for (const item of rb.preflight) {
      if (item.kind === 'manual' && (this.o.yes || confirmed.has(item.title.toLowerCase()) || confirmed.has(item.id.toLowerCase())))
        this.emit({ type: 'check.ticked', id: item.id, by: 'confirm' });
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
    });
    this.checkPrograms();
  }

  private async runPreflightChecks(): Promise<void> {
    for (const item of this.o.runbook.preflight) {
      if (item.kind !== 'auto' || this.aborting) continue;
      const st = this.s.preflight.steps.find((x) => x.id === item.id);
      if (st?.status !== 'pending') continue;
      await this.runWithRetries(PREFLIGHT, { ...item, kind: 'command' });
    }
    if (!this.aborting && this.evaluatePreflight() && this.o.autoAdvance) await this.runStages();
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
    const st = this.s.preflight.steps.find((x) => x.id === id);
    if (!st) return refuse(`no pre-flight item "${id}"`);
    if (st.kind !== 'manual') return refuse(`"${st.title}" is an automated check: it passes by running`);
    if (this.s.preflight.status === 'passed') return refuse('the pre-flight has passed');
    this.emit(st.ticked ? { type: 'check.unticked', id } : { type: 'check.ticked', id, by: 'operator' });
    if (!this.busy && this.evaluatePreflight() && this.o.autoAdvance) void this.track(this.runStages());
    return OK;
  }

  /** Runs the next stage (Enter). Refused until the pre-flight passed, or while something runs. */
  runNextStage(): IntentResult {
    if (this.s.outcome && this.s.phase !== 'passed') return refuse('the session has ended');
    if (this.s.preflight.status !== 'passed') {
      const r = preflightReady(this.s);
      const parts = [
        r.failed.length ? `failed: ${r.failed.join(', ')}` : '',
        r.pending.length ? `still running: ${r.pending.join(', ')}` : '',
        r.unticked.length ? `not ticked: ${r.unticked.join(', ')}` : '',
      ].filter(Boolean);
      return refuse(`pre-flight not complete (${parts.join('; ')})`);
    }
    if (this.busy) return refuse('a step is running');
    if (this.s.rollback.status !== 'idle') return refuse('the release was rolled back');
    const failed = this.s.stages.find((x) => x.status === 'failed');
    if (failed) return refuse(`stage "${failed.title}" failed: retry (r), skip (s) or roll back (R)`);
    if (!this.s.stages.some((x) => x.status === 'pending')) return refuse('every stage has run');
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
    if (this.busy) return refuse('a step is running');
    if (this.s.rollback.status === 'failed') {
      void this.track(this.runRollback());
      return OK;
    }
    const stage = this.s.stages.find((x) => x.status === 'failed');
    const failedIn = (steps: readonly StepState[]) => steps.find((x) => x.status === 'failed' || x.status === 'interrupted');
    if (stage && this.s.rollback.status === 'idle') {
      const st = failedIn(stage.steps);
      if (!st) return refuse('nothing to retry');
      this.emit({ type: 'step.retrying', stage: stage.id, step: st.id, attempt: st.attempt + 1, automatic: false });
      void this.track(this.runStage(stage.id));
      return OK;
    }
    const check = failedIn(this.s.preflight.steps);
    if (check && this.s.preflight.status !== 'passed') {
      this.emit({ type: 'step.retrying', stage: PREFLIGHT, step: check.id, attempt: check.attempt + 1, automatic: false });
      void this.track(this.runPreflightChecks());
      return OK;
    }
    return refuse('nothing to retry');
  }

  /** Skips the failed step with a recorded reason and carries on. */
  skip(reason: string): IntentResult {
    if (!reason.trim()) return refuse('a skip needs a reason');
    if (this.busy) return refuse('a step is running');
    const stage = this.s.stages.find((x) => x.status === 'failed');
    if (stage && this.s.rollback.status === 'idle') {
      const st = stage.steps.find((x) => x.status === 'failed' || x.status === 'interrupted');
      if (!st) return refuse('nothing to skip');
      this.emit({ type: 'step.skipped', stage: stage.id, step: st.id, reason: reason.trim() });
      void this.track(this.runStage(stage.id));
      return OK;
    }
    const check = this.s.preflight.steps.find((x) => x.status === 'failed');
    if (check && this.s.preflight.status !== 'passed') {
      this.emit({ type: 'step.skipped', stage: PREFLIGHT, step: check.id, reason: reason.trim() });
      if (this.evaluatePreflight() && this.o.autoAdvance) void this.track(this.runStages());
      return OK;
    }
    return refuse('nothing to skip');
  }

  /**
   * The rollback pipeline, once per incident: interrupts the running step, runs the rollback
   * steps, verify, then the incident command with the reason.
   */
  rollback(reason: string, source: RollbackSource, incidentAt?: number): IntentResult {
    const rb = this.o.runbook.rollback;
    if (!rb) return refuse('this runbook has no rollback');
    if (this.s.rollback.status === 'running') return refuse('a rollback is already running');
    if (this.s.rollback.status === 'passed') return refuse('already rolled back (one rollback per incident)');
    if (this.s.rollback.status === 'failed') return this.retry();
    this.begin();
    void this.track(
      (async () => {
        this.startRollback(reason, source, incidentAt);
        await this.stopActive();
        await this.runRollback();
      })(),
    );
    return OK;
  }

  /** The operator acknowledges the incident (`a`): once verify has passed, escalation stops. */
  acknowledge(): IntentResult {
    if (this.s.rollback.status === 'idle') return refuse('there is no incident to acknowledge');
    if (this.s.guard.acknowledged) return refuse('already acknowledged');
    this.emit({ type: 'incident.acknowledged' });
    if (this.s.guard.restoreMs !== undefined) this.escalation.resolve();
    return OK;
  }

  private startRollback(reason: string, source: RollbackSource, incidentAt?: number): void {
    const at = incidentAt ?? this.elapsed();
    this.guard?.disarmAll();
    this.emit({ type: 'rollback.started', reason, source, incidentAt: at });
    this.escalation.start(at, reason);
  }

  /** Ctrl+C: interrupts the running step's process group and ends the session as interrupted. */
  async interrupt(): Promise<void> {
    this.interrupting = true;
    const at = this.active;
    await this.stopActive();
    this.emit({ type: 'session.interrupted', stage: at?.stage, step: at?.step });
    this.end('interrupted');
  }

  /** Ends the session when nothing runs; refused while a step runs. */
  quit(): IntentResult {
    if (this.busy) return refuse('a step is running: interrupt it first (Ctrl+C) or wait');
    if (!this.s.outcome) {
      const p = this.s.phase;
      this.end(p === 'rolled-back' ? 'rolled-back' : p === 'rollback-failed' ? 'rollback-failed' : p === 'failed' ? 'failed' : 'aborted');
    }
    return OK;
  }

  /**
   * Interrupts only the running step (the TUI's confirmed Ctrl+C): its process group gets SIGTERM,
   * then SIGKILL; the stage stops as failed and offers retry, skip or roll back.
   */
  async interruptStep(): Promise<void> {
    const a = this.active;
    if (!a) return;
    a.handle?.kill();
    a.monitor?.finish();
    await a.handle?.done;
    await new Promise<void>((r) => setImmediate(r));
  }

  /** Runs an emergency quick-reference action (health check, incident alert…), beside whatever runs. */
  runEmergency(id: string): IntentResult {
    const step = this.o.runbook.emergency.find((x) => x.id === id);
    if (!step) return refuse(`no emergency action "${id}"`);
    if (this.s.emergency.find((x) => x.id === id)?.status === 'running') return refuse(`${step.title} is already running`);
    this.begin();
    const attempt = (this.s.emergency.find((x) => x.id === id)?.attempt ?? 0) + 1;
    void this.runCommand(EMERGENCY, step, attempt, {}, false);
    return OK;
  }

  /** Stops every timer the session owns (sampling, escalation, budget): the process can exit. */
  dispose(): void {
    this.guard?.stop();
    this.flags?.stopAuto();
    this.experiments?.stop();
    this.escalation.stop();
    this.budgetTimer?.cancel();
  }

  /** Runs an experiment's deploy-variants command (pseudo-stage `experiment`, beside what runs). */
  deployExperiment(id: string): IntentResult {
    const ex = this.o.runbook.experiments[id];
    if (!ex) return refuse(`no experiment "${id}"`);
    if (ex.deploy === undefined) return refuse(`experiment ${id} has no deploy command`);
    this.begin();
    void this.runCommand(EXPERIMENT, commandStep(ex.deploy, { id: `${id}-deploy`, title: `deploy ${id} variants` }), 1, { experiment: id }, false);
    return OK;
  }

  /**
   * Runs the flags' deploy command for one flag (the code with the flag off, before its ramp), in
   * the pseudo-stage `flag`, beside what runs. Resolves when it has ended: ok, or why not.
   */
  async deployFlag(flag: string): Promise<IntentResult> {
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
      const ok = await this.runCommand(FLAG, commandStep(flags.deploy, { id, title: `deploy ${flag} (flag off)` }), 1, { flag }, false);
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
    const ex = this.o.runbook.experiments[id];
    if (!ex) return refuse(`no experiment "${id}"`);
    if (winner !== 'none' && !ex.variants.includes(winner)) return refuse(`"${winner}" is not a variant of ${id} (${ex.variants.join(', ')})`);
    this.begin();
    const figures = (await this.experiments?.figures(id)) ?? this.s.experiments[id]?.figures;
    if (ex.conclude !== undefined) {
      const ok = await this.runCommand(EXPERIMENT, commandStep(ex.conclude, { id: `${id}-conclude`, title: `conclude ${id}` }), 1, { experiment: id, winner, decision }, false);
      if (!ok) return refuse(`the conclude command failed: nothing recorded (see its log)`);
    }
    const brief = this.experiments?.record(id, winner, decision, figures);
    return brief?.startsWith('could not') ? refuse(brief) : OK;
  }

  /** Waits for whatever is running to finish (tests, headless). */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
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
    try {
      for (const step of def.steps) {
        const st = this.s.stages.find((x) => x.id === stageId)!.steps.find((x) => x.id === step.id)!;
        if (st.status !== 'pending') continue;
        const ok = await this.runWithRetries(stageId, step);
        if (this.aborting || this.s.rollback.status !== 'idle') return;
        if (!ok) {
          const failed = this.s.stages.find((x) => x.id === stageId)!.steps.find((x) => x.id === step.id)!;
          this.emit({ type: 'stage.failed', stage: stageId, step: step.id, reason: failed.reason ?? 'failed' });
          await this.afterStageFailed(`stage "${def.title}" failed at ${step.title}: ${failed.reason ?? 'failed'}`);
          return;
        }
      }
      const unmet = this.checkCriteria(stageId);
      if (unmet) {
        this.emit({ type: 'stage.failed', stage: stageId, step: '', reason: unmet });
        await this.afterStageFailed(`stage "${def.title}" failed its criteria: ${unmet}`);
        return;
      }
    } finally {
      this.guard?.disarm(`stage:${stageId}`);
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
    const units = this.o.runbook.metrics?.series ?? {};
    const results: CriterionResult[] = def.criteria.map((c) => {
      const latest = this.guard?.latestValue(c.metric);
      const value = latest?.value ?? null;
      const op = c.below !== undefined ? 'below' : 'above';
      const threshold = (c.below ?? c.above)!;
      return { metric: c.metric, op, threshold, value, ok: value !== null && (op === 'below' ? value < threshold : value > threshold) };
    });
    this.emit({ type: 'criteria.checked', stage: stageId, results });
    const unmet = results.filter((r) => !r.ok);
    if (unmet.length === 0) return undefined;
    return unmet
      .map((r) => {
        const unit = units[r.metric]?.unit ? ` ${units[r.metric]!.unit}` : '';
        const need = `needs ${r.op === 'below' ? '<' : '>'} ${r.threshold}${unit}`;
        return r.value === null ? `${r.metric}: no data (${need})` : `${r.metric} ${formatNumber(r.value)}${unit} (${need})`;
      })
      .join('; ');
  }

  private async afterStageFailed(reason: string): Promise<void> {
    const policy = this.o.onFailure ?? (this.o.mode === 'headless' ? 'stop' : 'wait');
    if (policy === 'stop') this.end('failed');
    else if (policy === 'rollback') {
      if (this.o.runbook.rollback) {
        this.startRollback(reason, 'on-failure');
        await this.runRollback();
      } else this.end('failed');
    }
  }

  private async runWithRetries(stageId: string, step: Step): Promise<boolean> {
    for (;;) {
      const st = this.findStep(stageId, step.id);
      const attempt = (st?.attempt ?? 0) + 1;
      const ok =
        step.kind === 'monitor'
          ? await this.runMonitor(stageId, step.id, step.durationMs)
          : step.kind === 'flag'
            ? await this.runFlagStep(stageId, step, attempt)
            : await this.runCommand(stageId, step, attempt);
      if (ok || this.aborting) return ok;
      const after = this.findStep(stageId, step.id)!;
      if (after.status === 'interrupted' || step.kind !== 'command' || attempt > step.retries) return false;
      this.emit({ type: 'step.retrying', stage: stageId, step: step.id, attempt: attempt + 1, automatic: true });
    }
  }

  private findStep(stageId: string, stepId: string): StepState | undefined {
    const list = stageId === PREFLIGHT ? this.s.preflight.steps : stageId === ROLLBACK ? this.s.rollback.steps : this.s.stages.find((x) => x.id === stageId)?.steps;
    return list?.find((x) => x.id === stepId);
  }

  /**
   * A monitor step: waits its window with the triggers armed; passes when the window ends with
   * nothing fired. While a trigger holds for lack of data, the countdown pauses.
   */
  private runMonitor(stageId: string, stepId: string, durationMs: number): Promise<boolean> {
    this.emit({ type: 'step.started', stage: stageId, step: stepId, attempt: 1, command: `monitor ${Math.round(durationMs / 1000)}s` });
    const started = this.clock.now();
    const why = `monitor:${stageId}/${stepId}`;
    this.guard?.arm(why);
    return new Promise((resolve) => {
      let done = false;
      let remaining = durationMs;
      let segment = this.clock.now();
      let timer: TimerHandle | undefined;
      const run = () => {
        segment = this.clock.now();
        timer = this.clock.after(remaining, () => finish(true));
      };
      const offHold = this.guard?.onHold((holding) => {
        if (holding && timer) {
          timer.cancel();
          timer = undefined;
          remaining = Math.max(0, remaining - (this.clock.now() - segment));
        } else if (!holding && !timer && !done) run();
      });
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        timer?.cancel();
        offHold?.();
        this.guard?.disarm(why);
        this.active = undefined;
        const durationMs = Math.round(this.clock.now() - started);
        this.emit({ type: 'step.finished', stage: stageId, step: stepId, ok, exitCode: null, signal: null, timedOut: false, interrupted: !ok, durationMs, reason: ok ? undefined : 'interrupted' });
        resolve(ok);
      };
      if (!this.guard?.holding) run();
      this.active = { stage: stageId, step: stepId, monitor: { finish: () => finish(false) } };
    });
  }

  /** A flag step: the same guarded path as the + key; a refusal fails the step with its reason. */
  private async runFlagStep(stageId: string, step: FlagStep, attempt: number): Promise<boolean> {
    const command = `flag ${step.flag} → ${step.to === 'next' ? 'next step' : `${step.to} %`}`;
    this.emit({ type: 'step.started', stage: stageId, step: step.id, attempt, command });
    const started = this.clock.now();
    let reason: string | undefined;
    if (!this.flags) reason = 'the runbook has no flags section';
    else {
      const target = step.to === 'next' ? this.flags.target(step.flag, 'up') : step.to;
      if (typeof target === 'string') reason = target;
      else {
        const r = await this.flags.apply(step.flag, target, { by: 'runbook' });
        if (!r.ok) reason = r.reason;
      }
    }
    this.emit({ type: 'step.finished', stage: stageId, step: step.id, ok: reason === undefined, exitCode: null, signal: null, timedOut: false, interrupted: false, durationMs: Math.round(this.clock.now() - started), reason });
    return reason === undefined;
  }

  private async runCommand(stageId: string, step: CommandStep, attempt: number, extra: PlaceholderValues = {}, asActive = true): Promise<boolean> {
    const reason = stageId === ROLLBACK && this.s.rollback.reason ? { reason: this.s.rollback.reason } : {};
    const values: PlaceholderValues = { ...this.o.values, stage: stageValue(stageId, this.s.environment), ...reason, ...extra };
    const invocation = resolveInvocation(step.command, values);
    const logPath = join(this.o.sessionDir, `${stageId}.${step.id}.log`);
    const argv = [invocation.file, ...invocation.args];
    const command = step.command.kind === 'argv' ? argv.map(quoteForDisplay).join(' ') : step.display;
    this.emit({ type: 'step.started', stage: stageId, step: step.id, attempt, command, argv, logPath });
    let recent: string[] = [];
    const handle = this.o.runner.start({
      key: `${stageId}.${step.id}`,
      invocation,
      cwd: step.cwd ? join(this.o.runbook.dir, step.cwd) : this.o.runbook.dir,
      env: { ...step.env, COCKPIT_SESSION_DIR: this.o.sessionDir, COCKPIT_STEP: step.id, COCKPIT_ATTEMPT: String(attempt) },
      timeoutMs: step.timeoutMs,
      graceMs: this.o.runbook.rollback?.graceMs ?? 5000,
      logPath,
      secretNames: this.secretNames,
    });
    if (asActive) this.active = { stage: stageId, step: step.id, handle };
    const off = handle.onLines((lines) => {
      recent = [...recent, ...lines].slice(-20);
      this.emit({ type: 'step.output', stage: stageId, step: step.id, lines: lines.length });
      for (const l of this.outputListeners) l(stageId, step.id, lines);
    });
    let result: StepResult;
    try {
      result = await handle.done;
    } finally {
      off();
      if (asActive) this.active = undefined;
    }
    const troubleshooting = result.ok ? undefined : findTroubleshooting(this.o.runbook.troubleshooting, step, result, recent);
    this.emit({
      type: 'step.finished',
      stage: stageId,
      step: step.id,
      ok: result.ok,
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      interrupted: result.interrupted,
      durationMs: Math.round(result.durationMs),
      reason: result.reason,
      notStarted: result.notStarted,
      lastLine: result.ok ? undefined : lastLineOf(recent),
      troubleshooting,
    });
    return result.ok;
  }

  /** Verify passed: the service is restored. Time to restore runs from the incident's start. */
  private restored(): void {
    const since = this.s.guard.incidentAt ?? this.s.rollback.startedAt ?? this.s.now;
    this.emit({ type: 'rollback.verified', restoreMs: timeToRestore(since, this.elapsed()) });
    // headless has nobody to acknowledge: verify passing resolves the incident
    if (this.o.mode === 'headless' || this.s.guard.acknowledged) this.escalation.resolve();
  }

  private async runRollback(): Promise<void> {
    const plan = rollbackSteps(this.o.runbook);
    const rb = this.o.runbook.rollback!;
    if (this.s.rollback.steps.every((x) => x.status === 'pending')) {
      for (const hook of this.rollbackHooks) await hook(this.s.rollback.reason ?? '').catch(() => undefined);
    }
    const verifyEnds = rb.steps.length + rb.verify.length;
    const started = this.s.rollback.startedAt ?? this.s.now;
    for (let i = 0; i < plan.length; i++) {
      const st = this.s.rollback.steps[i];
      if (st.status === 'passed') continue;
      if (st.status === 'failed') this.emit({ type: 'step.retrying', stage: ROLLBACK, step: st.id, attempt: st.attempt + 1, automatic: false });
      const ok = await this.runWithRetries(ROLLBACK, plan[i]);
      if (!ok) {
        const failed = this.s.rollback.steps[i];
        // a failed rollback is when an incident matters most: open it anyway, saying so
        const incident = plan.length - 1;
        if (rb.incident && i < incident && this.s.rollback.steps[incident].status === 'pending' && !this.interrupting) {
          const why = `ROLLBACK FAILED at ${failed.title} (${failed.reason ?? 'failed'}); ${this.s.rollback.reason ?? ''}`;
          await this.runCommand(ROLLBACK, plan[incident], 1, { reason: why });
        }
        this.emit({ type: 'rollback.finished', ok: false, step: failed.id, reason: failed.reason, durationMs: Math.round(this.s.now - started) });
        if (this.o.mode === 'headless') this.end('rollback-failed');
        return;
      }
      if (i === verifyEnds - 1 && this.s.guard.restoreMs === undefined) this.restored();
    }
    this.emit({ type: 'rollback.finished', ok: true, durationMs: Math.round(this.s.now - started) });
    this.end('rolled-back');
  }
}

