/**
 * Who holds .cockpit/lock, decided once for every reader (the lock itself, resume, watch, the
 * wallboard): a process is the holder only if it is the very process that took the lock, not just
 * one with the same pid. A pid is reused (after a reboot above all: the same low pids come back),
 * so the lock records the holder's identity beside its pid: the boot it ran in
 * (/proc/sys/kernel/random/boot_id) and its start time (/proc/<pid>/stat field 22, in clock ticks
 * since boot). A live process with that pid but another boot or start time is someone else: the
 * lock is stale. A lock written before these were recorded is judged by its wall time: a process
 * that started after the lock was taken cannot have taken it.
 *
 * And what a refusal says while the holder lives: who (pid, session, since when, its command), what
 * it does (a rollback running is said so), and what to do (watch it, wait). Never to remove the
 * lock: that is only for a holder that is provably gone, and then the lock is taken over anyway.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { procInfo, processAlive, USER_HZ } from '../exec/proc.js';
import { sanitizeLine } from '../exec/log-format.js';
import { readNoFollow } from '../core/safe-open.js';

export type LockRecord = {
  readonly pid?: number;
  readonly sessionId?: string;
  /** Wall time (ms) the lock was taken. */
  readonly startedAt?: number;
  /** The holder's start time: /proc/<pid>/stat field 22 (clock ticks after boot), as text. */
  readonly start?: string;
  /** The boot the holder ran in (/proc/sys/kernel/random/boot_id). */
  readonly boot?: string;
  /** The holder's command line, for people ("cockpit run release.yml --headless"). */
  readonly command?: string;
};

/** Field 22 of /proc/<pid>/stat (its start time, in ticks after boot), or undefined (no such process, not Linux). */
export function processStart(pid: number): string | undefined {
  const start = procInfo(pid)?.start;
  return start === undefined ? undefined : String(start);
}

let bootCache: string | undefined | null = null;
export function bootId(): string | undefined {
  if (bootCache === null) {
    try {
      bootCache = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    } catch {
      bootCache = undefined;
    }
  }
  return bootCache;
}

/** Boot time (wall ms), from /proc/stat's btime. */
function bootTime(): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
    return m ? Number(m[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The identity this process, or the process `pid`, writes into a lock record. */
export function identityOf(pid: number): Pick<LockRecord, 'start' | 'boot'> {
  const start = processStart(pid);
  const boot = bootId();
  return { ...(start !== undefined ? { start } : {}), ...(boot !== undefined ? { boot } : {}) };
}

/**
 * Whether the record's holder still runs: its pid is alive and is the process that took the lock
 * (same boot, same start time). Where /proc cannot tell (not Linux), a live pid is the holder.
 */
export function holderAlive(h: LockRecord): boolean {
  if (!h.pid || !processAlive(h.pid)) return false;
  const start = processStart(h.pid);
  if (start === undefined) return true;
  if (h.boot !== undefined && bootId() !== undefined && h.boot !== bootId()) return false;
  if (h.start !== undefined) return h.start === start;
  // an older record: the process must have started before the lock was taken (a second's slack)
  const booted = bootTime();
  if (booted === undefined || h.startedAt === undefined) return true;
  return booted + (Number(start) * 1000) / USER_HZ <= h.startedAt + 1000;
}

/** Why a record's pid, alive, is not its holder; undefined when it is (or the pid is gone). */
export function reusedPid(h: LockRecord): string | undefined {
  if (!h.pid || !processAlive(h.pid) || holderAlive(h)) return undefined;
  return `pid ${h.pid} is alive but is another process (it started ${h.boot !== undefined && h.boot !== bootId() ? 'in another boot' : 'at another time'}): the pid was reused`;
}

/** This process's command line as people typed it: "cockpit run release.yml --headless". */
export function ownCommand(): string {
  const script = process.argv[1] ?? '';
  const cockpit = /(^|\/)cockpit(\.js)?$/.test(script);
  return (cockpit ? ['cockpit', ...process.argv.slice(2)] : process.argv.slice(1)).join(' ');
}

function when(at: number | undefined, now: number): string {
  if (at === undefined || !Number.isFinite(at)) return '';
  const min = Math.max(0, Math.round((now - at) / 60_000));
  const ago = min < 1 ? 'under a minute ago' : min < 120 ? `${min} min ago` : `${Math.round(min / 60)} h ago`;
  return `, since ${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC (${ago})`;
}

/** The holder's session: its runbook file and whether a rollback runs in it now, from its journal. */
function holderSession(root: string, sessionId: string | undefined): { file?: string; rollingBack: boolean } {
  if (!sessionId || /[/\\]|^\.\.?$/.test(sessionId)) return { rollingBack: false };
  let text: string;
  try {
    text = readNoFollow(join(root, 'sessions', sessionId, 'journal.jsonl'));
  } catch {
    return { rollingBack: false };
  }
  let file: string | undefined;
  let rollingBack = false;
  for (const line of text.split('\n')) {
    if (!line.includes('"session.started"') && !line.includes('"rollback.')) continue;
    try {
      const e = JSON.parse(line) as { type?: string; file?: unknown };
      if (e.type === 'session.started' && typeof e.file === 'string') file = e.file;
      if (e.type === 'rollback.started') rollingBack = true;
      if (e.type === 'rollback.finished') rollingBack = false;
    } catch {
      /* a torn line */
    }
  }
  return { file, rollingBack };
}

/**
 * The refusal while `h` (alive) holds the lock under `root`: who, since when, doing what, and what
 * to do now. Every part read from the lock or the journal goes through sanitizeLine.
 */
export function liveHolderRefusal(root: string, h: LockRecord, now = Date.now()): string {
  const s = holderSession(root, h.sessionId);
  const who = `pid ${h.pid}${h.sessionId ? `, session ${sanitizeLine(h.sessionId)}` : ''}`;
  const cmd = h.command ? `: ${sanitizeLine(h.command).slice(0, 200)}` : '';
  const shown = s.file ? sanitizeLine(relative(process.cwd(), s.file) || s.file) : undefined;
  const watch = `cockpit watch${shown ? ` ${shown}` : ''}`;
  if (s.rollingBack)
    return `another cockpit (${who}) is rolling back a release here now${when(h.startedAt, now)}${cmd}. Wait for its rollback to end (follow it with ${watch}); nothing was started`;
  return `another cockpit (${who}) is driving a release here${when(h.startedAt, now)}${cmd}. Follow it with ${watch}, or wait for it to end; nothing was started`;
}
