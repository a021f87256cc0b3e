/**
 * The status word in big letters for a war-room screen: a bitmap font (blessed ships Terminus
 * 8×14 as JSON) drawn at half its height with half blocks (▀ ▄ █), so "ROLLING BACK" is 5 rows.
 * Pure: the font comes in as data.
 */

/** blessed's font JSON: each glyph a list of rows, a pixel is any character but a space. */
export type BitmapFont = {
  readonly width: number;
  readonly height: number;
  readonly glyphs: Readonly<Record<string, { readonly map: readonly string[] }>>;
};

const HALF = [' ', '▄', '▀', '█'];

export function bigText(text: string, font: BitmapFont): string[] {
  const blank = (w: number) => ' '.repeat(w);
  const maps = [...text].map((ch) => {
    if (ch === ' ') return Array<string>(font.height).fill(blank(Math.ceil(font.width / 2)));
    const g = font.glyphs[ch] ?? font.glyphs['?'];
    return Array.from({ length: font.height }, (_, r) => (g?.map[r] ?? '').padEnd(font.width).slice(0, font.width));
  });
  const rows = Array.from({ length: font.height }, (_, r) => maps.map((m) => m[r]).join(''));
  while (rows.length && !/\S/.test(rows[0])) rows.shift();
  while (rows.length && !/\S/.test(rows[rows.length - 1])) rows.pop();
  if (rows.length === 0) return [];
  if (rows.length % 2) rows.push(blank(rows[0].length));
  const out: string[] = [];
  for (let r = 0; r < rows.length; r += 2) {
    const top = [...rows[r]];
    const bottom = [...rows[r + 1]];
    out.push(top.map((c, i) => HALF[(c !== ' ' ? 2 : 0) + (bottom[i] !== ' ' ? 1 : 0)]).join(''));
  }
  // the last glyph's spacing column is not part of the word
  const trailing = Math.min(...out.map((l) => l.length - l.trimEnd().length));
  return trailing > 0 ? out.map((l) => l.slice(0, l.length - trailing)) : out;
}
