/**
 * The project's one shell lexer: a bash script → its top-level commands (one per command line, a
 * line's `;`-separated parts staying one command), with where each starts and its `# comment`
 * title; the simple words of one command; the quote state at each character. Not a shell parser:
 * it knows what decides where a command ends (quotes, `\` continuations, `|` `&&` `||` at a line's
 * end, `$( )`, backquotes, heredocs, compound commands, groups, subshells, function bodies,
 * comments) and nothing else.
 */
import { commentTitle } from './shell-words.js';

export { commentTitle, scriptCommands, wordsOf, type ShellWord } from './shell-words.js';

export type ShellCommand = {
  /** The command as written (continuation lines, heredoc bodies and all), trailing blanks trimmed. */
  readonly text: string;
  /** 0-based line of the script where it starts. */
  readonly line: number;
  /** 0-based line where it ends. */
  readonly endLine: number;
  /** 0-based column of its first character. */
  readonly col: number;
  /** The `# comment` line directly above it, numbering ("1.", "Step 2:") stripped. */
  readonly title?: string;
};

type Quote = '"' | "'" | undefined;
type Close = 'fi' | 'done' | 'esac' | '}';
type Frame =
  | { readonly kind: 'sq' | 'dq' | 'ansi' | 'bt' | 'brace' | 'paren' }
  | { readonly kind: 'arith'; depth: number }
  | { readonly kind: 'kw'; readonly close: Close; pattern: boolean; awaitIn: boolean };

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
/** Keywords after which the next word is a command again. */
const LEADS = new Set(['then', 'else', 'elif', 'do', '!', 'time']);
const SEPARATOR = ' \t\n;&|()<>';

class Scanner {
  readonly commands: ShellCommand[] = [];
  readonly quotes: Quote[];
  private readonly stack: Frame[] = [];
  private readonly lineStarts: number[] = [0];
  private i = 0;
  private word = '';
  private inWord = false;
  private wordQuoted = false;
  private wordAtCmd = false;
  private cmdPos = true;
  private pendingOp = false;
  private awaitBody = false;
  private fnName = false;
  private heredocs: { delim: string; strip: boolean; quoted: boolean }[] = [];
  private start = -1;
  private lastComment: { line: number; title?: string } | undefined;

  constructor(private readonly s: string) {
    this.quotes = new Array<Quote>(s.length).fill(undefined);
    for (let k = 0; k < s.length; k++) if (s[k] === '\n') this.lineStarts.push(k + 1);
  }

