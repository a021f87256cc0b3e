/**
 * `cockpit import` with comments that point at the Markdown: each stage, step, pre-flight item,
 * rollback step, trigger, choice and input says its line, an uncertain mapping says why (⚠), and the
 * YAML still loads into the same Runbook, choices, inputs and manual steps included. lineOf, the
 * lines behind it, is checked against the documents themselves.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatError } from '../../src/runbook/locate.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { parseMarkdownRunbook, toYaml, type MarkdownLoad } from '../../src/runbook/markdown.js';
import { planLines } from '../../src/runbook/markdown-source.js';
import { normalize } from '../../src/runbook/normalize.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/markdown/', import.meta.url));
const SEED = fileURLToPath(new URL('../../examples/seed/release-runbook.md', import.meta.url));
const PLAN = fileURLToPath(new URL('../fixtures/plan/release.md', import.meta.url));

// read from copies outside this repository: its root would be where the commands run (run-dir.ts)
const COPIES = mkdtempSync(join(tmpdir(), 'cockpit-import-'));
afterAll(() => rmSync(COPIES, { recursive: true, force: true }));

function load(source: string, display: string): { r: MarkdownLoad; md: string[] } {
  const file = join(COPIES, display);
  copyFileSync(source, file);
  const text = readFileSync(file, 'utf8');
  return { r: parseMarkdownRunbook(text, file, display), md: text.split('\n') };
}

function imported(r: MarkdownLoad): string {
  if (!r.ok || !r.raw) throw new Error(r.ok ? 'no raw' : r.errors.map(formatError).join('\n'));
  return toYaml(r.raw, r.report, r.display, r.lineOf);
}

/** The YAML's `# name.md:N` comments that end a line, with that line. */
function tagged(yaml: string, display: string): { line: string; at: number }[] {
  const re = new RegExp(` # ${display.replace('.', '\\.')}:(\\d+)$`);
  return yaml.split('\n').flatMap((line) => {
    const m = re.exec(line);
    return m ? [{ line, at: Number(m[1]) }] : [];
  });
}

describe('alternatives.md: a choice of rollbacks, a <commit-hash> input, a checklist and a command nobody should run', () => {
  const { r, md } = load(join(FIXTURES, 'alternatives.md'), 'alternatives.md');
  const yaml = imported(r);

  it('lineOf gives the Markdown line of what the importer wrote, objects and plain commands alike', () => {
    if (!r.ok || !r.raw || !r.lineOf) throw new Error('not loaded');
    const { raw, lineOf } = r;
    const choice = raw.rollback!.steps[0] as { choose: { options: { steps: string[] }[] } };
    expect(md[lineOf(choice)! - 1]).toBe('### Option 1: helm rollback');
    expect(md[lineOf(choice.choose.options[1])! - 1]).toBe('### Option 2: kubectl rollout undo');
    expect(md[lineOf(choice.choose.options[0].steps, 0)! - 1]).toBe('helm rollback checkout');
    expect(md[lineOf(raw.inputs!.commit_hash)! - 1]).toBe('./scripts/deploy.sh <commit-hash>');
    expect(md[lineOf(raw.stages[0])! - 1]).toBe('### Prepare');
    expect(md[lineOf(raw.stages[0].steps[0] as object)! - 1]).toBe('- [ ] Changelog reviewed by the release manager');
    expect(lineOf({})).toBeUndefined();
    expect(planLines(raw, lineOf)).toEqual({ choices: { 'rollback-choice': 31 }, inputs: { commit_hash: 21 } });
  });

  it('lists what a person must look at: the choice, the input and the command made a manual step (not the checklist)', () => {
    expect(r.report.uncertain).toEqual([
      { line: 21, text: 'input commit_hash: <commit-hash> is a placeholder: the run asks for it (--set commit_hash=…)' },
      { line: 26, text: '"Follow the logs": following logs (-f) never ends: a manual step (cockpit waits for a tick, never runs it)' },
      { line: 31, text: '2 alternatives for the rollback (1 Option 1: helm rollback, 2 Option 2: kubectl rollout undo): a choice to make before it can run, never chained' },
    ]);
  });

  it('the YAML says the source line of each stage, step, choice, option and input, and ⚠ why for the uncertain ones', () => {
    expect(yaml).toContain(
      [
        'stages:',
        '  - id: prepare # alternatives.md:7',
        '    title: Prepare',
        '    steps:',
        '      - title: Changelog reviewed by the release manager # alternatives.md:9',
        '        manual: Changelog reviewed by the release manager',
      ].join('\n'),
    );
    expect(yaml).toContain('      - title: Build the image # alternatives.md:14\n        run: ./scripts/build.sh\n');
    expect(yaml).toContain(
      [
        '      - title: Deploy the commit # alternatives.md:21',
        '        run: ./scripts/deploy.sh {input.commit_hash}',
        '      # ⚠ alternatives.md:26: "Follow the logs": following logs (-f) never ends: a manual step (cockpit waits for a tick, never runs it)',
        '      - title: Follow the logs # alternatives.md:26',
      ].join('\n'),
    );
    expect(yaml).toContain(
      [
        'rollback:',
        '  steps:',
        '    # ⚠ alternatives.md:31: 2 alternatives for the rollback (1 Option 1: helm rollback, 2 Option 2: kubectl rollout undo): a choice to make before it can run, never chained',
        '    # alternatives.md:31',
        '    - choose:',
        '        title: Rollback',
        '        options:',
        '          - title: "Option 1: helm rollback" # alternatives.md:31',
        '            steps:',
        '              - helm rollback checkout # alternatives.md:34',
        '          - title: "Option 2: kubectl rollout undo" # alternatives.md:37',
        '            steps:',
        '              - kubectl rollout undo deployment/checkout # alternatives.md:40',
        'inputs:',
        '  # ⚠ alternatives.md:21: input commit_hash: <commit-hash> is a placeholder: the run asks for it (--set commit_hash=…)',
        '  commit_hash:',
        '    prompt: <commit-hash> # alternatives.md:21',
      ].join('\n'),
    );
    // what no place took is said at the end: the assumed name, the unmapped prose
    expect(yaml).toContain('\n# Assumed (alternatives.md):\n#   line 1: name "Checkout Release" from the title');
    expect(yaml).toContain('\n# Not mapped from alternatives.md:\n#   line 3: [documentation] Checkout Release: documentation only\n');
  });

  it('loads into the same Runbook as the Markdown, with the choice made and the input given too', () => {
    if (!r.ok || !r.raw) throw new Error('not loaded');
    const y = parseRunbook(yaml, join(r.runbook.dir, 'cockpit.yml'), 'cockpit.yml');
    if (!y.ok || !y.raw) throw new Error(y.ok ? 'no raw' : y.errors.map(formatError).join('\n'));
    expect({ ...y.runbook, file: r.runbook.file }).toEqual(r.runbook);
    expect(r.runbook.choices.map((c) => c.id)).toEqual(['rollback-choice']);
    expect(r.runbook.inputs.map((i) => i.name)).toEqual(['commit_hash']);
    expect(r.runbook.stages.flatMap((s) => s.steps.filter((x) => x.kind === 'manual'))).toHaveLength(3);
    const given = { choices: { 'rollback-choice': '2' }, inputs: { commit_hash: 'abc1234' } };
    const fromYaml = normalize(y.raw, r.runbook.file, given);
    expect(fromYaml).toEqual(normalize(r.raw, r.runbook.file, given));
    expect(fromYaml.rollback?.steps.map((s) => s.display)).toEqual(['kubectl rollout undo deployment/checkout']);
  });
});

