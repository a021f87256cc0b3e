/**
 * A drop-in for string-width (the same result for every string), fast for what the cockpit draws.
 * string-width 8 segments every non-ASCII string into graphemes and tests each against
 * Unicode-property regexes: ~40 µs for a checklist line with an icon, ~200 µs for a 100-column
 * box border, and a frame measures such strings many times. Here a string made only of code points
 * that are one cell wide and never join a neighbour into a grapheme is counted directly (~0.2 µs),
 * and other strings are remembered (a frame mostly redraws the strings of the frame before).
 * text.ts measures with it; the build can also hand it to Ink in place of string-width.
 */
import stringWidth from 'string-width';

type Options = Parameters<typeof stringWidth>[1];

/** One cell wide, never part of a multi-code-point grapheme (checked against string-width). */
function narrow(c: number): boolean {
  if (c >= 0x20 && c <= 0x7e) return true;
  if (c < 0xa0) return false;
  if (c <= 0x2ff) return c !== 0xad; // Latin; not the soft hyphen (zero width)
  if (c < 0x2010) return false;
  if (c <= 0x2027 || (c >= 0x2030 && c <= 0x205e)) return true; // punctuation, not U+2028/9
  if (c >= 0x2190 && c <= 0x22ff) return true; // arrows, maths
  if (c >= 0x2500 && c <= 0x25fc) return true; // box drawing, blocks, shapes (not ◽◾)
  if ((c >= 0x27c0 && c <= 0x27ff) || (c >= 0x2900 && c <= 0x297f)) return true; // ⟲ ⤼ …
  return c === 0x23ce || c === 0x23f8 || c === 0x2691 || c === 0x26a0 || c === 0x26e8 || c === 0x2713 || c === 0x2717; // ⏎ ⏸ ⚑ ⚠ ⛨ ✓ ✗
}

const MAX_CACHED = 4096;
const MAX_CACHED_LENGTH = 1024;
const cache = new Map<string, number>();

export default function fastStringWidth(s: string, options?: Options): number {
  if (typeof s !== 'string' || s.length === 0) return 0;
  if (options !== undefined && (options.ambiguousIsNarrow === false || options.countAnsiEscapeCodes === true)) return stringWidth(s, options);
  // narrow code points and SGR colour sequences (ESC [ digits/; m: no width), counted directly
  let i = 0;
  let width = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (narrow(c)) {
      width++;
      i++;
      continue;
    }
    if (c !== 0x1b || s.charCodeAt(i + 1) !== 0x5b) break;
    let j = i + 2;
    while (j < s.length) {
      const d = s.charCodeAt(j);
      if ((d >= 0x30 && d <= 0x39) || d === 0x3b) j++;
      else break;
    }
    if (s.charCodeAt(j) !== 0x6d) break;
    i = j + 1;
  }
  if (i === s.length) return width;
  const known = cache.get(s);
  if (known !== undefined) return known;
  const w = stringWidth(s);
  if (s.length <= MAX_CACHED_LENGTH) {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(s, w);
  }
  return w;
}
