/** Terminal cell widths: truncate and pad by what the terminal shows, not by string length. */
import fastStringWidth from './fast-width.js';

/** The width of a string in terminal cells: string-width's, computed faster (see fast-width.ts). */
export const width = (s: string): number => fastStringWidth(s);

export function truncate(s: string, max: number): string {
  if (max <= 0) return '';
  if (width(s) <= max) return s;
  return cut(s, max);
}

/** The longest start of `s` that fits in `max - 1` cells, and an ellipsis. */
function cut(s: string, max: number): string {
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = width(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

// pad and padStart measure the string once when it fits (nearly always), not twice

export function pad(s: string, n: number): string {
  if (n <= 0) return '';
  const w = width(s);
  if (w <= n) return s + ' '.repeat(n - w);
  const t = cut(s, n);
  return t + ' '.repeat(Math.max(0, n - width(t)));
}

export function padStart(s: string, n: number): string {
  if (n <= 0) return '';
  const w = width(s);
  if (w <= n) return ' '.repeat(n - w) + s;
  const t = cut(s, n);
  return ' '.repeat(Math.max(0, n - width(t))) + t;
}

/** `s` word-wrapped to lines of at most `max` cells (its own line breaks kept; a word longer than a line is cut). */
export function wrapWords(s: string, max: number): string[] {
  if (max <= 0) return [];
  const out: string[] = [];
  for (const para of s.split(/\r?\n/)) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (width(next) <= max) line = next;
      else {
        if (line) out.push(line);
        line = width(word) <= max ? word : truncate(word, max);
      }
    }
    out.push(line);
  }
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

export { sanitize } from '../exec/log-format.js';
