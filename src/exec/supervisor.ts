/**
 * The step supervisor: a small detached process (its own session) that runs one step in its own
 * process group, writes its merged output line-stamped (and secret-masked) to the step's log file,
 * enforces the timeout, and writes the exit status to a status file. The cockpit only tails
 * those files, so a slow or crashed cockpit can neither slow nor kill a running deploy.
 *
 *   node dist/supervisor.js <spec.json>
 *   node dist/supervisor.js --standby     (a spare: see below)
 *
 * The step's output (stdout and stderr, merged) goes where a full disk cannot make the step fail
 * (step-output.ts): a private, unlinked scratch file on a memory-backed filesystem the step writes
 * at memory speed, never waiting for anybody, read by this process at a lower CPU priority; or,
 * with no such filesystem, a pipe this process drains. The log (output-log.ts) is written from
 * it: stamped, masked, `\r` redraws and lines written in pieces made into what a terminal shows,
 * capped by bytes. Unmasked output never has a name on disk.
 *
 * SIGTERM/SIGINT/SIGHUP to the supervisor interrupt the step: SIGTERM to its group, SIGKILL after
 * the grace period. Processes the step left behind in its group are ended when it exits. Whatever
 * is signalled, the step's processes that left its group (`setsid`) get it too: they are found by
 * the step's environment tag (exec/descendants.ts). SIGUSR2
 * says the cockpit has already sent the group its SIGTERM (it does, at its own priority, to
 * interrupt a running step at once): the same interrupt, without a second SIGTERM.
 *
 * --standby: a spare supervisor the runner starts ahead of time, so a step (a rollback above all)
 * does not wait for a node process to boot. It prints "ready" and waits on stdin for one line,
 * {"spec": path, "env": {...}, "handover": {...}}: the cockpit's environment at the step's start
 * (a cold supervisor inherits it; the spare takes it over, so the step sees the same). Then it
 * moves to the step's cwd and supervises the step exactly as above; stdin is not read again.
 * Stdin closing before a spec (the cockpit went away), or a signal before it, ends the spare with
 * nothing started.
 *
 * The hand-over (spec.ts): what never goes into the spec file, the secrets' values (and the whole
 * spec when its file could not be written). A cold supervisor finds it in its environment.
 *
 * The log is capped (COCKPIT_LOG_MAX_BYTES): the head, a marker, then at the end the output's last
 * part and the count of bytes dropped; memory stays bounded whatever the output's shape (a 1 GB
 * line). Nothing here throws on a write: on a full disk the log loses lines (counted, and said:
 * "disk full: N bytes of output not kept"), the status goes where it can (see writeStatus), the
 * step runs on.
 */
