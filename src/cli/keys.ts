/** cockpit keys [--markdown]: the keymap (docs/keys.md is this with --markdown). */
import { keyGroups, keysMarkdown } from '../ui/keymap.js';
import type { Io } from './io.js';

export function keysCommand(argv: string[], io: Io): number {
  if (argv.includes('--markdown')) {
    io.out(keysMarkdown());
    return 0;
  }
  for (const g of keyGroups()) {
    io.out(g.title);
    for (const r of g.rows) io.out(`  ${r.keys.padEnd(18)} ${r.description}`);
  }
  return 0;
}
