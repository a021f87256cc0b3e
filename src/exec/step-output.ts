/**
 * Where a step's output goes before its supervisor writes the log (output-log.ts): never onto the
 * disk the log is on, so that a full disk can only cost log lines, never the step (a step whose
 * own write fails with ENOSPC exits 1 under `set -e`: a rollback would fail for want of room for
 * its chatter).
 *
 * - A scratch file on a memory-backed filesystem (tmpfs: /dev/shm, else $XDG_RUNTIME_DIR; or
 *   COCKPIT_SCRATCH_DIR), created private and unlinked at once, when one is there with room
 *   (SCRATCH_MIN_FREE). The step writes stdout and stderr (one descriptor: true merged order)
 *   into it at memory speed and never waits for anybody: the supervisor, at a lower CPU priority,
 *   reads it as it grows. What has been read is given back to memory every 4–16 MiB (its pages
 *   punched out with util-linux `fallocate --punch-hole`, the step writing on at its offset), so
 *   the file holds only what the supervisor has not read yet. Unmasked output has no name on disk.
 * - Otherwise a pipe the supervisor drains (a socket pair, as node makes them; stdout and stderr
 *   merged by `exec "$0" "$@" 2>&1` in /bin/sh: argv only, the program replaces the shell). A
 *   pipe is never full for want of disk; the cost is that a step flooding faster than the
 *   supervisor reads waits for it, so the supervisor keeps its normal priority then. A disk-backed scratch file is never used: that is
 *   the file a full disk made the step fail on.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, statfsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const FOLLOW_MS = 25;
/** Reads (of 1 MiB) per follow() before it lets signals and the step's exit in. */
const FOLLOW_CHUNKS = 2;
const MIB = 1024 * 1024;
/** A memory-backed filesystem is used for the scratch file only with this much room. */
const SCRATCH_MIN_FREE = 256 * MIB;
/**
 * The read part of the scratch file is given back whenever this much of it has piled up: the
 * log's cap, at least 4 MiB, at most 16 MiB (each time costs a `fallocate` process).
 */
export function reclaimBytes(cap: number): number {
  return Math.min(16 * MIB, Math.max(4 * MIB, cap));
}
/** At the step's end, how long a pipe still held open (by something the step left) is waited for. */
const PIPE_END_WAIT_MS = 200;
const MEMORY_FS = new Set([0x01021994 /* tmpfs */]);

export interface StepOutput {
  /** Where the output goes: the scratch file's filesystem, or "pipe". */
  readonly where: string;
  /** Whether the supervisor may run below the step's priority (the step never waits for it). */
  readonly lowPriority: boolean;
  readonly stdio: StdioOptions;
  /** The program and arguments to spawn for the step's. */
  command(file: string, args: readonly string[]): [string, string[]];
  /** Starts following the step's output, handing it to `feed` as it comes. */
  start(child: ChildProcess, feed: (chunk: Buffer) => void): void;
  /** Reads whatever has come (all of it: `all`). */
  poll(all: boolean): void;
  /** The step ended: reads the rest, then calls `done` (once). */
  drain(done: () => void): void;
}

/** The directories tried for the scratch file, in order. */
function scratchDirs(): string[] {
  const own = process.env.COCKPIT_SCRATCH_DIR;
  if (own) return [own];
  return ['/dev/shm', process.env.XDG_RUNTIME_DIR ?? ''].filter((d) => d !== '');
}

/** A private scratch file on a memory-backed filesystem with room, unlinked; undefined when there is none. */
function memoryScratch(): { fd: number; dir: string } | undefined {
  for (const dir of scratchDirs()) {
    try {
      const st = statfsSync(dir);
      if (!MEMORY_FS.has(st.type) || st.bavail * st.bsize < SCRATCH_MIN_FREE) continue;
      const path = join(dir, `cockpit-step-${process.pid}.raw`);
      const fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      return { fd, dir };
    } catch {
      /* not there, not ours, or not writable: the next */
    }
  }
  return undefined;
}

