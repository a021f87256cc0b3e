/** cockpit watch [runbook]: the cockpit screen, read-only, following the live session of a runbook. */
import { liveSession } from '../session/follow.js';
import { isShareUrl } from '../share/protocol.js';
import { stateDir } from '../session/state-dir.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { loadRunbookCached } from './load-cached.js';
import { loadScreen } from './run.js';
import { resolveTheme } from './theme.js';

const USAGE = usageOf(COMMANDS.watch);

export async function watchCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, COMMANDS.watch);
  if (positionals.length > 1) throw new UsageError(`one runbook at a time (got ${positionals.join(', ')})\n${USAGE}`);
  if (isShareUrl(positionals[0])) return watchRemote(positionals[0], values.theme, io);
  const rb = await loadRunbookCached(positionals[0], io.err);
  if (typeof rb === 'number') return rb;
  const root = stateDir(rb);
  const found = liveSession(root);
  const info = found && found.started?.file === rb.file ? found : undefined;
  if (process.stdout.isTTY !== true || process.stdin.isTTY !== true) {
    // the journal is the release as it happens: what to follow without a screen
    io.err(
      `cockpit: cockpit watch needs a terminal (stdin and stdout); ${info ? `without one, follow the release's journal as it is written: tail -f ${info.journalPath}` : `and no release of ${rb.name} is running now (sessions in ${root})`}`,
    );
    return 2;
  }
  if (!info) {
    io.err(`cockpit: no release of ${rb.name} is running to watch (sessions in ${root}); cockpit watch follows a release another cockpit drives`);
    return 1;
  }
  const theme = await resolveTheme(values.theme);
  const { runWatch } = await loadScreen();
  return runWatch(rb, info, theme);
}

/** `cockpit watch URL`: a session another cockpit shares (cockpit run --share), from anywhere that reaches it. */
async function watchRemote(text: string, themeName: string | undefined, io: Io): Promise<number> {
  const url = (await import('./share.js')).shareUrlArg(text);
  if (process.stdout.isTTY !== true || process.stdin.isTTY !== true) {
    io.err(`cockpit: cockpit watch needs a terminal (stdin and stdout); without one, read the stream itself: curl -N ${url.href}`);
    return 2;
  }
  const { connectFollower, driverName } = await import('../share/remote-follower.js');
  const follower = await connectFollower(url);
  if (typeof follower === 'string') {
    io.err(`cockpit: ${follower}`);
    return 1;
  }
  const theme = await resolveTheme(themeName);
  const { watchOnScreen } = await loadScreen();
  return watchOnScreen(follower, theme, `session ${follower.hello.sessionId}`, `shared by ${driverName(follower.hello)} at ${url.href}`);
}
