/**
 * Starts steps under a supervisor (see supervisor.ts) and follows them: tails the log file and
 * hands new lines to subscribers in batches (every 50 ms at most), reads the exit status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, lstatSync, readSync } from 'node:fs';
import { openNoFollow, readNoFollow, refusalOf, unsafeAmong, writeNoFollow } from '../core/safe-open.js';
import { resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Invocation } from '../runbook/placeholders.js';
import { exited, fromWaitStatus, groupRunning, processAlive as alive, procInfo } from './proc.js';
import { distFile } from './dist-file.js';
import { checkCwd, checkProgram } from './program.js';
import { MASK, maskerFor, stampOf } from './log-format.js';
import { lossLine } from './output-log.js';
import { HANDOVER_ENV, stepFiles, type Handover, type StepStatus, type SupervisorSpec } from './spec.js';

export const BATCH_MS = 50;
/** How often a step that floods its output is followed. */
const FLOOD_MS = 500;
/** After kill(): how often the step's end is looked for (its status file, its processes). */
const STATUS_POLL_MS = 2;
/** After kill(), once the step's own process has exited: how often its group is looked through for a process still running. */
const GROUP_SCAN_MS = 10;
/** When the tail falls this far behind a flooding step, it skips to the end (the log keeps all). */
const SKIP_AHEAD_BYTES = 256 * 1024;
const KEEP_TAIL_BYTES = 64 * 1024;

export type StepRequest = {
  readonly key: string;
  readonly invocation: Invocation;
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly graceMs: number;
  readonly logPath: string;
  readonly secretNames: readonly string[];
};

export type StepResult = {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  readonly durationMs: number;
  /** Why it failed, in words: "exit 1", "timed out after 10s", "not executable: ./x.sh". */
  readonly reason?: string;
  /** Set when the step never started (missing or non-executable program). */
  readonly notStarted?: boolean;
};

export type StepHandle = {
  readonly key: string;
  readonly logPath: string;
  readonly startedAt: number;
  readonly done: Promise<StepResult>;
  /** Subscribes to batches of new log lines (stamped as in the log). */
  onLines(cb: (lines: readonly string[]) => void): () => void;
  /** Interrupts the step: SIGTERM to its group, SIGKILL after the grace period. */
  kill(): void;
};

export interface Runner {
  start(req: StepRequest): StepHandle;
  /**
   * Follows a step another cockpit started (that cockpit died; the step's supervisor did not): its
   * log from the start, its end from its status file.
   */
  attach?(req: AttachRequest): StepHandle;
  /**
   * Why a command could not start from `cwd` (its program missing or not executable, the cwd
   * unusable), or undefined when it can: the guardrail self-test asks before the release.
   */
  programProblem(program: string | undefined, cwd: string): string | undefined;
}

export type AttachRequest = { readonly key: string; readonly logPath: string };

/** How often an attached step's status file and supervisor are looked at. */
const ATTACH_POLL_MS = 100;

export function supervisorPath(): string {
  const found = distFile('supervisor.js', import.meta.url);
  if (!found) throw new Error('the step supervisor (dist/supervisor.js) is missing: run "npm run build"');
  return found;
}

export function describeResult(s: Extract<StepStatus, { state: 'exited' }>): string | undefined {
  if (s.error) return s.error;
  if (s.timedOut) return `timed out (${s.signal ?? `exit ${s.exitCode}`})`;
  if (s.interrupted) return `interrupted (${s.signal ?? `exit ${s.exitCode}`})`;
  if (s.signal) return `killed by ${s.signal}`;
  if (s.exitCode !== 0) return `exit ${s.exitCode}`;
  return undefined;
}

function failedBeforeStart(req: { readonly key: string; readonly logPath: string }, reason: string, touchLog = true): StepHandle {
  if (touchLog) writeNoFollow(req.logPath, '', 'append');
  const startedAt = Date.now();
  return {
    key: req.key,
    logPath: req.logPath,
    startedAt,
    done: Promise.resolve({ ok: false, exitCode: null, signal: null, timedOut: false, interrupted: false, durationMs: 0, reason, notStarted: true }),
    onLines: () => () => {},
    kill: () => {},
  };
}

