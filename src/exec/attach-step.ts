/** Follows a step another cockpit started (see Runner.attach). */
import { unsafeAmong, writeNoFollow } from '../core/safe-open.js';
import { LogTail } from './log-tail.js';
import { processAlive as alive } from './proc.js';
import type { AttachRequest, StepHandle, StepResult } from './step-types.js';
import { stepFiles } from './spec.js';
import { failedBeforeStart, failedResult, readStatusFile, resultOf, statusPathOf } from './step-status.js';

/** How often an attached step's status file and supervisor are looked at. */
const ATTACH_POLL_MS = 100;

/** See Runner.attach. `onFlood`: told when the step floods its output (LogTail). */
export function attachStep(req: AttachRequest, onFlood?: () => void): StepHandle {
  const statusPath = statusPathOf(req.logPath);
  // a symlink planted among the step's files: refused by name, nothing opened through it
  const unsafe = unsafeAmong(stepFiles(req.logPath));
  if (unsafe) return failedBeforeStart(req, unsafe, false);
  writeNoFollow(req.logPath, '', 'append');
  const tail = new LogTail(req.logPath, 0, onFlood);
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
  const check = (): void => {
    const r = attachedResult(statusPath, attachedAt);
    if (r) settle(r);
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
    kill: () => interruptAttached(statusPath),
    drain: () => tail.drain(true),
  };
}

/** The attached step's result once it is over (its status, or its supervisor gone), else undefined. */
function attachedResult(statusPath: string, attachedAt: number): StepResult | undefined {
  const status = readStatusFile(statusPath);
  if (status?.state === 'exited') return resultOf(status);
  if (status?.state === 'running') {
    if (alive(status.supervisorPid)) return undefined;
    // gone between two reads? its last word may have landed meanwhile
    const again = readStatusFile(statusPath);
    if (again?.state === 'exited') return resultOf(again);
    return failedResult('the step supervisor died without recording an exit status', Date.now() - attachedAt);
  }
  // no status at all: the cockpit that started it stopped before its supervisor could start it
  if (Date.now() - attachedAt >= 1000) return failedResult('the cockpit stopped before this step could start (nothing ran)', Date.now() - attachedAt, { interrupted: true });
  return undefined;
}

function interruptAttached(statusPath: string): void {
  const s = readStatusFile(statusPath);
  if (s?.state !== 'running') return;
  try {
    // as for a step of ours: the supervisor hears it is an interrupt, the group gets SIGTERM
    process.kill(s.supervisorPid, 'SIGUSR2');
    if (s.pid) process.kill(-s.pid, 'SIGTERM');
  } catch {
    /* gone already */
  }
}
