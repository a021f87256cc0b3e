/**
 * Wiring: the parts a live session is made of (guard, flag ramps, experiments, escalation, the
 * step runner, the rollback pipeline, the self-test), each given what it reads and writes through
 * the engine (engine.ts). Built once, when the session opens.
 */
import { Guard } from '../guard/guard.js';
import { Escalation } from '../guard/escalation.js';
import { probeOnce } from '../guard/probe.js';
import { sourceFor } from '../metrics/sources/index.js';
import type { MetricSource } from '../metrics/sources/source.js';
import { FlagRamps } from '../flags/manager.js';
import { Experiments } from '../flags/experiments.js';
import { providerFor } from '../flags/providers/index.js';
import type { Clock } from '../core/clock.js';
import { ESCALATION, type EventBody, type Outcome, type SessionEvent } from '../core/events.js';
import type { EventLog } from './event-log.js';
import type { ControllerOptions } from './options.js';
import type { SessionState } from './reduce.js';
import { isConfirmed } from './manual.js';
import { RollbackPipeline, type RollbackHook } from './rollback.js';
import type { SelfTestDeps } from './self-test.js';
import { StepRunner, type Active } from './steps.js';

export type Parts = {
  /** Samples metrics and probes, evaluates triggers; undefined when the runbook has neither. */
  readonly guard: Guard | undefined;
  /** Flag ramps; undefined when the runbook has no flags. */
  readonly flags: FlagRamps | undefined;
  /** A/B experiments; undefined when the runbook has none. */
  readonly experiments: Experiments | undefined;
  readonly escalation: Escalation;
  readonly steps: StepRunner;
  readonly rollbackPipeline: RollbackPipeline;
  readonly selfTest: SelfTestDeps;
  readonly rollbackHooks: RollbackHook[];
};

/** What the parts read and write through: the engine (engine.ts). */
export type WiringHost = {
  readonly o: ControllerOptions;
  readonly clock: Clock;
  readonly log: EventLog;
  readonly s: SessionState;
  active: Active | undefined;
  readonly aborting: boolean;
  readonly abandoning: boolean;
  readonly interrupting: boolean;
  emit(body: EventBody): SessionEvent;
  elapsed(): number;
  end(outcome: Outcome): void;
};

/** What the guard does when a trigger fires: the engine's rollback intent. */
export type TriggerRollback = (reason: string, incidentAt?: number) => void;

function env(x: WiringHost): NodeJS.ProcessEnv {
  return x.o.env ?? process.env;
}

function wireGuard(x: WiringHost, source: MetricSource | undefined, rollback: TriggerRollback): Guard {
  return new Guard({
    runbook: x.o.runbook,
    clock: x.clock,
    now: () => x.elapsed(),
    record: (e) => void x.emit(e),
    state: () => x.s.guard,
    source,
    probe: x.o.guard?.probe,
    rollback,
    broken: (reason) => x.active?.monitor?.fail?.(reason),
  });
}

function wireEscalation(x: WiringHost, steps: () => StepRunner): Escalation {
  const { o } = x;
  return new Escalation({
    runbook: o.runbook,
    clock: x.clock,
    now: () => x.elapsed(),
    record: (e) => void x.emit(e),
    env: env(x),
    version: o.values.version ?? o.runbook.versionTemplate,
    environment: o.runbook.environment,
    post: o.escalation?.post,
    retryDelayMs: o.escalation?.retryDelayMs,
    session: o.sessionId,
    decision: () => x.s.guard.decision,
    runCommand: async (level, reason) => {
      // a journalled step in the pseudo-stage escalation: its output streams and is kept like any step's
      if (!level.run) return { ok: true };
      const ok = await steps().runCommand(ESCALATION, level.run, 1, { reason, level: String(level.level) }, false);
      return ok ? { ok } : { ok, error: 'the escalation command failed (see its log)' };
    },
  });
}

function wireSteps(x: WiringHost, guard: Guard | undefined, flags: FlagRamps | undefined): StepRunner {
  const { o } = x;
  return new StepRunner({
    runbook: o.runbook,
    runner: o.runner,
    sessionDir: o.sessionDir,
    values: o.values,
    secretNames: o.runbook.secrets,
    clock: x.clock,
    now: () => x.elapsed(),
    state: () => x.s,
    emit: (e) => void x.emit(e),
    guard,
    flags,
    output: (stage, step, lines) => x.log.feed.output(stage, step, lines),
    setActive: (a) => (x.active = a),
    // an abandoned rollback's interrupted step is not retried
    aborting: () => x.aborting || x.abandoning,
    confirmed: (step) => isConfirmed(step, o.confirm, o.yes),
    canWait: o.mode !== 'headless',
  });
}

function wirePipeline(x: WiringHost, p: Pick<Parts, 'steps' | 'guard' | 'escalation' | 'rollbackHooks'>): RollbackPipeline {
  return new RollbackPipeline({
    runbook: x.o.runbook,
    mode: x.o.mode,
    state: () => x.s,
    emit: (e) => void x.emit(e),
    elapsed: () => x.elapsed(),
    steps: p.steps,
    guard: p.guard,
    escalation: p.escalation,
    hooks: p.rollbackHooks,
    end: (outcome) => x.end(outcome),
    interrupting: () => x.interrupting,
    abandoned: () => x.abandoning,
  });
}

/** Builds the parts of the engine `x`; a fired trigger calls `rollback`. */
export function wire(x: WiringHost, rollback: TriggerRollback): Parts {
  const { o } = x;
  const record = (e: EventBody) => void x.emit(e);
  const now = () => x.elapsed();
  const source = o.guard?.source ?? sourceFor(o.runbook, env(x));
  const g = wireGuard(x, source, rollback);
  const guard = g.active ? g : undefined;
  const flags = o.runbook.flags
    ? new FlagRamps({ runbook: o.runbook, provider: o.flagProvider ?? providerFor(o.runbook, env(x)), record, state: () => x.s, clock: x.clock, now })
    : undefined;
  const experiments =
    Object.keys(o.runbook.experiments).length > 0
      ? new Experiments({ runbook: o.runbook, clock: x.clock, record, state: () => x.s, intervalMs: g.intervalMs, env: env(x), source: o.experimentSource })
      : undefined;
  // the first rollback action: every ramped flag back to 0 % (or its rollbackTo)
  const rollbackHooks: RollbackHook[] = flags ? [() => flags.rollbackAll()] : [];
  const steps = wireSteps(x, guard, flags);
  const escalation = wireEscalation(x, () => steps);
  const selfTest: SelfTestDeps = {
    runbook: o.runbook,
    values: o.values,
    sessionDir: o.sessionDir,
    source,
    probe: o.guard?.probe ?? probeOnce,
    timeoutMs: g.timeoutMs,
    check: (p, cwd) => o.runner.programProblem(p, cwd),
    now,
    emit: record,
    output: (stage, step, lines) => x.log.feed.output(stage, step, lines),
    mask: x.log.mask,
  };
  const rollbackPipeline = wirePipeline(x, { steps, guard, escalation, rollbackHooks });
  return { guard, flags, experiments, escalation, steps, rollbackPipeline, selfTest, rollbackHooks };
}
