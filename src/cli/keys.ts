/** cockpit keys [--markdown]: the keymap (docs/keys.md is this with --markdown). */
import { keyGroups, keysMarkdown } from '../ui/keymap.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';

export function keysCommand(argv: string[], io: Io): number {
  const { values, positionals } = parse(argv, COMMANDS.keys);
  if (positionals.length) throw new UsageError(`unexpected ${positionals.join(' ')}\n${usageOf(COMMANDS.keys)}`);
  if (values.markdown) {
    io.out(keysMarkdown());
    return 0;
  }
  const groups = keyGroups();
  const width = Math.max(...groups.flatMap((g) => g.rows.map((r) => r.keys.length))) + 2;
  for (const g of groups) {
    io.out(g.title);
    for (const r of g.rows) io.out(`  ${r.keys.padEnd(width)} ${r.description}`);
  }
  return 0;
}
