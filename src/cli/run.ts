/**
 * cockpit run [runbook]: the screen on a terminal; headless (plain or --json) and --dry-run are in
 * headless-run.ts, loaded only for them. This module is on the screen's start-up path, before the
 * first frame: it imports nothing the screen does not need (the session's code is in the screen's
 * own bundle, dist/tui.cjs).
 */
import { distFile } from '../exec/dist-file.js';
import type { Io } from './io.js';
import type { Sharing } from '../share/share-session.js';
import { requireWithCodeCache } from './code-cache.js';
import { loadForRun } from './load-cached.js';
import { unsetHeaderLines } from '../runbook/header-env.js';
import { checkStage, parseRunFlags } from './run-flags.js';
import { resolveTheme } from './theme.js';

/** dist/tui.cjs: the screen's bundle (scripts/build.mjs). */
function screenBundle(): string {
  const found = distFile('tui.cjs', import.meta.url);
  if (!found) throw new Error('the screen bundle (dist/tui.cjs) is missing: run "npm run build"');
  return found;
}

/** Loads the screen's bundle (Ink, React) through V8's code cache (code-cache.ts). Ink treats CI=false as "not CI", but chalk turns colour off whenever CI is set at all. */
export async function loadScreen(): Promise<typeof import('../ui/run-tui.js')> {
  if (process.env.CI === 'false' || process.env.CI === '0') delete process.env.CI;
  return requireWithCodeCache(screenBundle()).exports as typeof import('../ui/run-tui.js');
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const flags = parseRunFlags(argv);
  // on a terminal the screen's code starts loading while the runbook is read
  const screen = !flags.headless && !flags.json && !flags['dry-run'] && process.stdout.isTTY === true && process.stdin.isTTY === true ? loadScreen() : undefined;
  const loaded = await loadForRun(flags.file, io.err);
  if (typeof loaded === 'number') return loaded;
  let rb = loaded.runbook;
  let given = { choices: {}, inputs: {} };
  // choices and inputs (run-plan.ts) are loaded only for a runbook that has them, or when given
  if (flags.set || flags.choose || rb.choices.length > 0 || rb.inputs.length > 0) ({ runbook: rb, given } = (await import('./run-plan.js')).applyGiven(loaded, flags));
  // plan.lines: where a Markdown runbook writes each choice and input ("release.md:42: choice … is not made")
  if (flags['dry-run']) return (await import('./headless-run.js')).dryRun(rb, io, flags.stage, loaded.display, loaded.plan?.lines);
  // a header's $VAR unset: refused before anything runs, where it is written (not a token sent empty)
  const unset = unsetHeaderLines(rb, process.env, loaded.display);
  for (const line of unset) io.err(line);
  if (unset.length > 0) return 2;
  // a background guard taking a session over (session/hand-over.ts): never a screen
  if (flags['background-guard'] !== undefined) return (await import('./background-run.js')).runBackgroundGuard(rb, flags['background-guard'], io);
  checkStage(rb, flags.stage);
  // a team (team: in the runbook): the environment's lease on the git remote first (cli/team.ts)
  const team = rb.team ? await (await import('./team.js')).takeTeamLease(rb, { message: flags.message, localLock: flags['local-lock'] }, io) : undefined;
  if (typeof team === 'number') return team;
  const teamLease = team ? { teamLease: team.event, onLeaseLost: (tell: (why: string) => void) => team.onLost(tell) } : {};
  let sharing: Sharing | number | undefined;
  try {
    // --share: listening before the session opens (an address in use refuses the run)
    sharing = flags.share === undefined ? undefined : await (await import('./share.js')).startShare(flags.share, io, rb);
    if (typeof sharing === 'number') return sharing;
    const share = sharing ? { share: sharing } : {};
    if (!screen) return await (await import('./headless-run.js')).runHeadless(rb, flags, io, { display: loaded.display, hash: loaded.plan?.hash, lines: loaded.plan?.lines, ...teamLease, ...share });
    const theme = await resolveTheme(flags.theme);
    const { runTui } = await screen;
    const plan = { raw: loaded.raw, display: loaded.display, given, review: loaded.plan };
    return await runTui(rb, { theme, onFailure: flags.onFailure === 'rollback' ? 'rollback' : 'wait', confirm: flags.confirm, yes: flags.yes, fromStage: flags.stage, learning: flags.learning, plan, ...teamLease, ...share }, io.err);
  } finally {
    if (typeof sharing === 'object') await sharing.close();
    if (team) await (await import('./team.js')).endTeamLease(rb, team, io);
  }
}
