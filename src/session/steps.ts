/**
 * Running one step: a command under its supervisor (output batched to listeners, the result and
 * its why recorded), a monitor window with the triggers armed, a flag step through the guarded
 * path, retries. Every fact goes out as an event; the state it reads is the session's fold.
 */
import { writeNoFollow } from '../core/safe-open.js';
import { join, resolve } from 'node:path';
import { blockInvocation, progressPathOf, ProgressReader, PROGRESS_ENV } from '../exec/block-script.js';
import { parseLogLine } from '../exec/log-format.js';
import { BATCH_MS, type Runner, type StepHandle, type StepResult } from '../exec/runner.js';
import { quoteForDisplay } from '../runbook/command.js';
import { resolveInvocation, type PlaceholderValues } from '../runbook/placeholders.js';
import type { CommandStep, FlagStep, ManualStep, Runbook, Step } from '../runbook/types.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { pauseOf, stillToWait } from '../core/pause.js';
import { PREFLIGHT, ROLLBACK, stageValue, type EventBody, type FlagActor } from '../core/events.js';
import type { Guard } from '../guard/guard.js';
import type { FlagRamps } from '../flags/manager.js';
import type { SessionState, StepState } from './reduce.js';
import { findTroubleshooting } from './troubleshoot.js';
import { ManualWaits } from './manual.js';

/**
 * What runs now in the release's own line (not an emergency action or escalation command beside it).
 * `monitor`: a wait (a monitor window, a manual step waiting for its tick); finish() ends it as interrupted.
 */
export type Active = { stage: string; step: string; handle?: StepHandle; monitor?: { finish: () => void; fail?: (reason: string) => void } };

export type StepDeps = {
  readonly runbook: Runbook;
  readonly runner: Runner;
  readonly sessionDir: string;
  readonly values: PlaceholderValues;
  readonly secretNames: readonly string[];
  readonly clock: Clock;
  /** Session time (ms): the time base of events' `t`. */
  readonly now: () => number;
  readonly state: () => SessionState;
  readonly emit: (e: EventBody) => void;
  readonly guard?: Guard;
  readonly flags?: FlagRamps;
  readonly output: (stage: string, step: string, lines: readonly string[]) => void;
  readonly setActive: (a: Active | undefined) => void;
  readonly aborting: () => boolean;
  /** A manual step confirmed up front (--confirm, --yes): ticked as soon as the stage reaches it. */
  readonly confirmed?: (step: ManualStep) => boolean;
  /** Whether a manual step can wait for the operator's tick (the screen); headless it fails instead. */
  readonly canWait?: boolean;
};

function lastLineOf(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = parseLogLine(lines[i]).text.trim();
    if (text && !text.startsWith('cockpit: ')) return text.length > 200 ? `${text.slice(0, 199)}…` : text;
  }
  return undefined;
}

const SET_BY: Record<FlagActor, string> = {
  operator: 'set by the operator',
  auto: 'set by its auto ramp',
  runbook: 'set by the runbook',
  command: 'set by cockpit flag',
  rollback: 'set by the rollback',
};

/** Why a flag step left its flag where it is: "new-checkout is at 25 % (set by the operator), above the step's 5 %: left as it is". */
export function higherFlagNote(flag: string, percent: number, by: FlagActor | undefined, to: number): string {
  return `${flag} is at ${percent} % (${by ? SET_BY[by] : 'as its backend reported it'}), above the step's ${to} %: left as it is`;
}

export class StepRunner {
  /** Manual steps waiting for their tick. */
  readonly waits: ManualWaits;

  constructor(private readonly d: StepDeps) {
    this.waits = new ManualWaits({ emit: d.emit, now: d.now, setActive: d.setActive, confirmed: d.confirmed ?? (() => false), canWait: d.canWait ?? true });
  }