/**
 * A spare supervisor (`supervisor.js --standby`), booted ahead of time: a step handed to it starts
 * in a few ms instead of after a node start-up (~50-150 ms), which matters most for a rollback.
 * Two per supervisor path in this process (one kept for rollbacks: see Pool), whatever the number
 * of runners; refilled after each use. Idle, each is a node process waiting on a pipe (~40 MB RSS).
 * A spare still booting is used too (it reads the step once up: sooner than a new one would); if
 * it dies before it could, the step starts on a new supervisor. It exits when this process does
 * (its stdin closes). COCKPIT_SPARE_SUPERVISOR=0 turns spares off.
 */
type Spare = {
  readonly proc: ChildProcess;
  /** It said "ready": it is reading its stdin (a step handed over is then its to run). */
  ready: boolean;
  /** Resolves once it has gone (stdout read to the end), with whether it ever said "ready". */
  gone: Promise<boolean>;
  /** What it said on stdout: "ready", then (no file could hold it) its step's status. */
  said: string;
};
const spares = new Map<string, Spare>();
const refills = new Map<string, NodeJS.Timeout>();
/** The first spare waits this long after a runner is made (the screen's start-up comes first). */
export const SPARE_FIRST_DELAY_MS = 1000;
/** A used spare is replaced this long after (not on the path of the step it just started). */
const SPARE_REFILL_DELAY_MS = 300;

function sparesWanted(): boolean {
  return process.env.COCKPIT_SPARE_SUPERVISOR !== '0';
}

function spareAlive(s: Spare | undefined): s is Spare {
  return s !== undefined && s.proc.exitCode === null && s.proc.signalCode === null && s.proc.stdin?.writable === true;
}

/**
 * Spares are kept per slot: one for any step, and one kept for the rollback's steps (stage
 * `rollback`, keys "rollback.<step>"), which nothing else takes: a rollback, the moment it matters
 * most, finds a booted supervisor even right after a step has used the other one (a spare booting
 * beside a step that floods the CPU can take a second).
 */
type Pool = 'any' | 'rollback';
const ROLLBACK_KEY = /^rollback\./;
const slotOf = (supervisor: string, pool: Pool): string => `${pool}\0${supervisor}`;

function startSpare(supervisor: string, pool: Pool): void {
  const slot = slotOf(supervisor, pool);
  if (!sparesWanted() || spareAlive(spares.get(slot))) return;
  let proc: ChildProcess;
  try {
    proc = spawn(process.execPath, [supervisor, '--standby'], { detached: true, stdio: ['pipe', 'pipe', 'ignore'], cwd: '/' });
  } catch {
    return; // no spare: steps start cold
  }
  const spare: Spare = { proc, ready: false, gone: Promise.resolve(false), said: '' };
  spare.gone = new Promise((resolve) => {
    proc.on('error', () => resolve(spare.ready));
    proc.on('close', () => resolve(spare.ready));
  });
  proc.on('error', () => spares.get(slot) === spare && spares.delete(slot));
  proc.on('exit', () => spares.get(slot) === spare && spares.delete(slot));
  proc.stdin!.on('error', () => {});
  proc.stdout!.on('error', () => {});
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    spare.ready = true;
    spare.said += d;
  });
  // a spare never keeps this process alive
  proc.unref();
  (proc.stdout as unknown as { unref?: () => void }).unref?.();
  (proc.stdin as unknown as { unref?: () => void }).unref?.();
  spares.set(slot, spare);
}

/**
 * When a step last flooded its output (its tail skipped ahead). The spare for any step boots
 * (~150 ms of a CPU) only once no step has flooded for FLOOD_QUIET_MS: beside a flooding step on a
 * small machine, a booting node takes CPU from the step. The rollback's spare does not wait.
 */
let lastFloodAt = -Infinity;
const FLOOD_QUIET_MS = 500;

function scheduleSpare(supervisor: string, pool: Pool, delayMs: number): void {
  const slot = slotOf(supervisor, pool);
  if (!sparesWanted() || refills.has(slot)) return;
  const t = setTimeout(() => {
    refills.delete(slot);
    // the rollback's spare boots whatever runs: it is what a rollback during a flood needs
    const quietIn = pool === 'any' ? lastFloodAt + FLOOD_QUIET_MS - Date.now() : 0;
    if (quietIn > 0) scheduleSpare(supervisor, pool, quietIn);
    else startSpare(supervisor, pool);
  }, delayMs);
  t.unref();
  refills.set(slot, t);
}

