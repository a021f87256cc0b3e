/**
 * The step supervisor: a small detached process (its own session) that runs one step in its own
 * process group, writes its merged output line-stamped (and secret-masked) to the step's log file,
 * enforces the timeout, and writes the exit status to a status file. The cockpit only tails
 * those files, so a slow or crashed cockpit can neither slow nor kill a running deploy.
 *
 *   node dist/supervisor.js <spec.json>
 *   node dist/supervisor.js --standby     (a spare: see below)
 *
 * The step writes stdout and stderr (one file descriptor: true merged order) straight into an
 * unlinked scratch file, at file speed: it never waits for anybody to read a pipe. The supervisor,
 * at a lower CPU priority than the step, reads that file as it grows and writes the stamped,
 * masked log. Unmasked output therefore never has a name on disk.
 *
 * SIGTERM/SIGINT/SIGHUP to the supervisor interrupt the step: SIGTERM to its group, SIGKILL after
 * the grace period. Processes the step left behind in its group are ended when it exits. SIGUSR2
 * says the cockpit has already sent the group its SIGTERM (it does, at its own priority, to
 * interrupt a running step at once): the same interrupt, without a second SIGTERM.
 *
 * --standby: a spare supervisor the runner starts ahead of time, so a step (a rollback above all)
 * does not wait for a node process to boot. It prints "ready" and waits on stdin for one line,
 * {"spec": path, "env": {...}}: the cockpit's environment at the step's start (a cold supervisor
 * inherits it; the spare takes it over, so the step sees the same). Then it moves to the step's
 * cwd and supervises the step exactly as above; stdin is not read again. Stdin closing before a
 * spec (the cockpit went away), or a signal before it, ends the spare with nothing started.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { setPriority } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { longTimeout, type TimerHandle } from '../core/clock.js';
import { maskerFor, stampOf } from './log-format.js';
import { groupExists, groupRunning as groupRunningOf } from './proc.js';
import { checkCwd } from './program.js';
import type { StepStatus, SupervisorSpec } from './spec.js';

const FOLLOW_MS = 25;
/** Reads (of 1 MiB) per follow() before it lets signals and the step's exit in. */
const FOLLOW_CHUNKS = 2;

/** What SIGTERM/SIGINT/SIGHUP do now: nothing started yet (a spare), so nothing to interrupt. */
let onSignal: () => void = () => process.exit(0);
// Before anything is spawned: a SIGTERM arriving right after the spawn must interrupt the step, not
// kill the supervisor (its default action) and leave the step running unsupervised. One handler
// for the process's whole life: the OS-level handler is never uninstalled in between.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => onSignal());
/** SIGUSR2: interrupted, and the group has had its SIGTERM already. */
let onSignalled: () => void = () => process.exit(0);
process.on('SIGUSR2', () => onSignalled());

