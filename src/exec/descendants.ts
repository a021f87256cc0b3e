/**
 * Every process a step or a short command started, including those that left its process group
 * (`setsid`, `ssh -f`, a daemonising CLI) and were reparented away from it, and ending them all.
 *
 * Linux offers two ways to keep hold of such processes: a child subreaper (prctl
 * PR_SET_CHILD_SUBREAPER, which node cannot call without a native addon) and a cgroup (none is
 * delegated to us in the containers the cockpit runs in, cgroup v1 here). So this uses the
 * technique of Jenkins' ProcessTreeKiller: each step or command gets an environment cookie,
 * COCKPIT_PROC_TAG=<random>, which every process it starts inherits; its processes are found by
 * scanning /proc/<pid>/environ for the cookie, plus a walk down the parent links (/proc/<pid>/stat)
 * from the command's own process and from every tagged one: a child that was started with an
 * emptied environment (`env -i`) is found through its parent while that parent lives.
 *
 * The limit, said plainly: a process that clears its environment (or execs with a new one) AND
 * whose parent chain to a found process is broken (it was reparented to init, or its parent also
 * cleared its environment and exited) is not found. /proc/<pid>/environ is the environment the
 * process started with: unsetting the variable later in a running program does not hide it.
 * Processes of other users (not ours to read or signal) are not found either.
 *
 * Nested cockpits (a step that runs a cockpit whose commands are tagged again): the variable holds
 * every tag, ':'-separated, the outer first, so the outer cockpit still finds the inner's processes.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { USER_HZ } from './proc.js';

export const PROC_TAG_ENV = 'COCKPIT_PROC_TAG';

/** A fresh tag for one step or command. */
export function newTag(): string {
  return randomBytes(12).toString('hex');
}

/** The environment entry carrying `tag`, added to the tags already in `env` (a nested cockpit). */
export function tagEnv(tag: string, env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const outer = env[PROC_TAG_ENV];
  return { [PROC_TAG_ENV]: outer ? `${outer}:${tag}` : tag };
}

/**
 * Clock ticks since boot now (USER_HZ, exec/proc.ts): a process started
 * after this has a /proc/<pid>/stat starttime at least this. Taken before a command is started, it
 * lets a scan skip the environment of every process older than the command (most of them).
 */
export function bootTicks(): number {
  try {
    return Math.floor(Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * USER_HZ);
  } catch {
    return 0;
  }
}
/** Rounding between /proc/uptime and starttime: a second of margin. */
const TICKS_MARGIN = USER_HZ;

type Proc = { readonly pid: number; readonly ppid: number; readonly pgrp: number; readonly state: string; readonly start: number };

// one buffer for every /proc read of a scan (a scan reads hundreds of small files; readFileSync
// allocates and stats for each: twice as slow)
let buf = Buffer.allocUnsafe(16 * 1024);
/** The whole of a /proc file into `buf` (grown as needed); its length, or -1 when it cannot be read. */
function readProc(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    let n = 0;
    for (;;) {
      if (n === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got <= 0) return n;
      n += got;
    }
  } catch {
    return -1;
  } finally {
    closeSync(fd);
  }
}

function statOf(pid: number): Proc | undefined {
  const n = readProc(`/proc/${pid}/stat`);
  if (n < 0) return undefined;
  const stat = buf.toString('latin1', 0, n);
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), start: Number(f[19]) };
}

const KEY = Buffer.from(`${PROC_TAG_ENV}=`);

/**
 * Whether the environment a process started with carries `tag`: 'yes', 'no' (also: not ours to
 * read), or 'empty' (no environment to read: a kernel thread, or a process in the middle of an
 * execve, whose new environment is not in place yet).
 */
function carries(pid: number, tag: string): 'yes' | 'no' | 'empty' {
  const n = readProc(`/proc/${pid}/environ`);
  if (n < 0) return 'no';
  if (n === 0) return 'empty';
  const env = buf.subarray(0, n);
  for (let at = env.indexOf(KEY); at >= 0; at = env.indexOf(KEY, at + 1)) {
    if (at > 0 && env[at - 1] !== 0) continue; // the end of another variable's name
    const end = env.indexOf(0, at);
    const value = env.toString('latin1', at + KEY.length, end < 0 ? env.length : end);
    return value.split(':').includes(tag) ? 'yes' : 'no';
  }
  return 'no';
}

