/**
 * `cockpit import`: a Markdown runbook as the equivalent cockpit.yml. Loading the YAML gives the
 * same Runbook as loading the Markdown. Comments point back at the source: each stage, step,
 * pre-flight item, rollback step, trigger, choice and input says the line it came from
 * (`# release.md:42`); a mapping a person must look at carries the why (`# ⚠ release.md:42: …`),
 * an assumption its note; what has no place in the YAML is listed at the end.
 */
import { Document, isMap, isScalar, isSeq, visit, type Node } from 'yaml';
import { armingNeeds, notArmed, notArmedCount } from './armed.js';
import type { Note, Unmapped, UnmappedKind } from './markdown/model.js';
import type { LineOf } from './markdown-source.js';
import type { RawRunbook } from './schema.js';

export const KIND_LABEL: Record<UnmappedKind, string> = {
  documentation: 'documentation',
  'for-people': 'for people',
  'needs-front-matter': 'needs front matter',
  elsewhere: 'cockpit does it',
  'no-place': 'not placed',
  unsupported: 'unsupported',
  unreadable: 'unreadable',
};

export function span(u: { line: number; endLine?: number }): string {
  return u.endLine !== undefined ? `${u.line}-${u.endLine}` : `${u.line}`;
}

/** The comment block at the top of an imported cockpit.yml whose guardrails are not armed: what to fill in, nothing else. */
function notArmedBlock(raw: RawRunbook): string[] {
  const list = notArmed(raw);
  if (list.length === 0) return [];
  return [
    '#',
    `# NOT ARMED YET: ${notArmedCount(list)} ${list.length === 1 ? 'is' : 'are'} kept below as the Markdown wrote ${list.length === 1 ? 'it' : 'them'},`,
    `# but nothing watches ${list.length === 1 ? 'it' : 'them'} until you fill in:`,
    ...armingNeeds(raw).map((l) => `#   - ${l}`),
    '# Until then `cockpit validate` lists them as not armed and a run shows "⚠ AUTO-ROLLBACK OFF".',
  ];
}

