/** The session state: a pure fold of the events over the state the runbook starts with. */
import type { BlockCommand, CommandStep, Runbook } from '../runbook/types.js';
import { initialGuard, reduceGuard, type GuardState } from '../guard/fold.js';
import { initialFlags, reduceExperiments, reduceFlags, type ExperimentState, type FlagState } from '../flags/fold.js';
import { hasSelfTest, SELF_TEST_ID, SELF_TEST_TITLE } from '../guard/self-test.js';
import { EMERGENCY, PREFLIGHT, ROLLBACK, type LeaveBy, type Outcome, type ReleaseReview, type RollbackSource, type SessionEvent, type Troubleshoot } from '../core/events.js';

/** `waiting`: a manual step the stage waits at until the operator ticks it. */
export type StepStatus = 'pending' | 'running' | 'waiting' | 'passed' | 'failed' | 'skipped' | 'interrupted';

export type StepState = {
  readonly id: string;
  readonly title: string;
  readonly kind: 'command' | 'monitor' | 'manual';
  readonly command: string;
  readonly status: StepStatus;
  /** Manual items (pre-flight, or a stage's manual step): ticked by the operator or confirmed up front. */
  readonly ticked: boolean;
  readonly attempt: number;
  readonly startedAt?: number;
  readonly durationMs?: number;
  readonly monitorMs?: number;
  readonly reason?: string;
  readonly skipReason?: string;
  /** Why its program cannot run (missing, not executable), found when the session opened. */
  readonly missing?: string;
  /** The step's last output line when it failed: usually the why. */
  readonly lastLine?: string;
  /** What the step said when it passed (a flag step that left a higher flag as it is). */
  readonly note?: string;
  readonly logPath?: string;
  readonly lines: number;
  readonly troubleshooting?: Troubleshoot;
  /** A multi-command shell step's commands (CommandStep.block), from the runbook. */
  readonly commands?: readonly BlockCommand[];
  /**
   * When each of its commands started (session ms), in order, while it runs tracked (step.command):
   * the last is the current one, or the failing one of a failed step. Absent when it runs untracked.
   */
  readonly commandStarts?: readonly number[];
};

export type StageStatus = 'pending' | 'running' | 'passed' | 'failed' | 'skipped' | 'interrupted';

export type StageState = {
  readonly id: string;
  readonly title: string;
  readonly environment: string;
  readonly status: StageStatus;
  readonly budgetMs?: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly overBudget: boolean;
  readonly steps: readonly StepState[];
};

export type Phase = 'ready' | 'preflight' | 'running' | 'passed' | 'failed' | 'rolling-back' | 'rolled-back' | 'rollback-failed' | 'interrupted';

export type RollbackState = {
  readonly status: 'idle' | 'running' | 'passed' | 'failed';
  readonly reason?: string;
  readonly source?: RollbackSource;
  readonly startedAt?: number;
  readonly durationMs?: number;
  readonly steps: readonly StepState[];
};

export type SessionState = {
  readonly sessionId?: string;
  readonly runbook: string;
  readonly version: string;
  readonly environment: string;
  readonly phase: Phase;
  readonly preflight: StageState;
  readonly stages: readonly StageState[];
  readonly rollback: RollbackState;
  /** Emergency quick-reference actions, run on demand. */
  readonly emergency: readonly StepState[];
  readonly guard: GuardState;
  readonly flags: Readonly<Record<string, FlagState>>;
  readonly experiments: Readonly<Record<string, ExperimentState>>;
  readonly outcome?: Outcome;
  /** Session time of session.ended: when it ended (records written after it do not move it). */
  readonly endedT?: number;
  /** The risk-register entries written (or not) for its rollbacks, latest last. */
  readonly riskRegister?: readonly { readonly ok: boolean; readonly target: string; readonly error?: string }[];
  /** The end-of-release review (celebration checklist, learnings). */
  readonly review?: ReleaseReview;
  /** Monotonic time of the latest event. */
  readonly now: number;
  /** Session times at which a cockpit took this session over after its cockpit died. */
  readonly resumedAt: readonly number[];
  /** The release went on past a failed guardrail self-test (guard.unguarded): shown as UNGUARDED from then on. */
  readonly unguarded?: { readonly at: number; readonly by: 'operator' | 'flag'; readonly reason: string };
  /** The team's lease was lost (lease.lost): shown as LEASE LOST from then on. */
  readonly leaseLost?: string;
  /** This session's guardrails were left: to a background guard (its pid and log), or unguarded. */
  readonly left?: { readonly how: 'background' | 'unguarded'; readonly by: LeaveBy; readonly watching: string; readonly t: number; readonly pid?: number; readonly log?: string };
};

