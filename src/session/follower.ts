/**
 * A read-only follower (`cockpit watch`): a ReadOnlySession fed from another cockpit's journal
 * (tailed, folded by the same reducer) and from its steps' logs (tailed as they are written).
 * Nothing here writes to the session it watches, and nothing runs.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { attachStep, type StepHandle } from '../exec/runner.js';
import type { Runbook } from '../runbook/types.js';
import { followJournal, type SessionInfo } from './follow.js';
import { ReadOnlySession } from './read-only-session.js';

/** What R says on a follower: how to roll back from here. */
export function rollbackHow(rb: Runbook, info: SessionInfo): string {
  // fits 80 columns: where to press R, or the command
  const who = info.driverPid ? `pid ${info.driverPid}` : 'the driving cockpit';
  const file = relative(process.cwd(), rb.file);
  return `read-only: roll back in ${who} (R) or: cockpit rollback ${file && !file.startsWith('..') ? file : rb.file}`;
}

/** `start()` begins the feed: call it once everything that listens (the output store) is subscribed. */
export type Follower = { readonly session: ReadOnlySession; start(): void; stop(): void };

export function followSession(rb: Runbook, info: SessionInfo): Follower {
  const session = new ReadOnlySession({ runbook: rb, sessionDir: info.dir, how: rollbackHow(rb, info) });
  const tails = new Map<string, StepHandle>();
  const offEvents = session.subscribe((_s, e) => {
    if (e.type !== 'step.started' || !e.logPath || !existsSync(e.logPath)) return;
    const key = `${e.stage}.${e.step}`;
    if (tails.has(key)) return; // a retry appends to the same log: the tail already follows it
    const tail = attachStep({ key, logPath: e.logPath });
    tail.onLines((lines) => session.relayOutput(e.stage, e.step, lines));
    tails.set(key, tail);
    void tail.done.then(() => tails.get(key) === tail && tails.delete(key));
  });
  let stopJournal = (): void => {};
  return {
    session,
    start() {
      stopJournal = followJournal(info.journalPath, (events) => session.applyExternal(events));
    },
    stop() {
      stopJournal();
      offEvents();
    },
  };
}
