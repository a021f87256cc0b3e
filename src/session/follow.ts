/**
 * Reading sessions from disk: every reader (resume, `cockpit watch`, the wallboard, `cockpit
 * history`) finds sessions here and rebuilds their state the one way: the fold of the journal.
 */
import { closeSync, existsSync, fstatSync, readdirSync, readSync, statSync } from 'node:fs';
import { isSymlink, openNoFollow, readNoFollow, refusalOf, unsafeAmong, unsafeDir } from '../core/safe-open.js';
import { join } from 'node:path';
import type { Outcome, SessionEvent } from '../core/events.js';
import { processAlive } from '../exec/proc.js';
export { processAlive } from '../exec/proc.js';
import type { Runbook } from '../runbook/types.js';
import { readJournal } from './journal.js';
import { holderAlive, type LockRecord } from './lock-holder.js';
import { initialState, reduce, type SessionState } from './reduce.js';

export type SessionStart = Extract<SessionEvent, { type: 'session.started' }>;

export type SessionInfo = {
  readonly id: string;
  readonly dir: string;
  readonly journalPath: string;
  /** Its session.started event (undefined for an empty or unreadable journal). */
  readonly started?: SessionStart;
  /** The outcome of its session.ended event; undefined while it has not ended. */
  readonly outcome?: Outcome;
  /** Wall time of its last event. */
  readonly lastAt?: number;
  /** The pid of the cockpit that holds the lock for it, when that process is alive. */
  readonly driverPid?: number;
  /** Its journal (or its folder) is a symlink, never read through: the refusal, by name (safe-open.ts). */
  readonly refused?: string;
};

/** The lock's record: its holder's pid and identity (lock-holder.ts), its session. */
export type LockHolder = LockRecord;

/** The lock file's holder (pid, session), or undefined when there is no readable lock. */
export function lockHolder(root: string): LockHolder | undefined {
  try {
    return JSON.parse(readNoFollow(join(root, 'lock'))) as LockHolder;
  } catch {
    return undefined;
  }
}

/**
 * The first and last events of a journal, and its session.ended, without parsing the middle
 * (history folds thousands). Records can follow the end (the release's review, a risk-register
 * entry, an escalation level on a screen left open): the outcome is the last session.ended.
 */
function ends(path: string): { first?: SessionEvent; last?: SessionEvent; ended?: Extract<SessionEvent, { type: 'session.ended' }>; refused?: string } {
  let fd: number;
  try {
    fd = openNoFollow(path, 'read');
  } catch (e) {
    return { refused: refusalOf(e) };
  }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, head, 0, head.length, 0);
    const tailLen = Math.min(size, 64 * 1024);
    const tail = Buffer.alloc(tailLen);
    readSync(fd, tail, 0, tailLen, size - tailLen);
    const parse = (line: string | undefined): SessionEvent | undefined => {
      try {
        return line ? (JSON.parse(line) as SessionEvent) : undefined;
      } catch {
        return undefined;
      }
    };
    const headLines = head.toString('utf8').split('\n');
    const tailLines = tail.toString('utf8').split('\n').filter((l) => l.trim());
    // a torn last line (crash mid-write) is not an event: the one before it is the last
    let last: SessionEvent | undefined;
    for (let i = tailLines.length - 1; i >= 0 && !last; i--) last = parse(tailLines[i]);
    let ended: SessionEvent | undefined;
    for (let i = tailLines.length - 1; i >= 0 && ended?.type !== 'session.ended'; i--) if (tailLines[i].includes('"session.ended"')) ended = parse(tailLines[i]);
    return { first: parse(headLines[0]), last, ended: ended?.type === 'session.ended' ? ended : undefined };
  } finally {
    closeSync(fd);
  }
}

/** A step of a session still running under its supervisor (its cockpit may be gone). */
export type RunningStep = { readonly stage: string; readonly step: string; readonly supervisorPid: number };

/** The steps of a session whose supervisors still run them, from their status files (`<stage>.<step>.status.json`). */
export function runningSteps(sessionDir: string): RunningStep[] {
  let names: string[];
  try {
    names = readdirSync(sessionDir);
  } catch {
    return [];
  }
  const out: RunningStep[] = [];
  for (const name of names.filter((n) => n.endsWith('.status.json')).sort()) {
    try {
      const st = JSON.parse(readNoFollow(join(sessionDir, name))) as { state?: string; supervisorPid?: number };
      if (st.state !== 'running' || !st.supervisorPid || !processAlive(st.supervisorPid)) continue;
      const key = name.slice(0, -'.status.json'.length);
      const dot = key.indexOf('.');
      out.push({ stage: key.slice(0, dot), step: key.slice(dot + 1), supervisorPid: st.supervisorPid });
    } catch {
      /* a status file being replaced, or not one of ours */
    }
  }
  return out;
}

