/**
 * A step's log, written by its supervisor from the step's raw output: stamped lines (see
 * log-format), secrets masked, lines as a terminal would show them (line-assembler: `\r` redraws,
 * a line written in pieces is one line), capped by bytes whatever the output's shape.
 *
 * The cap (COCKPIT_LOG_MAX_BYTES): the output's head up to `cap - tailRoom`, a marker, then (at
 * the end) its last part and the count of bytes dropped, the log never over the cap. Once capped,
 * the output is only kept in a ring of its last `tailRoom` bytes: memory stays bounded (a held
 * line at most `holdMax` characters, the ring, one read) for a 1 GB line as for a 1 GB flood.
 * The tail starts at a line's start, unless the output's last line alone is longer than the tail:
 * then that line's end is kept, marked `…` (its first characters, a secret's possible rest,
 * dropped before masking).
 *
 * Writing never throws: a write that fails (a full disk: ENOSPC) loses the lines it held; their
 * bytes of output are counted (`lost`), the step runs on, and what is lost is said (lossLine).
 */
import { writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { LineAssembler, type AssembledLine } from './line-assembler.js';
import { LivePublisher, liveTextOf } from './live-line.js';
import { stampOf } from './log-format.js';
import { errorCode } from '../core/error-message.js';

/** A step's log is capped at COCKPIT_LOG_MAX_BYTES (this by default; at least LOG_MIN_BYTES). */
export const LOG_MAX_BYTES = 64 * 1024 * 1024;
const LOG_MIN_BYTES = 4096;
/** Of the cap, kept for the output's end (written when the step ends): at most this, a quarter of a small cap. */
const LOG_TAIL_BYTES = 1024 * 1024;
/** A line without its newline is held up to this many characters (a quarter of a small cap), then its start let out. */
const HOLD_MAX_CHARS = 1024 * 1024;

const MIB = 1024 * 1024;
export function sizeText(bytes: number): string {
  if (bytes >= MIB) return `${Number((bytes / MIB).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

export function logCap(text: string | undefined): number {
  const n = Number(text);
  return text && Number.isInteger(n) && n > 0 ? Math.max(LOG_MIN_BYTES, n) : LOG_MAX_BYTES;
}

/** What is said (in the log, on the screen, headless) when the log lost output: one wording everywhere. */
export function lossLine(code: string, bytes: number): string {
  return code === 'ENOSPC'
    ? `cockpit: disk full: ${bytes} bytes of output not kept (ENOSPC writing the step's log)`
    : `cockpit: the step's log could not be written (${code}): ${bytes} bytes of output not kept`;
}

export type OutputLogOptions = {
  /** The log, open for appending; undefined when it could not be opened (openError says why). */
  readonly fd: number | undefined;
  readonly openError?: string;
  readonly cap: number;
  readonly mask: (text: string) => string;
  /** How many characters at a text's end may be a secret's start (log-format's secretStartsFor). */
  readonly secretStart: (text: string) => number;
  /** The longest secret's length (0: none). */
  readonly longestSecret: number;
  /** Where the line held now is published for the screen (live-line.ts), if anywhere. */
  readonly livePath?: string;
};

/** The last `max` bytes pushed into it. */
class TailRing {
  private parts: Buffer[] = [];
  private size = 0;
  /** Whether bytes were let go from its front. */
  trimmed = false;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(Buffer.from(b.subarray(Math.max(0, b.length - this.max))));
    if (b.length > this.max) this.trimmed = true;
    this.size += Math.min(b.length, this.max);
    while (this.size - this.parts[0].length >= this.max) {
      this.size -= this.parts.shift()!.length;
      this.trimmed = true;
    }
  }
  bytes(): Buffer {
    const all = Buffer.concat(this.parts, this.size);
    if (all.length <= this.max) return all;
    this.trimmed = true;
    return all.subarray(all.length - this.max);
  }
}

export class OutputLog {
  private readonly decoder = new StringDecoder('utf8');
  private readonly lines: LineAssembler;
  private readonly tailRoom: number;
  private readonly headRoom: number;
  private readonly ring: TailRing;
  private batch: string[] = [];
  private batchText: number[] = [];
  private batchBytes = 0;
  /** The stamp of the lines being written (one per read of output). */
  private stamp = stampOf(new Date());
  private logBytes = 0;
  private capped = false;
  /** Bytes of output read, and of them kept in the log. */
  private total = 0;
  private kept = 0;
  private error: string | undefined;
  private lostBytes = 0;
  /** Lines handed to the log so far (the held line shown live is in it once this moves). */
  private linesOut = 0;
  private readonly live: LivePublisher | undefined;

  constructor(private readonly o: OutputLogOptions) {
    this.live = o.livePath === undefined ? undefined : new LivePublisher(o.livePath);
    this.error = o.fd === undefined ? (o.openError ?? 'no log') : undefined;
    this.tailRoom = Math.min(LOG_TAIL_BYTES, Math.floor(o.cap / 4));
    this.headRoom = o.cap - this.tailRoom;
    this.ring = new TailRing(this.tailRoom);
    this.lines = new LineAssembler((l) => this.headLine(l), Math.min(HOLD_MAX_CHARS, Math.floor(o.cap / 4)), o.secretStart);
  }

  /** Why output was lost, and how many bytes of it, if any was. */
  get lost(): { readonly code: string; readonly lostBytes: number } | undefined {
    return this.error === undefined ? undefined : { code: this.error, lostBytes: this.lostBytes };
  }

  /** Some raw output of the step. */
  feed(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.capped) return this.ring.push(chunk);
    this.stamp = stampOf(new Date());
    this.take(this.decoder.write(chunk));
    this.writeBatch();
    this.publish();
  }

  /** The line held now, as the log will have it (masked; see live-line.ts): '' once capped. */
  get liveText(): string {
    return this.capped ? '' : liveTextOf(this.lines.held, this.o.mask, this.o.secretStart, this.o.longestSecret);
  }

  private publish(): void {
    this.live?.update(() => this.liveText, this.linesOut);
  }

  /** Decoded output into lines until the cap; what comes after it, into the ring. */
  private take(text: string, last = false): void {
    const taken = this.lines.write(text, () => this.capped);
    if (!this.capped && last) this.lines.flush();
    if (this.capped) {
      // what was held, then the rest of this piece: the start of what only the ring keeps
      const held = this.lines.takeHeld();
      if (held !== '') this.ring.push(Buffer.from(held));
      this.ring.push(Buffer.from(text).subarray(taken));
    }
  }

  /** A line of the cockpit's own (a timeout): after what the step printed so far, whatever the cap. */
  line(text: string): void {
    this.stamp = stampOf(new Date());
    if (!this.capped) this.lines.flush();
    this.queue(`${this.stamp}${this.o.mask(text)}\n`, 0);
    this.writeBatch();
    this.publish();
  }

  /** The output ended: the held line, the tail and the count when capped, what was lost. */
  end(): void {
    this.stamp = stampOf(new Date());
    if (!this.capped) this.take(this.decoder.end(), true);
    this.writeBatch();
    this.live?.close();
    if (this.capped) this.writeTail();
    const lost = this.lost;
    if (lost) this.write(`${stampOf(new Date())}${lossLine(lost.code, lost.lostBytes)}\n`, 0);
  }

  private headLine(l: AssembledLine): void {
    this.linesOut++;
    if (this.capped) return;
    const stamp = this.stamp;
    const masked = this.o.mask(l.text);
    const block = `${stamp}${masked.includes('\n') ? masked.replaceAll('\n', `\n${stamp}`) : masked}\n`;
    const size = Buffer.byteLength(block);
    if (this.logBytes + this.batchBytes + size <= this.headRoom) return this.queue(block, l.raw, size);
    // the lines that fit, then the marker; the line that did not fit is the first of what only the
    // ring keeps (the output's end may be in it)
    const lines = l.text.split('\n');
    let i = 0;
    for (; i < lines.length; i++) {
      const line = `${stamp}${this.o.mask(lines[i])}\n`;
      const n = Buffer.byteLength(line);
      if (this.logBytes + this.batchBytes + n > this.headRoom) break;
      this.queue(line, lines.length === 1 ? l.raw : Buffer.byteLength(lines[i]) + 1, n);
    }
    this.capped = true;
    this.queue(`${stamp}cockpit: log capped at ${sizeText(this.o.cap)}; the output is dropped from here but for its last ${sizeText(this.tailRoom)}, at the end of the log\n`, 0);
    const rest = lines.slice(i).join('\n');
    this.ring.push(Buffer.from(l.ended ? `${rest}\n` : rest));
  }

  private queue(line: string, raw: number, size = Buffer.byteLength(line)): void {
    this.batch.push(line);
    this.batchText.push(raw);
    this.batchBytes += size;
  }

  private writeBatch(): void {
    const parts = this.batch;
    const raws = this.batchText;
    this.batch = [];
    this.batchText = [];
    this.batchBytes = 0;
    for (let i = 0; i < parts.length; i++) {
      const b = Buffer.from(parts[i]);
      const done = this.write(b, raws[i]);
      if (done === b.length) continue;
      // the lines not written whole are lost (their bytes of output counted)
      const lost = Math.max(0, raws[i] - this.keptOf(b.subarray(0, done)));
      this.kept -= lost;
      this.lostBytes += lost;
    }
  }

  /** Of a stamped block's first bytes (all that a write took of it), the bytes of output in its whole lines. */
  private keptOf(written: Buffer): number {
    const whole = written.lastIndexOf(10) + 1;
    let lines = 0;
    for (let i = written.indexOf(10); i >= 0 && i < whole; i = written.indexOf(10, i + 1)) lines++;
    return Math.max(0, whole - lines * this.stamp.length);
  }

  /** Appends; returns the bytes written. `raw` (bytes of output it holds) counts as kept. */
  private write(text: string | Buffer, raw: number): number {
    const b = typeof text === 'string' ? Buffer.from(text) : text;
    this.kept += raw;
    let done = 0;
    try {
      if (this.o.fd === undefined) return 0;
      while (done < b.length) done += writeSync(this.o.fd, b, done);
    } catch (e) {
      this.error ??= errorCode(e);
    } finally {
      this.logBytes += done;
    }
    return done;
  }

  /** The step ended and the log was capped: the output's last part that fits, then the count of bytes dropped. */
  private writeTail(): void {
    let bytes = this.ring.bytes();
    const partial = this.ring.trimmed;
    // a tail cut in the middle of a character starts at the next one
    let skip = 0;
    while (partial && skip < bytes.length && skip < 4 && (bytes[skip] & 0xc0) === 0x80) skip++;
    bytes = bytes.subarray(skip);
    const lines: AssembledLine[] = [];
    const asm = new LineAssembler((l) => lines.push(l), Number.MAX_SAFE_INTEGER, undefined, false);
    asm.write(new StringDecoder('utf8').write(bytes));
    asm.flush();
    // the line the tail starts in the middle of is dropped, unless it is the last one
    if (partial && lines.length > 1) lines.shift();
    else if (partial && lines.length === 1) {
      const cut = lines[0].text.slice(Math.max(0, this.o.longestSecret - 1));
      lines[0] = { text: `…${cut}`, raw: Buffer.byteLength(cut) + (lines[0].raw - Buffer.byteLength(lines[0].text)), ended: lines[0].ended };
    }
    const stamp = stampOf(new Date());
    const summaryMax = Buffer.byteLength(`${stamp}cockpit: log capped at ${sizeText(this.o.cap)}; ${'9'.repeat(20)} bytes dropped\n`);
    let room = this.o.cap - this.logBytes - summaryMax;
    const out: string[] = [];
    let raw = 0;
    for (let i = lines.length - 1; i >= 0 && room > stamp.length + 4; i--) {
      let text = this.o.mask(lines[i].text);
      let r = lines[i].raw;
      const size = Buffer.byteLength(text) + stamp.length + 1;
      if (size > room) {
        if (i !== lines.length - 1) break;
        // the last line alone is longer than the room: its end, masked whole first
        const b = Buffer.from(text);
        let from = b.length - (room - stamp.length - 1 - 3);
        while (from < b.length && (b[from] & 0xc0) === 0x80) from++;
        const end = b.subarray(from).toString('utf8');
        r = Math.min(r, Buffer.byteLength(end) + (lines[i].ended ? 1 : 0));
        text = `…${end}`;
      }
      out.unshift(`${stamp}${text}\n`);
      room -= Buffer.byteLength(out[0]);
      raw += r;
    }
    if (out.length) {
      this.queue(out.join(''), raw);
      this.writeBatch();
    }
    this.write(`${stamp}cockpit: log capped at ${sizeText(this.o.cap)}; ${Math.max(0, this.total - this.kept)} bytes dropped\n`, 0);
  }
}
