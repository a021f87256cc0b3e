/**
 * Command-line parsing with clear usage errors (exit 2), never a stack trace. A command's options
 * come from its entry in the command table (commands.ts): what its parser accepts is what its
 * `--help` lists, from the same object.
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../core/error-message.js';

export class UsageError extends Error {}

/** One option of a command: how it parses (node:util parseArgs) and how its help shows it. */
export type OptionSpec = {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's name in the help and usage: `<id>`, `"<title>"`. */
  readonly value?: string;
  readonly description: string;
  /** Accepted, never listed: an option only the cockpit itself passes (run's --background-guard). */
  readonly internal?: boolean;
};

export type Options = { readonly [long: string]: OptionSpec };

/** What a command's parser needs of its table entry. */
export type ParsedCommand<O extends Options = Options> = {
  readonly name: string;
  /** The positional arguments as the usage writes them: `[runbook]`, `<id>`. */
  readonly args: string;
  readonly options: O;
};

const WIDTH = 100;

/** `[--stage <id>]`, `[--confirm "<title>"]...`, `[--json]`. */
function optionWord(long: string, o: OptionSpec): string {
  return `[--${long}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}]${o.multiple ? '...' : ''}`;
}

/**
 * `usage: cockpit run [runbook] [--headless] …`, wrapped under the command: every option the
 * command accepts except the internal ones and those its positional arguments already write.
 */
export function usageOf(cmd: ParsedCommand): string {
  const head = `usage: cockpit ${cmd.name}${cmd.args ? ` ${cmd.args}` : ''}`;
  const words = Object.entries(cmd.options)
    .filter(([long, o]) => !o.internal && !cmd.args.includes(`--${long}`))
    .map(([long, o]) => optionWord(long, o));
  const indent = ' '.repeat(`usage: cockpit ${cmd.name} `.length);
  const lines = [head];
  for (const w of words) {
    const last = lines[lines.length - 1];
    if (last.length + 1 + w.length > WIDTH) lines.push(`${indent}${w}`);
    else lines[lines.length - 1] = `${last} ${w}`;
  }
  return lines.join('\n');
}

/** The command's argv parsed by its table entry's options; a UsageError (exit 2) naming what is wrong, with the usage. */
export function parse<O extends Options>(argv: string[], cmd: ParsedCommand<O>) {
  try {
    return parseArgs({ args: argv, options: cmd.options, allowPositionals: true, strict: true });
  } catch (e) {
    const raw = errorMessage(e).replace(/\. To specify a positional argument.*$/s, '');
    const msg = raw.charAt(0).toLowerCase() + raw.slice(1);
    throw new UsageError(`${msg}\n${usageOf(cmd)}\n(cockpit ${cmd.name} --help says what each option does)`);
  }
}

/**
 * Whether argv asks for the command's help: `--help` or `-h` as an option, not as the value of
 * one of its string options (`--learning -h` is a learning) and not after `--`.
 */
export function asksHelp(argv: readonly string[], options: Options): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
    const long = /^--([^=]+)$/.exec(a)?.[1];
    const short = /^-([^-])$/.exec(a)?.[1];
    const o = long !== undefined ? options[long] : short !== undefined ? Object.values(options).find((x) => x.short === short) : undefined;
    if (o?.type === 'string') i++; // its value
  }
  return false;
}
