/** Reading a step's exit status (spec.ts StepStatus) and saying what it means (a StepResult). */
import { readNoFollow, writeNoFollow } from '../core/safe-open.js';
import type { StepHandle, StepResult } from './step-types.js';
import type { StepStatus } from './spec.js';

export type Exited = Extract<StepStatus, { state: 'exited' }>;

export function describeResult(s: Exited): string | undefined {
  if (s.error) return s.error;
  if (s.timedOut) return `timed out (${s.signal ?? `exit ${s.exitCode}`})`;
  if (s.interrupted) return `interrupted (${s.signal ?? `exit ${s.exitCode}`})`;
  if (s.signal) return `killed by ${s.signal}`;
  if (s.exitCode !== 0) return `exit ${s.exitCode}`;
  return undefined;
}

export function resultOf(status: Exited): StepResult {
  const reason = describeResult(status);
  return { ok: reason === undefined, exitCode: status.exitCode, signal: status.signal, timedOut: status.timedOut, interrupted: status.interrupted, durationMs: status.endedAt - status.startedAt, reason };
}

/** A step that failed without an exit status of its own (it never started, its supervisor died). */
export function failedResult(reason: string, durationMs: number, more: { interrupted?: boolean; notStarted?: boolean } = {}): StepResult {
  return { ok: false, exitCode: null, signal: null, timedOut: false, interrupted: more.interrupted ?? false, durationMs, reason, ...(more.notStarted ? { notStarted: true } : {}) };
}

/** The status a supervisor that could not write its status file said on its stdout. */
export function statusSaid(said: string): StepStatus | undefined {
  const line = said.split('\n').find((l) => l.startsWith('status '));
  try {
    return line ? (JSON.parse(line.slice('status '.length)) as StepStatus) : undefined;
  } catch {
    return undefined;
  }
}

export function readStatusFile(path: string): StepStatus | undefined {
  try {
    return JSON.parse(readNoFollow(path)) as StepStatus;
  } catch {
    return undefined;
  }
}

/** The step's status file beside its log. */
export function statusPathOf(logPath: string): string {
  return `${logPath.replace(/\.log$/, '')}.status.json`;
}

/** A step that did not start (an unusable program or cwd, a planted symlink): its handle, already done. */
export function failedBeforeStart(req: { readonly key: string; readonly logPath: string }, reason: string, touchLog = true): StepHandle {
  if (touchLog) writeNoFollow(req.logPath, '', 'append');
  return {
    key: req.key,
    logPath: req.logPath,
    startedAt: Date.now(),
    done: Promise.resolve(failedResult(reason, 0, { notStarted: true })),
    onLines: () => () => {},
    kill: () => {},
  };
}
