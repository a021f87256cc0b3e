/**
 * A Markdown runbook (the seed's release-runbook.md, or any in its style) → the same raw runbook a
 * cockpit.yml gives, validated by the same schema and rules, errors located in the .md, plus a
 * report: what was mapped, what was assumed, and every part not mapped with the reason.
 *
 * A YAML front matter says what prose cannot (metrics source and queries, probes, secrets, a flag
 * provider…): it is merged over what the prose maps (maps merged key by key, lists replaced).
 * Two keys exist only there: `notify` (the webhook for escalation levels that name no command)
 * and Runme's own keys (runme, shell, cwd, skipPrompts, …), which are ignored and reported.
 */
import { createHash } from 'node:crypto';
import { dirname, relative, resolve } from 'node:path';
import { locateNotArmed } from './armed-locate.js';
import { runbookCautions } from './cautions.js';
import { lineAt } from './markdown-lines.js';
import { Document, isMap, isScalar, isSeq, LineCounter, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { locateIssues, locateRules, sortErrors, type LoadResult, type LocatedError } from './locate.js';
import { Positions, type Hints, type Note, type Obj, type Unmapped } from './markdown/model.js';
import { mapMarkdown } from './markdown/walk.js';
import { sourceLines, type LineOf } from './markdown-source.js';
import { runDirOf } from './run-dir.js';
import { MAX_NESTING, parseMarkdown, tooDeep, type MarkdownTree } from './markdown-tree.js';
import { MarkdownTooSlow } from './markdown-parse.js';
import { isChoose, normalize } from './normalize.js';
import { didYouMean } from './suggest.js';
import { checkRules, type RuleError } from './rules.js';
import { RunbookSchema, type RawRunbook } from './schema.js';

export type { Note, Unmapped, UnmappedKind } from './markdown/model.js';
export type { LineOf } from './markdown-source.js';
export { toYaml } from './markdown-yaml.js';

export type { MappedCount, MarkdownReport } from './markdown-report.js';

export type MarkdownLoad = LoadResult & {
  readonly report: MarkdownReport;
  /** The raw runbook the Markdown maps to (front matter merged), when it validates. */
  readonly raw?: RawRunbook;
  /** The Markdown line of an object of `raw` (or with a key, of its member): where the document wrote it. With `raw`. */
  readonly lineOf?: LineOf;
};

/** Front matter keys that are Runme's own (its document settings), not the runbook's. */
const RUNME_KEYS = new Set(['runme', 'shell', 'cwd', 'skipPrompts', 'terminalRows', 'category', 'tag']);

/** How far YAML aliases in a front matter may expand (the yaml library's guard against a "billion laughs" document). */
const MAX_ALIAS_COUNT = 100;

const TOP_ORDER = ['$schema', 'name', 'version', 'environment', 'preflight', 'stages', 'metrics', 'probes', 'rollback', 'escalation', 'flags', 'experiments', 'troubleshooting', 'emergency', 'secrets'];
const METRICS_ORDER = ['interval', 'timeout', 'maxErrors', 'source', 'series'];

function lineCounter(lineStarts: readonly number[]): LineCounter {
  const lc = new LineCounter();
  for (const s of lineStarts) lc.addNewLine(s);
  return lc;
}

function isPlain(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Records where every object and scalar of a value that came from the front matter was written. */
function recordYaml(value: unknown, node: Node | null | undefined, base: number, pos: Positions): void {
  if (!node || value === null || typeof value !== 'object') return;
  pos.mark(value, base + (node.range?.[0] ?? 0));
  if (isMap(node) && isPlain(value)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const v = pair.value as Node | null;
      pos.field(value, key, base + (v?.range?.[0] ?? (pair.key as Node | null)?.range?.[0] ?? 0));
      if ((pair.key as Node | null)?.range) pos.key(value, key, base + (pair.key as Node).range![0]);
      recordYaml(value[key], v, base, pos);
    }
  } else if (isSeq(node) && Array.isArray(value)) {
    node.items.forEach((item, i) => {
      pos.field(value, i, base + ((item as Node | null)?.range?.[0] ?? 0));
      recordYaml(value[i], item as Node, base, pos);
    });
  }
}

/** Front matter over the prose mapping: maps merged key by key, anything else replaced. */
function mergeFront(target: Obj, map: YAMLMap, doc: Document, base: number, pos: Positions): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const node = pair.value as Node | null;
    const cur = target[key];
    const typeChanged = isPlain(cur) && isMap(node) && 'type' in cur && node.has('type') && node.get('type') !== cur.type;
    if (isPlain(cur) && isMap(node) && !typeChanged) {
      mergeFront(cur, node, doc, base, pos);
    } else {
      const value = node ? (node.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT }) as unknown) : null;
      target[key] = value;
      recordYaml(value, node, base, pos);
    }
    pos.field(target, key, base + (node?.range?.[0] ?? (pair.key as Node | null)?.range?.[0] ?? 0));
    if ((pair.key as Node | null)?.range) pos.key(target, key, base + (pair.key as Node).range![0]);
  }
}

