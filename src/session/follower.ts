/**
 * A read-only follower (`cockpit watch`): a ReadOnlySession fed from another cockpit's journal
 * (tailed, folded by the same reducer) and from its steps' logs (tailed as they are written).
 * Nothing here writes to the session it watches, and nothing runs.
 */
import { existsSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { attachStep, type StepHandle } from '../exec/runner.js';
import type { Runbook } from '../runbook/types.js';
import { drivenBy, followJournal, type SessionInfo } from './follow.js';
import { ReadOnlySession } from './read-only-session.js';

/** What R says on a follower: how to roll back from here. */
export function rollbackHow(rb: Runbook, info: SessionInfo): string {
  // fits 80 columns: where to press R, or the command
  const who = info.driverPid ? `pid ${info.driverPid}` : 'the driving cockpit';
  return `read-only: roll back in ${who} (R) or: cockpit rollback ${shownFile(rb)}`;
}

/** The runbook as a command here names it: relative to the working directory when under it. */
function shownFile(rb: Runbook): string {
  const file = relative(process.cwd(), rb.file);
  return file && !file.startsWith('..') ? file : rb.file;
}

/**
 * What a follower says once no cockpit drives the session it shows and the session has not ended
 * (its cockpit was killed, its terminal or machine went away): nothing guards the release now, and
 * the two ways on. The two commands fit 80 columns with a short runbook path; the why comes after.
 */
export function driverGoneAdvice(rb: Runbook, info: SessionInfo): string {
  return noDriverText({ file: shownFile(rb) }, info.driverPid ? `its cockpit, pid ${info.driverPid}, is gone` : 'its cockpit is gone');
}

/**
 * "no driver", in the one wording every follower (local or remote) uses: what takes over and how
 * to roll back first (a narrow terminal cuts the end of the line), then why. `where`: on which
 * machine (a remote follower's driver ran elsewhere); `file`: the runbook as typed here.
 */
export function noDriverText(o: { readonly where?: string; readonly file?: string }, why: string): string {
  const f = o.file ? ` ${o.file}` : '';
  return `no driver: ${o.where ? `${o.where}, ` : ''}cockpit run${f} takes over · cockpit rollback${f} (${why})`;
}

/** How often a follower looks whether the session's driver still lives (the issue's bound is 2 s). */
export const DRIVER_CHECK_MS = 500;

/** `start()` begins the feed: call it once everything that listens (the output store) is subscribed. */
export type Follower = { readonly session: ReadOnlySession; start(): void; stop(): void };

/** How often a follower looks for the log of a step that has started but whose supervisor has not made its log yet. */
export const LOG_WAIT_MS = 100;

type StartedStep = { readonly key: string; readonly stage: string; readonly step: string; readonly logPath: string };

export function followSession(rb: Runbook, info: SessionInfo): Follower {
  const session = new ReadOnlySession({ runbook: rb, sessionDir: info.dir, how: rollbackHow(rb, info) });
  const tails = new Map<string, StepHandle>();
  // steps journalled as started whose log is not there yet: the driving cockpit journals the start
  // and the step's supervisor makes the log, each in its own time (a loaded machine, a spare
  // supervisor still booting). A follower creates nothing in the session it shows, so it waits
  // for the log; the tail then reads it from its first line. (It used to give up at once, and
  // that step's output never showed.)
  const waiting = new Map<string, StartedStep>();
  let waitTimer: NodeJS.Timeout | undefined;
  const attach = (s: StartedStep): boolean => {
    if (tails.has(s.key)) return true; // a retry appends to the same log: the tail already follows it
    if (!existsSync(s.logPath)) return false;
    const tail = attachStep({ key: s.key, logPath: s.logPath });
    tail.onLines((lines) => session.relayOutput(s.stage, s.step, lines));
    tails.set(s.key, tail);
    void tail.done.then(() => tails.get(s.key) === tail && tails.delete(s.key));
    return true;
  };
  const lookAgain = (): void => {
    for (const [key, s] of waiting) if (attach(s)) waiting.delete(key);
    if (waiting.size > 0) return;
    clearInterval(waitTimer);
    waitTimer = undefined;
  };
  const offEvents = session.subscribe((_s, e) => {
    if (e.type !== 'step.started' || !e.logPath) return;
    const s = { key: `${e.stage}.${e.step}`, stage: e.stage, step: e.step, logPath: e.logPath };
    if (attach(s)) return;
    waiting.set(s.key, s);
    waitTimer ??= setInterval(lookAgain, LOG_WAIT_MS);
    waitTimer.unref();
  });
  /** Before a step's end is shown: its log's lines, from a tail attached now if the log came late; a step that ended without one is waited for no more. */
  const beforeEnd = (key: string): void => {
    const late = waiting.get(key);
    if (late) {
      waiting.delete(key);
      attach(late);
    }
    tails.get(key)?.drain?.();
  };
  let stopJournal = (): void => {};
  let timer: NodeJS.Timeout | undefined;
  const root = dirname(dirname(info.dir));
  const check = () => {
    if (session.state.outcome !== undefined) return clearInterval(timer);
    if (drivenBy(root, info.id) === undefined && session.markDriverGone(driverGoneAdvice(rb, info))) clearInterval(timer);
  };
  return {
    session,
    start() {
      stopJournal = followJournal(info.journalPath, (events) => {
        for (const e of events) {
          // a step's output before its end, as a step of ours gives it: what its log holds is read
          // first (the journal and the log are tailed apart, and a quick step's end could come first:
          // a follower that stopped at the session's end then never showed that output)
          if (e.type === 'step.finished') beforeEnd(`${e.stage}.${e.step}`);
          session.applyExternal([e]);
        }
      });
      timer = setInterval(check, DRIVER_CHECK_MS);
      timer.unref();
      check();
    },
    stop() {
      clearInterval(timer);
      clearInterval(waitTimer);
      stopJournal();
      offEvents();
    },
  };
}