/**
 * Takes a spare, booted or booting, for the step `key` (it is then no one else's): a rollback
 * step its own first (else the other), any other step only the other. The slot taken is refilled.
 */
function takeSpare(supervisor: string, key: string): Spare | undefined {
  for (const pool of ROLLBACK_KEY.test(key) ? (['rollback', 'any'] as const) : (['any'] as const)) {
    const s = spares.get(slotOf(supervisor, pool));
    if (!spareAlive(s)) continue;
    spares.delete(slotOf(supervisor, pool));
    scheduleSpare(supervisor, pool, SPARE_REFILL_DELAY_MS);
    return s;
  }
  // none alive: have them ready for next time
  scheduleSpare(supervisor, 'any', SPARE_REFILL_DELAY_MS);
  if (ROLLBACK_KEY.test(key)) scheduleSpare(supervisor, 'rollback', SPARE_REFILL_DELAY_MS);
  return undefined;
}

/**
 * Follows a step's log from an offset: hands new lines to listeners in batches (every 50 ms, every
 * 500 ms while the step floods), skipping ahead with a note when it falls far behind (the log
 * keeps every line).
 */
class LogTail {
  readonly listeners = new Set<(lines: readonly string[]) => void>();
  private readonly fd: number;
  private readonly decoder = new StringDecoder('utf8');
  private readonly buf = Buffer.allocUnsafe(256 * 1024);
  private partial = '';
  private closed = false;
  private flooding = false;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly logPath: string,
    private offset: number,
  ) {
    this.fd = openNoFollow(logPath, 'read');
    this.timer = setTimeout(this.follow, BATCH_MS);
  }

  // a step flooding its output is followed 4 times a second, not 20: nobody reads that fast, and
  // the CPU it saves is the step's (the log has every line)
  private readonly follow = (): void => {
    this.flooding = false;
    this.drain(false);
    this.timer = setTimeout(this.follow, this.flooding ? FLOOD_MS : BATCH_MS);
  };

  private emit(lines: string[]): void {
    if (lines.length === 0) return;
    for (const l of this.listeners) l(lines);
  }

  drain(all: boolean): void {
    if (this.closed) return;
    const { fd, buf } = this;
    for (;;) {
      const size = fstatSync(fd).size;
      // one batch per read: the note of a skip goes out with the lines after it
      let skipped: string | undefined;
      if (size - this.offset > SKIP_AHEAD_BYTES) {
        const skipTo = size - KEEP_TAIL_BYTES;
        skipped = `cockpit: output too fast to show, skipped ${Math.round((skipTo - this.offset) / 1024)} KiB (all of it is in ${this.logPath})`;
        this.flooding = true;
        lastFloodAt = Date.now();
        this.offset = skipTo;
        this.partial = '';
        // resynchronise on the next line start
        const n = readSync(fd, buf, 0, Math.min(buf.length, 4096), this.offset);
        const nl = buf.subarray(0, n).indexOf(10);
        this.offset += nl >= 0 ? nl + 1 : 0;
      }
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      if (n <= 0) {
        if (skipped) this.emit([skipped]);
        break;
      }
      this.offset += n;
      const text = this.partial + this.decoder.write(buf.subarray(0, n));
      const nl = text.lastIndexOf('\n');
      const lines = nl >= 0 ? text.slice(0, nl).split('\n') : [];
      this.partial = nl >= 0 ? text.slice(nl + 1) : text;
      if (skipped) lines.unshift(skipped);
      this.emit(lines);
      if (!all) break;
    }
  }

  /** Reads what is left (all of it, or one batch for an interrupted step nobody should wait for) and stops. */
  close(all: boolean): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.drain(all);
    if (this.partial !== '') this.emit([this.partial]);
    this.closed = true;
    closeSync(this.fd);
  }
}


/** The status a supervisor that could not write its status file said on its stdout. */
function statusSaid(said: string): StepStatus | undefined {
  const line = said.split('\n').find((l) => l.startsWith('status '));
  try {
    return line ? (JSON.parse(line.slice('status '.length)) as StepStatus) : undefined;
  } catch {
    return undefined;
  }
}

