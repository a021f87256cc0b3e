/**
 * Terminal cell widths: truncate and pad by what the terminal shows, not by string length. What
 * they fit is made safe first (sanitizeLine: no escape, no control, no zero-width character that
 * terminals count differently), so the string measured is the string drawn; they cut between
 * graphemes, never inside one (an emoji, a letter and its combining marks).
 */
import { sanitizeLine } from '../core/terminal-text.js';
import fastStringWidth from './fast-width.js';

/** The width of a string in terminal cells: string-width's, computed faster (see fast-width.ts). */
export const width = (s: string): number => fastStringWidth(s);

export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  const s = sanitizeLine(text);
  if (width(s) <= max) return s;
  return cut(s, max);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The units a cut may fall between: characters of printable ASCII, else graphemes. */
function units(s: string): Iterable<string> {
  return /^[\x20-\x7e]*$/.test(s) ? s : Array.from(graphemes.segment(s), (g) => g.segment);
}

/** The longest start of `s` that fits in `max - 1` cells, and an ellipsis. */
function cut(s: string, max: number): string {
  let out = '';
  let w = 0;
  for (const g of units(s)) {
    const cw = width(g);
    if (w + cw > max - 1) break;
    out += g;
    w += cw;
  }
  return `${out}…`;
}

// pad and padStart measure the string once when it fits (nearly always), not twice

export function pad(text: string, n: number): string {
  if (n <= 0) return '';
  const s = sanitizeLine(text);
  const w = width(s);
  if (w <= n) return s + ' '.repeat(n - w);
  const t = cut(s, n);
  return t + ' '.repeat(Math.max(0, n - width(t)));
}

export function padStart(text: string, n: number): string {
  if (n <= 0) return '';
  const s = sanitizeLine(text);
  const w = width(s);
  if (w <= n) return ' '.repeat(n - w) + s;
  const t = cut(s, n);
  return ' '.repeat(Math.max(0, n - width(t))) + t;
}

/** A word longer than `max` cells in pieces of at most `max` (a path, a URL: broken, never cut off). */
function pieces(word: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const g of units(word)) {
    if (cur && width(cur + g) > max) {
      out.push(cur);
      cur = '';
    }
    cur += g;
  }
  return cur ? [...out, cur] : out;
}

/** `s` word-wrapped to lines of at most `max` cells (its own line breaks kept; a word longer than a line is broken into pieces). */
export function wrapWords(s: string, max: number): string[] {
  if (max <= 0) return [];
  const out: string[] = [];
  for (const para of s.split(/\r?\n/).map(sanitizeLine)) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (width(next) <= max) line = next;
      else {
        if (line) out.push(line);
        const parts = width(word) <= max ? [word] : pieces(word, max);
        out.push(...parts.slice(0, -1));
        line = parts[parts.length - 1] ?? '';
      }
    }
    out.push(line);
  }
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * One line wrapped to `max` cells keeping its indent: the lines after the first are indented two
 * cells more ("  verdict: …" goes on under itself). Nothing is cut: a long word (a path) is broken.
 */
export function wrapIndented(text: string, max: number): string[] {
  const s = sanitizeLine(text);
  const lead = /^ */.exec(s)![0].length;
  if (width(s) <= max || lead + 8 >= max) return [s];
  const [first, ...rest] = wrapWords(s.slice(lead), max - lead - 2);
  return [' '.repeat(lead) + first, ...rest.map((l) => ' '.repeat(lead + 2) + l)];
}

export { sanitize } from '../exec/log-format.js';