  async runWithRetries(stageId: string, step: Step): Promise<boolean> {
    if (this.refuseBroken(stageId, step)) return false;
    for (;;) {
      const st = this.findStep(stageId, step.id);
      // a step the journal shows running: a resumed session follows it where it is
      const resumed = st?.status === 'running' || st?.status === 'waiting' ? st : undefined;
      const attempt = resumed ? resumed.attempt : (st?.attempt ?? 0) + 1;
      const ok =
        step.kind === 'manual'
          ? await this.waits.wait(stageId, step, attempt, resumed?.startedAt)
          : resumed && step.kind === 'command'
          ? await this.reattach(stageId, step, resumed)
          : step.kind === 'monitor'
          ? await this.runMonitor(stageId, step.id, step.durationMs, resumed?.startedAt)
          : step.kind === 'flag'
            ? await this.runFlagStep(stageId, step, attempt)
            : await this.runCommand(stageId, step, attempt);
      if (ok || this.d.aborting()) return ok;
      const after = this.findStep(stageId, step.id)!;
      if (after.status === 'interrupted' || step.kind !== 'command' || attempt > step.retries) return false;
      this.d.emit({ type: 'step.retrying', stage: stageId, step: step.id, attempt: attempt + 1, automatic: true });
    }
  }

  /**
   * A step of a stage whose armed guard is broken (a trigger's query has a configuration error)
   * does not start: the guardrail cannot watch it. A command that was running when the error came
   * was let finish (killing a deploy half-way is worse); the next step fails here, not started.
   */
  private refuseBroken(stageId: string, step: Step): boolean {
    const st = this.findStep(stageId, step.id);
    const reason = st?.status === 'pending' && stageId !== PREFLIGHT && stageId !== ROLLBACK ? this.d.guard?.brokenNow() : undefined;
    if (reason === undefined) return false;
    const attempt = (st?.attempt ?? 0) + 1;
    this.d.emit({ type: 'step.started', stage: stageId, step: step.id, attempt, command: step.title });
    this.d.emit({ type: 'step.finished', stage: stageId, step: step.id, ok: false, exitCode: null, signal: null, timedOut: false, interrupted: false, durationMs: 0, reason, notStarted: true });
    return true;
  }

  findStep(stageId: string, stepId: string): StepState | undefined {
    const list = stageId === PREFLIGHT ? this.d.state().preflight.steps : stageId === ROLLBACK ? this.d.state().rollback.steps : this.d.state().stages.find((x) => x.id === stageId)?.steps;
    return list?.find((x) => x.id === stepId);
  }


  /**
   * A monitor step: waits its window with the triggers armed; passes when the window ends with
   * nothing fired. Time the cockpit was stopped (SIGSTOP) is not watched: the window goes on by as
   * much after it. While a trigger holds for lack of data, the countdown pauses; a hold that lasts
   * its limit (metrics.holdLimit, from the hold's start) fails the step, saying why.
   */
  runMonitor(stageId: string, stepId: string, windowMs: number, resumedFrom?: number): Promise<boolean> {
    // resumed: the window started at `resumedFrom` (session time) and keeps its end
    const spent = resumedFrom === undefined ? 0 : Math.max(0, this.d.now() - resumedFrom);
    const durationMs = Math.max(0, windowMs - spent);
    if (resumedFrom === undefined) this.d.emit({ type: 'step.started', stage: stageId, step: stepId, attempt: 1, command: `monitor ${Math.round(windowMs / 1000)}s` });
    const started = this.d.clock.now() - spent;
    const why = `monitor:${stageId}/${stepId}`;
    const guard = this.d.guard;
    guard?.arm(why);
    return new Promise((resolve) => {
      let done = false;
      let remaining = durationMs;
      let segment = this.d.clock.now();
      let timer: TimerHandle | undefined;
      let holdTimer: TimerHandle | undefined;
      const run = () => {
        segment = this.d.clock.now();
        const from = this.d.now();
        const due = from + remaining;
        // the cockpit was stopped (SIGSTOP) in the window: a window is time watched, the pause
        // is not, so it goes on by as much
        const end = () => {
          const more = guard ? stillToWait(from, remaining, this.d.now(), guard.pauses) : 0;
          if (more === 0) return finish(true);
          remaining = more;
          run();
        };
        // a timer late by a pause: the sampler, as late, records the pause first
        timer = this.d.clock.after(remaining, () => (guard && pauseOf(due, this.d.now(), guard.intervalMs) ? (timer = this.d.clock.after(0, end)) : end()));
      };
      // the hold's limit runs from the hold's start (it may have begun before this monitor)
      const limitHold = () => {
        if (!guard || holdTimer) return;
        const left = guard.holdLimitMs - (this.d.now() - (guard.heldSince ?? this.d.now()));
        holdTimer = this.d.clock.after(Math.max(0, left), () => finish(false, guard.holdExpired()));
      };
      const offHold = guard?.onHold((holding) => {
        if (holding) {
          if (timer) {
            timer.cancel();
            timer = undefined;
            remaining = Math.max(0, remaining - (this.d.clock.now() - segment));
          }
          limitHold();
        } else {
          holdTimer?.cancel();
          holdTimer = undefined;
          if (!timer && !done) run();
        }
      });
      const finish = (ok: boolean, failure?: string) => {
        if (done) return;
        done = true;
        timer?.cancel();
        holdTimer?.cancel();
        offHold?.();
        guard?.disarm(why);
        this.d.setActive(undefined);
        const durationMs = Math.round(this.d.clock.now() - started);
        const interrupted = !ok && failure === undefined;
        this.d.emit({ type: 'step.finished', stage: stageId, step: stepId, ok, exitCode: null, signal: null, timedOut: false, interrupted, durationMs, reason: ok ? undefined : (failure ?? 'interrupted') });
        resolve(ok);
      };
      this.d.setActive({ stage: stageId, step: stepId, monitor: { finish: () => finish(false), fail: (reason) => finish(false, reason) } });
      // a trigger already broken (a retry of this step): no window to wait, the guardrail cannot watch
      const broken = guard?.brokenNow();
      if (broken !== undefined) finish(false, broken);
      else if (!guard?.holding) run();
      else limitHold();
    });
  }