function readStatusFile(path: string): StepStatus | undefined {
  try {
    return JSON.parse(readNoFollow(path)) as StepStatus;
  } catch {
    return undefined;
  }
}

function resultOf(status: Extract<StepStatus, { state: 'exited' }>): StepResult {
  const reason = describeResult(status);
  return { ok: reason === undefined, exitCode: status.exitCode, signal: status.signal, timedOut: status.timedOut, interrupted: status.interrupted, durationMs: status.endedAt - status.startedAt, reason };
}

/** See Runner.attach. */
export function attachStep(req: AttachRequest): StepHandle {
  const base = req.logPath.replace(/\.log$/, '');
  const statusPath = `${base}.status.json`;
  // a symlink planted among the step's files: refused by name, nothing opened through it
  const unsafe = unsafeAmong(stepFiles(req.logPath));
  if (unsafe) return failedBeforeStart(req, unsafe, false);
  writeNoFollow(req.logPath, '', 'append');
  const tail = new LogTail(req.logPath, 0);
  const attachedAt = Date.now();
  let resolveDone!: (r: StepResult) => void;
  const done = new Promise<StepResult>((r) => (resolveDone = r));
  let settled = false;
  const settle = (r: StepResult): void => {
    if (settled) return;
    settled = true;
    clearInterval(watch);
    tail.close(true);
    resolveDone(r);
  };
  const failed = (reason: string, interrupted: boolean): StepResult => ({ ok: false, exitCode: null, signal: null, timedOut: false, interrupted, durationMs: Date.now() - attachedAt, reason });
  const check = (): void => {
    const status = readStatusFile(statusPath);
    if (status?.state === 'exited') return settle(resultOf(status));
    if (status?.state === 'running') {
      if (alive(status.supervisorPid)) return;
      // gone between two reads? its last word may have landed meanwhile
      const again = readStatusFile(statusPath);
      if (again?.state === 'exited') return settle(resultOf(again));
      return settle(failed('the step supervisor died without recording an exit status', false));
    }
    // no status at all: the cockpit that started it stopped before its supervisor could start it
    if (Date.now() - attachedAt >= 1000) settle(failed('the cockpit stopped before this step could start (nothing ran)', true));
  };
  const watch = setInterval(check, ATTACH_POLL_MS);
  queueMicrotask(check);
  return {
    key: req.key,
    logPath: req.logPath,
    startedAt: readStatusFile(statusPath)?.startedAt ?? attachedAt,
    done,
    onLines(cb) {
      tail.listeners.add(cb);
      return () => tail.listeners.delete(cb);
    },
    kill() {
      const s = readStatusFile(statusPath);
      if (s?.state !== 'running') return;
      try {
        // as for a step of ours: the supervisor hears it is an interrupt, the group gets SIGTERM
        process.kill(s.supervisorPid, 'SIGUSR2');
        if (s.pid) process.kill(-s.pid, 'SIGTERM');
      } catch {
        /* gone already */
      }
    },
  };
}

/** The real runner: every step in its own supervisor process and process group. */
export class ProcessRunner implements Runner {
  attach(req: AttachRequest): StepHandle {
    return attachStep(req);
  }

  programProblem(program: string | undefined, cwd: string): string | undefined {
    return program ? checkProgram(program, cwd) : checkCwd(cwd);
  }

  constructor(private readonly supervisor = supervisorPath()) {
    scheduleSpare(supervisor, 'rollback', SPARE_FIRST_DELAY_MS);
    scheduleSpare(supervisor, 'any', SPARE_FIRST_DELAY_MS + SPARE_REFILL_DELAY_MS);
  }

