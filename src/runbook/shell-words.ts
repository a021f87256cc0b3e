/**
 * The shell lexer's small parts (re-exported by shell-lexer.ts): the words of one simple command,
 * a comment as a title, and a script's simple commands as word lists.
 */

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

/**
 * A shell script's simple commands as word lists, quotes removed: split at unquoted `;`, `&`,
 * `|`, newlines, parentheses and backquotes (and `$(`). Enough to see `ssh host "… {x}"` or
 * `bash -c '… {x}'` in a script; not a shell parser.
 */
export function scriptCommands(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (c === '\\' && i + 1 < script.length) {
      word += script[++i];
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === ' ' || c === '\t') endWord();
    else if (c === '#' && !inWord) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
    } else if (c === '$' && script[i + 1] === '(') {
      endCommand();
      i++;
    } else if (';&|\n()`'.includes(c)) endCommand();
    else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}