function reorder(obj: Obj, order: readonly string[], pos: Positions): Obj {
  const out: Obj = {};
  for (const k of order) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  const at = pos.of(obj);
  if (at !== undefined) pos.mark(out, at);
  for (const k of Object.keys(out)) {
    const f = pos.fields.get(obj)?.get(k);
    if (f !== undefined) pos.field(out, k, f);
    const ko = pos.keyAt(obj, k);
    if (ko !== undefined) pos.key(out, k, ko);
  }
  return out;
}

/** A YAML document of the raw runbook whose nodes carry Markdown offsets, so locate.ts points into the .md. */
function locatedDocument(raw: Obj, pos: Positions): Document {
  const build = (v: unknown, hint: number): Node => {
    const off = v !== null && typeof v === 'object' ? (pos.of(v) ?? hint) : hint;
    if (Array.isArray(v)) {
      const seq = new YAMLSeq();
      v.forEach((x, i) => seq.items.push(build(x, pos.at(v, i) ?? off)));
      seq.range = [off, off, off];
      return seq;
    }
    if (isPlain(v)) {
      const map = new YAMLMap();
      for (const [k, x] of Object.entries(v)) {
        const o = pos.at(v, k) ?? off;
        const ko = pos.keyAt(v, k) ?? o;
        const key = new Scalar(k);
        key.range = [ko, ko, ko];
        map.items.push(new Pair(key, build(x, o)));
      }
      map.range = [off, off, off];
      return map;
    }
    const s = new Scalar(v);
    s.range = [hint, hint, hint];
    return s;
  };
  const doc = new Document();
  doc.contents = build(raw, 0) as typeof doc.contents;
  return doc;
}