  start(req: StepRequest): StepHandle {
    // a symlink planted among the step's files (safe-open.ts): the step does not start, by name
    const unsafe = unsafeAmong(stepFiles(req.logPath));
    if (unsafe) return failedBeforeStart(req, unsafe, false);
    const problem = checkProgram(req.invocation.file, req.cwd, { ...process.env, ...req.env });
    if (problem) return failedBeforeStart(req, problem);

    const statusPath = req.logPath.replace(/\.log$/, '') + '.status.json';
    const specPath = req.logPath.replace(/\.log$/, '') + '.spec.json';
    // A secret never reaches the spec file: a variable named a secret, or any value or argument
    // holding one, is written there masked; the real values are handed over beside it.
    const env = { ...req.invocation.env, ...req.env };
    const mask = maskerFor(req.secretNames.flatMap((n) => [process.env[n] ?? '', env[n] ?? '']));
    const named = new Set(req.secretNames);
    const secretEnv = Object.fromEntries(Object.entries(env).filter(([k, v]) => named.has(k) || mask(v) !== v));
    const args = req.invocation.args.map(mask);
    const spec: SupervisorSpec = {
      file: req.invocation.file,
      args,
      cwd: req.cwd,
      env: { ...env, ...Object.fromEntries(Object.keys(secretEnv).map((k) => [k, MASK])) },
      logPath: req.logPath,
      statusPath,
      timeoutMs: req.timeoutMs,
      graceMs: req.graceMs,
      secretNames: req.secretNames,
    };
    const handover: { -readonly [K in keyof Handover]: Handover[K] } = {};
    if (Object.keys(secretEnv).length > 0) handover.env = secretEnv;
    if (args.some((a, i) => a !== req.invocation.args[i])) handover.args = req.invocation.args;
    try {
      writeNoFollow(req.logPath, '', 'append');
    } catch (e) {
      // planted since the look above: refused all the same
      const refused = refusalOf(e);
      if (refused) return failedBeforeStart(req, refused, false);
      throw e;
    }
    try {
      writeNoFollow(specPath, JSON.stringify(spec));
    } catch {
      // a full disk: the spec goes with the hand-over (the step, a rollback above all, still runs)
      handover.spec = spec;
    }
    const handedOver = Object.keys(handover).length > 0 ? JSON.stringify(handover) : undefined;
    // a retried step appends to the same log: follow only what this attempt writes
    const initialOffset = lstatSync(req.logPath).size;
    const startedAt = Date.now();
    // a spare supervisor takes the spec (and this process's environment) over its stdin; else one
    // is started for this step
    let coldSaid = '';
    const cold = (): ChildProcess => {
      const p = spawn(process.execPath, [this.supervisor, specPath], {
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
        cwd: req.cwd,
        env: handedOver === undefined ? undefined : { ...process.env, [HANDOVER_ENV]: handedOver },
      });
      // it could not start (its cwd went away since the check above): the step failed, nothing ran
      p.on('error', (e) => settleNotStarted(checkCwd(req.cwd) ?? `cannot start the step supervisor: ${e.message}`));
      p.unref();
      p.stdout!.on('error', () => {});
      p.stdout!.setEncoding('utf8').on('data', (d: string) => (coldSaid += d));
      (p.stdout as unknown as { unref?: () => void }).unref?.();
      return p;
    };
    const spare = takeSpare(this.supervisor, req.key);
    let sup = spare ? spare.proc : cold();
    if (spare) spare.proc.stdin!.end(`${JSON.stringify({ spec: resolve(specPath), env: process.env, handover })}\n`);

    const tail = new LogTail(req.logPath, initialOffset);
    const listeners = tail.listeners;
    let killed = false;
    const readStatus = (): StepStatus | undefined => {
      // a retried step shares the status file: only this attempt's supervisor's counts
      const s = readStatusFile(statusPath);
      if (s !== undefined && s.supervisorPid === sup.pid && s.state === 'exited') return s;
      // its stdout, where a supervisor says it when no file could hold it (a full disk)
      const said = statusSaid(spare && sup === spare.proc ? spare.said : coldSaid);
      if (said?.supervisorPid === sup.pid) return said;
      return s?.supervisorPid === sup.pid ? s : undefined;
    };
    let settled = false;
    let signalledGroup = false;
    let statusWatch: NodeJS.Timeout | undefined;
    let resolveDone!: (r: StepResult) => void;
    const done = new Promise<StepResult>((r) => (resolveDone = r));
    /**
     * The step is over: at the supervisor's exit, or (after kill()) as soon as its status file says
     * so. An interrupted step's supervisor records the exit before it writes out the rest of the
     * output: what follows is waiting for nobody (a rollback above all); the log still gets it all.
     */
    const settle = (status: StepStatus | undefined, early: boolean): void => {
      if (settled) return;
      settled = true;
      if (statusWatch) clearInterval(statusWatch);
      tail.close(!early);
      // the log could not be written (a full disk): said where the output is shown
      if (status?.state === 'exited' && status.logError) {
        const line = `${stampOf(new Date())}${lossLine(status.logError.code, status.logError.lostBytes)}`;
        for (const l of listeners) l([line]);
      }
      if (!status && killed) {
        // kill() came before the supervisor could take signals: the step never started
        resolveDone({ ok: false, exitCode: null, signal: null, timedOut: false, interrupted: true, durationMs: Date.now() - startedAt, reason: 'interrupted before it started' });
        return;
      }
      if (!status || status.state !== 'exited') {
        resolveDone({ ok: false, exitCode: null, signal: null, timedOut: false, interrupted: false, durationMs: Date.now() - startedAt, reason: 'the step supervisor died without recording an exit status' });
        return;
      }
      // kill() sent the running step's group its SIGTERM itself: an exit its supervisor saw before
      // it heard so (SIGUSR2) is this interrupt all the same, as if it had sent the SIGTERM
      if (signalledGroup && !status.interrupted && !status.timedOut) status = { ...status, interrupted: true };
      const reason = describeResult(status);
      resolveDone({
        ok: reason === undefined,
        exitCode: status.exitCode,
        signal: status.signal,
        timedOut: status.timedOut,
        interrupted: status.interrupted,
        durationMs: status.endedAt - status.startedAt,
        reason,
      });
    };
    const settleNotStarted = (reason: string): void => {
      if (settled) return;
      settled = true;
      if (statusWatch) clearInterval(statusWatch);
      tail.close(true);
      resolveDone({ ok: false, exitCode: null, signal: null, timedOut: false, interrupted: false, durationMs: 0, reason, notStarted: true });
    };
    if (!spare) sup.on('close', () => settle(readStatus(), false));
    else
      void spare.gone.then((saidReady) => {
        if (settled) return;
        const status = readStatus();
        if (!saidReady && !status && !killed) {
          // it died booting, before it could read the step (so nothing ran): start it anew
          sup = cold();
          sup.on('close', () => settle(readStatus(), false));
          return;
        }
        settle(status, false);
      });

    return {
      key: req.key,
      logPath: req.logPath,
      startedAt,
      done,
      onLines(cb) {
        listeners.add(cb);
        return () => listeners.delete(cb);
      },
      kill() {
        killed = true;
        if (sup.exitCode === null && sup.pid !== undefined) {
          const running = readStatus();
          try {
            if (running?.state === 'running' && running.pid) {
              // The step's group gets its SIGTERM from here, at once: its supervisor runs at a
              // lower priority and, beside a step flooding the CPU, may take a while to. SIGUSR2
              // first tells the supervisor (interrupted, grace period, SIGKILL), not to send another.
              process.kill(sup.pid, 'SIGUSR2');
              try {
                process.kill(-running.pid, 'SIGTERM');
                signalledGroup = true;
              } catch {
                /* the group is gone already */
              }
            } else process.kill(sup.pid, 'SIGTERM');
          } catch {
            /* already gone */
          }
          // The step's end, from whichever tells first: its supervisor's status file, or (the
          // group was signalled from here) /proc itself: the step's process exited (a zombie its
          // supervisor, at its lower priority, has not collected yet) and nothing of its group
          // runs. An interrupted step that is over keeps nobody waiting (a rollback above all).
          let scannedAt = -Infinity;
          statusWatch ??= setInterval(() => {
            const s = readStatus();
            if (s?.state === 'exited') return settle(s, true);
            if (!signalledGroup || s?.state !== 'running' || !s.pid) return;
            const p = procInfo(s.pid);
            if (!p || !exited(p) || Date.now() - scannedAt < GROUP_SCAN_MS) return; // still running, or reaped: its status is on its way
            scannedAt = Date.now();
            if (groupRunning(s.pid)) return;
            const now = Date.now();
            settle({ state: 'exited', supervisorPid: s.supervisorPid, pid: s.pid, startedAt: s.startedAt, endedAt: now, exitedAt: now, ...fromWaitStatus(p.waitStatus), timedOut: false, interrupted: true }, true);
          }, STATUS_POLL_MS);
        }
      },
    };
  }
}
