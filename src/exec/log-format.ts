/** The step log format: one line per output line, `HH:MM:SS.mmm ` + text; secrets masked. */

export const MASK = '••••';
export const STAMP_LENGTH = 13; // "12:01:02.123 "

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function stampOf(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} `;
}

export type LogLine = { readonly time: string; readonly text: string };

/** Splits a stamped log line into its time (HH:MM:SS) and text. */
export function parseLogLine(line: string): LogLine {
  if (/^\d\d:\d\d:\d\d\.\d{3} /.test(line)) return { time: line.slice(0, 8), text: line.slice(STAMP_LENGTH) };
  return { time: '', text: line };
}

/** A function that replaces every secret value in a text with ••••. Short values (< 3 chars) are not masked. */
export function maskerFor(values: readonly string[]): (text: string) => string {
  const secrets = [...new Set(values.filter((v) => v.length >= 3))].sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (t) => t;
  return (text) => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.replaceAll(s, MASK);
    return out;
  };
}

/** Strips terminal control sequences and control characters from step output before it is drawn (the screen, the wallboard). */
export function sanitize(s: string): string {
  return s.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '').replace(/\t/g, '  ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}
