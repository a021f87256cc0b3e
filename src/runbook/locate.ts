/**
 * Schema issues and rule errors → `file:line:col: message`, located in the YAML/JSON source.
 */
import { isMap, isPair, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import type { z } from 'zod';
import { jsonSchema } from './schema.js';
import { didYouMean } from './suggest.js';
import type { Path, RuleError } from './rules.js';

export type LocatedError = { readonly file: string; readonly line: number; readonly col: number; readonly message: string };

export function formatError(e: LocatedError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}

type Issue = z.core.$ZodIssue;

export function pathText(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out || '(top level)';
}

/** "in stages[0]", or "at the top level" for the empty path. */
function where(path: Path): string {
  return path.length === 0 ? 'at the top level' : `in ${pathText(path)}`;
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  if (typeof v === 'object') return Object.keys(v).length === 0 ? 'an empty map' : 'a map';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  return `${typeof v} ${String(v)}`;
}

/** Finds where a path is in the document: the value node, or the key node when atKey. */
function position(doc: Document, path: Path, atKey = false): { node?: Node; found: boolean; depth: number } {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return { node: node as Node, found: false, depth: i };
      keyNode = pair.key;
      node = pair.value ?? pair.key;
    } else if (node && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items) && typeof seg === 'number') {
      const item = (node as { items: unknown[] }).items[seg];
      if (item === undefined) return { node: node as Node, found: false, depth: i };
      keyNode = undefined;
      node = item;
    } else {
      return { node: node as Node, found: false, depth: i };
    }
  }
  return { node: (atKey && keyNode ? keyNode : node) as Node, found: true, depth: path.length };
}

type JS = { properties?: Record<string, JS>; items?: JS; anyOf?: JS[]; oneOf?: JS[]; additionalProperties?: JS | boolean; type?: string };

/** The keys a map at this path may have, read from the JSON Schema (for did-you-mean). */
function allowedKeys(path: Path): string[] {
  let nodes: JS[] = [jsonSchema() as JS];
  // a node and its alternatives: an object with its own keys may also say "exactly one of" (oneOf) over them
  const expand = (ns: JS[]): JS[] => ns.flatMap((n) => (n.anyOf || n.oneOf ? [n, ...expand([...(n.anyOf ?? []), ...(n.oneOf ?? [])])] : [n]));
  for (const seg of path) {
    const next: JS[] = [];
    for (const n of expand(nodes)) {
      if (typeof seg === 'number' && n.items) next.push(n.items);
      else if (typeof seg === 'string' && n.properties?.[seg]) next.push(n.properties[seg]);
      else if (typeof seg === 'string' && typeof n.additionalProperties === 'object') next.push(n.additionalProperties);
    }
    nodes = next;
  }
  return [...new Set(expand(nodes).flatMap((n) => Object.keys(n.properties ?? {})))];
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
};

type Raw = { path: Path; message: string; atKey?: boolean; missing?: boolean };

function rootTypeMismatch(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_union' || i.code === 'invalid_value'));
}

