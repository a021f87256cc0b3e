/**
 * A Runner for ui-tier tests that runs each step's real command as a child process of the test
 * (no supervisor, so no build is needed): the fixture scripts run for real, write their files
 * (out/order, out/pids …) and print lines that reach the screen through the step's log, stamped
 * as the supervisor stamps them. kill() ends the step's process group: SIGTERM, then SIGKILL after
 * the grace period. What only the supervisor does (detaching from the cockpit, surviving it,
 * spare pools) is the e2e tier's.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { checkCwd, checkProgram } from '../../src/exec/program.js';
import { describeResult, type Runner, type StepHandle, type StepRequest, type StepResult } from '../../src/exec/runner.js';
import { stampOf } from '../../src/exec/log-format.js';

type Listener = (lines: readonly string[]) => void;

/** Splits a stream into whole lines, stamped, appended to the log and handed to the listeners. */
function lineSink(logPath: string, listeners: Set<Listener>): { feed(chunk: Buffer): void; end(): void } {
  let partial = '';
  const emit = (lines: string[]) => {
    if (lines.length === 0) return;
    const stamped = lines.map((l) => `${stampOf(new Date())}${l}`);
    appendFileSync(logPath, stamped.map((l) => `${l}\n`).join(''));
    for (const cb of listeners) cb(stamped);
  };
  return {
    feed(chunk) {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      emit(parts);
    },
    end() {
      if (partial) emit([partial]);
      partial = '';
    },
  };
}

export class ChildRunner implements Runner {
  /** Process groups of the steps still running (ended by endAll()). */
  private readonly groups = new Set<number>();

  programProblem(program: string | undefined, cwd: string): string | undefined {
    return program ? checkProgram(program, cwd) : checkCwd(cwd);
  }

  start(req: StepRequest): StepHandle {
    writeFileSync(req.logPath, '', { flag: 'a' });
    const startedAt = Date.now();
    const problem = checkProgram(req.invocation.file, req.cwd, { ...process.env, ...req.env });
    if (problem) return { key: req.key, logPath: req.logPath, startedAt, done: Promise.resolve({ ok: false, exitCode: null, signal: null, timedOut: false, interrupted: false, durationMs: 0, reason: problem, notStarted: true }), onLines: () => () => {}, kill: () => {} };
    const listeners = new Set<Listener>();
    const child = spawn(req.invocation.file, [...req.invocation.args], { cwd: req.cwd, env: { ...process.env, ...req.invocation.env, ...req.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid!;
    this.groups.add(pid);
    const sink = lineSink(req.logPath, listeners);
    child.stdout.on('data', sink.feed);
    child.stderr.on('data', sink.feed);
    let interrupted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const done = new Promise<StepResult>((resolve) => {
      child.on('close', (code, signal) => {
        sink.end();
        clearTimeout(killTimer);
        this.groups.delete(pid);
        signalGroup(pid, 'SIGKILL'); // what the step left behind in its group (the supervisor's rule)
        const status = { state: 'exited' as const, supervisorPid: process.pid, pid, exitCode: code, signal, timedOut: false, interrupted, startedAt, endedAt: Date.now() };
        const reason = describeResult(status);
        resolve({ ok: reason === undefined, exitCode: code, signal, timedOut: false, interrupted, durationMs: status.endedAt - startedAt, reason });
      });
    });
    return {
      key: req.key,
      logPath: req.logPath,
      startedAt,
      done,
      onLines: (cb) => {
        listeners.add(cb);
        return () => listeners.delete(cb);
      },
      kill: () => {
        if (interrupted || !this.groups.has(pid)) return;
        interrupted = true;
        signalGroup(pid, 'SIGTERM');
        killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), req.graceMs);
      },
    };
  }

  /** Ends every step still running (a test that failed half way). */
  endAll(): void {
    for (const pid of this.groups) signalGroup(pid, 'SIGKILL');
    this.groups.clear();
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone already
  }
}
