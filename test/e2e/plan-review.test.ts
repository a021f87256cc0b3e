/**
 * A Markdown runbook opened on a real terminal for the first time: the plan review comes before the
 * session, accepting is refused until the rollback method is chosen, the acceptance is recorded by
 * the document's hash, the input form asks for the commit, then the cockpit's normal screen opens.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'cockpit.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'plan', 'release.md');

const dirs: string[] = [];
const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!hasTmux())('the plan review of a Markdown runbook (tmux, 80×24)', () => {
  it('shows the plan, refuses to accept until the choice is made, records the acceptance, asks the input, opens the cockpit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-plan-e2e-'));
    dirs.push(dir);
    cpSync(FIXTURE, join(dir, 'release.md'));
    const s = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} release.md`, { cols: 80, rows: 24, cwd: dir, env: { COCKPIT_CACHE_DIR: join(dir, 'cache') }, name: 'cockpit-plan' });
    sessions.push(s);
    const review = await s.waitFor('Plan review · plan-app · release.md');
    expect(review).toContain(' ▶ ◇ Rollback method (rollback-method, the rollback) NOT MADE');
    expect(review).toContain('     Deploy the commit: echo "deploying {input.commit_hash} to staging"');
    expect(review).toContain(' ↑↓ PgUp/PgDn scroll  Tab choice  1–9 pick  a accept  q quit');
    s.keys('a');
    await s.waitFor('cannot accept yet: choose "Rollback method" first (Tab to it, then 1–3)');
    expect(readdirSync(dir).sort()).toEqual(['cache', 'release.md']);
    s.keys('2');
    await s.waitFor('→ kubectl rollout undo');
    s.keys('a');
    await s.waitFor('<commit-hash> > █');
    const [record] = readdirSync(join(dir, '.cockpit', 'plans'));
    expect(record).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(JSON.parse(readFileSync(join(dir, '.cockpit', 'plans', record), 'utf8'))).toMatchObject({ choices: { 'rollback-method': 'option-2' } });
    s.type('abc1234');
    await s.waitFor('<commit-hash> > abc1234█');
    s.keys('Enter');
    // the pre-flight is the guardrail self-test (its rollback commands run); the runbook has no triggers: AUTO-ROLLBACK OFF takes
    // the header's room at 80 columns, so the title gives way (truncated at its end)
    const cockpit = await s.waitFor(' ✓ Pre-flight  ○ Deploy to Staging  ○ Deploy to Production');
    const lines = cockpit.split('\n');
    expect(lines[0]).toBe(' cockpit · plan-app unknown → producti… ⚠ AUTO-ROLLBACK OFF  READY   R ROLLBACK');
    expect(lines[4]).toMatch(/^│ ✓ Guardrail self-te… \d:\d\d││ {50}│$/);
    expect(cockpit).toContain('\n ⚠ AUTO-ROLLBACK OFF: the runbook has no rollback triggers: only R rolls back\n');
    expect(cockpit).toMatch(/ R rollback /);
  });
});
