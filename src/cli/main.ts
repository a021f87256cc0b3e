/** cockpit: argv → command, dispatched from the command table (commands.ts). No business logic here. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { asksHelp, UsageError } from './args.js';
import { HANDLERS } from './command-handlers.js';
import { COMMANDS, commandOf, type CommandSpec } from './commands.js';
import { processIo, terminalIo, type Io } from './io.js';
// the screen's start-up path: run's module is in the first chunk, not loaded after it (the table's run handler is the same function)
import { runCommand } from './run.js';
import { errorMessage } from '../core/error-message.js';

/**
 * A first argument that reads as a mistyped command rather than a runbook: a plain word (no
 * extension, no slash, not an option) that is no file or directory here. `cockpit hisotry` says
 * so instead of "no such runbook: hisotry".
 */
export async function unknownCommand(word: string | undefined, cwd = process.cwd()): Promise<string | undefined> {
  if (word === undefined || !/^[a-z][a-z0-9-]*$/i.test(word) || existsSync(join(cwd, word))) return undefined;
  return (await help()).unknownCommandMessage(word);
}

/** The help's module (help.ts): loaded only for help, --version and a mistyped command, off the screen's start-up path. */
const help = () => import('./help.js');

/** The command argv names and its arguments: `cockpit <command> …`, else `cockpit [runbook] …` is run. */
async function commandFor(argv: string[]): Promise<[CommandSpec, string[]]> {
  const [first, ...rest] = argv;
  const named = commandOf(first);
  if (named) return [named, rest];
  const unknown = await unknownCommand(first);
  if (unknown) throw new UsageError(unknown);
  return [COMMANDS.run, argv];
}

export async function main(argv: string[], terminal: Io = processIo): Promise<number> {
  const io = terminalIo(terminal);
  try {
    if (argv[0] === '--version' || argv[0] === '-V') {
      io.out((await help()).VERSION);
      return 0;
    }
    if (argv[0] === '--help' || argv[0] === '-h') return (await help()).helpCommand(argv.slice(1), io);
    const [cmd, args] = await commandFor(argv);
    if (asksHelp(args, cmd.options)) {
      io.out((await help()).commandHelp(cmd));
      return 0;
    }
    const handler = cmd === COMMANDS.run ? runCommand : await HANDLERS[cmd.name as keyof typeof COMMANDS]();
    return await handler(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`cockpit: ${e.message}`);
      return 2;
    }
    io.err(`cockpit: internal error: ${errorMessage(e)}`);
    if (process.env.COCKPIT_DEBUG) io.err((e as Error).stack ?? '');
    else io.err('(set COCKPIT_DEBUG=1 for the stack trace, and please report it)');
    return 1;
  }
}
