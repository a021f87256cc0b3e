/** Terminal cell widths: truncate and pad by what the terminal shows, not by string length. */
import stringWidth from 'string-width';

export const width = (s: string): number => stringWidth(s);

export function truncate(s: string, max: number): string {
  if (max <= 0) return '';
  if (width(s) <= max) return s;
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

export function pad(s: string, n: number): string {
  const t = truncate(s, n);
  return t + ' '.repeat(Math.max(0, n - width(t)));
}

export function padStart(s: string, n: number): string {
  const t = truncate(s, n);
  return ' '.repeat(Math.max(0, n - width(t))) + t;
}

/** Strips terminal control sequences and control characters from step output before it is drawn. */
export function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '').replace(/\t/g, '  ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}
