/**
 * cockpit wallboard [runbook]: a read-only full-screen dashboard of the live session (else the
 * latest one) for the war-room screen, in its own process, fed only from the session journal.
 */
import { relative } from 'node:path';
import { quoteArg } from '../runbook/shell-quote.js';
import { stateDir } from '../session/state-dir.js';
import { SessionFeed } from '../wallboard/feed.js';
import { isShareUrl } from '../share/protocol.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { loadRunbookCached } from './load-cached.js';

export const USAGE = usageOf(COMMANDS.wallboard);

/** A path as a person would type it after `cockpit rollback` (quoted when the shell needs it). */
const typed = quoteArg;

/** Colour is off with NO_COLOR (non-empty) or TERM=dumb: the icons and words still say every state. */
function colourOn(env: NodeJS.ProcessEnv): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}

export async function wallboardCommand(argv: string[], io: Io): Promise<number> {
  const { positionals } = parse(argv, COMMANDS.wallboard);
  if (positionals.length > 1) throw new UsageError(`one runbook at most, got ${positionals.length}: ${positionals.join(' ')}\n${USAGE}`);
  if (isShareUrl(positionals[0])) return wallboardRemote(positionals[0], io);
  const rb = await loadRunbookCached(positionals[0], io.err);
  if (typeof rb === 'number') return rb;
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    io.err('cockpit: the wallboard is a full-screen dashboard and needs a terminal (stdin and stdout a TTY)');
    return 2;
  }
  const root = stateDir(rb);
  const feed = SessionFeed.open(rb, root);
  if (!feed) {
    io.err(`cockpit: no session to show: ${root} has none yet (a release started with "cockpit run" appears here)`);
    return 1;
  }
  const path = relative(process.cwd(), rb.file) || rb.file;
  // the rollback must find the same state directory (its lock, its journal) as the session shown
  const env = process.env.COCKPIT_STATE_DIR ? `COCKPIT_STATE_DIR=${typed(process.env.COCKPIT_STATE_DIR)} ` : '';
  const { runWallboard } = await import('../wallboard/wallboard.js');
  return await runWallboard({ rb, feed, rollbackCommand: `${env}cockpit rollback ${typed(path)}`, colour: colourOn(process.env) });
}

/** `cockpit wallboard URL`: a session another cockpit shares (cockpit run --share), from anywhere that reaches it. */
async function wallboardRemote(text: string, io: Io): Promise<number> {
  const url = (await import('./share.js')).shareUrlArg(text);
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    io.err('cockpit: the wallboard is a full-screen dashboard and needs a terminal (stdin and stdout a TTY)');
    return 2;
  }
  const { RemoteWallboardFeed } = await import('../share/wallboard-feed.js');
  const feed = await RemoteWallboardFeed.connect(url);
  if (typeof feed === 'string') {
    io.err(`cockpit: ${feed}`);
    return 1;
  }
  const { driverName } = await import('../share/remote-follower.js');
  const { runWallboard } = await import('../wallboard/wallboard.js');
  return await runWallboard({ rb: feed.hello.runbook, feed, rollbackCommand: `cockpit rollback, where it runs (${driverName(feed.hello)})`, colour: colourOn(process.env) });
}
