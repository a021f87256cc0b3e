/**
 * Keep guarding in the background (session/leave-policy.ts): this cockpit hands its session to a
 * detached headless cockpit and leaves.
 *
 *   1. the background guard is spawned detached (its own session, no terminal), its output to
 *      `background-guard.log` in the session's folder: `cockpit run <runbook> --headless
 *      --background-guard <session>:<pid>` with the choices and inputs the session was given;
 *   2. this cockpit journals `guard.handed-over` (the guard's pid, its log) as its last event,
 *      stops its timers and records nothing more (controller.leave);
 *   3. the lock is handed to the guard's pid (lock.ts: atomically, so no other cockpit can take
 *      it in between) and the journal closed; then this cockpit exits;
 *   4. the guard waits until this cockpit is gone, then takes the session over as a resumed one
 *      (`session.resumed`, the running step followed, the triggers' windows as the journal left
 *      them): it keeps sampling and rolls back on its own (background-guard.ts). `cockpit watch`
 *      follows it like any session.
 */
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { openNoFollow } from '../core/safe-open.js';
import { join } from 'node:path';
import type { LeaveBy, SessionEvent } from '../core/events.js';
import { readJournal } from './journal.js';
import type { OpenedSession } from './open.js';
import { errorMessage } from '../core/error-message.js';

export const GUARD_LOG = 'background-guard.log';

/** The background guard's command line after the cockpit's own script: the session's runbook, its choices and inputs. */
export function guardArgs(file: string, sessionId: string, pid: number, journal: readonly SessionEvent[]): string[] {
  const plan = journal.find((e): e is Extract<SessionEvent, { type: 'plan.accepted' }> => e.type === 'plan.accepted');
  const given = [
    ...Object.entries(plan?.choices ?? {}).flatMap(([k, v]) => ['--choose', `${k}=${v}`]),
    ...Object.entries(plan?.inputs ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ];
  return ['run', file, '--headless', '--background-guard', `${sessionId}:${pid}`, ...given];
}

/** Parses `--background-guard <session>:<pid>`; a message when it is malformed. */
export function parseGuardTarget(v: string): { sessionId: string; fromPid: number } | string {
  const m = /^([^:\s]+):(\d+)$/.exec(v);
  return m ? { sessionId: m[1], fromPid: Number(m[2]) } : `--background-guard: expected <session>:<pid> (got "${v}")`;
}

export type HandOverOptions = {
  readonly by: LeaveBy;
  readonly watching: string;
  /** The cockpit's own script (bin/cockpit.js); the running one by default. */
  readonly entry?: string;
};

/**
 * Hands `opened` over to a background guard; resolves with its pid and log once this cockpit
 * recorded its last event and gave it the lock (the caller then exits), or why it could not (the
 * session stays this cockpit's).
 */
export function handOver(opened: OpenedSession, o: HandOverOptions): { pid: number; log: string } | string {
  const c = opened.controller;
  const entry = o.entry ?? process.argv[1];
  if (!entry) return 'cannot find the cockpit script to start a background guard';
  const log = join(opened.sessionDir, GUARD_LOG);
  let fd: number;
  try {
    fd = openNoFollow(log, 'append');
  } catch (e) {
    return `cannot write ${log}: ${errorMessage(e)}`;
  }
  let pid: number | undefined;
  try {
    const args = guardArgs(c.runbook.file, opened.sessionId, process.pid, readJournal(opened.journalPath));
    const child = spawn(process.execPath, [entry, ...args], { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, CI: undefined, COCKPIT_BACKGROUND: '1' } });
    child.unref();
    pid = child.pid;
  } catch (e) {
    return `cannot start a background guard: ${errorMessage(e)}`;
  } finally {
    closeSync(fd);
  }
  if (pid === undefined) return 'cannot start a background guard: it did not start';
  c.leave({ type: 'guard.handed-over', pid, log, by: o.by, watching: o.watching });
  opened.handOver(pid);
  opened.close();
  return { pid, log };
}
