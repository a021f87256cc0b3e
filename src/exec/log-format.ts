/** The step log format: one line per output line, `HH:MM:SS.mmm ` + text; secrets masked. */

export const MASK = '••••';
export const STAMP_LENGTH = 13; // "12:01:02.123 "

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function stampOf(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} `;
}

/** A wall time as the cockpit shows a time of day: HH:MM:SS, local. */
export function timeOfDay(ms: number): string {
  return stampOf(new Date(ms)).slice(0, 8);
}

export type LogLine = { readonly time: string; readonly text: string };

/** Splits a stamped log line into its time (HH:MM:SS) and text. */
export function parseLogLine(line: string): LogLine {
  if (/^\d\d:\d\d:\d\d\.\d{3} /.test(line)) return { time: line.slice(0, 8), text: line.slice(STAMP_LENGTH) };
  return { time: '', text: line };
}

/**
 * A function that replaces every secret value in a text with ••••. Short values (< 3 chars) are not
 * masked: "1" or "no" would mask half of every line.
 */
export function maskerFor(values: readonly string[]): (text: string) => string {
  const secrets = secretsOf(values);
  if (secrets.length === 0) return (t) => t;
  return (text) => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.replaceAll(s, MASK);
    return out;
  };
}

// the one terminal sanitiser (src/core/terminal-text.ts): escapes dropped, colour kept only where output is shown as output
export { sanitize, sanitizeLine, sanitizeOutput } from '../core/terminal-text.js';

/** The secret values worth masking (3 chars or more), longest first. */
function secretsOf(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v.length >= 3))].sort((a, b) => b.length - a.length);
}

/**
 * Masks every string in a JSON-like value (arrays and objects walked, keys kept), except the
 * values of the keys in `keep` (and whatever is under them): identifiers a fold looks things up
 * by. Numbers, booleans and null are never rewritten: a secret "100" leaves an exit code 100 be.
 * Masking the values themselves, not their JSON text, also finds a secret with a `"` or a `\`
 * (escaped in JSON text).
 */
export function maskStrings<T>(value: T, mask: (text: string) => string, keep: ReadonlySet<string> = new Set()): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return mask(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = keep.has(k) ? x : walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * For text that comes in pieces (a step's output): how many characters at the end of `text` may
 * be the start of a secret whose rest has not come yet. Those are held back until the next piece
 * (or the end): a secret written in two writes with a pause between is masked whole.
 */
export function secretStartsFor(values: readonly string[]): (text: string) => number {
  const secrets = secretsOf(values);
  return (text) => {
    let held = 0;
    for (const s of secrets)
      for (let k = Math.min(s.length - 1, text.length); k > held; k--)
        if (text.endsWith(s.slice(0, k))) {
          held = k;
          break;
        }
    return held;
  };
}
