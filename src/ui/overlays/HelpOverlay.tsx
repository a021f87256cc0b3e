/** `?`: every key, from the keymap table. */
import { keyGroups } from '../keymap.js';
import { Dialog, type DialogLine } from './Dialog.js';

type Props = { readonly screenWidth: number; readonly screenHeight: number; readonly offset?: number };

export function helpLines(): DialogLine[] {
  const lines: DialogLine[] = [];
  for (const g of keyGroups()) {
    lines.push([{ text: g.title, slot: 'title' }]);
    for (const r of g.rows) lines.push([{ text: `  ${r.keys.padEnd(Math.max(16, r.keys.length + 2))}`, slot: 'hint.key' }, { text: r.description }]);
  }
  return lines;
}

export function HelpOverlay(p: Props) {
  return <Dialog title="Keys (Esc closes, ↑↓ PgUp PgDn scroll)" lines={helpLines()} width={p.screenWidth - 4} screenWidth={p.screenWidth} screenHeight={p.screenHeight} offset={p.offset} />;
}
