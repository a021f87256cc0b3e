/** Finds and loads a runbook file (YAML or JSON) into the typed Runbook, or located errors. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { locateIssues, locateRules, sortErrors, type LocatedError } from './locate.js';
import { normalize } from './normalize.js';
import { checkRules } from './rules.js';
import { RunbookSchema } from './schema.js';
import type { Runbook } from './types.js';

export const DEFAULT_NAMES = ['cockpit.yml', 'cockpit.yaml', 'cockpit.json'];

export type LoadResult =
  | { readonly ok: true; readonly runbook: Runbook; readonly display: string }
  | { readonly ok: false; readonly errors: readonly LocatedError[]; readonly display: string };

/** Thrown for problems that are not the runbook's content: no file, unreadable file. */
export class RunbookNotFound extends Error {}

/** The runbook path to use: the one given, or cockpit.yml/.yaml/.json in the directory. */
export function findRunbook(given: string | undefined, cwd = process.cwd()): string {
  if (given !== undefined) {
    const p = resolve(cwd, given);
    if (!existsSync(p)) throw new RunbookNotFound(`no such runbook: ${given}`);
    if (statSync(p).isDirectory()) return findRunbook(undefined, p);
    return p;
  }
  for (const name of DEFAULT_NAMES) {
    const p = join(cwd, name);
    if (existsSync(p)) return p;
  }
  throw new RunbookNotFound(`no runbook here: looked for ${DEFAULT_NAMES.join(', ')} in ${cwd} (give a path, or run "cockpit init")`);
}

function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** Parses and validates runbook text. `display` is the file name used in messages. */
export function parseRunbook(text: string, file: string, display = file): LoadResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const { line, col } = lc.linePos(e.pos[0]);
      const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return { file: display, line, col, message: `syntax error: ${message}` };
    });
    return { ok: false, errors: sortErrors(errors), display };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, errors: [{ file: display, line: 1, col: 1, message: 'a runbook must be a map with at least "name" and "stages"' }], display };
  }
  const parsed = RunbookSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: sortErrors(locateIssues(parsed.error.issues, doc, lc, display)), display };
  const ruleErrors = checkRules(parsed.data);
  if (ruleErrors.length > 0) return { ok: false, errors: sortErrors(locateRules(ruleErrors, doc, lc, display)), display };
  return { ok: true, runbook: normalize(parsed.data, file), display };
}

export function loadRunbook(given: string | undefined, cwd = process.cwd()): LoadResult {
  const file = findRunbook(given, cwd);
  const display = displayPath(file, cwd);
  if (file.endsWith('.md') || file.endsWith('.markdown')) {
    return { ok: false, errors: [{ file: display, line: 1, col: 1, message: 'Markdown runbooks are not supported yet: write a cockpit.yml (see README)' }], display };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RunbookNotFound(`cannot read ${display}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseRunbook(text, file, display);
}
