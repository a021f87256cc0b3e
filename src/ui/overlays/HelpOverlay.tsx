/** `?`: every key, from the keymap table. */
import { keyGroups } from '../keymap.js';
import { Dialog, type DialogLine } from './Dialog.js';

type Props = { readonly screenWidth: number; readonly screenHeight: number; readonly offset?: number };

export function helpLines(): DialogLine[] {
  const lines: DialogLine[] = [];
  for (const g of keyGroups()) {
    lines.push([{ text: g.title, slot: 'title' }]);
    for (const r of g.rows) {
      // a key bound several times is listed once: each of its meanings on a line of its own, with when
      const col = Math.max(16, r.keys.length + 2);
      r.parts.forEach((p, i) => {
        const text = r.parts.length > 1 ? `${p.description} — ${p.when}` : p.description;
        lines.push([{ text: `  ${(i === 0 ? r.keys : '').padEnd(col)}`, slot: 'hint.key' }, { text }]);
      });
    }
  }
  return lines;
}

export function HelpOverlay(p: Props) {
  return <Dialog title="Keys (Esc closes, ↑↓ PgUp PgDn scroll)" lines={helpLines()} width={p.screenWidth - 4} screenWidth={p.screenWidth} screenHeight={p.screenHeight} offset={p.offset} />;
}
