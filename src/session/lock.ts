/**
 * One driving cockpit per repository: .cockpit/lock names the process that drives
 * ({pid, sessionId, startedAt}).
 *
 * Taken atomically: the holder's record is written whole to a file of its own, then link()ed to
 * the lock's path (EEXIST: someone holds it). A lock whose holder is dead is taken over under a
 * second-level lock made for that one lock file (`lock.takeover-<inode>-<n>`, link()ed too, so
 * exactly one contender gets it): its winner checks that the lock is still the dead holder's (same
 * inode, same content) and rename()s its own record over it. Every other contender then finds a
 * live holder. A winner that died before the rename leaves its second-level lock behind: the next
 * level (n + 1) is tried. Many cockpits started at once on a stale lock: exactly one drives.
 *
 * The holder is a process, not a pid (lock-holder.ts): a live pid that is another process (reused
 * after a reboot) holds nothing, and its lock is taken over, said in `tookOver`. While the holder
 * lives, the refusal says who, since when, doing what, and to watch or wait: never to remove the lock.
 * The lock and its helper files are never opened through a symlink (safe-open.ts).
 */
import { closeSync, fstatSync, linkSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { processAlive as alive } from '../exec/proc.js';
import { isSymlink, openNoFollow, UnsafeFile } from '../core/safe-open.js';
import { holderAlive, identityOf, liveHolderRefusal, ownCommand, reusedPid, type LockRecord } from './lock-holder.js';
import { errorMessage } from '../core/error-message.js';
import { sweepDir } from '../core/sweep-dir.js';
export type { LockRecord } from './lock-holder.js';

export type Lock = {
  /** Removes the lock if it is still ours; once only (a second call does nothing). */
  release(): void;
  /**
   * Hands the lock to process `pid` (a background guard taking this session over): the lock names
   * it from now on, atomically (a record of its own rename()d over ours), so no other cockpit can
   * take it in between; ours is released with it. False when the lock is not ours any more.
   */
  handOver(pid: number): boolean;
  /** Set when the lock was taken over from a holder that is gone: its pid, and why it holds nothing. */
  readonly tookOver?: { readonly pid?: number; readonly sessionId?: string; readonly why: string };
};

export type LockOptions = {
  /**
   * Asked before a dead holder's lock is taken over: a reason not to (its session's step still
   * runs under its supervisor), or undefined to take it.
   */
  readonly mayTakeOver?: (holder: LockRecord) => string | undefined;
};

/** How long contenders wait for a take-over in progress (another process between its two steps). */
const TAKEOVER_WAIT_MS = 5000;
/** A second-level lock this old was left by a contender stuck or gone (its pid reused): passed over. */
const TAKEOVER_STALE_MS = 10_000;

type Seen = { readonly ino: number; readonly text: string; readonly holder: LockRecord };

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The lock file's inode and content, read through one descriptor (the pair belongs together). */
function readLock(path: string): Seen | undefined {
  let fd: number;
  try {
    fd = openNoFollow(path, 'read');
  } catch {
    return undefined;
  }
  try {
    const { ino, size } = fstatSync(fd);
    const buf = Buffer.alloc(Math.min(size, 4096));
    const n = size > 0 ? readSync(fd, buf, 0, buf.length, 0) : 0;
    const text = buf.subarray(0, n).toString('utf8');
    let holder: LockRecord = {};
    try {
      holder = JSON.parse(text) as LockRecord;
    } catch {
      /* torn or foreign content: no live holder named, so stale */
    }
    return { ino, text, holder };
  } finally {
    closeSync(fd);
  }
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/**
 * Takes over the dead holder's lock `seen`: 'taken' (our record is the lock now), 'lost' (someone
 * else took it first, or it changed), or 'busy' (a live contender is taking it over now).
 */
function takeOver(path: string, mine: string, seen: Seen): 'taken' | 'lost' | 'busy' {
  for (let level = 0; ; level++) {
    const gate = `${path}.takeover-${seen.ino}-${level}`;
    try {
      linkSync(mine, gate);
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw e;
      const taker = readLock(gate);
      let age: number;
      try {
        age = Date.now() - statSync(gate).mtimeMs;
      } catch {
        /* removed meanwhile: its taker is done */
        return 'busy';
      }
      // a gate whose taker lives: that one takes it over now; one whose taker died: the next level
      if (taker && holderAlive(taker.holder) && age < TAKEOVER_STALE_MS) return 'busy';
      continue;
    }
    try {
      const now = readLock(path);
      if (!now || now.ino !== seen.ino || now.text !== seen.text) return 'lost';
      renameSync(mine, path);
      return 'taken';
    } finally {
      rmSync(gate, { force: true });
    }
  }
}

/** Files a crashed contender left: its record (`lock.<pid>.<hex>.tmp`), gates of locks gone. */
function sweep(dir: string, ourIno: number): void {
  sweepDir(dir, (name) => {
    const tmp = /^lock\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    const gate = /^lock\.takeover-(\d+)-\d+$/.exec(name);
    return (tmp !== null && !alive(Number(tmp[1]))) || (gate !== null && Number(gate[1]) !== ourIno);
  });
}

/** Takes the lock, or returns a message naming the session that holds it. A stale lock is taken over. */
export function takeLock(cockpitDir: string, sessionId: string, o: LockOptions = {}): Lock | string {
  const path = join(cockpitDir, 'lock');
  const mine = join(cockpitDir, `lock.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(mine, JSON.stringify({ pid: process.pid, sessionId, startedAt: Date.now(), ...identityOf(process.pid), command: ownCommand() } satisfies LockRecord), { flag: 'wx' });
  } catch (e) {
    return `cannot take ${path}: ${errorMessage(e)}`;
  }
  let tookOver: Lock['tookOver'];
  const held = (ino: number): Lock => {
    sweep(cockpitDir, ino);
    // released once only: a later cockpit's lock may reuse our record's inode number
    let released = false;
    return {
      tookOver,
      release() {
        if (released) return;
        released = true;
        // only our own record: a lock someone removed and took meanwhile stays theirs
        if (readLock(path)?.ino === ino) rmSync(path, { force: true });
      },
      handOver(pid) {
        if (released || readLock(path)?.ino !== ino) return false;
        const next = join(cockpitDir, `lock.${pid}.${randomBytes(6).toString('hex')}.tmp`);
        writeFileSync(next, JSON.stringify({ pid, sessionId, startedAt: Date.now(), ...identityOf(pid), command: 'cockpit (background guard)' } satisfies LockRecord), { flag: 'wx' });
        renameSync(next, path);
        return true;
      },
    };
  };
  const ino = statSync(mine).ino;
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  try {
    for (let first = true; ; first = false) {
      if (!first && Date.now() > deadline) return `cannot take ${path}: another cockpit is taking it over and has not finished; try again in a moment (a take-over left unfinished is passed over after ${TAKEOVER_STALE_MS / 1000} s)`;
      try {
        linkSync(mine, path);
        return held(ino);
      } catch (e) {
        if (errno(e) !== 'EEXIST') return `cannot take ${path}: ${errorMessage(e)}`;
      }
      const seen = readLock(path);
      if (!seen) {
        if (isSymlink(path)) return new UnsafeFile(path, 'symlink').message;
        continue; // released between the two: try again
      }
      const { pid, sessionId: holding } = seen.holder;
      // handed over to this very process (a background guard): ours
      if (pid === process.pid && holding === sessionId) return held(seen.ino);
      if (holderAlive(seen.holder)) return liveHolderRefusal(cockpitDir, seen.holder);
      const why = o.mayTakeOver?.(seen.holder);
      if (why) return why;
      const r = takeOver(path, mine, seen);
      if (r === 'taken') {
        tookOver = { pid, sessionId: holding, why: reusedPid(seen.holder) ?? (pid ? `pid ${pid} is gone` : 'the lock names no process') };
        return held(ino);
      }
      if (r === 'busy') sleepSync(5);
    }
  } catch (e) {
    return `cannot take ${path}: ${errorMessage(e)}`;
  } finally {
    rmSync(mine, { force: true });
  }
}
