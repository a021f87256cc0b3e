/** Where each guardrail that is not armed stands in the file (validate's warnings); apart from armed.ts so the run path does not load the locator (zod's JSON Schema). */
import type { Document, LineCounter } from 'yaml';
import { notArmed, notArmedMessage } from './armed.js';
import { locateRules, pathText, sortErrors, type LocatedError } from './locate.js';
import type { RawRunbook } from './schema.js';

export function locateNotArmed(rb: RawRunbook, doc: Document, lc: LineCounter, display: string): LocatedError[] {
  const list = notArmed(rb).map((n) => ({ path: n.path, message: notArmedMessage(n, pathText(n.path)) }));
  return sortErrors(locateRules(list, doc, lc, display));
}
