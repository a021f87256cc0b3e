/**
 * `cockpit run <runbook> --headless --background-guard <session>:<pid>`: the background guard a
 * cockpit leaving a guarded session starts (session/hand-over.ts). Not for people: it waits until
 * cockpit `pid` is gone (it handed this process the lock and closed the journal first), takes the
 * session over and guards it (session/background-guard.ts). Its output goes to the session's
 * background-guard.log; `cockpit watch` follows the session.
 */
import { systemClock } from '../core/clock.js';
import { processAlive } from '../exec/proc.js';
import type { Runbook } from '../runbook/types.js';
import { guardInBackground } from '../session/background-guard.js';
import { parseGuardTarget } from '../session/hand-over.js';
import { openSession, stateDir } from '../session/open.js';
import { readJournal } from '../session/journal.js';
import { join } from 'node:path';
import { drive } from './headless-run.js';
import type { Io } from './io.js';

/** How long the guard waits for the cockpit that handed over to be gone. */
const HANDED_OVER_WITHIN_MS = 15_000;

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (processAlive(pid)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

export async function runBackgroundGuard(rb: Runbook, target: string, io: Io): Promise<number> {
  const t = parseGuardTarget(target);
  if (typeof t === 'string') {
    io.err(`cockpit: ${t}`);
    return 2;
  }
  if (!(await gone(t.fromPid, HANDED_OVER_WITHIN_MS))) {
    io.err(`cockpit: the cockpit (pid ${t.fromPid}) that handed session ${t.sessionId} over is still there after ${HANDED_OVER_WITHIN_MS / 1000} s: not taking it over`);
    return 1;
  }
  io.out(`cockpit: background guard (pid ${process.pid}) taking session ${t.sessionId} over from pid ${t.fromPid}`);
  // a team's session: the lease the cockpit that handed over held is this guard's now
  const token = rb.team ? leaseToken(rb, t.sessionId) : undefined;
  const team = token !== undefined ? await (await import('./team.js')).adoptTeamLease(rb, token, io) : undefined;
  const opened = openSession(rb, { mode: 'headless', autoAdvance: false, onFailure: 'wait', adopt: t, ...(team ? { onLeaseLost: (tell: (why: string) => void) => team.onLost(tell) } : {}) });
  try {
    return await guard(opened, io);
  } finally {
    if (team && token !== undefined) {
      await team.release();
      const share = await import('./share-history.js');
      await share.shareEndedSession(rb, share.sessionOfLease(rb, token), io);
    }
  }
}

/** The team lease generation the session was started under (its session.started), if any. */
function leaseToken(rb: Runbook, sessionId: string): number | undefined {
  try {
    const first = readJournal(join(stateDir(rb), 'sessions', sessionId, 'journal.jsonl'))[0];
    return first?.type === 'session.started' && first.teamLease && 'token' in first.teamLease ? first.teamLease.token : undefined;
  } catch {
    return undefined;
  }
}

function guard(opened: ReturnType<typeof openSession>, io: Io): Promise<number> {
  return drive(opened, false, io, async (c) => {
    const started = c.start();
    const stop = guardInBackground(c, systemClock, 1000);
    try {
      await started;
    } catch (e) {
      stop();
      throw e;
    }
    return undefined;
  });
}
