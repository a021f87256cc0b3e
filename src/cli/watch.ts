/** cockpit watch [runbook]: the cockpit screen, read-only, following the live session of a runbook. */
import { liveSession } from '../session/follow.js';
import { stateDir } from '../session/open.js';
import { parse, UsageError } from './args.js';
import type { Io } from './io.js';
import { loadRunbookCached } from './load-cached.js';
import { loadScreen } from './run.js';
import { resolveTheme } from './theme.js';

const USAGE = 'usage: cockpit watch [runbook] [--theme name]';

export async function watchCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { theme: { type: 'string' } }, USAGE);
  if (positionals.length > 1) throw new UsageError(`one runbook at a time (got ${positionals.join(', ')})\n${USAGE}`);
  if (process.stdout.isTTY !== true || process.stdin.isTTY !== true) {
    io.err('cockpit: cockpit watch needs a terminal (stdin and stdout); without one, follow the journal: cockpit history, or tail .cockpit/sessions/<id>/journal.jsonl');
    return 2;
  }
  const rb = await loadRunbookCached(positionals[0], io.err);
  if (typeof rb === 'number') return rb;
  const root = stateDir(rb);
  const info = liveSession(root);
  if (!info || info.started?.file !== rb.file) {
    io.err(`cockpit: no release of ${rb.name} is running to watch (sessions in ${root}); cockpit watch follows a release another cockpit drives`);
    return 1;
  }
  const theme = await resolveTheme(values.theme);
  const { runWatch } = await loadScreen();
  return runWatch(rb, info, theme);
}
