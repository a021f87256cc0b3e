/**
 * Supervises one step (see supervisor.ts for the whole story): spawns it in its own process group,
 * feeds its output to the log, enforces its timeout, ends what it left behind and records its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { setPriority } from 'node:os';
import { errorCode } from '../../core/error-message.js';
import { openNoFollow } from '../../core/safe-open.js';
import { longTimeout, type TimerHandle } from '../../core/clock.js';
import { liveFile } from '../live-line.js';
import { logCap, OutputLog } from '../output-log.js';
import { checkCwd } from '../program.js';
import type { Handover, StepStatus, SupervisorSpec } from '../spec.js';
import { openStepOutput, type StepOutput } from '../step-output.js';
import { StatusFile } from './status-file.js';
import { stepEnvOf, type StepEnv } from './step-env.js';
import { StepGroup } from './step-group.js';

/** What the supervisor's signal handlers do once a step is being started (supervisor.ts). */
export type SignalHooks = {
  /** SIGTERM/SIGINT/SIGHUP: interrupt the step. */
  onSignal: () => void;
  /** SIGUSR2: interrupted, and the group has had its SIGTERM already. */
  onSignalled: () => void;
};

export function supervise(spec: SupervisorSpec, handover: Handover, signals: SignalHooks): void {
  new Supervision(spec, handover, signals).start();
}

/** The log. Opening it never throws: a log that cannot be opened loses output, never the exit status. */
function openLog(spec: SupervisorSpec, s: StepEnv, cap: number): { fd: number | undefined; out: OutputLog } {
  let fd: number | undefined;
  let openError: string | undefined;
  try {
    fd = openNoFollow(spec.logPath, 'append');
  } catch (e) {
    openError = errorCode(e);
  }
  // the line held now, for the screen: live-line.ts
  const out = new OutputLog({ fd, openError, cap, mask: s.mask, secretStart: s.secretStart, longestSecret: s.longestSecret, livePath: liveFile(spec.logPath) });
  return { fd, out };
}

class Supervision {
  private readonly startedAt = Date.now();
  private readonly stepEnv: StepEnv;
  private readonly cap = logCap(process.env.COCKPIT_LOG_MAX_BYTES);
  private readonly log: { fd: number | undefined; out: OutputLog };
  private readonly status: StatusFile;
  private output!: StepOutput;
  private child!: ChildProcess;
  private group!: StepGroup;
  private timeout: TimerHandle | undefined;
  // a timeout or grace period past 2^31 ms (a `timeout: 600h`) is a chain of timers: one would fire at once
  private killTimer: TimerHandle | undefined;
  private timedOut = false;
  private interrupted = false;
  private exited = false;
  private finished = false;
  private exitedAt: number | undefined;
  private exitCode: number | null = null;
  private signal: string | null = null;
  private spawnError: string | undefined;

  constructor(
    private readonly spec: SupervisorSpec,
    private readonly handover: Handover,
    private readonly signals: SignalHooks,
  ) {
    this.stepEnv = stepEnvOf(spec, handover);
    this.log = openLog(spec, this.stepEnv, this.cap);
    this.status = new StatusFile(spec.statusPath);
  }

  private get pgid(): number | undefined {
    return this.child.pid;
  }

  start(): void {
    this.hookSignals(); // before the spawn (see supervisor.ts)
    this.spawnStep();
    this.status.write({ state: 'running', supervisorPid: process.pid, pid: this.pgid ?? null, startedAt: this.startedAt });
    this.armTimeout();
    this.child.on('error', (e) => this.onSpawnError(e));
    this.child.on('exit', (code, sig) => this.onExit(code, sig));
  }

  private hookSignals(): void {
    this.signals.onSignal = () => {
      this.interrupted = true;
      this.stop();
    };
    this.signals.onSignalled = () => {
      this.interrupted = true;
      this.group.killOutside('SIGTERM'); // the cockpit signalled the group only
      this.killTimer ??= longTimeout(() => this.group.kill('SIGKILL'), this.spec.graceMs);
    };
  }

