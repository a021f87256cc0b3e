/**
 * A runbook command as written (`run:`) → a Command: argv (no shell) or a bash script.
 * A string is split into argv only when it has no shell syntax; simple quoting is understood.
 */

export type Command =
  | { readonly kind: 'argv'; readonly argv: readonly string[] }
  | { readonly kind: 'shell'; readonly script: string };

const PLACEHOLDER_AT = /^\{[a-z][a-z0-9_.]*\}/i;
const META = new Set(['$', '`', '|', '&', ';', '<', '>', '(', ')', '*', '?', '[', ']', '{', '}', '!', '\\', '\n', '\r']);

/** Splits a command string into words, or returns undefined when it needs a shell. */
export function splitWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '$' || c === '`' || c === '\\') return undefined;
      else word += c;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === '{') {
      const m = PLACEHOLDER_AT.exec(text.slice(i));
      if (m) {
        word += m[0];
        inWord = true;
        i += m[0].length - 1;
        continue;
      }
    }
    if (META.has(c)) return undefined;
    if (!inWord && (c === '#' || c === '~')) return undefined;
    if (c === '=' && words.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) return undefined; // FOO=bar cmd
    word += c;
    inWord = true;
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words.length > 0 ? words : undefined;
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

export function quoteForDisplay(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./{}-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