/** A comment on the key `key` of a map node, when it is there. */
function commentKey(map: unknown, key: string, text: string): void {
  if (!isMap(map)) return;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = text;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
const before = (node: { commentBefore?: string | null }, text: string) => {
  node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
};
const singleScalar = (n: unknown): n is { comment?: string | null } => isScalar(n) && !(typeof n.value === 'string' && n.value.includes('\n'));

/** The parts of the import report (markdown.ts MarkdownReport) the YAML's comments say. */
type Report = { readonly notes: readonly Note[]; readonly uncertain: readonly Note[]; readonly unmapped: readonly Unmapped[] };

/** What may carry a comment: where it is in the YAML, the Markdown line, and whether it can be uncertain (a manual step, a choice, an input). */
type Place = { readonly path: readonly (string | number)[]; readonly line: number; readonly doubtful: boolean };

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Each stage, step (in choices' options too), pre-flight item, rollback step, trigger and input that has a line. */
function places(raw: RawRunbook, lineOf: LineOf): Place[] {
  const out: Place[] = [];
  const add = (path: (string | number)[], line: number | undefined, doubtful = false) => {
    if (line !== undefined) out.push({ path, line, doubtful });
  };
  const steps = (list: readonly unknown[] | undefined, at: (string | number)[]) =>
    (list ?? []).forEach((st, i) => {
      add([...at, i], isObj(st) ? lineOf(st) : lineOf(list!, i), isObj(st) && ('manual' in st || 'choose' in st));
      if (isObj(st) && isObj(st.choose) && Array.isArray(st.choose.options))
        st.choose.options.forEach((o: { steps?: unknown[] }, k: number) => {
          add([...at, i, 'choose', 'options', k], lineOf(o));
          steps(o.steps, [...at, i, 'choose', 'options', k, 'steps']);
        });
    });
  (raw.preflight ?? []).forEach((p, i) => add(['preflight', i], lineOf(p), p.manual !== undefined));
  raw.stages.forEach((s, i) => {
    add(['stages', i], lineOf(s));
    steps(s.steps, ['stages', i, 'steps']);
  });
  if (raw.rollback) {
    steps(raw.rollback.steps, ['rollback', 'steps']);
    steps(raw.rollback.verify, ['rollback', 'verify']);
    if (raw.rollback.incident !== undefined) add(['rollback', 'incident'], lineOf(raw.rollback, 'incident'));
    (raw.rollback.triggers ?? []).forEach((t, i) => add(['rollback', 'triggers', i], lineOf(t)));
  }
  for (const [name, input] of Object.entries(raw.inputs ?? {})) add(['inputs', name], lineOf(input), true);
  return out;
}

/** `# release.md:42` on the line the node starts (its first single-line scalar), else above it; the notes above it (a map's value: above its key). */
function comment(doc: Document, place: Place, tag: string, notes: readonly string[]): void {
  const node = doc.getIn(place.path, true) as Node | undefined;
  if (!node) return;
  const key = place.path.at(-1);
  const parent = typeof key === 'string' ? (doc.getIn(place.path.slice(0, -1), true) as Node | undefined) : undefined;
  const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
  for (const n of notes) before(pair && isScalar(pair.key) ? pair.key : node, n);
  const first = isMap(node) ? node.items[0]?.value : node;
  if (singleScalar(first) || (isSeq(first) && first.items.every((x) => singleScalar(x)))) (first as { comment?: string | null }).comment = tag;
  else before(node, tag);
}

/** Lines of the tail: the notes no place in the YAML took. */
function leftOver(title: string, notes: readonly Note[], display: string): string[] {
  return notes.length ? ['', `# ${title} (${display}):`, ...notes.map((n) => `#   line ${n.line}: ${oneLine(n.text)}`)] : [];
}

/** The source comments: each place its line; each uncertain mapping and assumption at the first place on its line, the rest returned. */
function sourceComments(doc: Document, raw: RawRunbook, report: Report, display: string, lineOf: LineOf): { uncertain: Note[]; notes: Note[] } {
  const all = places(raw, lineOf);
  const uncertain = [...report.uncertain];
  const notes = [...report.notes];
  const take = (list: Note[], line: number): Note[] => {
    const found = list.filter((n) => n.line === line);
    for (const n of found) list.splice(list.indexOf(n), 1);
    return found;
  };
  for (const p of all) {
    const doubts = p.doubtful ? take(uncertain, p.line).map((n) => ` ⚠ ${display}:${n.line}: ${oneLine(n.text)}`) : [];
    const said = take(notes, p.line).map((n) => ` ${display}:${n.line}: ${oneLine(n.text)}`);
    comment(doc, p, ` ${display}:${p.line}`, [...doubts, ...said]);
  }
  return { uncertain, notes };
}

/** The equivalent cockpit.yml: loading it gives the same Runbook as loading the Markdown. With `lineOf`, comments point at the Markdown's lines. */
export function toYaml(raw: RawRunbook, report: Report, display: string, lineOf?: LineOf): string {
  const head = [
    `# Imported from ${display} by \`cockpit import\`: the same release as the Markdown runs.`,
    '# cockpit validate lists what each part does; the JSON Schema is `cockpit schema`.',
    ...notArmedBlock(raw),
    '',
  ];
  const doc = new Document(raw, { aliasDuplicateObjects: false });
  const rest = lineOf ? sourceComments(doc, raw, report, display, lineOf) : { uncertain: [], notes: [] };
  // lists of plain values on one line: [./scripts/create-incident.sh, "{reason}"], [5, 25, 50, 100] (not a list whose items carry comments)
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((i) => singleScalar(i) && !(i as { comment?: string | null }).comment && !(i as { commentBefore?: string | null }).commentBefore)) node.flow = true;
    },
  });
  // where to fill in, at the places themselves
  const missing = notArmed(raw);
  if (raw.metrics && raw.metrics.source === undefined)
    commentKey(doc.contents, 'metrics', ' no source yet: add source: {type: prometheus, url: …} here, and a query to each series (a pointer for http-json)');
  if (missing.some((n) => n.kind === 'trigger')) commentKey(doc.get('rollback'), 'triggers', ' not armed yet: see the top of this file');
  const body = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  const tail = [...leftOver('⚠ Look at these', rest.uncertain, display), ...leftOver('Assumed', rest.notes, display)];
  if (report.unmapped.length > 0) {
    tail.push('', `# Not mapped from ${display}:`);
    for (const u of report.unmapped) tail.push(`#   line ${span(u)}: [${KIND_LABEL[u.kind]}] ${u.what}: ${u.why}`.replace(/\n/g, ' '));
  }
  return `${head.join('\n')}\n${body}${tail.length ? `${tail.join('\n')}\n` : ''}`;
}