function mappedCounts(raw: Obj, pos: Positions, lineStarts: readonly number[]): MappedCount[] {
  const lineOf = (o: unknown, parent?: object, key?: string | number): number | undefined => {
    const off = o !== null && typeof o === 'object' ? pos.of(o) : parent !== undefined && key !== undefined ? pos.at(parent, key) : undefined;
    return off === undefined ? undefined : lineAt(lineStarts, off);
  };
  const linesOf = (list: readonly unknown[]): number[] => list.flatMap((x, i) => lineOf(x, list as object, i) ?? []);
  const out: MappedCount[] = [];
  const plural = (n: number, one: string, many = `${one}s`) => (n === 1 ? one : many);
  const add = (what: [string, string], list: readonly unknown[]) => {
    if (list.length > 0) out.push({ what: plural(list.length, ...what), count: list.length, lines: linesOf(list) });
  };
  const rb = raw as Partial<RawRunbook> & Obj;
  const pre = rb.preflight ?? [];
  const auto = pre.filter((p) => p.run !== undefined).length;
  if (pre.length > 0) out.push({ what: `${plural(pre.length, 'pre-flight check')} (${auto} automated, ${pre.length - auto} manual)`, count: pre.length, lines: linesOf(pre) });
  const stages = rb.stages ?? [];
  if (stages.length > 0) out.push({ what: `${plural(stages.length, 'stage')} (${stages.map((s) => `${s.id}${s.budget ? ` ${s.budget}` : ''}`).join(', ')})`, count: stages.length, lines: linesOf(stages) });
  add(['step', 'steps'], stages.flatMap((s) => s.steps ?? []));
  add(['criterion', 'criteria'], stages.flatMap((s) => s.criteria ?? []));
  const rollback = rb.rollback;
  if (rollback) {
    const parts = [...(rollback.steps ?? []), ...(rollback.verify ?? [])];
    const lines = [...linesOf(rollback.steps ?? []), ...linesOf(rollback.verify ?? [])];
    const inc = rollback.incident !== undefined ? lineOf(rollback.incident, rollback, 'incident') : undefined;
    const count = parts.length + (rollback.incident !== undefined ? 1 : 0);
    out.push({
      what: `${plural(count, 'rollback step')} (${rollback.steps?.length ?? 0} rollback, ${rollback.verify?.length ?? 0} verify, ${rollback.incident !== undefined ? 1 : 0} incident)`,
      count,
      lines: inc !== undefined ? [...lines, inc] : lines,
    });
    add(['trigger', 'triggers'], rollback.triggers ?? []);
  }
  const series = rb.metrics?.series ?? {};
  if (Object.keys(series).length > 0)
    out.push({ what: `${plural(Object.keys(series).length, 'metric')} (${Object.keys(series).join(', ')})`, count: Object.keys(series).length, lines: Object.keys(series).flatMap((k) => lineOf(series[k], series, k) ?? []) });
  add(['probe', 'probes'], rb.probes ?? []);
  add(['escalation level', 'escalation levels'], rb.escalation ?? []);
  const ramps = rb.flags?.ramps ?? {};
  if (Object.keys(ramps).length > 0) out.push({ what: `${plural(Object.keys(ramps).length, 'flag')} (${Object.keys(ramps).join(', ')})`, count: Object.keys(ramps).length, lines: Object.keys(ramps).flatMap((k) => lineOf(ramps[k], ramps, k) ?? []) });
  const ex = rb.experiments ?? {};
  if (Object.keys(ex).length > 0) out.push({ what: `${plural(Object.keys(ex).length, 'experiment')} (${Object.keys(ex).join(', ')})`, count: Object.keys(ex).length, lines: Object.keys(ex).flatMap((k) => lineOf(ex[k], ex, k) ?? []) });
  add(['troubleshooting entry', 'troubleshooting entries'], rb.troubleshooting ?? []);
  add(['emergency action', 'emergency actions'], rb.emergency ?? []);
  add(['secret', 'secrets'], rb.secrets ?? []);
  // the choices (a stage's or the rollback's alternatives) and the inputs (placeholders) a run needs
  const chooses = [...stages.flatMap((s) => s.steps ?? []), ...(rollback?.steps ?? [])].filter(isChoose);
  if (chooses.length > 0) out.push({ what: `${plural(chooses.length, 'choice')} to make before a run (${chooses.map((c) => c.choose.title).join(', ')})`, count: chooses.length, lines: chooses.flatMap((c) => lineOf(c) ?? []) });
  const inputs = rb.inputs ?? {};
  if (Object.keys(inputs).length > 0) out.push({ what: `${plural(Object.keys(inputs).length, 'input')} asked for before a run (${Object.keys(inputs).join(', ')})`, count: Object.keys(inputs).length, lines: Object.keys(inputs).flatMap((k) => lineOf(inputs[k], inputs, k) ?? []) });
  return out.map((m) => ({ ...m, lines: [...new Set(m.lines)].sort((a, b) => a - b) }));
}

/** The hash a plan review is accepted by: the document's bytes as read. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The front matter read: the map and its document (none when absent or unreadable), where it starts, its JS value, what is wrong with it, and the keys kept as the runbook's. */
type Front = { front?: YAMLMap; frontDoc?: Document; base: number; fm: Obj; errors: LocatedError[]; unmapped: Unmapped[]; runbookKeys: Set<string> };

