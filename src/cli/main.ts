/** cockpit: argv → command. No business logic here. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { didYouMean } from '../runbook/suggest.js';
import { UsageError } from './args.js';
import { processIo, terminalIo, type Io } from './io.js';
import { runCommand } from './run.js';

declare const __COCKPIT_VERSION__: string;
const VERSION = typeof __COCKPIT_VERSION__ === 'string' ? __COCKPIT_VERSION__ : '0.0.0-dev';

const COMMANDS: readonly [string, string][] = [
  ['demo [--scenario S]', 'a whole release against a local demo service, nothing to configure (good, bad-release, slow-leak, flag-regression, flaky-tests)'],
  ['run [runbook]', 'run the release: the cockpit screen on a terminal, else headless (--headless --json --confirm --yes --dry-run --stage --on-failure --theme --learning)'],
  ['watch [runbook]', 'follow the release another cockpit drives, read-only, on the same screen (R there says how to roll back)'],
  ['rollback [runbook]', 'run the rollback pipeline now (--reason "...")'],
  ['history [runbook]', 'the release history log and the DORA four keys from every journal (--markdown --json --since 30d)'],
  ['validate [runbook]', 'check a runbook: "ok" and a summary, or every error as file:line:col (for a .md also what was mapped and what was not)'],
  ['import <runbook.md> [-o file]', 'write the cockpit.yml equivalent of a Markdown runbook (stdout without -o)'],
  ['init [--yes]', 'start a runbook here: import a Markdown runbook found here, or write a starter cockpit.yml'],
  ['schema', 'print the runbook JSON Schema'],
  ['flag <name> <percent>|--next', 'step a feature flag through the guarded path (exit 4 when a guardrail refuses)'],
  ['experiment <id> [--json]', 'an A/B experiment\'s figures: rates, lift with 95 % CI, p-value, sample ratio check'],
  ['wallboard [runbook]', 'a read-only full-screen dashboard of the live (else the latest) session, for the war-room screen'],
  ['keys [--markdown]', 'print every key of the cockpit screen (the keymap)'],
  ['config set|get|unset|list', 'user preferences: theme, confirm style'],
];

/** The command words: `run`, `watch`, … */
const COMMAND_WORDS: readonly string[] = COMMANDS.map(([c]) => c.split(' ')[0]);

/**
 * A first argument that reads as a mistyped command rather than a runbook: a plain word (no
 * extension, no slash, not an option) that is no file or directory here. `cockpit hisotry` says
 * so instead of "no such runbook: hisotry".
 */
export function unknownCommand(word: string | undefined, cwd = process.cwd()): string | undefined {
  if (word === undefined || !/^[a-z][a-z0-9-]*$/i.test(word) || existsSync(join(cwd, word))) return undefined;
  const near = didYouMean(word, COMMAND_WORDS);
  return `unknown command "${word}" (${near ? `did you mean ${near}?` : `commands: ${COMMAND_WORDS.join(', ')}`})`;
}

function help(io: Io): number {
  io.out(`cockpit ${VERSION}: a terminal release cockpit. Runs your release runbook.

usage: cockpit [runbook]            same as cockpit run [runbook]
       cockpit <command> [options]

commands:`);
  const width = Math.max(...COMMANDS.map(([c]) => c.length));
  for (const [c, d] of COMMANDS) io.out(`  ${c.padEnd(width)}  ${d}`);
  io.out(`
The runbook is cockpit.yml (or .yaml/.json) in the current directory unless given; a Markdown
runbook (cockpit release-runbook.md) runs as it is.
Exit codes: 0 released, 1 a stage failed, 2 invalid usage or runbook, 3 rolled back, 4 refused by a guardrail, 130 interrupted.`);
  return 0;
}

export async function main(argv: string[], terminal: Io = processIo): Promise<number> {
  const io = terminalIo(terminal);
  const [first, ...rest] = argv;
  try {
    switch (first) {
      case '--help':
      case '-h':
      case 'help':
        return help(io);
      case '--version':
      case '-V':
        io.out(VERSION);
        return 0;
      case 'run':
        return await runCommand(rest, io);
      case 'rollback':
        return await (await import('./headless-run.js')).rollbackCommand(rest, io);
      case 'watch':
        return await (await import('./watch.js')).watchCommand(rest, io);
      case 'demo':
        return await (await import('./demo.js')).demoCommand(rest, io);
      case 'history':
        return await (await import('./history.js')).historyCommand(rest, io);
      case 'validate':
        return (await import('./validate.js')).validateCommand(rest, io);
      case 'import':
        return (await import('./import.js')).importCommand(rest, io);
      case 'init':
        return await (await import('./init.js')).initCommand(rest, io);
      case 'schema':
        return (await import('./schema.js')).schemaCommand(rest, io);
      case 'wallboard':
        return await (await import('./wallboard.js')).wallboardCommand(rest, io);
      case 'keys':
        return (await import('./keys.js')).keysCommand(rest, io);
      case 'flag':
        return await (await import('./flag.js')).flagCommand(rest, io);
      case 'experiment':
        return await (await import('./experiment.js')).experimentCommand(rest, io);
      case 'config':
        return await (await import('./config.js')).configCommand(rest, io);
      default: {
        const unknown = unknownCommand(first);
        if (unknown) throw new UsageError(unknown);
        return await runCommand(argv, io);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`cockpit: ${e.message}`);
      return 2;
    }
    io.err(`cockpit: internal error: ${(e as Error).message ?? String(e)}`);
    if (process.env.COCKPIT_DEBUG) io.err((e as Error).stack ?? '');
    else io.err('(set COCKPIT_DEBUG=1 for the stack trace, and please report it)');
    return 1;
  }
}