import { spawn } from 'node:child_process';
import { closeSync, ftruncateSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { openNoFollow, readNoFollow, writeNoFollow } from '../core/safe-open.js';
import { setPriority } from 'node:os';
import { longTimeout, type TimerHandle } from '../core/clock.js';
import { bootTicks, killTreeNow, newTag, signalTree, tagEnv } from './descendants.js';
import { maskerFor, secretStartsFor } from './log-format.js';
import { liveFile } from './live-line.js';
import { logCap, OutputLog } from './output-log.js';
import { groupExists, groupRunning as groupRunningOf } from './proc.js';
import { checkCwd } from './program.js';
import { HANDOVER_ENV, type Handover, type StepStatus, type SupervisorSpec } from './spec.js';
import { openStepOutput } from './step-output.js';

const codeOf = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** What SIGTERM/SIGINT/SIGHUP do now: nothing started yet (a spare), so nothing to interrupt. */
let onSignal: () => void = () => process.exit(0);
// Before anything is spawned: a SIGTERM arriving right after the spawn must interrupt the step, not
// kill the supervisor (its default action) and leave the step running unsupervised. One handler
// for the process's whole life: the OS-level handler is never uninstalled in between.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => onSignal());
/** SIGUSR2: interrupted, and the group has had its SIGTERM already. */
let onSignalled: () => void = () => process.exit(0);
process.on('SIGUSR2', () => onSignalled());

function supervise(spec: SupervisorSpec, handover: Handover): void {
  const startedAt = Date.now();
  // the secrets' values were handed over beside the spec (which has them masked)
  const env = { ...process.env, ...spec.env, ...handover.env };
  // the step's processes are found by this even once they leave its group (exec/descendants.ts)
  const tag = newTag();
  const since = bootTicks();
  const stepEnv = { ...env, ...tagEnv(tag, env) };
  // the step's own env may carry a secret too: mask what the step can see
  const secrets = spec.secretNames.flatMap((n) => [process.env[n] ?? '', env[n] ?? '']);
  const mask = maskerFor(secrets);
  const secretStart = secretStartsFor(secrets);

  // The log. Writing it never throws: a full disk loses output, never the step's exit status.
  let log: number | undefined;
  let logError: string | undefined;
  try {
    log = openNoFollow(spec.logPath, 'append');
  } catch (e) {
    logError = codeOf(e);
  }
  const longestSecret = Math.max(0, ...secrets.map((v) => (v.length >= 3 ? v.length : 0)));
  const cap = logCap(process.env.COCKPIT_LOG_MAX_BYTES);
  // the line held now, for the screen: live-line.ts
  const out = new OutputLog({ fd: log, openError: logError, cap, mask, secretStart, longestSecret, livePath: liveFile(spec.logPath) });

  /**
   * The status file: a tmp file renamed over it, so a reader never sees half of one. When that
   * fails (a full disk), the file is rewritten in place: its block is there already, a rewrite
   * needs no new one. When even that fails, the status goes to stdout: the runner that started
   * this supervisor reads it there.
   */
  function writeStatus(status: StepStatus): void {
    const text = `${JSON.stringify(status)}\n`;
    const tmp = `${spec.statusPath}.tmp`;
    try {
      writeNoFollow(tmp, text);
      renameSync(tmp, spec.statusPath);
      return;
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        /* not there */
      }
    }
    try {
      const fd = openNoFollow(spec.statusPath, 'update');
      try {
        if (writeSync(fd, text, 0) !== Buffer.byteLength(text)) throw new Error('short write');
        ftruncateSync(fd, Buffer.byteLength(text));
        return;
      } finally {
        closeSync(fd);
      }
    } catch {
      /* no status file, or no room even there */
    }
    if (status.state === 'exited') toRunner(text);
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
    killOutside('SIGTERM'); // the cockpit signalled the group only
    killTimer ??= longTimeout(() => killGroup('SIGKILL'), spec.graceMs);
  };

  // Where the step writes its output (step-output.ts): never the disk the log is on.
  const output = openStepOutput(cap);
  const [file, args] = output.command(spec.file, handover.args ?? spec.args);
  const child = spawn(file, args, { cwd: spec.cwd, env: stepEnv, stdio: output.stdio, detached: true });
  const pgid = child.pid;
  output.start(child, (chunk) => out.feed(chunk));
  let exitCode: number | null = null;
  let signal: string | null = null;
  let spawnError: string | undefined;

  // the step keeps the CPU it needs; following its output can wait (unless the step waits for it)
  try {
    if (output.lowPriority) setPriority(10);
  } catch {
    /* not permitted here: run at the same priority */
  }

  writeStatus({ state: 'running', supervisorPid: process.pid, pid: pgid ?? null, startedAt });

  function killGroup(sig: NodeJS.Signals): void {
    if (pgid === undefined) return;
    // first, while the group lives: a child that cleared its environment is found through its parent
    killOutside(sig);
    try {
      process.kill(-pgid, sig);
    } catch {
      /* the group is gone */
    }
  }
  /** The step's processes that left its group (`setsid`): found by its tag (exec/descendants.ts). */
  function killOutside(sig: NodeJS.Signals): void {
    const q = { roots: pgid === undefined ? [] : [pgid], skipGroup: pgid, since };
    if (sig === 'SIGKILL') killTreeNow(tag, q);
    else signalTree(tag, sig, q);
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
        output.poll(true);
        out.line(`cockpit: timeout after ${Math.round(spec.timeoutMs! / 1000)}s, sending SIGTERM to the step's process group`);
        stop();
      }, spec.timeoutMs)
    : undefined;

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
    } else killOutside('SIGTERM'); // what left the group (SIGKILL in finish())
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
      logError: out.lost,
    });
    // An interrupted step is over: the cockpit may go on (to the rollback) at once, while the rest
    // of its output is written out below (the runner reads this status after a kill()).
    const early = interrupted ? exitedStatus() : undefined;
    if (early) writeStatus(early);
    output.drain(() => {
      out.end();
      timeout?.cancel();
      killTimer?.cancel();
      if (log !== undefined) closeSync(log);
      if (!early) writeStatus(exitedStatus());
      // The group was signalled above; make sure nothing of it (in the group or out of it) survives the supervisor.
      if (groupAlive()) killGroup('SIGKILL');
      else killOutside('SIGKILL');
      exitWhenTold();
    });
  }
}

/**
 * The status for the runner when no file could hold it (see writeStatus): on stdout, a pipe the
 * runner reads (nobody's, ignored, when the cockpit is gone).
 */
let told: Promise<void> = Promise.resolve();
function toRunner(text: string): void {
  told = new Promise((resolve) => {
    process.stdout.on('error', () => resolve());
    try {
      process.stdout.write(`status ${text}`, () => resolve());
    } catch {
      resolve();
    }
  });
}
function exitWhenTold(): void {
  const bye = setTimeout(() => process.exit(0), 1000);
  void told.then(() => {
    clearTimeout(bye);
    process.exit(0);
  });
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
    const msg = JSON.parse(input.slice(0, nl)) as { spec: string; env: Record<string, string>; handover?: Handover };
    // the cockpit's environment now, exactly: what a supervisor started now would inherit
    for (const k of Object.keys(process.env)) if (!(k in msg.env)) delete process.env[k];
    Object.assign(process.env, msg.env);
    const handover = msg.handover ?? {};
    const spec = handover.spec ?? (JSON.parse(readNoFollow(msg.spec)) as SupervisorSpec);
    try {
      process.chdir(spec.cwd); // where a cold supervisor starts (the step gets spec.cwd either way)
    } catch {
      /* the spawn reports a bad cwd */
    }
    supervise(spec, handover);
  };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  process.stdout.write('ready\n');
}

/** A cold supervisor's hand-over (spec.ts), taken out of the environment before the step sees it. */
function takeHandover(): Handover {
  const text = process.env[HANDOVER_ENV];
  delete process.env[HANDOVER_ENV];
  return text ? (JSON.parse(text) as Handover) : {};
}

if (process.argv[2] === '--standby') standby();
else {
  const handover = takeHandover();
  supervise(handover.spec ?? (JSON.parse(readNoFollow(process.argv[2])) as SupervisorSpec), handover);
}