  /** Where the step writes its output (step-output.ts): never the disk the log is on. */
  private spawnStep(): void {
    const { spec } = this;
    this.output = openStepOutput(this.cap);
    const [file, args] = this.output.command(spec.file, this.handover.args ?? spec.args);
    this.child = spawn(file, args, { cwd: spec.cwd, env: this.stepEnv.env, stdio: this.output.stdio, detached: true });
    this.group = new StepGroup(this.child.pid, this.stepEnv.tag, this.stepEnv.since);
    this.output.start(this.child, (chunk) => this.log.out.feed(chunk));
    // the step keeps the CPU it needs; following its output can wait (unless the step waits for it)
    try {
      if (this.output.lowPriority) setPriority(10);
    } catch {
      /* not permitted here: run at the same priority */
    }
  }

  private armTimeout(): void {
    const ms = this.spec.timeoutMs;
    if (!ms) return;
    this.timeout = longTimeout(() => {
      this.timedOut = true;
      this.output.poll(true);
      this.log.out.line(`cockpit: timeout after ${Math.round(ms / 1000)}s, sending SIGTERM to the step's process group`);
      this.stop();
    }, ms);
  }

  private stop(): void {
    this.group.kill('SIGTERM');
    this.killTimer ??= longTimeout(() => this.group.kill('SIGKILL'), this.spec.graceMs);
  }

  private onSpawnError(e: Error): void {
    // a cwd gone since the cockpit checked it fails the spawn with ENOENT: say which
    this.spawnError = checkCwd(this.spec.cwd) ?? e.message;
    this.exited = true;
    this.finish();
  }

  private onExit(code: number | null, sig: NodeJS.Signals | null): void {
    this.exitedAt = Date.now();
    this.exitCode = code;
    this.signal = sig;
    this.exited = true;
    // Whatever the step left running in its group (a `sleep 1000 &`) ends with it.
    if (this.group.alive()) {
      this.group.kill('SIGTERM');
      setTimeout(() => this.group.kill('SIGKILL'), Math.min(this.spec.graceMs, 1000)).unref();
    } else this.group.killOutside('SIGTERM'); // what left the group (SIGKILL in finish())
    // give what the group was writing as it ended a moment to land (until nothing of the group
    // runs, at most 50 ms: an interrupted `sh` whose `sleep` dies a moment later finishes at once)
    const settleBy = Date.now() + 50;
    // killed by a signal nobody told this supervisor of (yet): the cockpit's SIGUSR2, sent just
    // before its SIGTERM to the group, may still be on its way (signals are not ordered across threads)
    const hearBy = Date.now() + 20;
    const settle = (): void => {
      const now = Date.now();
      if ((this.group.running() && now < settleBy) || (sig !== null && !this.interrupted && now < hearBy)) setTimeout(settle, 5);
      else this.finish();
    };
    setTimeout(settle, 0);
  }

  private exitedStatus(): StepStatus {
    return {
      state: 'exited',
      supervisorPid: process.pid,
      pid: this.pgid ?? null,
      startedAt: this.startedAt,
      endedAt: Date.now(),
      exitedAt: this.exitedAt,
      exitCode: this.exitCode,
      signal: this.signal,
      timedOut: this.timedOut,
      interrupted: this.interrupted,
      error: this.spawnError,
      logError: this.log.out.lost,
    };
  }

  private finish(): void {
    if (this.finished || !this.exited) return;
    this.finished = true;
    // An interrupted step is over: the cockpit may go on (to the rollback) at once, while the rest
    // of its output is written out below (the runner reads this status after a kill()).
    const early = this.interrupted ? this.exitedStatus() : undefined;
    if (early) this.status.write(early);
    this.output.drain(() => {
      this.log.out.end();
      this.timeout?.cancel();
      this.killTimer?.cancel();
      if (this.log.fd !== undefined) closeSync(this.log.fd);
      if (!early) this.status.write(this.exitedStatus());
      // The group was signalled above; make sure nothing of it (in the group or out of it) survives the supervisor.
      if (this.group.alive()) this.group.kill('SIGKILL');
      else this.group.killOutside('SIGKILL');
      this.status.exitWhenTold();
    });
  }
}
