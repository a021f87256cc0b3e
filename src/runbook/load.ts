/** Finds and loads a runbook file (YAML, JSON or Markdown) into the typed Runbook, or located errors. */
import { dirname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { locateNotArmed } from './armed-locate.js';
import { runbookCautions } from './cautions.js';
import { describeValue, locateIssues, locateRules, sortErrors } from './locate.js';
import { parseMarkdownRunbook } from './markdown.js';
import { normalize } from './normalize.js';
import { checkRules, type RuleError } from './rules.js';
import { RunbookSchema } from './schema.js';

export { DEFAULT_NAMES, findRunbook, RunbookNotFound } from './find.js';
import { displayPath, findRunbook, readRunbookFile } from './find.js';
export { isMarkdown } from './run-dir.js';
import { isMarkdown } from './run-dir.js';

export type { LoadResult } from './locate.js';
import type { LoadResult } from './locate.js';
import { errorMessage } from '../core/error-message.js';

/**
 * A YAML/JSON syntax error's message and offset. The parser reports an unclosed bracket or quote at
 * the end of the file; point at the opening character instead, which is where the mistake is.
 */
function syntaxError(e: YAMLError, doc: Document, text: string): { offset: number; message: string } {
  const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^(?:"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|([^\s:#'"][^:#\n]*?))\s*:/.exec(text.slice(e.pos[0]));
    const name = key?.[1] ?? key?.[2] ?? key?.[3];
    return { offset: e.pos[0], message: name !== undefined ? `duplicate key "${name}" (map keys must be unique)` : message };
  }
  const closer = /must (?:.* )?end with a ([\]}])$/.exec(message)?.[1] ?? /^Missing closing (["'])quote/.exec(message)?.[1];
  // Only when the parser ran out of input: otherwise the bracket is closed, just badly indented.
  if (closer === undefined || e.pos[0] < text.trimEnd().length) return { offset: e.pos[0], message };
  let opener: number | undefined;
  visit(doc, (_key, node) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range || range[0] > e.pos[0]) return;
    const fits =
      closer === ']' ? isSeq(node) && node.flow : closer === '}' ? isMap(node) && node.flow : isScalar(node) && node.type === (closer === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE');
    if (!fits) return;
    const source = text.slice(range[0], range[1]).trimEnd();
    const closed = source.length > 1 && source.endsWith(closer);
    if (!closed && (opener === undefined || range[0] > opener)) opener = range[0];
  });
  if (opener === undefined) return { offset: e.pos[0], message };
  const what = closer === ']' || closer === '}' ? `"${text[opener]}" is never closed (expected a matching "${closer}")` : `quoted string is never closed (expected a closing ${closer})`;
  return { offset: opener, message: what };
}

/** Parses and validates runbook text. `display` is the file name used in messages. */
export function parseRunbook(text: string, file: string, display = file): LoadResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const { offset, message } = syntaxError(e, doc, text);
      const { line, col } = lc.linePos(offset);
      return { file: display, line, col, message: `syntax error: ${message}` };
    });
    return { ok: false, errors: sortErrors(errors), display };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml refuses documents whose aliases expand too far (a "billion laughs" file): report, don't crash.
    return { ok: false, errors: [{ file: display, line: 1, col: 1, message: `cannot read the document: ${errorMessage(e)}` }], display };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, errors: [{ file: display, line: 1, col: 1, message: `a runbook must be a map with at least "name" and "stages" (${doc.contents === null ? 'the file is empty' : `got ${describeValue(data)}`})` }], display };
  }
  const parsed = RunbookSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: sortErrors(locateIssues(parsed.error.issues, doc, lc, display)), display };
  const ruleErrors = checkRules(parsed.data, dirname(file));
  if (ruleErrors.length > 0) return { ok: false, errors: sortErrors(locateRules(ruleErrors, doc, lc, display)), display };
  const runbook = normalize(parsed.data, file);
  const cautions = sortErrors(locateRules(runbookCautions(parsed.data, runbook), doc, lc, display));
  const locate = (errs: readonly RuleError[]) => sortErrors(locateRules(errs, doc, lc, display));
  return { ok: true, runbook, display, warnings: locateNotArmed(parsed.data, doc, lc, display), cautions, raw: parsed.data, locate };
}


export function loadRunbook(given: string | undefined, cwd = process.cwd()): LoadResult {
  const file = findRunbook(given, cwd);
  const display = displayPath(file, cwd);
  // a regular file of at most 2 MiB (a FIFO or /dev/zero is refused, not read)
  const text = readRunbookFile(file, display).toString('utf8');
  // Markdown: the same raw runbook, schema and rules; the result also carries the mapping report
  if (isMarkdown(file)) return parseMarkdownRunbook(text, file, display);
  return parseRunbook(text, file, display);
}
