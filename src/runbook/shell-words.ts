/** The words of one simple command, and a comment as a title: the shell lexer's small parts (re-exported by shell-lexer.ts). */

export type ShellWord = { readonly text: string; readonly quoted: boolean; readonly start: number; readonly end: number };

/** "# 1. Build the image" → "Build the image"; "# Step 2: Deploy" → "Deploy". */
export function commentTitle(comment: string): string | undefined {
  const t = comment
    .replace(/^\s*#+\s*/, '')
    .replace(/^(?:step\s*\d+\s*[:.)\-–]?|\d+[.):])\s*/i, '')
    .trim();
  return t === '' ? undefined : t;
}

const PLACEHOLDER_AT = /^\{[a-z][a-z0-9_.]*\}/i;
const META = new Set(['$', '`', '|', '&', ';', '<', '>', '(', ')', '*', '?', '[', ']', '{', '}', '!', '\\', '\n', '\r']);

/**
 * A command's words, quotes removed, with where each is in the command — or undefined when it
 * needs a shell beyond simple words: an expansion, an operator, a glob, a comment, `~`, an
 * assignment, `\`. `{placeholder}` words are simple words.
 */
export function wordsOf(command: string): ShellWord[] | undefined {
  const words: ShellWord[] = [];
  let word = '';
  let start = -1;
  let quoted = false;
  let quote: '"' | "'" | undefined;
  const end = (at: number) => {
    if (start >= 0) words.push({ text: word, quoted, start, end: at });
    word = '';
    start = -1;
    quoted = false;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote === "'" || quote === '"') {
      if (c === quote) quote = undefined;
      else if (quote === '"' && (c === '$' || c === '`' || c === '\\')) return undefined;
      else word += c;
      continue;
    }
    if (c === ' ' || c === '\t') {
      end(i);
      continue;
    }
    if (start < 0) start = i;
    if (c === "'" || c === '"') {
      quote = c;
      quoted = true;
      continue;
    }
    const m = c === '{' ? PLACEHOLDER_AT.exec(command.slice(i)) : null;
    if (m) {
      word += m[0];
      i += m[0].length - 1;
      continue;
    }
    if (META.has(c)) return undefined;
    if (word === '' && !quoted && (c === '#' || c === '~')) return undefined;
    if (c === '=' && words.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) return undefined; // FOO=bar cmd
    word += c;
  }
  if (quote) return undefined;
  end(command.length);
  return words;
}