/** `cap`: the log's (see reclaimBytes). */
export function openStepOutput(cap: number): StepOutput {
  const scratch = process.platform === 'linux' ? memoryScratch() : undefined;
  return scratch ? new ScratchOutput(scratch.fd, scratch.dir, reclaimBytes(cap)) : new PipeOutput();
}

class ScratchOutput implements StepOutput {
  readonly lowPriority = true;
  readonly stdio: StdioOptions;
  readonly where: string;
  private readonly buf = Buffer.allocUnsafe(MIB);
  private offset = 0;
  private feed: (chunk: Buffer) => void = () => {};
  private timer: NodeJS.Timeout | undefined;
  private catchingUp = false;
  private done = false;
  private punched = 0;
  private punching = false;
  private punchFailed = false;

  constructor(
    private readonly fd: number,
    dir: string,
    private readonly reclaimAt: number,
  ) {
    this.stdio = ['ignore', fd, fd];
    this.where = dir;
  }

  command(file: string, args: readonly string[]): [string, string[]] {
    return [file, [...args]];
  }

  start(_child: ChildProcess, feed: (chunk: Buffer) => void): void {
    this.feed = feed;
    this.timer = setInterval(() => this.poll(false), FOLLOW_MS);
  }

  /**
   * At most FOLLOW_CHUNKS reads a call (then it goes on at once, between events) unless `all`: a
   * flooding step never keeps a SIGTERM or its own exit waiting behind the output.
   */
  poll(all: boolean): void {
    for (let i = 0; ; i++) {
      if (!all && i === FOLLOW_CHUNKS) {
        if (!this.catchingUp) {
          this.catchingUp = true;
          setImmediate(() => {
            this.catchingUp = false;
            if (!this.done) this.poll(false);
          });
        }
        break;
      }
      let n = 0;
      try {
        n = readSync(this.fd, this.buf, 0, this.buf.length, this.offset);
      } catch {
        /* nothing more can be read */
      }
      if (n <= 0) break;
      this.offset += n;
      this.feed(this.buf.subarray(0, n));
    }
    this.reclaim();
  }

  drain(done: () => void): void {
    this.poll(true);
    this.done = true;
    if (this.timer) clearInterval(this.timer);
    try {
      closeSync(this.fd);
    } catch {
      /* closed */
    }
    done();
  }

  /** Gives the read part of the file back (its pages punched out), as this process holds it. */
  private reclaim(): void {
    if (this.done || this.punching || this.punchFailed || this.offset - this.punched < this.reclaimAt) return;
    const upTo = this.offset;
    this.punching = true;
    const end = (ok: boolean): void => {
      this.punching = false;
      if (ok) this.punched = upTo;
      else this.punchFailed = true;
    };
    try {
      fstatSync(this.fd);
      const p = spawn('fallocate', ['--punch-hole', '--offset', '0', '--length', String(upTo), '/proc/self/fd/3'], { stdio: ['ignore', 'ignore', 'ignore', this.fd] });
      p.on('error', () => end(false));
      p.on('exit', (code) => end(code === 0));
    } catch {
      end(false);
    }
  }
}

class PipeOutput implements StepOutput {
  readonly lowPriority = false;
  readonly where = 'pipe';
  readonly stdio: StdioOptions = ['ignore', 'pipe', 'ignore'];
  private child: ChildProcess | undefined;
  private ended = false;

  command(file: string, args: readonly string[]): [string, string[]] {
    return ['/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', file, ...args]];
  }

  start(child: ChildProcess, feed: (chunk: Buffer) => void): void {
    this.child = child;
    const out = child.stdout;
    if (!out) return void (this.ended = true);
    out.on('data', (b: Buffer) => feed(b));
    out.on('error', () => (this.ended = true));
    out.on('end', () => (this.ended = true));
  }

  poll(): void {
    /* a pipe's output comes as events */
  }

  drain(done: () => void): void {
    const out = this.child?.stdout;
    if (!out || this.ended) return done();
    let called = false;
    const once = (): void => {
      if (called) return;
      called = true;
      clearTimeout(timer);
      out.destroy();
      done();
    };
    // a descendant still holding the pipe: what came by then is all
    const timer = setTimeout(once, PIPE_END_WAIT_MS);
    out.once('end', once);
    out.once('close', once);
  }
}