const step = (s: { id: string; title: string; kind: StepState['kind']; command: string; monitorMs?: number; commands?: readonly BlockCommand[] }): StepState => ({
  ...s,
  status: 'pending',
  ticked: false,
  attempt: 0,
  lines: 0,
});

/**
 * The rollback pipeline as one list of steps (steps, verify, incident), with the unique ids the
 * controller runs them by: every consumer (controller, dry run, program check, state) uses this.
 */
export function rollbackSteps(rb: Runbook): CommandStep[] {
  const r = rb.rollback;
  if (!r) return [];
  const used = new Set<string>();
  const uniq = (id: string) => {
    let u = id;
    for (let n = 2; used.has(u); n++) u = `${id}-${n}`;
    used.add(u);
    return u;
  };
  return [...r.steps, ...r.verify, ...(r.incident ? [r.incident] : [])].map((s) => ({ ...s, id: uniq(s.id) }));
}

/** The rollback steps as the state lists them. */
export function rollbackPlan(rb: Runbook): { id: string; title: string; command: string; commands?: readonly BlockCommand[] }[] {
  return rollbackSteps(rb).map((s) => ({ id: s.id, title: s.title, command: s.display, ...blockOf(s) }));
}

/** A block step's commands for its state (nothing for any other step). */
const blockOf = (s: Pick<CommandStep, 'block'>): { commands?: readonly BlockCommand[] } => (s.block ? { commands: s.block.commands } : {});

/** When command `index` started, in session time: the event's own time less how long ago (wall) the progress file says it began. */
function commandStarted(st: StepState, e: Extract<SessionEvent, { type: 'step.command' }>): StepState {
  const starts = st.commandStarts ?? [];
  if (e.index < starts.length) return st;
  const t = Math.max(st.startedAt ?? 0, starts[starts.length - 1] ?? 0, e.t - Math.max(0, e.at - e.startedAt));
  // a command whose start was never read (garbage in its line) started no later than the next one
  return { ...st, commandStarts: [...starts, ...Array.from({ length: e.index - starts.length + 1 }, () => t)] };
}

export function initialState(rb: Runbook): SessionState {
  return {
    runbook: rb.name,
    version: rb.versionTemplate,
    environment: rb.environment,
    phase: 'ready',
    preflight: {
      id: PREFLIGHT,
      title: 'Pre-flight',
      environment: '',
      status: 'pending',
      overBudget: false,
      steps: rb.preflight.map((p) =>
        p.kind === 'manual' ? step({ id: p.id, title: p.title, kind: 'manual', command: p.text }) : step({ id: p.id, title: p.title, kind: 'command', command: p.display, ...blockOf(p) }),
      ).concat(hasSelfTest(rb) ? [step({ id: SELF_TEST_ID, title: SELF_TEST_TITLE, kind: 'command', command: 'guardrail self-test' })] : []),
    },
    stages: rb.stages.map((s) => ({
      id: s.id,
      title: s.title,
      environment: s.environment,
      status: 'pending',
      budgetMs: s.budgetMs,
      overBudget: false,
      steps: s.steps.map((st) =>
        st.kind === 'monitor'
          ? step({ id: st.id, title: st.title, kind: 'monitor', command: st.title, monitorMs: st.durationMs })
          : st.kind === 'flag'
            ? step({ id: st.id, title: st.title, kind: 'command', command: `flag ${st.flag} → ${st.to === 'next' ? 'next step' : `${st.to} %`}` })
            : st.kind === 'manual'
              ? step({ id: st.id, title: st.title, kind: 'manual', command: st.text })
              : step({ id: st.id, title: st.title, kind: 'command', command: st.display, ...blockOf(st) }),
      ),
    })),
    rollback: { status: 'idle', steps: rollbackPlan(rb).map((s) => step({ ...s, kind: 'command' })) },
    emergency: rb.emergency.map((e) => step({ id: e.id, title: e.title, kind: 'command', command: e.display, ...blockOf(e) })),
    guard: initialGuard(rb),
    flags: initialFlags(rb),
    experiments: {},
    now: 0,
    resumedAt: [],
  };
}

/** A failed stage that carries on (retry, skip) puts the release back to running. */
function resumed(s: SessionState, stageId: string): SessionState {
  return stageId !== PREFLIGHT && stageId !== ROLLBACK && stageId !== EMERGENCY && s.phase === 'failed' ? { ...s, phase: 'running' } : s;
}