function readFront(text: string, tree: ReturnType<typeof parseMarkdown>, at: (offset: number) => { line: number; col: number }, display: string): Front {
  const errors: LocatedError[] = [];
  const extraUnmapped: Unmapped[] = [];
  let front: YAMLMap | undefined;
  let frontDoc: Document | undefined;
  let base = 0;
  if (tree.front) {
    const start = tree.front.position?.start.offset ?? 0;
    const firstBreak = text.indexOf('\n', start);
    base = firstBreak < 0 ? start : firstBreak + 1;
    const doc = parseDocument(tree.front.value, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) errors.push({ file: display, ...at(base + e.pos[0]), message: `front matter: syntax error: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` });
    } else if (doc.contents !== null && !isMap(doc.contents)) {
      errors.push({ file: display, ...at(base), message: 'front matter: expected a map of runbook keys (name, metrics, probes, …)' });
    } else {
      front = (doc.contents as YAMLMap | null) ?? undefined;
      frontDoc = doc;
    }
  }
  let fm: Obj = {};
  if (front && frontDoc) {
    try {
      fm = (front.toJS(frontDoc, { maxAliasCount: MAX_ALIAS_COUNT }) as Obj | null) ?? {};
    } catch (e) {
      // aliases that expand too far (a "billion laughs" front matter): said, never expanded
      errors.push({ file: display, ...at(base), message: `front matter: cannot read the document: ${errorMessage(e)}` });
      front = undefined;
      frontDoc = undefined;
    }
  }
  // a key the schema does not know is another tool's (ignored, said), unless it is a slip for one it knows ("metrcs")
  const runbookKeys = new Set(Object.keys(RunbookSchema.shape));
  for (const k of Object.keys(fm)) if (!runbookKeys.has(k) && didYouMean(k, [...runbookKeys]) !== undefined) runbookKeys.add(k);
  for (const k of Object.keys(fm)) {
    if (!RUNME_KEYS.has(k) && !runbookKeys.has(k) && k !== 'notify') {
      // another tool's front matter (a GitHub issue template's about/title/labels, a docs site's layout): not cockpit's, said and left
      const line = at(base + ((front?.get(k, true) as Node | undefined)?.range?.[0] ?? 0)).line;
      extraUnmapped.push({ line, what: `front matter "${k}"`, why: 'not a runbook key (another tool\'s front matter): ignored', kind: 'unsupported' });
    } else if (RUNME_KEYS.has(k)) {
      const line = at(base + ((front?.get(k, true) as Node | undefined)?.range?.[0] ?? 0)).line;
      extraUnmapped.push({ line, what: `front matter "${k}"`, why: "Runme's own setting: not used by cockpit", kind: 'unsupported' });
    }
  }
  return { front, frontDoc, base, fm, errors, unmapped: extraUnmapped, runbookKeys };
}

/** What the front matter tells the prose mapping (a name, the metrics source's type, series, probes, the webhook). */
function hintsOf(fm: Obj): Hints {
  const metrics = isPlain(fm.metrics) ? fm.metrics : undefined;
  return {
    name: typeof fm.name === 'string' ? fm.name : undefined,
    sourceType: isPlain(metrics?.source) && typeof metrics.source.type === 'string' ? metrics.source.type : undefined,
    series: isPlain(metrics?.series) ? (metrics.series as Record<string, { unit?: string }>) : {},
    probes: Array.isArray(fm.probes) ? (fm.probes.filter((p) => isPlain(p) && typeof p.name === 'string') as { name: string; critical?: boolean }[]) : [],
    notify: fm.notify,
  };
}

/** A text that could not be read as Markdown at all (too deep, too slow): one located error. */
function unreadable(display: string, text: string, e: { line: number; col: number; message: string }) {
  return { ok: false as const, errors: [{ file: display, ...e }], display, report: { mapped: [], notes: [], unmapped: [], uncertain: [], hash: contentHash(text), unread: true } };
}

/** The Markdown tree, or (too deep, too slow) the load that says why there is none. */
function readTree(text: string, display: string): { tree: MarkdownTree } | { failed: MarkdownLoad } {
  const deep = tooDeep(text);
  if (deep) {
    const message = `nested too deep: ${deep.depth} levels of blockquotes (">") and lists (at most ${MAX_NESTING})`;
    return { failed: unreadable(display, text, { line: deep.line, col: deep.col, message }) };
  }
  try {
    return { tree: parseMarkdown(text) };
  } catch (e) {
    if (!(e instanceof MarkdownTooSlow)) throw e;
    return { failed: unreadable(display, text, { line: e.line, col: e.col, message: e.message }) };
  }
}

/** What the prose maps to, the front matter's runbook keys merged over it, keys in the usual order. */
function mergedRaw(mapped: ReturnType<typeof mapMarkdown>, f: Front): Obj {
  const pos = mapped.positions;
  let raw = mapped.raw;
  if (f.front && f.frontDoc) {
    const kept = new YAMLMap();
    for (const pair of f.front.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key !== 'notify' && !RUNME_KEYS.has(key) && f.runbookKeys.has(key)) kept.items.push(pair);
    }
    mergeFront(raw, kept, f.frontDoc, f.base, pos);
  }
  if (isPlain(raw.metrics)) raw.metrics = reorder(raw.metrics, METRICS_ORDER, pos);
  raw = reorder(raw, TOP_ORDER, pos);
  return raw;
}

/** Where the commands run: the repository root when the runbook is below it (run-dir.ts). */
type RunDir = { readonly runDir: string; readonly own: string };

/** Everything validation needs about one parsed document. */
type Parsed = RunDir & {
  readonly text: string;
  readonly file: string;
  readonly display: string;
  readonly tree: MarkdownTree;
  readonly lc: LineCounter;
  readonly mapped: ReturnType<typeof mapMarkdown>;
  readonly front: Front;
  readonly raw: Obj;
};

