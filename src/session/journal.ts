/** The session journal: append-only JSONL, one event a line, fsynced, written before it is applied. */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { SessionEvent } from '../core/events.js';

export interface Journal {
  append(e: SessionEvent): void;
  close(): void;
}

export class FileJournal implements Journal {
  private fd: number | undefined;
  constructor(readonly path: string, private readonly mask: (text: string) => string = (t) => t) {
    this.fd = openSync(path, 'a');
  }
  append(e: SessionEvent): void {
    if (this.fd === undefined) throw new Error('journal is closed');
    writeSync(this.fd, `${this.mask(JSON.stringify(e))}\n`);
    // output batches (a reference to the log file, up to 20 a second per step) are not forced to
    // disk one by one: the next decision event's fsync carries them
    if (e.type !== 'step.output' && e.type !== 'metric.sampled' && e.type !== 'probe.sampled') fsyncSync(this.fd);
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
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
  const out: SessionEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as SessionEvent);
    } catch {
      break;
    }
  }
  return out;
}
