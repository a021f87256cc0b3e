/**
 * The `--json` contract: docs/events.md is generated from the types (scripts/events-doc.mjs, the
 * TypeScript compiler API over src/core/events.ts and src/core/json-line.ts) and current; every
 * event type of the union has a doc comment and a section; what the CLI prints under --json
 * (in-process through main(argv, io), real steps as child processes) has `v` first and a
 * documented type.
 */
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract, eventsMarkdown } from '../../scripts/events-doc.mjs';
import { main } from '../../src/cli/main.js';
import { JSON_VERSION } from '../../src/core/json-line.js';
import { flagDefinition } from '../../src/flags/providers/flagd.js';

const DOC = new URL('../../docs/events.md', import.meta.url);

describe('docs/events.md', () => {
  it('is generated from the event types and current', () => {
    expect(readFileSync(DOC, 'utf8'), 'docs/events.md is stale: run `node scripts/events-doc.mjs > docs/events.md`').toBe(eventsMarkdown());
  });

  it('documents every type of the EventBody union, each with a doc comment, and step.line', () => {
    const c = contract();
    const walked = c.events.map((e) => e.type);
    // the generator's walk of the union against the compiler's own reading of EventType
    expect([...walked].sort()).toEqual([...c.eventTypes].sort());
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked.length).toBeGreaterThanOrEqual(51);
    expect(c.events.filter((e) => e.doc === '').map((e) => `${e.type}: no doc comment in src/core/events.ts`)).toEqual([]);
    expect(c.lines.map((l) => l.type)).toEqual(['step.line']);
    expect(c.lines[0].doc).not.toBe('');
    expect(c.version).toBe(JSON_VERSION);
    const doc = readFileSync(DOC, 'utf8');
    for (const t of [...walked, 'step.line']) expect(doc).toContain(`### \`${t}\``);
  });

  it('gives each event its fields, their types, optional or not, and their doc comments', () => {
    const c = contract();
    const started = c.events.find((e) => e.type === 'step.started')!;
    expect(started.fields.map((f) => [f.name, f.type, f.optional])).toEqual([
      ['stage', 'string', false],
      ['step', 'string', false],
      ['attempt', 'number', false],
      ['command', 'string', false],
      ['argv', 'string[]', true],
      ['logPath', 'string', true],
      ['commands', 'number', true],
    ]);
    expect(started.fields.find((f) => f.name === 'argv')!.doc).toBe('The exact argv that ran (after placeholders).');
    // an intersection with a named type: its fields, flattened
    expect(c.events.find((e) => e.type === 'release.reviewed')!.fields.map((f) => f.name)).toEqual(['outcome', 'checklist', 'items', 'learnings', 'note']);
    // the named types the fields use are documented, and those they use in turn
    const names = c.types.map((t) => t.name);
    for (const n of ['LockTakenOver', 'Troubleshoot', 'DecisionRecord', 'ExperimentFigures', 'VariantFigures', 'RiskEntry', 'Outcome']) expect(names).toContain(n);
    expect(c.envelope.map((f) => [f.name, f.type, f.optional])).toEqual([
      ['at', 'number', false],
      ['t', 'number', false],
    ]);
    const doc = readFileSync(DOC, 'utf8');
    expect(doc).toContain('| `argv` | `string[]` | optional | The exact argv that ran (after placeholders). |');
    expect(doc).toContain('| `signal` | `\'SIGINT\' \\| \'SIGTERM\' \\| \'SIGHUP\'` | always |');
  });
});

let dir: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-contract-'));
  process.env.COCKPIT_STATE_DIR = join(dir, 'state');
  process.env.COCKPIT_CACHE_DIR = join(dir, 'cache');
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
});

async function cockpit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Each line parsed; `v` must be its first key. */
function parsed(text: string): Record<string, unknown>[] {
  return text.split('\n').map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    expect(Object.keys(o)[0], l).toBe('v');
    expect(o.v, l).toBe(JSON_VERSION);
    return o;
  });
}

const RUNBOOK = `name: contract
version: "1.0.0"
environment: production
preflight:
  - title: Team aware
    manual: Release announced
stages:
  - id: deploy
    steps:
      - id: hello
        run: [sh, -c, "echo hello; echo world; exit 3"]
rollback:
  steps:
    - id: undo
      run: [echo, undone]
`;

describe('what --json prints', () => {
  it('run --headless --json: every line has v first and a type docs/events.md documents', async () => {
    writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK);
    const r = await cockpit('run', join(dir, 'cockpit.yml'), '--headless', '--json', '--yes', '--on-failure', 'rollback');
    expect(r.err).toBe('');
    expect(r.code).toBe(3); // rolled back
    const lines = parsed(r.out);
    const c = contract();
    const documented = new Set([...c.events, ...c.lines].map((e) => e.type));
    expect(lines.filter((l) => !documented.has(l.type as string)).map((l) => l.type)).toEqual([]);
    const types = new Set(lines.map((l) => l.type));
    for (const t of ['session.started', 'check.ticked', 'preflight.passed', 'step.started', 'step.line', 'step.finished', 'stage.failed', 'rollback.started', 'rollback.finished', 'session.ended']) expect(types).toContain(t);
    expect(lines).toContainEqual({ v: JSON_VERSION, type: 'step.line', stage: 'deploy', step: 'hello', time: expect.stringMatching(/^\d\d:\d\d:\d\d$/), text: 'world' });
    // the journal on disk stays as it was: no `v`
    const journals = readdirSync(join(dir, 'state'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('journal.jsonl'));
    expect(journals).toHaveLength(1);
    const journal = readFileSync(join(dir, 'state', journals[0]), 'utf8');
    expect(journal).toContain('"type":"session.started"');
    expect(journal).not.toContain('"v":');

    const h = await cockpit('history', join(dir, 'cockpit.yml'), '--json');
    expect(h.code).toBe(0);
    const doc = JSON.parse(h.out) as Record<string, unknown>;
    expect(Object.keys(doc).slice(0, 2)).toEqual(['v', 'runbook']);
    expect(doc.v).toBe(JSON_VERSION);
  });

  it('experiment --json and flag --json: one object, v first', async () => {
    const fx = new URL('../fixtures/screen/', import.meta.url).pathname;
    cpSync(join(fx, 'experiment.yml'), join(dir, 'experiment.yml'));
    cpSync(join(fx, 'scripts'), join(dir, 'scripts'), { recursive: true });
    chmodSync(join(dir, 'scripts', 'experiment.sh'), 0o755);
    const e = await cockpit('experiment', 'checkout', '--runbook', join(dir, 'experiment.yml'), '--json');
    expect(e.err).toBe('');
    expect(e.code).toBe(0);
    expect(parsed(e.out)).toEqual([expect.objectContaining({ v: JSON_VERSION, id: 'checkout', ready: true })]);

    writeFileSync(join(dir, 'flags.json'), JSON.stringify({ flags: { 'new-checkout': flagDefinition(0) } }));
    writeFileSync(
      join(dir, 'flag.yml'),
      `name: flagged
version: "1.0.0"
stages:
  - id: production
    environment: production
    steps: [{ run: [echo, ok] }]
flags:
  provider: { type: flagd, file: flags.json }
  ramps:
    new-checkout: [5, 25, 50, 100]
`,
    );
    const f = await cockpit('flag', 'new-checkout', '5', '--runbook', join(dir, 'flag.yml'), '--json');
    expect(f.err).toBe('');
    expect(parsed(f.out)).toEqual([expect.objectContaining({ v: JSON_VERSION, flag: 'new-checkout', from: 0, requested: 5 })]);
  });
});
