/**
 * The line a step is writing now, shown live. The log (output-log.ts) holds a line until its `\n`
 * (a line written in pieces is one line, a `\r` progress bar its latest state): a screen reading
 * only the log would show nothing of `printf 'waiting... '; sleep 60` or of a progress bar until
 * its end. So the supervisor publishes the held line, as the log will have it (redraws applied,
 * secrets masked, a secret's possible start held back), capped at LIVE_MAX_BYTES, to a sidecar
 * beside the log (`<log>.live`): looked at and rewritten at most every LIVE_MIN_MS, only when it
 * changed; removed as soon as the line ends (it is then in the log: never shown twice) and when
 * the step ends.
 *
 * A display aid, not a record: writing it may fail (a full disk) and nothing is said; the log is
 * the record. It is written to a temporary file renamed over it (a reader never sees half of one),
 * both opened without following a symlink (safe-open.ts).
 */
import { closeSync, readSync, renameSync, unlinkSync } from 'node:fs';
import { openNoFollow, writeNoFollow } from '../core/safe-open.js';

/** The live text is at most this many bytes (the held line's end). */
export const LIVE_MAX_BYTES = 4096;
/** The sidecar is rewritten at most this often (its removal, at a line's end, is never put off). */
export const LIVE_MIN_MS = 200;

/** Where a log line shows its time, the live line shows this (it is not a line of the log yet). */
export const LIVE_MARK = '…'.padStart(8);

/** The sidecar of the step whose log is `logPath`. */
export const liveFile = (logPath: string): string => `${logPath}.live`;
const tmpOf = (path: string): string => `${path}.tmp`;

/**
 * The held line as it is shown live: its last LIVE_MAX_BYTES, a secret's possible start at its end
 * held back (as the log does), masked. When its start is cut off, its first `longestSecret - 1`
 * characters go too (they may be the rest of a secret whose start was cut), before masking.
 */
export function liveTextOf(held: string, mask: (t: string) => string, secretStart: (t: string) => number, longestSecret: number): string {
  if (held === '') return '';
  let text = held;
  if (text.length > LIVE_MAX_BYTES) text = text.slice(text.length - LIVE_MAX_BYTES).slice(Math.max(0, longestSecret - 1));
  text = text.slice(0, text.length - secretStart(text));
  const masked = mask(text);
  const b = Buffer.from(masked);
  if (b.length <= LIVE_MAX_BYTES) return masked;
  let from = b.length - LIVE_MAX_BYTES;
  while (from < b.length && (b[from] & 0xc0) === 0x80) from++; // starts at a character
  return b.subarray(from).toString('utf8');
}

/**
 * Writes the live text to the sidecar. `update(textOf, line)`: how to get the text held now and the
 * count of lines the log has had so far (`line`): when that moved, the text shown is in the log now
 * and the sidecar goes at once. Otherwise the text is looked at (a held line of a MiB costs a copy
 * to look at) and written when changed at most every `minMs`: the latest text, when the time comes.
 */
export class LivePublisher {
  private shown = '';
  private shownLine = 0;
  private checkedAt = -Infinity;
  private pending: { textOf: () => string; line: number } = { textOf: () => '', line: 0 };
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly minMs = LIVE_MIN_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.remove(); // a previous attempt's, left by a supervisor that was killed
  }

  update(textOf: () => string, line: number): void {
    if (this.closed) return;
    this.pending = { textOf, line };
    // the line shown has ended (it is in the log now): gone at once, never shown twice
    if (line !== this.shownLine) {
      if (this.shown !== '') this.put('', line);
      this.shownLine = line;
    }
    if (this.timer) return; // it takes the latest text
    const wait = this.checkedAt + this.minMs - this.now();
    if (wait <= 0) return this.check();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, wait);
    this.timer.unref?.();
  }

  private check(): void {
    this.checkedAt = this.now();
    const text = this.pending.textOf();
    if (text !== this.shown) this.put(text, this.pending.line);
  }

  /** The step's output ended: the sidecar goes. */
  close(): void {
    this.cancel();
    this.closed = true;
    this.remove();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private put(text: string, line: number): void {
    this.shown = text;
    this.shownLine = line;
    if (text === '') return this.remove();
    try {
      writeNoFollow(tmpOf(this.path), text);
      renameSync(tmpOf(this.path), this.path);
    } catch {
      // a display aid (the log is the record): a full disk, a symlink planted, shows nothing live
      this.remove();
    }
  }

  private remove(): void {
    for (const p of [tmpOf(this.path), this.path])
      try {
        unlinkSync(p); // a symlink planted there is removed, its target untouched
      } catch {
        /* not there */
      }
  }
}

/** The live text of the step whose log is `logPath` ('' when none), read without following a symlink. */
export function readLive(logPath: string): string {
  let fd: number | undefined;
  try {
    fd = openNoFollow(liveFile(logPath), 'read');
    const buf = Buffer.alloc(LIVE_MAX_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n);
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
