/**
 * The seed Markdown runbook (examples/seed/release-runbook.md, the seed as written) opens as a working
 * cockpit in a real terminal (once its plan is accepted): stages and checklist on screen, missing
 * scripts marked, R there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'cockpit.js');
const SEED = join(ROOT, 'examples', 'seed', 'release-runbook.md');

const dirs: string[] = [];
const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!hasTmux())('the seed runbook on screen (tmux, 100×30)', () => {
  it('shows its stages and checklist, marks the missing scripts, and R is there', async () => {
    const state = mkdtempSync(join(tmpdir(), 'cockpit-seed-'));
    dirs.push(state);
    const s = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} ${shq(SEED)}`, { cols: 100, rows: 30, cwd: state, env: { COCKPIT_STATE_DIR: state }, name: 'cockpit-seed' });
    sessions.push(s);
    // opened the first time: its plan is reviewed and accepted before the session starts
    await s.waitFor(' Plan review · Release Runbook · ');
    s.keys('a');
    const f = await s.waitFor((x) => x.includes('│ ○ Verify readiness               │') && x.includes('PRE-FLIGHT FAILED') && x.includes('./scripts/verify-tests.sh') && !x.includes('{git.'));
    const lines = f.split('\n');
    // its checks' scripts are missing: the pre-flight has failed, and the header says so
    // no trigger armed (no metrics source, no probe): the header says so (issue 18)
    expect(lines[0]).toMatch(/^ cockpit · Release Runbook \S+ → pro(duction|…) ⚠ AUTO-ROLLBACK OFF {2}PRE-FLIGHT FAILED {3}R ROLLBACK$/);
    expect(lines[0]).not.toContain('{git.');
    expect(lines[1]).toBe(' ✗ Pre-flight  ○ Pre-Release  ○ Deploy to Staging  ○ Deploy to Production  ○ Post-Release');
    expect(f).toContain('│ ✗ All tests passing        FAILED│');
    // the missing script's name is wrapped in full, not cut (issue 20)
    expect(f).toContain('│     missing:                     │');
    expect(f).toContain('│       ./scripts/verify-tests.sh  │');
    expect(f).toContain('│ [ ] No active incidents          │');
    expect(f).toContain('│ [ ] Rollback plan ready          │');
    expect(f).toContain('│ [ ] Team aware                   │');
    expect(f).toContain('│ ○ Verify readiness               │');
    expect(lines.at(-2)).toMatch(/^ R rollback /);
    // its triggers cannot be armed without a front matter: the screen says so, all the time
    expect(lines.at(-3)).toBe(' ⚠ AUTO-ROLLBACK OFF: 4 triggers need metrics or probes (cockpit validate)');
    expect(f).toMatch(/│no metrics source yet: the front matter says where the +│/);
    expect(f).toMatch(/│metrics are \(cockpit validate\) +│/);
    // R opens the dialog naming the seed's rollback steps
    s.keys('R');
    const d = await s.waitFor('─ ROLLBACK ─');
    expect(d).toContain('rollback-production.sh');
    expect(d).toContain('verify-rollback.sh');
    s.keys('Escape');
    await s.waitForGone('─ ROLLBACK ─');
  });
});