describe('the seed imported: every comment points at the line that wrote it', () => {
  const { r, md } = load(SEED, 'release-runbook.md');
  const yaml = imported(r);
  const tags = tagged(yaml, 'release-runbook.md');

  it('a step, a pre-flight item, a rollback step and a trigger carry the line of their command or bullet', () => {
    expect(tags.map((t) => t.line.trim())).toEqual(
      expect.arrayContaining([
        '- title: All tests passing # release-runbook.md:32',
        '- id: staging # release-runbook.md:60',
        '- title: Deploy to staging # release-runbook.md:64',
        '- title: "IMMEDIATE: Rollback to last known good" # release-runbook.md:128',
        '- metric: error_rate # release-runbook.md:119',
      ]),
    );
    expect(md[64 - 1]).toBe('./scripts/deploy-staging.sh');
    expect(md[119 - 1]).toMatch(/^- Error rate > 1% for 2 consecutive minutes/);
    expect(md[32 - 1]).toContain('All tests passing');
  });

  it('every pre-flight item, stage, step, rollback step and trigger has one', () => {
    if (!r.ok || !r.raw) throw new Error('not loaded');
    const rb = r.raw;
    const count = (rb.preflight?.length ?? 0) + rb.stages.length + rb.stages.reduce((a, s) => a + s.steps.length, 0);
    const rollback = rb.rollback!.steps.length + (rb.rollback!.verify?.length ?? 0) + 1 + (rb.rollback!.triggers?.length ?? 0);
    expect(tags).toHaveLength(count + rollback);
    // nothing in the seed is uncertain: no ⚠
    expect(yaml).not.toContain('⚠ release-runbook.md');
  });
});

describe('a choice and an input the front matter declares', () => {
  const { r, md } = load(PLAN, 'release.md');

  it('are the author’s word: located (where the key is written), never uncertain', () => {
    if (!r.ok || !r.raw || !r.lineOf) throw new Error('not loaded');
    expect(r.report.uncertain).toEqual([]);
    const lines = planLines(r.raw, r.lineOf);
    expect(lines).toEqual({ choices: { 'rollback-method': 10 }, inputs: { commit_hash: 4 } });
    expect(md[lines.choices['rollback-method'] - 1]).toBe('    - choose:');
    expect(md[lines.inputs.commit_hash - 1]).toBe('  commit_hash:');
    expect(imported(r)).not.toContain('⚠');
  });
});
