/**
 * The step supervisor: a small detached process (its own session) that runs one step in its own
 * process group, writes its merged output line-stamped (and secret-masked) to the step's log file,
 * enforces the timeout, and writes the exit status to a status file. The cockpit only tails
 * those files, so a slow or crashed cockpit can neither slow nor kill a running deploy.
 *
 *   node dist/supervisor.js <spec.json>
 *
 * SIGTERM/SIGINT/SIGHUP to the supervisor interrupt the step: SIGTERM to its group, SIGKILL after
 * the grace period. Processes the step left behind in its group are ended when it exits.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { maskerFor, stampOf } from './log-format.js';
import type { StepStatus, SupervisorSpec } from './spec.js';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as SupervisorSpec;
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
let killTimer: NodeJS.Timeout | undefined;

// Before the spawn: a SIGTERM arriving right after it must interrupt the step, not kill the
// supervisor (its default action) and leave the step running unsupervised.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(sig, () => {
    interrupted = true;
    stop();
  });
}

// `exec "$@" 2>&1` gives the step one pipe for stdout and stderr: true merged order.
const child = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', spec.file, ...spec.args], {
  cwd: spec.cwd,
  env: { ...process.env, ...spec.env },
  stdio: ['ignore', 'pipe', 'ignore'],
  detached: true,
});
const pgid = child.pid;
let exitCode: number | null = null;
let signal: string | null = null;
let spawnError: string | undefined;

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

const timeout = spec.timeoutMs ? setTimeout(() => {
  timedOut = true;
  writeLine(`cockpit: timeout after ${Math.round(spec.timeoutMs! / 1000)}s, sending SIGTERM to the step's process group`);
  stop();
}, spec.timeoutMs) : undefined;

const decoder = new StringDecoder('utf8');
let pending = '';
let partialTimer: NodeJS.Timeout | undefined;

function writeLines(text: string): void {
  const stamp = stampOf(new Date());
  writeSync(log, `${stamp}${mask(text).replaceAll('\n', `\n${stamp}`)}\n`);
}

function writeLine(text: string): void {
  flushPartial();
  writeLines(text);
}

function flushPartial(): void {
  if (partialTimer) clearTimeout(partialTimer);
  partialTimer = undefined;
  if (pending !== '') {
    writeLines(pending);
    pending = '';
  }
}

child.stdout!.on('data', (chunk: Buffer) => {
  pending += decoder.write(chunk);
  const nl = pending.lastIndexOf('\n');
  if (nl >= 0) {
    writeLines(pending.slice(0, nl));
    pending = pending.slice(nl + 1);
  }
  if (partialTimer) clearTimeout(partialTimer);
  partialTimer = pending === '' ? undefined : setTimeout(flushPartial, pending.length > 65536 ? 0 : 250);
});

child.on('error', (e) => {
  spawnError = e.message;
});

let exited = false;
let streamClosed = false;

child.on('exit', (code, sig) => {
  exitCode = code;
  signal = sig;
  exited = true;
  // Whatever the step left running in its group (a `sleep &` holding the pipe) ends with it.
  if (groupAlive()) {
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), Math.min(spec.graceMs, 1000)).unref();
  }
  maybeFinish();
});

child.stdout!.on('close', () => {
  streamClosed = true;
  maybeFinish();
});

let finished = false;
function maybeFinish(): void {
  if (finished || !exited) return;
  if (!streamClosed) {
    // A grandchild may hold the pipe: wait for it briefly, then finish anyway.
    setTimeout(() => {
      streamClosed = true;
      maybeFinish();
    }, 1500).unref();
    return;
  }
  finished = true;
  pending += decoder.end();
  flushPartial();
  if (timeout) clearTimeout(timeout);
  if (killTimer) clearTimeout(killTimer);
  closeSync(log);
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

if (child.pid === undefined) {
  child.once('error', () => {
    exited = true;
    streamClosed = true;
    maybeFinish();
  });
}