function explain(issue: Issue, base: Path, out: Raw[]): void {
  const path = [...base, ...(issue.path as (string | number)[])];
  const input = (issue as { input?: unknown }).input;
  const custom = !issue.message.startsWith('Invalid input') && !issue.message.startsWith('Invalid option') && !issue.message.startsWith('Too ') && !issue.message.startsWith('Unrecognized');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path);
      for (const key of issue.keys) {
        const s = didYouMean(key, allowed);
        out.push({ path: [...path, key], atKey: true, message: `unknown key "${key}" ${where(path)}${s ? ` (did you mean "${s}"?)` : ''}` });
      }
      return;
    }
    case 'invalid_union': {
      const disc = issue as { discriminator?: string; options?: unknown[] };
      if (disc.discriminator !== undefined && issue.errors.length === 0) {
        // A discriminated union whose tag (e.g. "type") is missing or unknown: the path already ends at the tag.
        const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[disc.discriminator] : undefined;
        const options = (disc.options ?? []).map((o) => String(o));
        if (value === undefined) {
          out.push({ path, missing: true, message: `missing required key "${disc.discriminator}" ${where(path.slice(0, -1))} (one of ${options.join(', ')})` });
          return;
        }
        const s = typeof value === 'string' ? didYouMean(value, options) : undefined;
        const msg = custom ? issue.message : `expected one of ${options.join(', ')}`;
        out.push({ path, message: `${pathText(path)}: ${msg} (got ${describeValue(value)})${s ? ` (did you mean "${s}"?)` : ''}` });
        return;
      }
      const branches = (issue.errors ?? []).filter((b) => !rootTypeMismatch(b));
      if (branches.length > 0) {
        const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
        for (const sub of best) explain(sub, path, out);
        return;
      }
      if (input === undefined) {
        out.push({ path, missing: true, message: `missing required key "${String(path[path.length - 1])}" ${where(path.slice(0, -1))}` });
        return;
      }
      out.push({ path, message: `${pathText(path)}: ${custom ? issue.message : 'value does not fit here'} (got ${describeValue(input)})` });
      return;
    }
    case 'invalid_type': {
      if (input === undefined) {
        out.push({ path, missing: true, message: `missing required key "${String(path[path.length - 1])}" ${where(path.slice(0, -1))}` });
        return;
      }
      const msg = custom ? issue.message : `expected ${EXPECTED[issue.expected] ?? issue.expected}`;
      out.push({ path, message: `${pathText(path)}: ${msg} (got ${describeValue(input)})` });
      return;
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const s = typeof input === 'string' ? didYouMean(input, options) : undefined;
      out.push({ path, message: `${pathText(path)}: expected one of ${options.join(', ')} (got ${describeValue(input)})${s ? ` (did you mean "${s}"?)` : ''}` });
      return;
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
      out.push({ path, message: `${pathText(path)}: ${custom ? issue.message : `must be ${bound}`} (got ${describeValue(input)})` });
      return;
    }
    case 'invalid_format': {
      // Regex checks (durations, ids) already quote the value in their message.
      const got = issue.format === 'regex' ? '' : ` (got ${describeValue(input)})`;
      out.push({ path, message: `${pathText(path)}: ${issue.message}${got}` });
      return;
    }
    default:
      out.push({ path, message: `${pathText(path)}: ${issue.message}` });
  }
}

export function locateIssues(issues: readonly Issue[], doc: Document, lc: LineCounter, file: string): LocatedError[] {
  const raws: Raw[] = [];
  for (const issue of issues) explain(issue, [], raws);
  return raws.map((r) => locate(r, doc, lc, file));
}

export function locateRules(errors: readonly RuleError[], doc: Document, lc: LineCounter, file: string): LocatedError[] {
  return errors.map((e) => locate(e, doc, lc, file));
}

function locate(r: Raw | RuleError, doc: Document, lc: LineCounter, file: string): LocatedError {
  const pos = position(doc, r.path, r.atKey);
  const offset = pos.node?.range?.[0] ?? 0;
  const { line, col } = lc.linePos(offset);
  return { file, line, col, message: r.message };
}

export function sortErrors(list: LocatedError[]): LocatedError[] {
  const seen = new Set<string>();
  return list
    .filter((e) => {
      const k = formatError(e);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.col - b.col);
}

/** What loading a runbook gives: the runbook, or every error located (file:line:col). */
export type LoadResult =
  | {
      readonly ok: true;
      readonly runbook: import('./types.js').Runbook;
      readonly display: string;
      /** Guardrails written but not armed (armed.ts), located: cockpit validate prints them, exit 0. */
      readonly warnings?: readonly LocatedError[];
      /** Other located warnings (a placeholder an inner shell parses: inner-shell.ts): cockpit validate prints them, exit 0. */
      readonly cautions?: readonly LocatedError[];
      /** The validated runbook as written (what the summary counts: series without a source too). */
      readonly raw?: import('./schema.js').RawRunbook;
      /** Locates problems found later (by path in `raw`) in the file: cockpit validate's rollback-command check. */
      readonly locate?: (errors: readonly RuleError[]) => LocatedError[];
    }
  | { readonly ok: false; readonly errors: readonly LocatedError[]; readonly display: string };
