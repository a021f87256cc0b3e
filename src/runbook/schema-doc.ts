/**
 * docs/runbook.md: the runbook field reference, generated from the published JSON Schema (so from
 * the one schema source, schema.ts): every field with its type, whether it is required, its
 * default, its description and its constraints. `cockpit schema --markdown` prints it; a test
 * fails when the committed doc differs.
 */
import { jsonSchema } from './schema.js';

type Json = { readonly [k: string]: unknown };
type Section = { readonly path: string; readonly form?: string; readonly notes: string[]; readonly rows: string[] };

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : []);
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => `\`${text}\``;

const typed = (a: Json) => a.type !== undefined || a.const !== undefined || a.enum !== undefined || a.anyOf !== undefined || a.oneOf !== undefined;
/** The alternatives of a union (anyOf, or oneOf for a discriminated one); untyped entries are rules over an object's keys (objectNotes). */
function alternatives(s: Json): Json[] {
  return [...list(s.anyOf), ...list(s.oneOf)].filter(typed);
}

/** How a value's type reads: `string`, `0`, `"press-r" \| "type-name"`, `list of string`, `map of name → object`. */
export function typeText(s: Json): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((e) => JSON.stringify(e)).join(' | ');
  const alts = alternatives(s);
  if (alts.length > 0) return [...new Set(alts.map(typeText))].join(' | ');
  if (s.type === 'array') return isObj(s.items) ? `list of ${wrap(typeText(s.items))}` : 'list';
  if (s.type === 'object' && !isObj(s.properties) && isObj(s.additionalProperties)) return `map of name → ${wrap(typeText(s.additionalProperties))}`;
  if (typeof s.type === 'string') return s.type;
  return 'any';
}
const wrap = (t: string) => (t.includes(' | ') ? `(${t})` : t);

/** The constraints on one value (its pattern said in words when the schema has an errorMessage). */
export function constraints(s: Json): string[] {
  const out: string[] = [];
  // a whole number's bounds are the safe-integer range unless the schema says others
  const min = typeof s.minimum === 'number' && s.minimum > Number.MIN_SAFE_INTEGER ? s.minimum : undefined;
  const max = typeof s.maximum === 'number' && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  if (min !== undefined && max !== undefined) out.push(`${min}–${max}`);
  else if (min !== undefined) out.push(`≥ ${min}`);
  else if (max !== undefined) out.push(`≤ ${max}`);
  if (typeof s.exclusiveMinimum === 'number') out.push(`> ${s.exclusiveMinimum}`);
  if (s.type === 'integer') out.push('whole number');
  if (typeof s.minLength === 'number' && s.minLength > 0) out.push('not empty');
  if (typeof s.minItems === 'number') out.push(s.minItems === 1 ? 'at least 1 item' : `at least ${s.minItems} items`);
  if (typeof s.maxItems === 'number') out.push(`at most ${s.maxItems} items`);
  if (typeof s.format === 'string') out.push(s.format === 'uri' ? 'a URL' : s.format);
  if (typeof s.errorMessage === 'string') out.push(s.errorMessage);
  else if (typeof s.pattern === 'string') out.push(`matches ${code(s.pattern)}`);
  if (isObj(s.propertyNames) && typeof s.propertyNames.pattern === 'string') out.push(`names match ${code(s.propertyNames.pattern)}`);
  for (const a of alternatives(s)) for (const c of constraints(a)) if (!out.includes(c)) out.push(c);
  const not = refused(s);
  if (not.length > 0) out.push(`no ${not.map((k) => code(k)).join(', ')} step`);
  if (isObj(s.items) && typeof s.items.pattern === 'string') out.push(`each matches ${code(s.items.pattern)}`);
  return out;
}

/** Rules over a whole object: exactly one of, at least one of, and the conditional ones. */
function objectNotes(s: Json): string[] {
  // `run`, `rollback: true`, `title` (not blank)
  const key = (a: Json, k: string) => {
    const p = isObj(a.properties) && isObj(a.properties[k]) ? a.properties[k] : {};
    return p.const !== undefined ? code(`${k}: ${JSON.stringify(p.const)}`) : p.pattern === '\\S' ? `${code(k)} (not blank)` : code(k);
  };
  const keysOf = (alts: Json[]) => alts.filter((a) => !typed(a) && Array.isArray(a.required)).map((a) => (a.required as unknown[]).map((k) => key(a, String(k))).join(' + '));
  const notes: string[] = [];
  const one = keysOf(list(s.oneOf));
  if (one.length > 0) notes.push(`Exactly one of ${one.join(', ')}.`);
  const any = keysOf(list(s.anyOf));
  if (any.length > 0) notes.push(`At least one of ${any.join(', ')}.`);
  for (const a of [s, ...list(s.allOf)]) {
    if (!isObj(a.if) || !isObj(a.then)) continue;
    notes.push(typeof a.$comment === 'string' ? `${a.$comment}.` : `When ${code(JSON.stringify(a.if))}: ${code(JSON.stringify(a.then))}.`);
  }
  return notes;
}