/** Every session under a state root (.cockpit/), oldest first. */
export function listSessions(root: string): SessionInfo[] {
  const dir = join(root, 'sessions');
  let ids: string[];
  try {
    ids = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const holder = lockHolder(root);
  const out: SessionInfo[] = [];
  for (const id of ids) {
    const journalPath = join(dir, id, 'journal.jsonl');
    // a symlink (even one to nothing) is listed, as refused: never followed
    const linked = unsafeDir(join(dir, id)) ?? (isSymlink(journalPath) ? unsafeAmong([journalPath]) : undefined);
    if (linked) {
      out.push({ id, dir: join(dir, id), journalPath, refused: linked });
      continue;
    }
    if (!existsSync(journalPath)) continue;
    const { first, last, ended, refused } = ends(journalPath);
    const started = first?.type === 'session.started' ? first : undefined;
    const outcome = ended?.outcome;
    const driverPid = driverOf(holder, id);
    out.push({ id, dir: join(dir, id), journalPath, started, outcome, lastAt: last?.at, driverPid, ...(refused ? { refused } : {}) });
  }
  return out;
}

/**
 * The pid of the cockpit that drives session `id` now: the lock names the session and its holder
 * is alive (a background guard that took it over counts). Undefined: no cockpit drives it. The one
 * rule the session list, the wallboard and `cockpit watch` ask.
 */
export function driverOf(holder: LockHolder | undefined, id: string): number | undefined {
  return holder?.sessionId === id && holder.pid && holderAlive(holder) ? holder.pid : undefined;
}

/** See driverOf: read from the state root's lock now. */
export function drivenBy(root: string, id: string): number | undefined {
  return driverOf(lockHolder(root), id);
}

/** The session a follower shows: the one a live cockpit drives, else the newest that has not ended. */
export function liveSession(root: string): SessionInfo | undefined {
  const all = listSessions(root);
  return all.find((s) => s.driverPid !== undefined) ?? [...all].reverse().find((s) => s.outcome === undefined && s.started);
}

/** The newest session of a state root, ended or not. */
export function latestSession(root: string): SessionInfo | undefined {
  return listSessions(root).filter((s) => s.started).at(-1);
}

/**
 * One event another cockpit wrote (a journal on disk, a shared session's stream) folded into
 * `s`: an event that cannot be folded (valid JSON of the wrong shape: a damaged journal, a
 * driver of another version, a hostile stream) is skipped, `s` unchanged, and the next ones
 * still count (undefined: skip it). The one rule every follower folds by.
 */
export function foldExternal(s: SessionState, e: SessionEvent): SessionState | undefined {
  try {
    return reduce(s, e);
  } catch {
    return undefined;
  }
}

/** The state a journal's events fold to, over the runbook's initial state. */
export function foldEvents(rb: Runbook, events: readonly SessionEvent[], from: SessionState = initialState(rb)): SessionState {
  let s = from;
  for (const e of events) s = reduce(s, e);
  return s;
}

export function foldJournal(rb: Runbook, journalPath: string): { state: SessionState; events: SessionEvent[] } {
  const events = readJournal(journalPath);
  return { state: foldEvents(rb, events), events };
}

/**
 * Reads a growing journal: each poll() returns the events of the complete lines appended since the
 * last poll (a line still being written waits for its newline).
 */
export class JournalTail {
  private offset = 0;
  private partial = '';
  constructor(readonly path: string) {}

  poll(): SessionEvent[] {
    let fd: number;
    try {
      fd = openNoFollow(this.path, 'read');
    } catch {
      return [];
    }
    const out: SessionEvent[] = [];
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        // replaced (never happens to an append-only journal): start again
        this.offset = 0;
        this.partial = '';
      }
      while (this.offset < size) {
        const buf = Buffer.alloc(Math.min(size - this.offset, 1 << 20));
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        const text = this.partial + buf.toString('utf8', 0, n);
        const lines = text.split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          try {
            out.push(JSON.parse(line) as SessionEvent);
          } catch {
            /* a damaged line is skipped; the next ones still count */
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }
}

/** Polls a journal every intervalMs and hands new events over; returns a stop function. */
export function followJournal(path: string, onEvents: (events: SessionEvent[]) => void, intervalMs = 100): () => void {
  const tail = new JournalTail(path);
  const first = tail.poll();
  if (first.length) onEvents(first);
  let size = -1;
  const timer = setInterval(() => {
    let now: number;
    try {
      now = statSync(path).size;
    } catch {
      return;
    }
    if (now === size) return;
    size = now;
    const events = tail.poll();
    if (events.length) onEvents(events);
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
