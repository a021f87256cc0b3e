/**
 * The project's one shell-quoting helper: a word as a POSIX shell reads it back as that one word.
 * Left bare when it is plain (letters, digits, `_@%+=:,./-`, and `{placeholder}`s); else in single
 * quotes, a single quote inside written '\''.
 */

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** A placeholder as written ({version}, {git.sha}): no `,` or `..`, so never a brace expansion. */
const PLACEHOLDER = /\{[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*\}/gi;

export function quoteArg(s: string): string {
  const bare = s.replace(PLACEHOLDER, 'x');
  return PLAIN.test(bare) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
