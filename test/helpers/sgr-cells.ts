/**
 * A line of a screen drawn in colour (Ink's frames with colours on, or tmux's `capture-pane -e`),
 * read cell by cell: each character with the foreground colour (SGR 30–37, 90–97; undefined: the
 * default) and the boldness in force where it is drawn.
 */
export type Cell = { readonly ch: string; readonly fg?: number; readonly bold: boolean };

export function cellsOf(line: string): Cell[] {
  const out: Cell[] = [];
  let fg: number | undefined;
  let bold = false;
  for (const m of line.matchAll(/\x1b\[([0-9;:]*)m|([^\x1b])/gu)) {
    if (m[2] !== undefined) {
      out.push({ ch: m[2], fg, bold });
      continue;
    }
    const ps = m[1] === '' ? [0] : m[1].split(/[;:]/).map(Number);
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      if (p === 0) [fg, bold] = [undefined, false];
      else if (p === 1) bold = true;
      else if (p === 22) bold = false;
      else if (p === 39) fg = undefined;
      else if ((p >= 30 && p <= 37) || (p >= 90 && p <= 97)) fg = p;
      else if (p === 38 || p === 48 || p === 58) i += ps[i + 1] === 5 ? 2 : 4;
    }
  }
  return out;
}