function supervise(spec: SupervisorSpec): void {
  const startedAt = Date.now();
  const log = openSync(spec.logPath, 'a');
  // the step's own env (spec.env) may carry a secret too: mask what the step can see
  const mask = maskerFor(spec.secretNames.flatMap((n) => [process.env[n] ?? '', spec.env[n] ?? '']));

  function writeStatus(status: StepStatus): void {
    const tmp = `${spec.statusPath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(status)}\n`);
    renameSync(tmp, spec.statusPath);
  }

  let timedOut = false;
  let interrupted = false;
  // a timeout or grace period past 2^31 ms (a `timeout: 600h`) is a chain of timers: one would fire at once
  let killTimer: TimerHandle | undefined;

  // before the spawn (see onSignal above)
  onSignal = () => {
    interrupted = true;
    stop();
  };
  onSignalled = () => {
    interrupted = true;
    killTimer ??= longTimeout(() => killGroup('SIGKILL'), spec.graceMs);
  };

  // The scratch file: created private, unlinked at once; the step and this process hold it open.
  const rawPath = `${spec.logPath}.${process.pid}.raw`;
  const raw = openSync(rawPath, 'w+', 0o600);
  unlinkSync(rawPath);

  const child = spawn(spec.file, [...spec.args], {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', raw, raw],
    detached: true,
  });
  const pgid = child.pid;
  let exitCode: number | null = null;
  let signal: string | null = null;
  let spawnError: string | undefined;

  // the step keeps the CPU it needs; following its output can wait
  try {
    setPriority(10);
  } catch {
    /* not permitted here: run at the same priority */
  }

  writeStatus({ state: 'running', supervisorPid: process.pid, pid: pgid ?? null, startedAt });

  function killGroup(sig: NodeJS.Signals): void {
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, sig);
    } catch {
      /* the group is gone */
    }
  }

  const groupAlive = (): boolean => pgid !== undefined && groupExists(pgid);
  const groupRunning = (): boolean => pgid !== undefined && groupRunningOf(pgid);

  function stop(): void {
    killGroup('SIGTERM');
    killTimer ??= longTimeout(() => killGroup('SIGKILL'), spec.graceMs);
  }

  const timeout = spec.timeoutMs
    ? longTimeout(() => {
        timedOut = true;
        follow(true);
        writeLine(`cockpit: timeout after ${Math.round(spec.timeoutMs! / 1000)}s, sending SIGTERM to the step's process group`);
        stop();
      }, spec.timeoutMs)
    : undefined;

  const decoder = new StringDecoder('utf8');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let offset = 0;
  let pending = '';
  let pendingSince = 0;

  function writeLines(text: string): void {
    const stamp = stampOf(new Date());
    writeSync(log, `${stamp}${mask(text).replaceAll('\n', `\n${stamp}`)}\n`);
  }

  function writeLine(text: string): void {
    flushPartial();
    writeLines(text);
  }

  function flushPartial(): void {
    if (pending !== '') {
      writeLines(pending);
      pending = '';
    }
  }

  let catchingUp = false;
  /**
   * Reads what the step wrote since last time and writes it to the log, whole lines stamped. At
   * most FOLLOW_CHUNKS reads a call (then it goes on at once, between events) unless `all`: a
   * flooding step never keeps a SIGTERM or its own exit waiting behind the output.
   */
  function follow(all = false): void {
    for (let i = 0; ; i++) {
      if (!all && i === FOLLOW_CHUNKS) {
        if (!catchingUp) {
          catchingUp = true;
          setImmediate(() => {
            catchingUp = false;
            if (!finished) follow();
          });
        }
        break;
      }
      const n = readSync(raw, buf, 0, buf.length, offset);
      if (n <= 0) break;
      offset += n;
      const before = pending;
      pending += decoder.write(buf.subarray(0, n));
      const nl = pending.lastIndexOf('\n');
      if (nl >= 0) {
        writeLines(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      if (pending !== '' && (before === '' || nl >= 0)) pendingSince = Date.now();
    }
    // a line without its newline for a while (a prompt, a progress bar) is written as it is
    if (pending !== '' && (pending.length > 65536 || Date.now() - pendingSince >= 250)) flushPartial();
  }

  const follower = setInterval(follow, FOLLOW_MS);

  child.on('error', (e) => {
    // a cwd gone since the cockpit checked it fails the spawn with ENOENT: say which
    spawnError = checkCwd(spec.cwd) ?? e.message;
    exited = true;
    finish();
  });

  let exited = false;
  let exitedAt: number | undefined;

  child.on('exit', (code, sig) => {
    exitedAt = Date.now();
    exitCode = code;
    signal = sig;
    exited = true;
    // Whatever the step left running in its group (a `sleep 1000 &`) ends with it.
    if (groupAlive()) {
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), Math.min(spec.graceMs, 1000)).unref();
    }
    // give what the group was writing as it ended a moment to land (until nothing of the group
    // runs, at most 50 ms: an interrupted `sh` whose `sleep` dies a moment later finishes at once)
    const settleBy = Date.now() + 50;
    // killed by a signal nobody told this supervisor of (yet): the cockpit's SIGUSR2, sent just
    // before its SIGTERM to the group, may still be on its way (signals are not ordered across threads)
    const hearBy = Date.now() + 20;
    const settle = (): void => {
      const now = Date.now();
      if ((groupRunning() && now < settleBy) || (sig !== null && !interrupted && now < hearBy)) setTimeout(settle, 5);
      else finish();
    };
    setTimeout(settle, 0);
  });

  let finished = false;
  function finish(): void {
    if (finished || !exited) return;
    finished = true;
    clearInterval(follower);
    const exitedStatus = (): StepStatus => ({
      state: 'exited',
      supervisorPid: process.pid,
      pid: pgid ?? null,
      startedAt,
      endedAt: Date.now(),
      exitedAt,
      exitCode,
      signal,
      timedOut,
      interrupted,
      error: spawnError,
    });
    // An interrupted step is over: the cockpit may go on (to the rollback) at once, while the rest
    // of its output is written out below (the runner reads this status after a kill()).
    const early = interrupted ? exitedStatus() : undefined;
    if (early) writeStatus(early);
    follow(true);
    pending += decoder.end();
    flushPartial();
    timeout?.cancel();
    killTimer?.cancel();
    closeSync(log);
    closeSync(raw);
    if (!early) writeStatus(exitedStatus());
    // The group was signalled above; make sure nothing of it survives the supervisor.
    if (groupAlive()) killGroup('SIGKILL');
    process.exit(0);
  }
}

/** The spare: waits for its step (see the top of this file). */
function standby(): void {
  let input = '';
  const stdin = process.stdin;
  stdin.setEncoding('utf8');
  const onEnd = () => process.exit(0);
  const onData = (d: string) => {
    input += d;
    const nl = input.indexOf('\n');
    if (nl < 0) return;
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.destroy();
    const msg = JSON.parse(input.slice(0, nl)) as { spec: string; env: Record<string, string> };
    // the cockpit's environment now, exactly: what a supervisor started now would inherit
    for (const k of Object.keys(process.env)) if (!(k in msg.env)) delete process.env[k];
    Object.assign(process.env, msg.env);
    const spec = JSON.parse(readFileSync(msg.spec, 'utf8')) as SupervisorSpec;
    try {
      process.chdir(spec.cwd); // where a cold supervisor starts (the step gets spec.cwd either way)
    } catch {
      /* the spawn reports a bad cwd */
    }
    supervise(spec);
  };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  process.stdout.write('ready\n');
}

if (process.argv[2] === '--standby') standby();
else supervise(JSON.parse(readFileSync(process.argv[2], 'utf8')) as SupervisorSpec);