  /**
   * A flag step: the same guarded path as the + key; a refusal fails the step with its reason. It
   * never lowers a flag (someone raised it above the step's percentage: left as it is, and said),
   * except `to: 0`, a kill.
   */
  async runFlagStep(stageId: string, step: FlagStep, attempt: number): Promise<boolean> {
    const command = `flag ${step.flag} → ${step.to === 'next' ? 'next step' : `${step.to} %`}`;
    this.d.emit({ type: 'step.started', stage: stageId, step: step.id, attempt, command });
    const started = this.d.clock.now();
    let reason: string | undefined;
    let note: string | undefined;
    if (!this.d.flags) reason = 'the runbook has no flags section';
    else {
      // what the flag is at decides: read it when the start-up read has not said yet
      if (this.d.state().flags[step.flag]?.percent === undefined) await this.d.flags.read(step.flag);
      const target = step.to === 'next' ? this.d.flags.target(step.flag, 'up') : step.to;
      const current = this.d.state().flags[step.flag];
      if (typeof target === 'string') reason = target;
      else if (target > 0 && current?.percent !== undefined && current.percent > target) note = higherFlagNote(step.flag, current.percent, current.by, target);
      else {
        const r = await this.d.flags.apply(step.flag, target, { by: 'runbook' });
        // the provider's own words: what it could confirm, never more
        if (!r.ok) reason = r.reason;
        else note = r.says;
      }
    }
    this.d.emit({ type: 'step.finished', stage: stageId, step: step.id, ok: reason === undefined, exitCode: null, signal: null, timedOut: false, interrupted: false, durationMs: Math.round(this.d.clock.now() - started), reason, note });
    return reason === undefined;
  }


