/**
 * Follows a step's log from an offset: hands new lines to listeners in batches (every 50 ms, every
 * 500 ms while the step floods), skipping ahead with a note when it falls far behind (the log
 * keeps every line).
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { openNoFollow } from '../core/safe-open.js';

export const BATCH_MS = 50;
/** How often a step that floods its output is followed. */
const FLOOD_MS = 500;
/** When the tail falls this far behind a flooding step, it skips to the end (the log keeps all). */
const SKIP_AHEAD_BYTES = 256 * 1024;
const KEEP_TAIL_BYTES = 64 * 1024;

export class LogTail {
  readonly listeners = new Set<(lines: readonly string[]) => void>();
  private readonly fd: number;
  private readonly decoder = new StringDecoder('utf8');
  private readonly buf = Buffer.allocUnsafe(256 * 1024);
  private partial = '';
  private closed = false;
  private flooding = false;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly logPath: string,
    private offset: number,
    /** Told each time the tail skips ahead (the step floods its output): see SparePool.noteFlood. */
    private readonly onFlood: () => void = () => {},
  ) {
    this.fd = openNoFollow(logPath, 'read');
    this.timer = setTimeout(this.follow, BATCH_MS);
  }

  // a step flooding its output is followed 4 times a second, not 20: nobody reads that fast, and
  // the CPU it saves is the step's (the log has every line)
  private readonly follow = (): void => {
    this.flooding = false;
    this.drain(false);
    this.timer = setTimeout(this.follow, this.flooding ? FLOOD_MS : BATCH_MS);
  };

  private emit(lines: string[]): void {
    if (lines.length === 0) return;
    for (const l of this.listeners) l(lines);
  }

  drain(all: boolean): void {
    if (this.closed) return;
    const { fd, buf } = this;
    for (;;) {
      // one batch per read: the note of a skip goes out with the lines after it
      const skipped = this.skipAhead(fstatSync(fd).size);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      if (n <= 0) {
        if (skipped) this.emit([skipped]);
        break;
      }
      this.offset += n;
      const text = this.partial + this.decoder.write(buf.subarray(0, n));
      const nl = text.lastIndexOf('\n');
      const lines = nl >= 0 ? text.slice(0, nl).split('\n') : [];
      this.partial = nl >= 0 ? text.slice(nl + 1) : text;
      if (skipped) lines.unshift(skipped);
      this.emit(lines);
      if (!all) break;
    }
  }

  /** Far behind a log of `size` bytes: skips to near its end and says so (the note), else nothing. */
  private skipAhead(size: number): string | undefined {
    if (size - this.offset <= SKIP_AHEAD_BYTES) return undefined;
    const skipTo = size - KEEP_TAIL_BYTES;
    const note = `cockpit: output too fast to show, skipped ${Math.round((skipTo - this.offset) / 1024)} KiB (all of it is in ${this.logPath})`;
    this.flooding = true;
    this.onFlood();
    this.offset = skipTo;
    this.partial = '';
    // resynchronise on the next line start
    const n = readSync(this.fd, this.buf, 0, Math.min(this.buf.length, 4096), this.offset);
    const nl = this.buf.subarray(0, n).indexOf(10);
    this.offset += nl >= 0 ? nl + 1 : 0;
    return note;
  }

  /** Reads what is left (all of it, or one batch for an interrupted step nobody should wait for) and stops. */
  close(all: boolean): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.drain(all);
    if (this.partial !== '') this.emit([this.partial]);
    this.closed = true;
    closeSync(this.fd);
  }
}
