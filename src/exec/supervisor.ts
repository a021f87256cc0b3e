/**
 * The step supervisor: a small detached process (its own session) that runs one step in its own
 * process group, writes its merged output line-stamped (and secret-masked) to the step's log file,
 * enforces the timeout, and writes the exit status to a status file. The cockpit only tails
 * those files, so a slow or crashed cockpit can neither slow nor kill a running deploy.
 *
 *   node dist/supervisor.js <spec.json>
 *
 * The step writes stdout and stderr (one file descriptor: true merged order) straight into an
 * unlinked scratch file, at file speed: it never waits for anybody to read a pipe. The supervisor,
 * at a lower CPU priority than the step, reads that file as it grows and writes the stamped,
 * masked log. Unmasked output therefore never has a name on disk.
 *
 * SIGTERM/SIGINT/SIGHUP to the supervisor interrupt the step: SIGTERM to its group, SIGKILL after
 * the grace period. Processes the step left behind in its group are ended when it exits.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { setPriority } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { maskerFor, stampOf } from './log-format.js';
import type { StepStatus, SupervisorSpec } from './spec.js';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as SupervisorSpec;
const startedAt = Date.now();
const log = openSync(spec.logPath, 'a');
// the step's own env (spec.env) may carry a secret too: mask what the step can see
const mask = maskerFor(spec.secretNames.flatMap((n) => [process.env[n] ?? '', spec.env[n] ?? '']));
const FOLLOW_MS = 25;

function writeStatus(status: StepStatus): void {
  const tmp = `${spec.statusPath}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(status)}\n`);
  renameSync(tmp, spec.statusPath);
}

let timedOut = false;
let interrupted = false;
let killTimer: NodeJS.Timeout | undefined;

// Before the spawn: a SIGTERM arriving right after it must interrupt the step, not kill the
// supervisor (its default action) and leave the step running unsupervised.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(sig, () => {
    interrupted = true;
    stop();
  });
}

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

function groupAlive(): boolean {
  if (pgid === undefined) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function stop(): void {
  killGroup('SIGTERM');
  killTimer ??= setTimeout(() => killGroup('SIGKILL'), spec.graceMs);
}

const timeout = spec.timeoutMs
  ? setTimeout(() => {
      timedOut = true;
      follow();
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

/** Reads what the step wrote since last time and writes it to the log, whole lines stamped. */
function follow(): void {
  for (;;) {
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
  spawnError = e.message;
  exited = true;
  finish();
});

let exited = false;

child.on('exit', (code, sig) => {
  exitCode = code;
  signal = sig;
  exited = true;
  // Whatever the step left running in its group (a `sleep 1000 &`) ends with it.
  if (groupAlive()) {
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), Math.min(spec.graceMs, 1000)).unref();
  }
  // give what the group was writing as it ended a moment to land, then finish
  setTimeout(finish, groupAlive() ? 50 : 0);
});

let finished = false;
function finish(): void {
  if (finished || !exited) return;
  finished = true;
  clearInterval(follower);
  follow();
  pending += decoder.end();
  flushPartial();
  if (timeout) clearTimeout(timeout);
  if (killTimer) clearTimeout(killTimer);
  closeSync(log);
  closeSync(raw);
  writeStatus({
    state: 'exited',
    supervisorPid: process.pid,
    pid: pgid ?? null,
    startedAt,
    endedAt: Date.now(),
    exitCode,
    signal,
    timedOut,
    interrupted,
    error: spawnError,
  });
  // The group was signalled above; make sure nothing of it survives the supervisor.
  if (groupAlive()) killGroup('SIGKILL');
  process.exit(0);
}