  private lineOf(index: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private quoteNow(): Quote {
    const k = this.top()?.kind;
    return k === 'dq' ? '"' : k === 'sq' || k === 'ansi' ? "'" : undefined;
  }

  run(): this {
    const s = this.s;
    if (s.startsWith('#!')) this.i = s.indexOf('\n') < 0 ? s.length : s.indexOf('\n');
    for (; this.i < s.length; this.i++) {
      const at = this.i;
      const q = this.quoteNow();
      const k = this.top()?.kind;
      if (k === 'sq') this.inSingle(false);
      else if (k === 'ansi') this.inSingle(true);
      else if (k === 'dq' || k === 'brace') this.inDouble(k);
      else if (k === 'arith') this.inArith();
      else this.inCommand();
      // an escape or a two-character token is read in one state; longer jumps (heredoc bodies, comments) fill their own
      if (this.i - at <= 2) this.quotes.fill(q, at, Math.min(this.i + 1, s.length));
    }
    this.endWord();
    if (this.start >= 0) this.finish(s.length);
    return this;
  }

  private inSingle(escapes: boolean): void {
    const c = this.s[this.i];
    if (escapes && c === '\\') this.i++;
    else if (c === "'") this.stack.pop();
  }

  /** Inside "…" or ${…}: expansions nest, the closing character pops. */
  private inDouble(kind: 'dq' | 'brace'): void {
    const s = this.s;
    const c = s[this.i];
    if (c === '\\') this.i++;
    else if (!(c === '$' && kind === 'dq' && s[this.i + 1] === "'") && this.expansion()) return;
    else if (kind === 'dq' && c === '"') this.stack.pop();
    else if (kind === 'brace' && c === '}') this.stack.pop();
    else if (kind === 'brace' && (c === '"' || c === "'")) this.stack.push({ kind: c === '"' ? 'dq' : 'sq' });
  }

  private inArith(): void {
    const f = this.top() as Extract<Frame, { kind: 'arith' }>;
    const c = this.s[this.i];
    if (this.expansion()) return;
    if (c === '(') f.depth++;
    else if (c === ')' && f.depth > 0) f.depth--;
    else if (c === ')' && this.s[this.i + 1] === ')') {
      this.i++;
      this.stack.pop();
    }
  }

  /** `$(`, `$((`, `${`, a backquote: pushes its frame and says so. */
  private expansion(): boolean {
    const s = this.s;
    const c = s[this.i];
    if (c === '`') {
      if (this.top()?.kind === 'bt') this.stack.pop();
      else this.stack.push({ kind: 'bt' });
      return true;
    }
    if (c !== '$') return false;
    if (s.startsWith('$((', this.i)) {
      this.stack.push({ kind: 'arith', depth: 0 });
      this.i += 2;
    } else if (s[this.i + 1] === '(') {
      this.stack.push({ kind: 'paren' });
      this.i++;
      this.cmdPos = true;
    } else if (s[this.i + 1] === '{') {
      this.stack.push({ kind: 'brace' });
      this.i++;
    } else if (s[this.i + 1] === "'") {
      this.stack.push({ kind: 'ansi' });
      this.i++;
    } else return false;
    return true;
  }

  /** A token begins at i: the command starts here if none has. */
  private touch(): void {
    this.pendingOp = false;
    if (this.start < 0 && this.stack.length === 0) this.start = this.i;
  }

  private wordChar(quoted: boolean): void {
    if (!this.inWord) {
      this.inWord = true;
      this.word = '';
      this.wordQuoted = false;
      this.wordAtCmd = this.cmdPos;
    }
    if (quoted) this.wordQuoted = true;
    else this.word += this.s[this.i];
  }

  private inCommand(): void {
    const s = this.s;
    const c = s[this.i];
    if (c === '\\' && s[this.i + 1] === '\n') {
      this.i++;
      return;
    }
    if (c === ' ' || c === '\t' || c === '\r') return this.endWord();
    if (c === '\n') return this.newline();
    if (c === '#' && !this.inWord) return this.comment();
    this.touch();
    if (c === '\\') {
      this.wordChar(true);
      this.i++;
    } else if (c === "'" || c === '"') {
      this.wordChar(true);
      this.stack.push({ kind: c === '"' ? 'dq' : 'sq' });
    } else if (c === '`' || (c === '$' && "({'".includes(s[this.i + 1] ?? ''))) {
      this.wordChar(true);
      this.expansion();
    } else if (SEPARATOR.includes(c)) this.operator(c);
    else this.wordChar(false);
  }

  private comment(): void {
    const s = this.s;
    const from = this.i;
    const end = s.indexOf('\n', from);
    const to = end < 0 ? s.length : end;
    if (this.start < 0 && this.stack.length === 0) this.lastComment = { line: this.lineOf(from), title: commentTitle(s.slice(from, to)) };
    this.quotes.fill(undefined, from, to);
    this.i = to - 1;
  }

  private operator(c: string): void {
    const s = this.s;
    const next = s[this.i + 1];
    const wasWord = this.inWord ? this.word : undefined;
    const wasCmd = this.wordAtCmd;
    this.endWord();
    if (c === '(') return this.openParen(wasWord, wasCmd);
    if (c === ')') return this.closeParen();
    if (c === ';') {
      const kw = this.top();
      if (next === ';' || next === '&') {
        this.i += s.startsWith(';;&', this.i) ? 2 : 1;
        if (kw?.kind === 'kw' && kw.close === 'esac') kw.pattern = true;
      }
      this.cmdPos = true;
      return;
    }
    if (c === '&' || c === '|') {
      if (c === '&' && next === '>') return; // &> redirection
      if (next === c || (c === '|' && next === '&')) this.i++;
      // a single & backgrounds: the command line may end there; | && || carry on to the next line
      this.pendingOp = c === '|' || next === c;
      this.cmdPos = true;
      return;
    }
    // < and >: heredocs, here-strings, process substitution
    if (c === '<' && next === '<') return this.heredoc();
    if (next === '(') {
      this.i++;
      this.stack.push({ kind: 'paren' });
      this.cmdPos = true;
    }
  }

  private openParen(word: string | undefined, wasCmd: boolean): void {
    const s = this.s;
    const kw = this.top();
    if (kw?.kind === 'kw' && kw.pattern) return; // case's "(pattern)"
    if (word !== undefined && wasCmd && /^\s*\)/.test(s.slice(this.i + 1, this.i + 8))) {
      // name() — a function definition: its body follows (maybe on the next line)
      this.i = s.indexOf(')', this.i);
      this.awaitBody = true;
      this.cmdPos = true;
      return;
    }
    this.awaitBody = false;
    if (this.cmdPos && s[this.i + 1] === '(') {
      this.i++;
      this.stack.push({ kind: 'arith', depth: 0 });
      return;
    }
    this.stack.push({ kind: 'paren' });
    this.cmdPos = true;
  }

