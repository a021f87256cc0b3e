/**
 * The screen's end summary (moved from test/e2e/history.test.ts, which read it from tmux's
 * scrollback: none of it needs a real terminal): the celebration checklist, the learnings and the
 * operator's learning (--learning) after a release; after R, the risk register written as YAML and
 * the rollback checklist. The session is opened on disk as `cockpit run` opens it and the fixture's
 * scripts run for real (helpers/ink-session.ts), at 100×30; the summary is the one the cockpit
 * prints to the scrollback when it closes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { closeScreens, fixtureSandbox, openScreen } from '../helpers/ink-session.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/history', import.meta.url));

afterEach(closeScreens);

const header = (screen: string) => screen.split('\n')[0];
/** Enter would run the next stage now: the hint bar offers it. */
const canRun = (screen: string) => / ⏎ run\/continue /.test(screen.split('\n').filter(Boolean).at(-1) ?? '');
const launch = (learning?: string) => {
  const sb = fixtureSandbox(FIXTURE, 'cockpit-history-screen-');
  return { sb, s: openScreen(sb, { runbook: 'screen.yml', cols: 100, rows: 30, ...(learning ? { learning } : {}) }) };
};

describe('the screen’s end summary (100×30)', () => {
  it('a release that shipped: the ship checklist, the learnings and the operator’s learning', async () => {
    const { s } = launch('the deploy script is quiet');
    await s.waitFor((x) => header(x).includes('cockpit · history-screen 1.0.0') && x.includes('Deploy to Production') && canRun(x));
    await s.press('Enter');
    await s.waitFor((x) => header(x).includes('RELEASED'));
    await s.press('q');
    const { code, summary } = await s.exit;
    expect(code).toBe(0);
    expect(summary).toContain(
      [
        '  ★ When we ship successfully:',
        '    [ ] Update team in #releases with metrics',
        '    [ ] Thank everyone who contributed',
        '    [ ] Add learnings to knowledge base',
        '    [ ] Plan next improvement to this runbook',
        '  ★ learnings: 1.0.0 → production released: 1 of 1 stages passed, no trigger fired.',
        "  ★ the operator's learning: the deploy script is quiet",
        '  journal: ',
      ].join('\n'),
    );
  }, 30_000);

  it('R after the release: the notice says the entry is recorded, the summary has it and the rollback checklist', async () => {
    const { sb, s } = launch();
    await s.waitFor((x) => header(x).includes('cockpit · history-screen 1.0.0') && x.includes('Deploy to Production') && canRun(x));
    await s.press('Enter');
    await s.waitFor((x) => header(x).includes('RELEASED'));
    await s.press('R');
    await s.waitFor('Roll back history-screen 1.0.0 in production');
    await s.press('R', 350);
    const file = join(sb.fx, 'out', 'risks.yml');
    await s.waitFor((x) => header(x).includes('ROLLED BACK') && x.includes(`⚑ risk register: entry recorded (${file})`));
    await s.press('q');
    const { code, summary } = await s.exit;
    expect(code).toBe(3);
    expect(summary).toContain(`  ⚑ risk register: ${file}\n  ★ When we roll back:\n    [ ] Celebrate fast recovery (no blame!)\n`);
    expect(summary).toMatch(/^ {2}★ learnings: 1\.0\.0 → production: rolled back by the operator: manual rollback by the operator \(R\); restored in .+ from the incident's start\.$/m);
    const entries = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    expect(entries).toEqual([
      expect.objectContaining({ runbook: 'history-screen', version: '1.0.0', environment: 'production', risk: 'operator rollback', reason: 'manual rollback by the operator (R)', outcome: 'rolled-back', restoreMs: expect.any(Number) }),
    ]);
  }, 30_000);
});
