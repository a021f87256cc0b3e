/**
 * One step of ours under its supervisor (a spare handed the step, or one started for it): follows
 * its log, settles its result from its status, interrupts it (kill()).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { LogTail } from './log-tail.js';
import { stampOf } from './log-format.js';
import { lossLine } from './output-log.js';
import { exited, fromWaitStatus, groupRunning, procInfo } from './proc.js';
import { checkCwd } from './program.js';
import type { StepHandle, StepRequest, StepResult } from './step-types.js';
import type { Spare } from './spare-pool.js';
import { HANDOVER_ENV, type StepStatus } from './spec.js';
import type { PreparedStep } from './step-spec.js';
import { describeResult, failedResult, readStatusFile, statusSaid, type Exited } from './step-status.js';

/** After kill(): how often the step's end is looked for (its status file, its processes). */
const STATUS_POLL_MS = 2;
/** After kill(), once the step's own process has exited: how often its group is looked through for a process still running. */
const GROUP_SCAN_MS = 10;

export type Launch = {
  readonly supervisor: string;
  readonly req: StepRequest;
  readonly files: PreparedStep;
  /** Where the log is followed from: a retried step appends to the same log. */
  readonly offset: number;
  readonly spare: Spare | undefined;
  readonly onFlood: () => void;
};

export class SupervisedStep {
  readonly startedAt = Date.now();
  readonly done: Promise<StepResult>;
  private resolveDone!: (r: StepResult) => void;
  private readonly tail: LogTail;
  private sup: ChildProcess;
  private coldSaid = '';
  private killed = false;
  private settled = false;
  private signalledGroup = false;
  private statusWatch: NodeJS.Timeout | undefined;

  constructor(private readonly l: Launch) {
    this.done = new Promise<StepResult>((r) => (this.resolveDone = r));
    this.tail = new LogTail(l.req.logPath, l.offset, l.onFlood);
    // a spare supervisor takes the spec (and this process's environment) over its stdin; else one
    // is started for this step
    const { spare } = l;
    if (!spare) {
      this.sup = this.cold();
      this.sup.on('close', () => this.settle(this.readStatus(), false));
      return;
    }
    this.sup = spare.proc;
    spare.proc.stdin!.end(`${JSON.stringify({ spec: resolve(l.files.specPath), env: process.env, handover: l.files.handover })}\n`);
    void spare.gone.then((saidReady) => this.spareGone(saidReady));
  }

  handle(): StepHandle {
    const { req } = this.l;
    return {
      key: req.key,
      logPath: req.logPath,
      startedAt: this.startedAt,
      done: this.done,
      onLines: (cb) => {
        this.tail.listeners.add(cb);
        return () => this.tail.listeners.delete(cb);
      },
      kill: () => this.kill(),
    };
  }