  private closeParen(): void {
    const f = this.top();
    if (f?.kind === 'kw' && f.close === 'esac' && f.pattern) f.pattern = false;
    else if (f?.kind === 'paren') this.stack.pop();
    this.cmdPos = f?.kind === 'kw';
  }

  private heredoc(): void {
    const s = this.s;
    if (s[this.i + 2] === '<') {
      this.i += 2; // here-string
      return;
    }
    let j = this.i + 2;
    const strip = s[j] === '-';
    if (strip) j++;
    while (s[j] === ' ' || s[j] === '\t') j++;
    const from = j;
    let quote: string | undefined;
    for (; j < s.length; j++) {
      const c = s[j];
      if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '\\') j++;
      else if (SEPARATOR.includes(c)) break;
    }
    const raw = s.slice(from, j);
    if (raw !== '') this.heredocs.push({ delim: raw.replace(/['"\\]/g, ''), strip, quoted: /['"\\]/.test(raw) });
    this.i = j - 1;
  }

  /** Skips the bodies of the heredocs the line just ended opened; returns where the last one's terminator line ends. */
  private heredocBodies(nl: number): number {
    const s = this.s;
    let at = nl;
    for (const h of this.heredocs) {
      for (;;) {
        const from = at + 1;
        if (from > s.length) break;
        const end = s.indexOf('\n', from);
        const to = end < 0 ? s.length : end;
        this.quotes.fill(h.quoted ? "'" : '"', from, to);
        at = to;
        const line = s.slice(from, to).replace(/\r$/, '');
        if ((h.strip ? line.replace(/^\t+/, '') : line) === h.delim || to === s.length) break;
      }
    }
    this.heredocs = [];
    return at;
  }

  private newline(): void {
    this.endWord();
    if (this.heredocs.length > 0) this.i = this.heredocBodies(this.i);
    if (this.stack.length === 0 && this.start >= 0 && !this.pendingOp && !this.awaitBody && !this.fnName) this.finish(this.i);
    this.cmdPos = true;
  }

  private finish(end: number): void {
    const text = this.s.slice(this.start, end).replace(/\s+$/, '');
    const line = this.lineOf(this.start);
    const title = this.lastComment?.line === line - 1 ? this.lastComment.title : undefined;
    this.commands.push({ text, line, endLine: this.lineOf(this.start + text.length - 1), col: this.start - this.lineStarts[line], ...(title ? { title } : {}) });
    this.start = -1;
    this.lastComment = undefined;
    this.cmdPos = true;
  }

  private endWord(): void {
    if (!this.inWord) return;
    this.inWord = false;
    const w = this.wordQuoted ? undefined : this.word;
    const atCmd = this.wordAtCmd;
    if (this.fnName) {
      this.fnName = false;
      this.awaitBody = true;
      this.cmdPos = true;
      return;
    }
    if (w !== '{' && w !== '(') this.awaitBody = false;
    const f = this.top();
    if (f?.kind === 'kw' && f.close === 'esac' && (f.awaitIn || f.pattern)) {
      if (f.awaitIn && w === 'in') {
        f.awaitIn = false;
        f.pattern = true;
      } else if (f.pattern && w === 'esac') this.stack.pop();
      this.cmdPos = false;
      return;
    }
    this.cmdPos = atCmd && w !== undefined ? this.keyword(w) : false;
  }

  /** A word in command position: opens or closes a compound command; says whether a command may follow. */
  private keyword(w: string): boolean {
    const f = this.top();
    switch (w) {
      case 'if':
        this.stack.push({ kind: 'kw', close: 'fi', pattern: false, awaitIn: false });
        return true;
      case 'while':
      case 'until':
      case 'for':
      case 'select':
        this.stack.push({ kind: 'kw', close: 'done', pattern: false, awaitIn: false });
        return w === 'while' || w === 'until';
      case 'case':
        this.stack.push({ kind: 'kw', close: 'esac', pattern: false, awaitIn: true });
        return false;
      case '{':
        this.awaitBody = false;
        this.stack.push({ kind: 'kw', close: '}', pattern: false, awaitIn: false });
        return true;
      case 'function':
        this.fnName = true;
        return false;
      case 'fi':
      case 'done':
      case 'esac':
      case '}':
        if (f?.kind === 'kw' && f.close === w) this.stack.pop();
        return false;
      default:
        return LEADS.has(w) || ASSIGNMENT.test(w);
    }
  }
}

/** The script's top-level commands in order (blank lines and comment lines are none; a shebang is skipped). */
export function splitCommands(script: string): { commands: ShellCommand[] } {
  return { commands: new Scanner(script).run().commands };
}

/** The quote state each character of the script is read in (a heredoc's body: '"', or "'" when its delimiter is quoted). */
export function quoteContext(script: string): Quote[] {
  return new Scanner(script).run().quotes;
}
