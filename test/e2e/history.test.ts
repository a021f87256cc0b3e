/**
 * End to end: the screen's end summary from the BUILT binary in tmux (100×30). Build first:
 * `node scripts/build.mjs`. The end summary in the scrollback carries the celebration checklist,
 * the learnings (with --learning) and, after R, the risk register written as YAML.
 *
 * `cockpit history` over three real demo releases (good, bad-release, good) in a git repository is
 * tested in-process over their recorded journals: test/integration/history-releases.test.ts
 * (test/fixtures/history-releases/, recorded from the built binary by its record.mjs). The risk
 * register run as a command is tested in-process: test/integration/history-register.test.ts.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BIN, ROOT, killProcessesUnder } from '../helpers/demo-run.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const roots: string[] = [];

beforeAll(() => {
  for (const f of [BIN, join(ROOT, 'dist', 'cockpit.js'), join(ROOT, 'dist', 'supervisor.js')])
    if (!existsSync(f)) throw new Error(`${f} is missing: build first (node scripts/build.mjs)`);
});

afterAll(() => {
  for (const root of roots.splice(0)) {
    killProcessesUnder(root);
    rmSync(root, { recursive: true, force: true });
  }
});

// the two sessions are independent (own directories and state): they run side by side
describe.skipIf(!hasTmux())('the screen’s end summary (tmux, 100×30)', { concurrent: true }, () => {
  const sessions: TmuxSession[] = [];
  afterAll(() => {
    for (const x of sessions.splice(0)) x.kill();
  });

  function launch(extra: string): { s: TmuxSession; dir: string } {
    const root = mkdtempSync(join(tmpdir(), 'cockpit-history-screen-'));
    roots.push(root);
    const dir = join(root, 'ws');
    cpSync(join(ROOT, 'test', 'fixtures', 'history'), dir, { recursive: true });
    const s = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} screen.yml ${extra}`, { cols: 100, rows: 30, cwd: dir, env: { COCKPIT_STATE_DIR: join(root, 'state'), COCKPIT_CONFIG_DIR: join(root, 'config') } });
    sessions.push(s);
    return { s, dir };
  }
  const header = (screen: string) => screen.split('\n')[0];

  it('a release that shipped: the ship checklist, the learnings and the operator’s learning', async () => {
    const { s } = launch(`--learning ${shq('the deploy script is quiet')}`);
    await s.waitFor((x) => header(x).includes('cockpit · history-screen 1.0.0') && x.includes('Deploy to Production'));
    s.keys('Enter');
    await s.waitFor((x) => header(x).includes('RELEASED'));
    s.keys('q');
    expect(await s.waitForExit()).toBe(0);
    const scrollback = s.screen({ history: 200 });
    expect(scrollback).toContain(
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
  });

  it('R after the release: the notice says the entry is recorded, the summary has it and the rollback checklist', async () => {
    const { s, dir } = launch('');
    await s.waitFor((x) => header(x).includes('cockpit · history-screen 1.0.0') && x.includes('Deploy to Production'));
    s.keys('Enter');
    await s.waitFor((x) => header(x).includes('RELEASED'));
    s.keys('R');
    await s.waitFor('Roll back history-screen 1.0.0 in production');
    await s.gap(350);
    s.keys('R');
    const file = join(dir, 'out', 'risks.yml');
    await s.waitFor((x) => header(x).includes('ROLLED BACK') && x.includes(`⚑ risk register: entry recorded (${file})`));
    s.keys('q');
    expect(await s.waitForExit()).toBe(3);
    const scrollback = s.screen({ history: 200 });
    expect(scrollback).toContain(`  ⚑ risk register: ${file}\n  ★ When we roll back:\n    [ ] Celebrate fast recovery (no blame!)\n`);
    expect(scrollback).toMatch(/^ {2}★ learnings: 1\.0\.0 → production: rolled back by the operator: manual rollback by the operator \(R\); restored in .+ from the incident's start\.$/m);
    const entries = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    expect(entries).toEqual([
      expect.objectContaining({ runbook: 'history-screen', version: '1.0.0', environment: 'production', risk: 'operator rollback', reason: 'manual rollback by the operator (R)', outcome: 'rolled-back', restoreMs: expect.any(Number) }),
    ]);
  });
});