  private cold(): ChildProcess {
    const { req, files } = this.l;
    const p = spawn(process.execPath, [this.l.supervisor, files.specPath], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
      cwd: req.cwd,
      env: files.handedOver === undefined ? undefined : { ...process.env, [HANDOVER_ENV]: files.handedOver },
    });
    // it could not start (its cwd went away since the check before): the step failed, nothing ran
    p.on('error', (e) => this.settleNotStarted(checkCwd(req.cwd) ?? `cannot start the step supervisor: ${e.message}`));
    p.unref();
    p.stdout!.on('error', () => {});
    p.stdout!.setEncoding('utf8').on('data', (d: string) => (this.coldSaid += d));
    (p.stdout as unknown as { unref?: () => void }).unref?.();
    return p;
  }

  private spareGone(saidReady: boolean): void {
    if (this.settled) return;
    const status = this.readStatus();
    if (!saidReady && !status && !this.killed) {
      // it died booting, before it could read the step (so nothing ran): start it anew
      this.sup = this.cold();
      this.sup.on('close', () => this.settle(this.readStatus(), false));
      return;
    }
    this.settle(status, false);
  }

  private readStatus(): StepStatus | undefined {
    const { sup, l } = this;
    // a retried step shares the status file: only this attempt's supervisor's counts
    const s = readStatusFile(l.files.statusPath);
    if (s !== undefined && s.supervisorPid === sup.pid && s.state === 'exited') return s;
    // its stdout, where a supervisor says it when no file could hold it (a full disk)
    const said = statusSaid(l.spare && sup === l.spare.proc ? l.spare.said : this.coldSaid);
    if (said?.supervisorPid === sup.pid) return said;
    return s?.supervisorPid === sup.pid ? s : undefined;
  }

  /** Stops following: the last lines (all of them, or one batch when `early`), and the watch. */
  private over(early: boolean): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.statusWatch) clearInterval(this.statusWatch);
    this.tail.close(!early);
    return true;
  }

  /**
   * The step is over: at the supervisor's exit, or (after kill()) as soon as its status file says
   * so. An interrupted step's supervisor records the exit before it writes out the rest of the
   * output: what follows is waiting for nobody (a rollback above all); the log still gets it all.
   */
  private settle(status: StepStatus | undefined, early: boolean): void {
    if (!this.over(early)) return;
    // the log could not be written (a full disk): said where the output is shown
    if (status?.state === 'exited' && status.logError) {
      const line = `${stampOf(new Date())}${lossLine(status.logError.code, status.logError.lostBytes)}`;
      for (const l of this.tail.listeners) l([line]);
    }
    this.resolveDone(this.resultOf(status));
  }

  private resultOf(status: StepStatus | undefined): StepResult {
    const durationMs = Date.now() - this.startedAt;
    // kill() came before the supervisor could take signals: the step never started
    if (!status && this.killed) return failedResult('interrupted before it started', durationMs, { interrupted: true });
    if (!status || status.state !== 'exited') return failedResult('the step supervisor died without recording an exit status', durationMs);
    // kill() sent the running step's group its SIGTERM itself: an exit its supervisor saw before
    // it heard so (SIGUSR2) is this interrupt all the same, as if it had sent the SIGTERM
    const s: Exited = this.signalledGroup && !status.interrupted && !status.timedOut ? { ...status, interrupted: true } : status;
    const reason = describeResult(s);
    return { ok: reason === undefined, exitCode: s.exitCode, signal: s.signal, timedOut: s.timedOut, interrupted: s.interrupted, durationMs: s.endedAt - s.startedAt, reason };
  }

  private settleNotStarted(reason: string): void {
    if (!this.over(false)) return;
    this.resolveDone(failedResult(reason, 0, { notStarted: true }));
  }

  private kill(): void {
    this.killed = true;
    const { sup } = this;
    if (sup.exitCode !== null || sup.pid === undefined) return;
    const running = this.readStatus();
    try {
      if (running?.state === 'running' && running.pid) {
        // The step's group gets its SIGTERM from here, at once: its supervisor runs at a
        // lower priority and, beside a step flooding the CPU, may take a while to. SIGUSR2
        // first tells the supervisor (interrupted, grace period, SIGKILL), not to send another.
        process.kill(sup.pid, 'SIGUSR2');
        try {
          process.kill(-running.pid, 'SIGTERM');
          this.signalledGroup = true;
        } catch {
          /* the group is gone already */
        }
      } else process.kill(sup.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    this.watchEnd();
  }

  /**
   * The step's end, from whichever tells first: its supervisor's status file, or (the group was
   * signalled from here) /proc itself: the step's process exited (a zombie its supervisor, at its
   * lower priority, has not collected yet) and nothing of its group runs. An interrupted step that
   * is over keeps nobody waiting (a rollback above all).
   */
  private watchEnd(): void {
    let scannedAt = -Infinity;
    this.statusWatch ??= setInterval(() => {
      const s = this.readStatus();
      if (s?.state === 'exited') return this.settle(s, true);
      if (!this.signalledGroup || s?.state !== 'running' || !s.pid) return;
      const p = procInfo(s.pid);
      if (!p || !exited(p) || Date.now() - scannedAt < GROUP_SCAN_MS) return; // still running, or reaped: its status is on its way
      scannedAt = Date.now();
      if (groupRunning(s.pid)) return;
      const now = Date.now();
      this.settle({ state: 'exited', supervisorPid: s.supervisorPid, pid: s.pid, startedAt: s.startedAt, endedAt: now, exitedAt: now, ...fromWaitStatus(p.waitStatus), timedOut: false, interrupted: true }, true);
    }, STATUS_POLL_MS);
  }
}