/** The report of a parse (what was mapped, notes, unmapped parts, what is uncertain). */
function reportOf(p: Parsed, uncertain: readonly Note[] = []): MarkdownReport {
  const { raw, mapped, front } = p;
  const pos = mapped.positions;
  const setByFront = (path: readonly string[]): boolean => {
    let v: unknown = front.fm;
    for (const k of path) v = isPlain(v) ? v[k] : undefined;
    return v !== undefined;
  };
  // commands written to be pasted at the repository root run there (run-dir.ts); .cockpit/ stays beside the runbook
  const rootNote: Note[] = p.runDir !== p.own ? [{ line: 1, text: `commands run from the repository root ${p.runDir} (the runbook is in ${relative(p.runDir, p.own)})` }] : [];
  return {
    mapped: mappedCounts(raw, pos, p.tree.lineStarts),
    notes: [...rootNote, ...mapped.notes.filter((n) => n.about === undefined || !setByFront(n.about)).map(({ line, text }) => ({ line, text }))],
    unmapped: [...mapped.unmapped, ...front.unmapped].sort((a, b) => a.line - b.line),
    uncertain,
    hash: contentHash(p.text),
  };
}

/** The schema, then the rules: the typed Runbook, or every error located in the document. */
function validated(p: Parsed): MarkdownLoad {
  const { raw, lc, display } = p;
  const errors = [...p.front.errors];
  const fail = (): MarkdownLoad => ({ ok: false, errors: sortErrors(errors), display, report: reportOf(p) });
  const noStages = Array.isArray(raw.stages) && raw.stages.length === 0;
  // the schema would say "a runbook needs at least one stage"; say where cockpit looked instead
  if (noStages) errors.push({ file: display, line: 1, col: 1, message: NO_STAGES });
  const doc = locatedDocument(raw, p.mapped.positions);
  const parsed = RunbookSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issues = noStages ? parsed.error.issues.filter((i) => !(i.path.length === 1 && i.path[0] === 'stages')) : parsed.error.issues;
    errors.push(...locateIssues(issues, doc, lc, display));
    return fail();
  }
  const ruleErrors = checkRules(parsed.data, p.runDir);
  if (ruleErrors.length > 0 || errors.length > 0) {
    errors.push(...locateRules(ruleErrors, doc, lc, display));
    return fail();
  }
  const locate = (errs: readonly RuleError[]) => sortErrors(locateRules(errs, doc, lc, display));
  // what the document promises but nothing can watch yet (no metrics source, no probe): kept, listed
  // where the prose says it, left out of the run (normalize: Runbook.unarmed), as for its imported YAML
  const warnings = locateNotArmed(parsed.data, doc, lc, display);
  const runbook = normalize(parsed.data, p.file, p.runDir !== p.own ? { dir: p.runDir } : {});
  const cautions = locate(runbookCautions(parsed.data, runbook));
  const { lineOf } = sourceLines(raw, parsed.data, p.mapped.positions, p.tree.lineStarts);
  return { ok: true, runbook, display, report: reportOf(p, p.mapped.uncertain), raw: parsed.data, lineOf, warnings, cautions, locate };
}

const NO_STAGES =
  'no release stages found: cockpit runs the ```bash (or ```sh) blocks under a heading like "## Release Process" (each sub-heading a stage, "(5 minutes)" its budget), or of any section with commands';

/** Parses a Markdown runbook: the typed Runbook or located errors, and always the report. */
export function parseMarkdownRunbook(text: string, file: string, display = file): MarkdownLoad {
  const read = readTree(text, display);
  if ('failed' in read) return read.failed;
  const { tree } = read;
  const lc = lineCounter(tree.lineStarts);
  const front = readFront(text, tree, (offset) => lc.linePos(offset), display);
  const mapped = mapMarkdown(tree, hintsOf(front.fm), file);
  const raw = mergedRaw(mapped, front);
  const runDir = runDirOf(file);
  const p: Parsed = { text, file, display, tree, lc, mapped, front, raw, runDir, own: dirname(resolve(file)) };
  if (front.errors.length > 0) return { ok: false, errors: sortErrors(front.errors), display, report: reportOf(p) };
  return validated(p);
}

export { formatErrors, formatReport } from './markdown-report.js';
import type { MappedCount, MarkdownReport } from './markdown-report.js';
import { errorMessage } from '../core/error-message.js';