  async runCommand(stageId: string, step: CommandStep, attempt: number, extra: PlaceholderValues = {}, asActive = true): Promise<boolean> {
    const reason = stageId === ROLLBACK && this.d.state().rollback.reason ? { reason: this.d.state().rollback.reason } : {};
    const values: PlaceholderValues = { ...this.d.values, stage: stageValue(stageId, this.d.state().environment), ...reason, ...extra };
    const { invocation, tracked } = step.block ? blockInvocation(step, values) : { invocation: resolveInvocation(step.command, values), tracked: false };
    const logPath = join(this.d.sessionDir, `${stageId}.${step.id}.log`);
    const argv = [invocation.file, ...invocation.args];
    const command = step.command.kind === 'argv' ? argv.map(quoteForDisplay).join(' ') : step.display;
    const progress = resolve(progressPathOf(logPath));
    // a tracked block's progress file starts empty each attempt (a retry runs the block from its first command)
    if (tracked) {
      try {
        writeNoFollow(progress, '');
      } catch {
        /* a symlink planted for it: untouched, and the runner refuses the step by name (stepFiles) */
      }
    }
    const commands = tracked ? { commands: step.block!.commands.length } : {};
    this.d.emit({ type: 'step.started', stage: stageId, step: step.id, attempt, command, argv, logPath, ...commands });
    const handle = this.d.runner.start({
      key: `${stageId}.${step.id}`,
      invocation,
      cwd: step.cwd ? resolve(this.d.runbook.dir, step.cwd) : this.d.runbook.dir,
      env: { ...step.env, COCKPIT_SESSION_DIR: this.d.sessionDir, COCKPIT_STEP: step.id, COCKPIT_ATTEMPT: String(attempt), ...(tracked ? { [PROGRESS_ENV]: progress } : {}) },
      timeoutMs: step.timeoutMs,
      graceMs: this.d.runbook.rollback?.graceMs ?? 5000,
      logPath,
      secretNames: this.d.secretNames,
    });
    return this.follow(stageId, step, handle, asActive);
  }

  /**
   * Follows a step a cockpit that died started: its output from the log's start (lines the journal
   * already counted are shown, not counted again), its end from its status file.
   */
  async reattach(stageId: string, step: CommandStep, st: StepState): Promise<boolean> {
    const logPath = st.logPath ?? join(this.d.sessionDir, `${stageId}.${step.id}.log`);
    if (!this.d.runner.attach) {
      this.d.emit({ type: 'step.finished', stage: stageId, step: step.id, ok: false, exitCode: null, signal: null, timedOut: false, interrupted: true, durationMs: 0, reason: 'cannot follow a step started by an earlier cockpit' });
      return false;
    }
    return this.follow(stageId, step, this.d.runner.attach({ key: `${stageId}.${step.id}`, logPath }), stageId !== 'emergency' && stageId !== 'escalation', st.lines);
  }

  /**
   * A tracked block's progress: each command start its progress file records goes out as a
   * step.command event, read every output batch (and at least every BATCH_MS) and once at the end.
   */
  private followProgress(stageId: string, step: CommandStep, logPath: string): { poll: () => void; stop: () => void } | undefined {
    const st = this.findStep(stageId, step.id);
    if (!step.block || st?.commandStarts === undefined) return undefined;
    const reader = new ProgressReader(progressPathOf(logPath), step.block.commands.length, st.commandStarts.length);
    const poll = () => {
      for (const c of reader.read()) this.d.emit({ type: 'step.command', stage: stageId, step: step.id, index: c.index, startedAt: c.startedAt });
    };
    const timer = setInterval(poll, BATCH_MS);
    timer.unref();
    return { poll, stop: () => clearInterval(timer) };
  }

  private async follow(stageId: string, step: CommandStep, handle: StepHandle, asActive: boolean, counted = 0): Promise<boolean> {
    let recent: string[] = [];
    let uncounted = counted;
    if (asActive) this.d.setActive({ stage: stageId, step: step.id, handle });
    const progress = this.followProgress(stageId, step, handle.logPath);
    const off = handle.onLines((lines) => {
      progress?.poll();
      recent = [...recent, ...lines].slice(-20);
      const fresh = Math.max(0, lines.length - uncounted);
      uncounted = Math.max(0, uncounted - lines.length);
      if (fresh > 0) this.d.emit({ type: 'step.output', stage: stageId, step: step.id, lines: fresh });
      this.d.output(stageId, step.id, lines);
    });
    let result: StepResult;
    try {
      result = await handle.done;
    } finally {
      off();
      progress?.stop();
      progress?.poll();
      if (asActive) this.d.setActive(undefined);
    }
    const troubleshooting = result.ok ? undefined : findTroubleshooting(this.d.runbook.troubleshooting, step, result, recent);
    this.d.emit({
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
}