function mapStage(s: SessionState, stageId: string, f: (st: StageState) => StageState): SessionState {
  if (stageId === PREFLIGHT) return { ...s, preflight: f(s.preflight) };
  if (stageId === EMERGENCY) return { ...s, emergency: f({ ...s.preflight, steps: s.emergency }).steps };
  if (stageId === ROLLBACK) return { ...s, rollback: { ...s.rollback, steps: f({ ...s.preflight, steps: s.rollback.steps }).steps } };
  return { ...s, stages: s.stages.map((st) => (st.id === stageId ? f(st) : st)) };
}

function mapStep(s: SessionState, stageId: string, stepId: string, f: (st: StepState) => StepState): SessionState {
  return mapStage(s, stageId, (stage) => ({ ...stage, steps: stage.steps.map((st) => (st.id === stepId ? f(st) : st)) }));
}

export function reduce(s: SessionState, e: SessionEvent): SessionState {
  const next = apply(s, e);
  return next.now === e.t ? next : { ...next, now: e.t };
}

function apply(s0: SessionState, e: SessionEvent): SessionState {
  const guard = reduceGuard(s0.guard, e);
  const flags = guard ? undefined : reduceFlags(s0.flags, e);
  const experiments = guard || flags ? undefined : reduceExperiments(s0.experiments, e);
  const s = guard ? { ...s0, guard } : flags ? { ...s0, flags } : experiments ? { ...s0, experiments } : s0;
  // the guard's events (folded above) and records the fold does not keep leave the rest as it is
  return applyStep(s, e) ?? applyStage(s, e) ?? applySession(s, e) ?? s;
}

/** A step's events (started, output, finished, retried, skipped, ticked); undefined for any other. */
function applyStep(s: SessionState, e: SessionEvent): SessionState | undefined {
  switch (e.type) {
    case 'programs.checked':
      return e.missing.reduce((acc, m) => mapStep(acc, m.stage, m.step, (st) => ({ ...st, missing: m.reason })), s);
    case 'check.ticked':
      return mapStep(s, e.stage ?? PREFLIGHT, e.id, (st) => ({ ...st, ticked: true, status: 'passed', durationMs: e.stage !== undefined && st.startedAt !== undefined ? e.t - st.startedAt : st.durationMs }));
    case 'check.unticked':
      return mapStep(s, PREFLIGHT, e.id, (st) => ({ ...st, ticked: false, status: 'pending' }));
    case 'step.started':
      return mapStep(s, e.stage, e.step, (st) => ({
        ...st,
        status: 'running',
        attempt: e.attempt,
        startedAt: e.t,
        durationMs: undefined,
        reason: undefined,
        note: undefined,
        troubleshooting: undefined,
        logPath: e.logPath ?? st.logPath,
        lines: 0,
        commandStarts: e.commands ? [] : undefined,
      }));
    case 'step.command':
      return mapStep(s, e.stage, e.step, (st) => (st.status === 'running' ? commandStarted(st, e) : st));
    case 'step.waiting':
      return mapStep(s, e.stage, e.step, (st) => ({ ...st, status: 'waiting', ticked: false, attempt: e.attempt, startedAt: e.t, durationMs: undefined, reason: undefined }));
    case 'step.output':
      return mapStep(s, e.stage, e.step, (st) => ({ ...st, lines: st.lines + e.lines }));
    case 'step.finished':
      return mapStep(s, e.stage, e.step, (st) => ({
        ...st,
        status: e.ok ? 'passed' : e.interrupted && !e.timedOut ? 'interrupted' : 'failed',
        durationMs: e.durationMs,
        reason: e.reason,
        lastLine: e.lastLine,
        note: e.note,
        troubleshooting: e.troubleshooting,
      }));
    case 'step.retrying':
      return mapStage(resumed(s, e.stage), e.stage, (stage) => ({
        ...stage,
        status: e.stage === PREFLIGHT || e.stage === ROLLBACK ? stage.status : 'running',
        steps: stage.steps.map((st) => (st.id === e.step ? { ...st, status: 'pending' } : st)),
      }));
    case 'step.skipped':
      return mapStage(resumed(s, e.stage), e.stage, (stage) => ({
        ...stage,
        status: e.stage === PREFLIGHT || e.stage === ROLLBACK ? stage.status : 'running',
        steps: stage.steps.map((st) => (st.id === e.step ? { ...st, status: 'skipped', skipReason: e.reason } : st)),
      }));
    default:
      return undefined;
  }
}

