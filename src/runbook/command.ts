/**
 * A runbook command as written (`run:`) → a Command: argv (no shell) or a bash script.
 * A string is split into argv only when it has no shell syntax; simple quoting is understood.
 */
import { quoteArg } from './shell-quote.js';
import { wordsOf } from './shell-lexer.js';

export type Command =
  | { readonly kind: 'argv'; readonly argv: readonly string[] }
  | { readonly kind: 'shell'; readonly script: string };

/** Splits a command string into words, or returns undefined when it needs a shell (see wordsOf). */
export function splitWords(text: string): string[] | undefined {
  const words = wordsOf(text);
  return words && words.length > 0 ? words.map((w) => w.text) : undefined;
}

export function parseCommand(run: string | readonly string[]): Command {
  if (typeof run !== 'string') return { kind: 'argv', argv: [...run] };
  const words = splitWords(run);
  return words ? { kind: 'argv', argv: words } : { kind: 'shell', script: run };
}

/** The program a command starts: argv[0], or the first word of a shell script when it is a path. */
export function programOf(cmd: Command): string | undefined {
  if (cmd.kind === 'argv') return cmd.argv[0];
  const first = /^\s*([^\s;&|<>()$`'"]+)/.exec(cmd.script)?.[1];
  return first && (first.startsWith('./') || first.startsWith('../') || first.startsWith('/')) ? first : undefined;
}

/** How a command is shown to a person: argv joined with quoting where needed. */
export function describeCommand(cmd: Command): string {
  if (cmd.kind === 'shell') return cmd.script;
  return cmd.argv.map(quoteForDisplay).join(' ');
}

/** A word as a person would type it (see quoteArg). */
export const quoteForDisplay = quoteArg;