/** The default a field states: the schema's `default`, else its description's "(default …)". */
function defaultOf(s: Json): string {
  if (s.default !== undefined) return code(JSON.stringify(s.default));
  const m = typeof s.description === 'string' ? /\(default:? ([^)]+)\)/i.exec(s.description) : null;
  return m ? m[1] : '';
}

/** The step kinds a list refuses (`rollback.steps`: no monitor, flag or manual step). */
function refused(s: Json): string[] {
  return list(s.allOf).flatMap((a) => (isObj(a.items) && isObj(a.items.not) ? list(a.items.not.anyOf).flatMap((r) => (Array.isArray(r.required) ? r.required.map(String) : [])) : []));
}

/** The object schemas a value holds (itself, its items, a map's values, each alternative), with the path they document; a kind the list refuses is left out. */
function children(s: Json, path: string, without: readonly string[] = []): { s: Json; path: string; form?: string }[] {
  if (s.type === 'array' && isObj(s.items)) return children(s.items, `${path}[]`, refused(s));
  if (s.type === 'object' && !isObj(s.properties) && isObj(s.additionalProperties)) return children(s.additionalProperties, `${path}.<name>`);
  if (s.type === 'object' && isObj(s.properties)) return [{ s, path }];
  const allowed = alternatives(s).filter((a) => !(Array.isArray(a.required) && a.required.some((k) => without.includes(String(k)))));
  const alts = allowed.flatMap((a) => children(a, path));
  if (alts.length < 2) return alts;
  return alts.map((c) => ({ ...c, form: formOf(c.s) }));
}

/** A union's object alternative is named by its first required key (`run`, `monitor`, …) or its type. */
function formOf(s: Json): string {
  const props = isObj(s.properties) ? s.properties : {};
  if (isObj(props.type) && props.type.const !== undefined) return `type: ${String(props.type.const)}`;
  const req = Array.isArray(s.required) ? s.required.map(String) : [];
  return req.length > 0 ? `with ${req.join(', ')}` : `with ${Object.keys(props).slice(0, 2).join(' or ')}`;
}

function sections(s: Json, path: string, form: string | undefined, out: Section[]): void {
  const props = isObj(s.properties) ? s.properties : {};
  const required = Array.isArray(s.required) ? s.required.map(String) : [];
  const rows = Object.entries(props)
    .filter(([, p]) => isObj(p))
    .map(([key, p]) => {
      const f = p as Json;
      const desc = typeof f.description === 'string' ? f.description : '';
      return `| ${cell(code(key))} | ${cell(typeText(f))} | ${required.includes(key) ? 'yes' : ''} | ${cell(defaultOf(f))} | ${cell(desc)} | ${cell(constraints(f).join('; '))} |`;
    });
  out.push({ path, form, notes: objectNotes(s), rows });
  for (const [key, p] of Object.entries(props)) {
    if (!isObj(p)) continue;
    for (const c of children(p, path === '' ? key : `${path}.${key}`)) sections(c.s, c.path, c.form, out);
  }
}

/** The whole reference, Markdown. */
export function runbookMarkdown(schema: unknown = jsonSchema()): string {
  const root = schema as Json;
  const out: Section[] = [];
  sections(root, '', undefined, out);
  const lines = [
    '# Runbook reference',
    '',
    '<!-- generated from the runbook schema (src/runbook/schema.ts) by `cockpit schema --markdown`: do not edit by hand -->',
    '',
    `${String(root.description ?? '')}: every field, generated from the same schema as \`cockpit validate\` and the JSON Schema (schema/cockpit.schema.json) editors use. \`validate\` also checks what a schema cannot say: names that must exist (metrics, probes, flags, choices, inputs), unique ids, ramps in ascending order, escalation levels in order of \`after\`, warn/critical order, durations of at most 720h, and that each \`cwd\` is a directory.`,
    '',
    'A duration is a whole number with a unit, largest first: `500ms`, `90s`, `2m`, `1h30m`, or `0`.',
  ];
  for (const sec of out) {
    lines.push('', `## ${sec.path === '' ? 'Top level' : code(sec.path)}${sec.form ? ` (${sec.form})` : ''}`, '');
    for (const n of sec.notes) lines.push(n, '');
    if (sec.rows.length === 0) {
      lines.push('No fields.');
      continue;
    }
    lines.push('| Field | Type | Required | Default | Description | Constraints |', '| --- | --- | --- | --- | --- | --- |', ...sec.rows);
  }
  return `${lines.join('\n')}\n`;
}
