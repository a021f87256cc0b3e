// docs/events.md, the `--json` contract, generated from the types: `node scripts/events-doc.mjs > docs/events.md`.
// The TypeScript compiler API (typescript 5.9, a devDependency: never at run time) reads the
// EventBody union of src/core/events.ts and the lines of src/core/json-line.ts: each type's doc
// comment, its fields, their types, optional or not, and the named types they use.
// test/unit/events-doc.test.ts fails when the doc is stale or an event has no doc comment.
import ts from 'typescript';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(root, 'src');
const EVENTS = join(SRC, 'core/events.ts');
const LINES = join(SRC, 'core/json-line.ts');
/** What `cockpit flag --json` prints besides its own fields. */
const FLAG_READING = join(SRC, 'flags/providers/provider.ts');

/** A doc comment's text on one line (`/**`, `*` and line breaks gone). */
function oneLine(comment) {
  return comment
    .replace(/^\/\*\*|\*\/$/g, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The doc comment that ends `text`, the trivia before a declaration or a union member ('' when
 * there is none): only white space (and a union's `|`) after it, no blank line (a file's header
 * comment is not its first type's doc).
 */
function lastDoc(text) {
  const last = [...text.matchAll(/\/\*\*[\s\S]*?\*\//g)].at(-1);
  if (!last) return '';
  const after = text.slice(last.index + last[0].length);
  return /^[\s|]*$/.test(after) && !/\n[ \t]*\n/.test(after) ? oneLine(last[0]) : '';
}

/** A declared type as a reader of the JSON sees it: no `readonly`, no `Readonly<…>`, on one line. */
function cleanType(text) {
  let s = text.replace(/\s+/g, ' ').replace(/\breadonly /g, '');
  for (let i = s.indexOf('Readonly<'); i >= 0; i = s.indexOf('Readonly<')) {
    let depth = 0;
    let j = i + 'Readonly'.length;
    for (; j < s.length; j++) {
      if (s[j] === '<') depth++;
      else if (s[j] === '>' && --depth === 0) break;
    }
    s = s.slice(0, i) + s.slice(i + 'Readonly<'.length, j) + s.slice(j + 1);
  }
  return s.replace(/; }/g, ' }').replace(/\((\[[^()]*\])\)\[\]/g, '$1[]').trim();
}

/** The project's named types (aliases, interfaces) a type node refers to, in order. */
function namedTypes(checker, node) {
  const out = [];
  const visit = (n) => {
    if (ts.isTypeReferenceNode(n)) {
      let sym = checker.getSymbolAtLocation(n.typeName);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const decl = sym?.declarations?.[0];
      if (decl && (ts.isTypeAliasDeclaration(decl) || ts.isInterfaceDeclaration(decl)) && decl.getSourceFile().fileName.startsWith(SRC)) out.push(decl);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}

/** A property's row: name, type as declared, optional or not, its doc comment. */
function fieldOf(checker, prop) {
  const decl = prop.valueDeclaration ?? prop.declarations[0];
  return {
    name: prop.name,
    type: cleanType(decl.type.getText()),
    optional: decl.questionToken !== undefined,
    doc: ts.displayPartsToString(prop.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim(),
    decl,
  };
}

/** A type literal member of a union (or an intersection with one): its `type` and the other fields. */
function entryOf(checker, node, doc) {
  const props = checker.getPropertiesOfType(checker.getTypeFromTypeNode(node));
  const typeProp = props.find((p) => p.name === 'type');
  const literal = typeProp && checker.getTypeOfSymbol(typeProp);
  if (!literal?.isStringLiteral()) throw new Error(`${node.getText().slice(0, 80)}: no string literal \`type\``);
  return { type: literal.value, doc, fields: props.filter((p) => p !== typeProp).map((p) => fieldOf(checker, p)) };
}

function aliasIn(sf, name) {
  const d = sf.statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === name);
  if (!d) throw new Error(`${sf.fileName}: no type ${name}`);
  return d;
}

let cached;

/** The contract as the sources declare it: version, events (the EventBody union in order), the other lines, the types they use. */
export function contract() {
  if (cached) return cached;
  const program = ts.createProgram([EVENTS, LINES, FLAG_READING], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    lib: ['lib.es2022.d.ts'],
    types: [],
  });
  const checker = program.getTypeChecker();
  const events = program.getSourceFile(EVENTS);
  const lines = program.getSourceFile(LINES);

  const union = aliasIn(events, 'EventBody').type;
  if (!ts.isUnionTypeNode(union)) throw new Error('EventBody is not a union');
  const text = events.getFullText();
  const eventEntries = union.types.map((m, i) => entryOf(checker, m, lastDoc(text.slice(i === 0 ? union.pos : union.types[i - 1].end, m.getStart(events)))));

  // the compiler's own reading of EventType, to check the walk above against
  const eventType = checker.getTypeFromTypeNode(aliasIn(events, 'EventType').type);
  const eventTypes = (eventType.isUnion() ? eventType.types : [eventType]).map((t) => t.value);

  // every event's `at` and `t`: the object SessionEvent adds to EventBody
  const session = aliasIn(events, 'SessionEvent').type;
  const envelope = session.types.find(ts.isTypeLiteralNode).members.map((m) => fieldOf(checker, checker.getSymbolAtLocation(m.name)));

  const stepLine = aliasIn(lines, 'StepLine');
  const lineEntries = [entryOf(checker, stepLine.type, lastDoc(lines.getFullText().slice(stepLine.pos, stepLine.getStart(lines))))];

  const version = lines.statements.find(ts.isVariableStatement).declarationList.declarations.find((d) => d.name.getText() === 'JSON_VERSION');
  const versionDoc = lastDoc(lines.getFullText().slice(version.parent.parent.pos, version.parent.parent.getStart(lines)));

  cached = { version: Number(version.initializer.getText()), versionDoc, envelope, events: eventEntries, lines: lineEntries, eventTypes, types: usedTypes(checker, [...eventEntries, ...lineEntries], [aliasIn(program.getSourceFile(FLAG_READING), 'FlagReading')]) };
  return cached;
}

/** The named types the fields use, and those they use in turn, in the order first met. */
function usedTypes(checker, entries, more) {
  const seen = new Map();
  const queue = [...entries.flatMap((e) => e.fields.flatMap((f) => namedTypes(checker, f.decl.type))), ...more];
  while (queue.length) {
    const decl = queue.shift();
    const name = decl.name.text;
    if (seen.has(name)) continue;
    const doc = lastDoc(decl.getSourceFile().getFullText().slice(decl.pos, decl.getStart()));
    const literal = ts.isTypeAliasDeclaration(decl) && ts.isTypeLiteralNode(decl.type) ? decl.type : ts.isInterfaceDeclaration(decl) ? decl : undefined;
    const fields = literal ? literal.members.map((m) => fieldOf(checker, checker.getSymbolAtLocation(m.name))) : undefined;
    seen.set(name, { name, doc, fields, text: literal ? undefined : cleanType(decl.type.getText()) });
    queue.push(...namedTypes(checker, ts.isTypeAliasDeclaration(decl) ? decl.type : decl));
  }
  return [...seen.values()];
}

const cell = (s) => s.replace(/\|/g, '\\|');
/** GitHub's heading anchor for `` `name` ``. */
const anchor = (name) => name.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
const firstSentence = (doc) => doc.match(/^.*?\.(?=\s|$)/)?.[0] ?? doc;

function table(fields) {
  if (!fields.length) return ['No other fields.'];
  return ['| field | type | | description |', '| --- | --- | --- | --- |', ...fields.map((f) => `| \`${f.name}\` | \`${cell(f.type)}\` | ${f.optional ? 'optional' : 'always'} | ${cell(f.doc)} |`)];
}

function section(e) {
  return [`### \`${e.type}\``, '', e.doc || '(undocumented)', '', ...table(e.fields), ''];
}

/** docs/events.md. */
export function eventsMarkdown(c = contract()) {
  const out = [
    '# `--json`: the events and lines cockpit prints for machines',
    '',
    '<!-- Generated from src/core/events.ts and src/core/json-line.ts by `node scripts/events-doc.mjs > docs/events.md`: do not edit (test/unit/events-doc.test.ts fails when it is stale). -->',
    '',
    '`cockpit run --json` (so `cockpit run --headless --json`, `cockpit demo --json` and `cockpit rollback --json`) prints one JSON object a line: every event of the session as it happens, and every line of step output. `cockpit flag … --json` and `cockpit experiment … --json` print one object, `cockpit history --json` one indented document.',
    '',
    `Every one of them starts with \`v\`, the version of this contract: now **${c.version}**. It is ${c.versionDoc.charAt(0).toLowerCase()}${c.versionDoc.slice(1)}`,
    '',
    'Then comes `type`, one of the types below. Every event also carries:',
    '',
    ...table(c.envelope),
    '',
    'Fields marked optional are absent (not `null`) when they do not apply. Strings are data: C1 controls, bidi and zero-width characters come as `\\u` escapes (the same JSON value) so that no line can act on a terminal, and secret values in step output are masked (`••••`) as in the step logs.',
    '',
    'The journal (`journal.jsonl` in the session\'s directory under `.cockpit/`) holds the same events without `v`: it is the cockpit\'s own record, read back by `watch`, `history` and a resumed session, and not part of this contract.',
    '',
    '## Index',
    '',
    '| type | |',
    '| --- | --- |',
    ...[...c.events, ...c.lines].map((e) => `| [\`${e.type}\`](#${anchor(e.type)}) | ${cell(firstSentence(e.doc))} |`),
    '',
    `## Events (${c.events.length})`,
    '',
    ...c.events.flatMap(section),
    '## Other lines',
    '',
    ...c.lines.flatMap(section),
    '## Other commands',
    '',
    '- `cockpit experiment <id> --json`: one object, `v` and the fields of [`ExperimentFigures`](#experimentfigures).',
    '- `cockpit flag <name> <percent> --json` (or `--next`, `--previous`): one object, `v`, `flag`, `from` (the percentage before; `null`: unknown), `requested` and `ok`; when `ok`, the fields of [`FlagReading`](#flagreading), what the provider holds after the change; when not, `reason`, `refused` (`true`: refused before anything was written) and `written` (a [`FlagReading`](#flagreading), when the backend took the change but users are not served it).',
    '- `cockpit flag <name> --deploy --json`: one object, `v`, `flag`, `deploy` (`true` when the deploy with the flag off passed) and, when it failed, `reason`.',
    '- `cockpit history --json`: one indented document, `v` first, then the release log and the DORA figures ([history.md](history.md)).',
    '',
    '## Types used above',
    '',
    ...c.types.flatMap((t) => [`### \`${t.name}\``, '', ...(t.doc ? [t.doc, ''] : []), ...(t.fields ? table(t.fields) : ['```ts', `type ${t.name} = ${t.text};`, '```']), '']),
  ];
  return `${out.join('\n').trimEnd()}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.stdout.write(eventsMarkdown());