export type TreeQuery = {
  /** Processes known to belong (the command's own pid): their descendants are found by parent links too. */
  readonly roots?: readonly number[];
  /** Left out: the members of this process group (signalled by the caller already). */
  readonly skipGroup?: number;
  /** bootTicks() before the command started: older processes cannot be its (their environment is not read). */
  readonly since?: number;
};

/**
 * The live processes carrying `tag`, the roots, and every descendant of those (zombies left out:
 * they have exited, only their parent has not collected them). Never this process or its
 * ancestors. Elsewhere than Linux: none.
 */
export function findTagged(tag: string, q: TreeQuery = {}): number[] {
  return scan(tag, q).pids;
}

/** The kernel's thread daemon: its children (kernel threads) have no environment. */
const KTHREADD = 2;

/**
 * findTagged, and how many processes started since `q.since` had no environment to read yet (in
 * the middle of an execve: whether they are the tree's is not known until it completes).
 */
function scan(tag: string, q: TreeQuery): { pids: number[]; unsure: number } {
  const none = { pids: [], unsure: 0 };
  if (process.platform !== 'linux') return none;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return none;
  }
  let unsure = 0;
  const procs = new Map<number, Proc>();
  const children = new Map<number, number[]>();
  const found = new Set<number>();
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const p = statOf(Number(e));
    if (!p) continue;
    procs.set(p.pid, p);
    const kids = children.get(p.ppid);
    if (kids) kids.push(p.pid);
    else children.set(p.ppid, [p.pid]);
    if (p.start < (q.since ?? 0) - TICKS_MARGIN || p.state === 'Z' || p.state === 'X') continue;
    const has = carries(p.pid, tag);
    if (has === 'yes') found.add(p.pid);
    else if (has === 'empty' && p.pid !== KTHREADD && p.ppid !== KTHREADD) unsure++;
  }
  for (const r of q.roots ?? []) if (procs.has(r)) found.add(r);
  // down the parent links from every process found
  const queue = [...found];
  while (queue.length > 0) {
    for (const kid of children.get(queue.pop()!) ?? []) {
      if (found.has(kid)) continue;
      found.add(kid);
      queue.push(kid);
    }
  }
  // never ourselves or what we run under
  for (let p = procs.get(process.pid); p; p = p.ppid > 0 && p.ppid !== p.pid ? procs.get(p.ppid) : undefined) found.delete(p.pid);
  const pids = [...found].filter((pid) => {
    const p = procs.get(pid)!;
    return p.state !== 'Z' && p.state !== 'X' && p.pgrp !== q.skipGroup;
  });
  return { pids, unsure };
}

/** Sends `signal` to every process of the tree (see findTagged); how many it reached. */
export function signalTree(tag: string, signal: NodeJS.Signals, q: TreeQuery = {}): number {
  let n = 0;
  for (const pid of findTagged(tag, q)) {
    try {
      process.kill(pid, signal);
      n++;
    } catch {
      /* gone meanwhile */
    }
  }
  return n;
}

/** Rounds of stop-and-kill before giving up on a tree that keeps forking. */
const KILL_ROUNDS = 20;
/** Scans, ~1 ms apart, for an execve in flight to complete (see scan) before the tree is taken as ended. */
const UNSURE_ROUNDS = 30;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * SIGKILLs the whole tree now, synchronously, until none of it is found: each round first stops
 * (SIGSTOP) what it finds, so that nothing forks between the scan and the kill. For the end of
 * a step or a command, and the SIGKILL after a grace period.
 */
export function killTreeNow(tag: string, q: TreeQuery = {}): void {
  for (let i = 0, unsureRounds = 0; i < KILL_ROUNDS; i++) {
    const { pids, unsure } = scan(tag, q);
    if (pids.length === 0) {
      // a process of the tree reparented away mid-execve cannot be told from others until its
      // exec completes (a few ms): found on a later scan, not left running
      if (unsure === 0 || ++unsureRounds > UNSURE_ROUNDS) return;
      Atomics.wait(pause, 0, 0, 1);
      i--;
      continue;
    }
    for (const sig of ['SIGSTOP', 'SIGKILL'] as const) {
      for (const pid of pids) {
        try {
          process.kill(pid, sig);
        } catch {
          /* gone meanwhile */
        }
      }
    }
  }
}
