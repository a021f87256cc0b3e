/**
 * A step's output text made into the lines a terminal would show: `\n` ends a line, `\r` moves
 * back to its start and what follows overwrites it (a progress bar redrawn in place leaves its
 * latest state, `a\rb` is `b`; `\r\n` is a plain line end), `ESC[K` erases the rest of the line.
 * A line written in several pieces, with pauses between, is one line: it is held until its `\n`
 * (or the end). A held line is bounded: past `holdMax` characters its start is let out as a line
 * of its own (but for a secret's possible start, see log-format's secretStartsFor).
 *
 * Each line comes out with the count of raw bytes that made it (overwritten ones included), so the
 * log can say exactly how much of the output it kept.
 */

/**
 * A line, how many raw bytes of output made it, and whether it ended (a newline; not when let out,
 * or held at the end). Whole lines that need nothing done come as one: `text` then holds several
 * lines joined by `\n` (a flood costs one emit per read, not one per line).
 */
export type AssembledLine = { readonly text: string; readonly raw: number; readonly ended: boolean };

const ERASE_TO_END = /\x1b\[[02]?K/;

export class LineAssembler {
  private cur = '';
  private col = 0;
  /** Raw bytes in the line held now. */
  private curRaw = 0;

  constructor(
    private readonly emit: (line: AssembledLine) => void,
    private readonly holdMax: number,
    /** How many characters at the end of a text may be a secret's start (held back when a long line is let out). */
    private readonly secretStart: (text: string) => number = () => 0,
    /** Whether whole lines may come several at once (see AssembledLine). */
    private readonly blocks = true,
  ) {}

  /** The line held now (not ended yet), as it would show. */
  get held(): string {
    return this.cur;
  }

  /** Raw bytes held (in a line not ended yet). */
  get heldRaw(): number {
    return this.curRaw;
  }

  /**
   * Takes decoded text. Returns how many bytes of it (as UTF-8) it had taken when `stop()` said to
   * stop (asked before each piece: all of it if never).
   */
  write(text: string, stop: () => boolean = () => false): number {
    let at = 0;
    let taken = 0;
    let nl = -1;
    let cr = -1;
    const lastNl = text.lastIndexOf('\n');
    while (at < text.length) {
      if (stop()) return taken;
      if (nl < at) nl = indexOr(text, '\n', at);
      if (cr < at) cr = indexOr(text, '\r', at);
      if (this.blocks && this.cur === '' && this.curRaw === 0 && lastNl > at && cr > lastNl) {
        // nothing held, no \r up to the last newline: those lines as they are, in one piece
        const block = text.slice(at, lastNl);
        const n = Buffer.byteLength(block) + 1;
        taken += n;
        at = lastNl + 1;
        this.emit({ text: block, raw: n, ended: true });
        continue;
      }
      const next = Math.min(nl, cr);
      const piece = text.slice(at, next);
      if (piece !== '') {
        const n = Buffer.byteLength(piece);
        this.put(piece);
        this.curRaw += n;
        taken += n;
      }
      if (next === text.length) break;
      this.curRaw += 1;
      taken += 1;
      if (text[next] === '\r') this.col = 0;
      else this.endLine(true);
      at = next + 1;
      if (this.cur.length > this.holdMax) this.letOut(stop);
    }
    if (this.cur.length > this.holdMax) this.letOut(stop);
    return taken;
  }

  /** The held line, if any, as it is (the output ended, or a line of the cockpit's own comes). */
  flush(): void {
    if (this.cur !== '' || this.curRaw > 0) this.endLine(false);
  }

  /** Takes what is held out (as it would show), leaving nothing held. */
  takeHeld(): string {
    const held = this.cur;
    this.cur = '';
    this.col = 0;
    this.curRaw = 0;
    return held;
  }

  private put(piece: string): void {
    if (this.col === this.cur.length) this.cur += piece;
    else this.cur = this.cur.slice(0, this.col) + piece + this.cur.slice(this.col + piece.length);
    this.col += piece.length;
    if (ERASE_TO_END.test(piece)) this.cur = this.cur.slice(0, this.col);
  }

  private endLine(ended: boolean): void {
    const line = { text: this.cur, raw: this.curRaw, ended };
    this.cur = '';
    this.col = 0;
    this.curRaw = 0;
    this.emit(line);
  }

  /** A line too long to hold: its start goes out as lines of holdMax characters, the rest (and a secret's possible start) stays. */
  private letOut(stop: () => boolean): void {
    while (this.cur.length > this.holdMax && !stop()) {
      let n = this.holdMax;
      // a piece never ends in a secret's possible start (it would go out unmasked)
      n -= Math.min(this.secretStart(this.cur.slice(0, n)), n - 1);
      const out = this.cur.slice(0, n);
      const outRaw = Buffer.byteLength(out);
      this.cur = this.cur.slice(n);
      this.col = Math.max(0, this.col - n);
      this.curRaw -= outRaw;
      this.emit({ text: out, raw: outRaw, ended: false });
    }
  }
}

/** Where `c` is next in `text` from `from`, or text.length. */
function indexOr(text: string, c: string, from: number): number {
  const i = text.indexOf(c, from);
  return i < 0 ? text.length : i;
}
