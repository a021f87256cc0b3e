/** The session journal: append-only JSONL, one event a line, fsynced, written before it is applied. */
import { closeSync, fsyncSync, writeSync } from 'node:fs';
import { openNoFollow, readNoFollow } from '../core/safe-open.js';
import type { SessionEvent } from '../core/events.js';
import { maskStrings } from '../exec/log-format.js';
import { errorCode } from '../core/error-message.js';

export interface Journal {
  append(e: SessionEvent): void;
  close(): void;
  /**
   * Why the journal cannot be written now (ENOSPC, EIO…), else undefined. The events are kept
   * meanwhile and written, in order, once it can be again.
   */
  readonly failure?: string;
}

/**
 * The journal file. An append that fails (a full disk, an I/O error) never throws: the release
 * goes on (a rollback must still run), the event waits in memory with the ones after it, and each
 * append (and, meanwhile, a try every RETRY_MS) writes them all, in order, once it can. `failure`
 * says why meanwhile.
 */
const RETRY_MS = 1000;

export class FileJournal implements Journal {
  private fd: number | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** Lines not written yet, oldest first; the first may be written in part (`written` bytes). */
  private readonly backlog: Buffer[] = [];
  private written = 0;
  private unsynced = false;
  failure: string | undefined;

  /** `mask`: applied to every string of an event (never to its JSON text: see maskStrings). */
  constructor(
    readonly path: string,
    private readonly mask?: (text: string) => string,
  ) {
    // never through a symlink planted in the session directory (safe-open.ts): refused by name
    this.fd = openNoFollow(path, 'append');
  }

  /** Events not on disk yet. */
  get pending(): number {
    return this.backlog.length;
  }

  append(e: SessionEvent): void {
    if (this.fd === undefined) throw new Error('journal is closed');
    this.backlog.push(Buffer.from(`${JSON.stringify(this.mask ? maskStrings(e, this.mask) : e)}\n`));
    // output batches (a reference to the log file, up to 20 a second per step) are not forced to
    // disk one by one: the next decision event's fsync carries them
    if (e.type !== 'step.output' && e.type !== 'metric.sampled' && e.type !== 'probe.sampled') this.unsynced = true;
    this.flush();
  }

  private flush(): void {
    const fd = this.fd!;
    try {
      while (this.backlog.length > 0) {
        const line = this.backlog[0];
        this.written += writeSync(fd, line, this.written);
        if (this.written < line.length) continue;
        this.backlog.shift();
        this.written = 0;
      }
      if (this.unsynced) fsyncSync(fd);
      this.unsynced = false;
      this.failure = undefined;
      clearInterval(this.retry);
      this.retry = undefined;
    } catch (err) {
      this.failure = errorCode(err);
      // no event may come for a while (a screen waiting for its operator): the kept ones are
      // written as soon as they can be all the same
      this.retry ??= setInterval(() => this.fd !== undefined && this.flush(), RETRY_MS).unref();
    }
  }

  /** Closes the file after a last try; says on stderr what could not be written (nothing else can now). */
  close(): void {
    if (this.fd === undefined) return;
    clearInterval(this.retry);
    this.retry = undefined;
    if (this.backlog.length > 0) this.flush();
    if (this.backlog.length > 0)
      process.stderr.write(`cockpit: journal cannot be written (${this.failure}): the session's last ${this.backlog.length} events are not in ${this.path}\n`);
    try {
      // the last output batches too are on disk when the cockpit exits (only decision events force a sync as they come)
      fsyncSync(this.fd);
    } catch {
      /* a disk that cannot sync: what could be written is */
    }
    try {
      closeSync(this.fd);
    } catch {
      /* what could be written is */
    }
    this.fd = undefined;
  }
}

export class MemoryJournal implements Journal {
  readonly events: SessionEvent[] = [];
  append(e: SessionEvent): void {
    this.events.push(e);
  }
  close(): void {}
}

/** Reads a journal back; a torn last line (crash mid-write) is ignored. */
export function readJournal(path: string): SessionEvent[] {
  return parseJournal(readNoFollow(path));
}

/** A journal's text as events; a torn last line is ignored. */
export function parseJournal(text: string): SessionEvent[] {
  const out: SessionEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as SessionEvent);
    } catch {
      break;
    }
  }
  return out;
}
