/**
 * The wild corpus (test/fixtures/wild/): real public runbooks, each with its source, and
 * EXPECTED.md, a table written by reading each one before any tool ran on it. Every document is
 * imported as `cockpit validate` / `--dry-run` would, and checked against the table:
 * - nothing dangerous: no command that the table says must never run is a step at its point (a
 *   stage step, a rollback step, an automated pre-flight check), no placeholder left unfilled, no
 *   never-ending or interactive command, no non-shell code, no alternatives chained;
 * - a document the table calls a release or a checklist loads (a runnable release or an
 *   all-manual one), and at least 70 % of the corpus does;
 * - every refusal names a line and says what to do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMarkdownRunbook } from '../../src/runbook/markdown.js';
import { commandHazard, notShell, placeholdersIn } from '../../src/runbook/markdown/hazards.js';
import type { RawRunbook } from '../../src/runbook/schema.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'wild');

type Row = { file: string; expect: 'release' | 'manual' | 'refused'; choices: number; inputs: string[]; neverRun: string[] };

/** "Known deviations" in EXPECTED.md: a never-run command cockpit cannot tell from a step by reading (file → substring), each with its reason there. */
function deviations(): Map<string, string[]> {
  const text = readFileSync(join(DIR, 'EXPECTED.md'), 'utf8');
  const part = text.split(/^## Known deviations/m)[1] ?? '';
  const out = new Map<string, string[]>();
  for (const m of part.matchAll(/^- `([^`]+\.md)`: `([^`]+)`/gm)) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  return out;
}

function rows(): Row[] {
  const text = readFileSync(join(DIR, 'EXPECTED.md'), 'utf8').split(/^## Known deviations/m)[0];
  const out: Row[] = [];
  for (const line of text.split('\n')) {
    if (!/^\|\s*\d\d-/.test(line)) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
    const list = (c: string, sep: string) => (c === '-' ? [] : c.split(sep).map((x) => x.trim()).filter(Boolean));
    const allowed = deviations().get(cells[0]) ?? [];
    // an entry written with its prompt ("> npm version …", "$ gh pr create") is the command after the prompt
    const neverRun = list(cells[10], ' ;; ')
      .filter((x) => !allowed.includes(x))
      .map((x) => x.replace(/^(?:[$>]|[\w.-]+\$)\s+/, ''));
    out.push({ file: cells[0], expect: cells[4] as Row['expect'], choices: Number(cells[8]) || 0, inputs: list(cells[9], '; '), neverRun });
  }
  return out;
}

type RawStepLike = string | string[] | { run?: string | string[]; manual?: string; choose?: unknown };

/** The commands that run at their point without anyone choosing: stage steps (not a choice's options), rollback, automated pre-flight checks. */
function runsAtTheirPoint(raw: RawRunbook): { where: string; run: string }[] {
  const text = (r: string | string[]) => (Array.isArray(r) ? r.join(' ') : r);
  const out: { where: string; run: string }[] = [];
  const steps = (where: string, list: readonly RawStepLike[] | undefined) => {
    for (const s of list ?? []) {
      if (typeof s === 'string' || Array.isArray(s)) out.push({ where, run: text(s) });
      else if (s.run !== undefined) out.push({ where, run: text(s.run) });
    }
  };
  for (const p of raw.preflight ?? []) if (p.run !== undefined) out.push({ where: 'preflight', run: text(p.run) });
  for (const st of raw.stages) steps(`stage ${st.id}`, st.steps as RawStepLike[]);
  steps('rollback', raw.rollback?.steps as RawStepLike[] | undefined);
  steps('rollback verify', raw.rollback?.verify as RawStepLike[] | undefined);
  if (raw.rollback?.incident !== undefined) out.push({ where: 'incident', run: text(raw.rollback.incident) });
  return out;
}

/** A mapped command with each {input.NAME} back as the placeholder the document wrote. */
function asWritten(run: string, raw: RawRunbook): string {
  return run.replace(/\{input\.([a-z][a-z0-9_]*)\}/g, (whole, name: string) => raw.inputs?.[name]?.prompt ?? whole);
}

function outcome(raw: RawRunbook | undefined, ok: boolean): 'release' | 'manual' | 'refused' {
  if (!ok || !raw) return 'refused';
  const runs = raw.stages.some((st) => (st.steps as RawStepLike[]).some((s) => typeof s === 'string' || Array.isArray(s) || s.run !== undefined || s.choose !== undefined));
  return runs ? 'release' : 'manual';
}

const table = rows();
const results = table.map((row) => {
  const path = join(DIR, row.file);
  const load = parseMarkdownRunbook(readFileSync(path, 'utf8'), path, row.file);
  return { row, load, got: outcome(load.ok ? load.raw : undefined, load.ok) };
});

describe('the wild corpus (test/fixtures/wild, EXPECTED.md)', () => {
  it('lists at most 2 known deviations, each for a document of the table', () => {
    const d = deviations();
    expect([...d.values()].flat().length).toBeLessThanOrEqual(2);
    for (const f of d.keys()) expect(table.some((r) => r.file === f)).toBe(true);
  });

  it('holds at least 30 real runbooks, each with its source', () => {
    expect(table.length).toBeGreaterThanOrEqual(30);
    for (const { row } of results) expect(readFileSync(join(DIR, row.file), 'utf8')).toMatch(/<!-- source: https:\/\/github\.com\/\S+/);
  });

  it.each(table.map((r) => [r.file, r] as const))('%s: nothing runs that the document did not mean to run there', (_file, row) => {
    const { load } = results.find((r) => r.row === row)!;
    if (!load.ok || !load.raw) return;
    for (const { where, run: mapped } of runsAtTheirPoint(load.raw)) {
      // compare with the document's own words: an input ({input.version}) stands for its placeholder (vX.Y.Z)
      const run = asWritten(mapped, load.raw);
      for (const bad of row.neverRun) {
        // a never-run command that holds a placeholder must never run UNFILLED: mapped to a declared
        // input ({input.NAME}), it runs only with the operator's value (EXPECTED.md, conventions)
        const filled = placeholdersIn(bad).length > 0 && run.includes(bad) && mapped.includes('{input.');
        if (!filled) expect(run, `${where} runs "${bad}"`).not.toContain(bad);
      }
      expect(placeholdersIn(mapped), `${where}: an unfilled placeholder in ${mapped}`).toEqual([]);
      for (const line of run.split('\n')) expect(commandHazard(line), `${where}: ${line}`).toBeUndefined();
      expect(notShell(run), `${where}: not shell: ${run}`).toBeUndefined();
    }
  });

  it.each(table.filter((r) => r.expect !== 'refused').map((r) => [r.file, r] as const))('%s: loads as a release or an all-manual checklist', (_file, row) => {
    const { load } = results.find((r) => r.row === row)!;
    expect(load.ok ? [] : load.errors.map((e) => `${e.line}: ${e.message}`)).toEqual([]);
  });

  it('at least 70 % of the documents give a runnable release or an all-manual checklist', () => {
    const usable = results.filter((r) => r.got !== 'refused').length;
    expect(usable / results.length).toBeGreaterThanOrEqual(0.7);
  });

  it('every refusal names a line and what to do', () => {
    for (const { load } of results) {
      if (load.ok) continue;
      for (const e of load.errors) {
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.message.length).toBeGreaterThan(20);
      }
    }
  });

  it('alternatives are a choice, never chained: a document with alternatives in a runnable stage or rollback has a choice or runs none of them', () => {
    for (const { row, load } of results) {
      if (!load.ok || !load.raw || row.choices === 0) continue;
      const runs = runsAtTheirPoint(load.raw)
        .map((r) => asWritten(r.run, load.raw!))
        .join('\n');
      for (const bad of row.neverRun) expect(runs, row.file).not.toContain(bad);
    }
  });
});

describe('the wild corpus outcome table', () => {
  it('at least 70 % of the documents map to the outcome the table expects (release, all-manual, refused)', () => {
    const agree = results.filter((r) => r.got === r.row.expect).length;
    expect(agree / results.length).toBeGreaterThanOrEqual(0.7);
  });

  it('prints expected and mapped outcomes side by side', () => {
    const lines = results.map(({ row, got, load }) => `${row.file.padEnd(46)} expect ${row.expect.padEnd(8)} got ${got.padEnd(8)} ${load.ok ? `${load.raw?.stages.length} stage(s), ${Object.keys(load.raw?.inputs ?? {}).length} input(s), ${load.runbook?.choices.length ?? 0} choice(s)` : load.errors[0]?.message.slice(0, 60)}`);
    console.log(lines.join('\n'));
    expect(lines.length).toBe(results.length);
  });
});