/** The pre-flight's, a stage's and the rollback's events; undefined for any other. */
function applyStage(s: SessionState, e: SessionEvent): SessionState | undefined {
  switch (e.type) {
    case 'preflight.passed':
      return { ...s, preflight: { ...s.preflight, status: 'passed', endedAt: e.t }, phase: s.phase === 'preflight' ? 'running' : s.phase };
    case 'preflight.failed':
      return { ...s, preflight: { ...s.preflight, status: 'failed', endedAt: e.t } };
    case 'stage.started':
      return mapStage({ ...s, phase: 'running' }, e.stage, (st) => ({ ...st, status: 'running', startedAt: e.t, endedAt: undefined }));
    case 'stage.skipped':
      return mapStage(s, e.stage, (st) => ({ ...st, status: 'skipped', steps: st.steps.map((x) => ({ ...x, status: 'skipped', skipReason: e.reason })) }));
    case 'stage.over-budget':
      return mapStage(s, e.stage, (st) => ({ ...st, overBudget: true }));
    case 'stage.passed':
      return mapStage(s, e.stage, (st) => ({ ...st, status: 'passed', endedAt: e.t }));
    case 'stage.failed':
      return mapStage(e.stage === PREFLIGHT ? s : { ...s, phase: s.phase === 'running' ? 'failed' : s.phase }, e.stage, (st) => ({ ...st, status: 'failed', endedAt: e.t }));
    case 'rollback.started':
      return {
        ...s,
        phase: 'rolling-back',
        stages: s.stages.map((st) => (st.status === 'running' ? { ...st, status: 'interrupted', endedAt: e.t } : st)),
        rollback: { ...s.rollback, status: 'running', reason: e.reason, source: e.source, startedAt: e.t },
      };
    case 'rollback.finished':
      return { ...s, phase: e.ok ? 'rolled-back' : 'rollback-failed', rollback: { ...s.rollback, status: e.ok ? 'passed' : 'failed', durationMs: e.durationMs } };
    default:
      return undefined;
  }
}

/** The session's own events (started, resumed, left, interrupted, ended, reviewed); undefined for any other. */
function applySession(s: SessionState, e: SessionEvent): SessionState | undefined {
  switch (e.type) {
    case 'session.started':
      return { ...s, sessionId: e.sessionId, version: e.version, environment: e.environment, phase: 'preflight', preflight: { ...s.preflight, status: 'running', startedAt: e.t } };
    case 'session.resumed':
      return { ...s, resumedAt: [...s.resumedAt, e.t] };
    case 'guard.unguarded':
      return mapStep({ ...s, unguarded: { at: e.t, by: e.by, reason: e.reason } }, PREFLIGHT, SELF_TEST_ID, (st) => ({ ...st, status: 'skipped', skipReason: `UNGUARDED: ${e.by === 'flag' ? '--unguarded' : 'confirmed by the operator'}` }));
    case 'lease.lost':
      return { ...s, leaseLost: e.why };
    case 'guard.handed-over':
      return { ...s, left: { how: 'background', by: e.by, watching: e.watching, t: e.t, pid: e.pid, log: e.log } };
    case 'guard.left-unguarded':
      return { ...s, left: { how: 'unguarded', by: e.by, watching: e.watching, t: e.t } };
    case 'session.interrupted':
      return { ...s, phase: 'interrupted', stages: s.stages.map((st) => (st.status === 'running' ? { ...st, status: 'interrupted', endedAt: e.t } : st)) };
    case 'session.ended':
      return { ...s, outcome: e.outcome, endedT: e.t, phase: e.outcome === 'released' ? 'passed' : s.phase === 'running' && e.outcome === 'failed' ? 'failed' : s.phase };
    case 'risk.registered':
      return { ...s, riskRegister: [...(s.riskRegister ?? []), { ok: e.ok, target: e.target, error: e.error }] };
    case 'release.reviewed': {
      const { type: _type, at: _at, t: _t, ...review } = e;
      return { ...s, review };
    }
    default:
      return undefined;
  }
}

/** The stage a release engineer is in: the running or failed one, else the next pending. */
export function currentStage(s: SessionState): StageState | undefined {
  return s.stages.find((st) => st.status === 'running' || st.status === 'failed') ?? s.stages.find((st) => st.status === 'pending');
}

export function preflightReady(s: SessionState): { ready: boolean; failed: string[]; unticked: string[]; pending: string[] } {
  const failed = s.preflight.steps.filter((x) => x.kind !== 'manual' && (x.status === 'failed' || x.status === 'interrupted')).map((x) => x.title);
  const pending = s.preflight.steps.filter((x) => x.kind !== 'manual' && (x.status === 'pending' || x.status === 'running')).map((x) => x.title);
  const unticked = s.preflight.steps.filter((x) => x.kind === 'manual' && !x.ticked).map((x) => x.title);
  return { ready: failed.length === 0 && pending.length === 0 && unticked.length === 0, failed, unticked, pending };
}
