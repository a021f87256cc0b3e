/**
 * A Markdown runbook opened on a terminal for the first time (moved from test/e2e/plan-review,
 * markdown-screen and wild-drive): the plan review comes before the session, accepting is refused
 * until the rollback method is chosen, the acceptance is recorded by the document's hash, the
 * input form asks what the runbook needs, then the cockpit's normal screen opens. Loaded, reviewed
 * and opened as `cockpit run` does it (helpers/ink-session.ts), the steps run for real.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { processesUnder, until } from '../helpers/demo-run.js';
import { closeScreens, fixtureSandbox, openScreen } from '../helpers/ink-session.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEED = join(ROOT, 'examples', 'seed', 'release-runbook.md');

afterEach(closeScreens);

describe('the plan review of a Markdown runbook (80×24)', () => {
  it('shows the plan, refuses to accept until the choice is made, records the acceptance, asks the input, opens the cockpit', async () => {
    const sb = fixtureSandbox(undefined, 'cockpit-ui-plan-', { 'release.md': readFileSync(join(ROOT, 'test', 'fixtures', 'plan', 'release.md'), 'utf8') });
    const dir = sb.fx;
    // the state beside the runbook (.cockpit/), as without COCKPIT_STATE_DIR
    const s = openScreen(sb, { runbook: 'release.md', cols: 80, rows: 24, env: { COCKPIT_CACHE_DIR: join(dir, 'cache'), COCKPIT_STATE_DIR: undefined } });
    const review = await s.waitFor('Plan review · plan-app · release.md');
    expect(review).toContain(' ▶ ◇ Rollback method (rollback-method, the rollback) NOT MADE');
    expect(review).toContain('     Deploy the commit: echo "deploying {input.commit_hash} to staging"');
    expect(review).toContain(' ↑↓ PgUp/PgDn scroll  Tab choice  1–9 pick  a accept  q quit');
    await s.press('a');
    await s.waitFor('cannot accept yet: choose "Rollback method" first (Tab to it, then 1–3)');
    expect(readdirSync(dir).sort()).toEqual(['cache', 'release.md']);
    await s.press('2');
    await s.waitFor('→ kubectl rollout undo');
    await s.press('a');
    await s.waitFor('<commit-hash> > █');
    const [record] = readdirSync(join(dir, '.cockpit', 'plans'));
    expect(record).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(JSON.parse(readFileSync(join(dir, '.cockpit', 'plans', record), 'utf8'))).toMatchObject({ choices: { 'rollback-method': 'option-2' } });
    await s.press('abc1234');
    await s.waitFor('<commit-hash> > abc1234█');
    await s.press('Enter');
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

describe('the seed runbook on screen (100×30)', () => {
  it('shows its stages and checklist, marks the missing scripts, and R is there', async () => {
    const sb = fixtureSandbox(undefined, 'cockpit-ui-seed-');
    const s = openScreen(sb, { runbook: SEED, cols: 100, rows: 30 });
    // opened the first time: its plan is reviewed and accepted before the session starts
    await s.waitFor(' Plan review · Release Runbook · ');
    await s.press('a');
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
    await s.press('R');
    const d = await s.waitFor('─ ROLLBACK ─');
    expect(d).toContain('rollback-production.sh');
    expect(d).toContain('verify-rollback.sh');
    await s.press('Escape');
    await s.waitForGone('─ ROLLBACK ─');
  });
});

/** A value that would create files if it ever reached a shell as code. */
function hostile(base: string): { value: string; marks: string[] } {
  const marks = ['pwned-subst', 'pwned-semicolon', 'pwned-backtick'].map((n) => join(base, n));
  return { value: `$(touch ${marks[0]}); touch ${marks[1]} \`touch ${marks[2]}\``, marks };
}

/** test/fixtures/wild-drive/release.md in a git repository of its own, with the stub scripts it names. */
function wildRepo() {
  const sb = fixtureSandbox(join(ROOT, 'test', 'fixtures', 'wild-drive'), 'cockpit-ui-wild-', {
    'scripts/helm-rollback.sh': '#!/bin/sh\necho rolling back with helm\n',
    'scripts/redeploy.sh': '#!/bin/sh\necho "redeploying $1"\n',
  });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=drive', '-c', 'user.email=drive@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: sb.fx, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'the runbook');
  return sb;
}

describe('a wild-style Markdown runbook, first run on a screen (80×24)', () => {
  it('reviews the plan, picks the rollback method, takes the input, runs the block to its failing line, ticks the manual step, leaves nothing running', async () => {
    const sb = wildRepo();
    const base = sb.root;
    const dir = sb.fx;
    const { value, marks } = hostile(base);
    const s = openScreen(sb, { runbook: 'release.md', cols: 80, rows: 24 });
    // the plan review comes first: the stage with its budget, the block, the manual step, the choice NOT MADE, the input
    const review = await s.waitFor(' Plan review · Shop Release · release.md · sha256 ');
    expect(review).toContain(' Nothing runs until you accept this plan (once per version of the document).');
    expect(review).toContain(' ▶ ◇ Rollback Procedure (rollback-choice, the rollback) NOT MADE');
    expect(review).toContain('      ○ 1 Option A: Helm rollback: helm-rollback: ./scripts/helm-rollback.sh');
    expect(review).toMatch(/^ {6}○ 2 Option B: Redeploy the previous commit: redeploy: \.\/scripts\/redeploy\.…$/m);
    expect(review).toContain('   ▸ 1. Deploy to staging (staging) budget 2m');
    expect(review).toContain('     ☐ by hand: Open the staging dashboard and check the error rate');
    expect(review).toContain('   commit_hash <commit-hash>');
    expect(review.split('\n').at(-1)).toBe(' ↑↓ PgUp/PgDn scroll  Tab choice  1–9 pick  a accept  q quit');

    // accepting before choosing is refused, and says what to do
    await s.press('a');
    await s.waitFor('cannot accept yet: choose "Rollback Procedure" first (Tab to it, then 1–2)');
    await s.press('2');
    await s.waitFor('      ● 2 Option B: Redeploy the previous commit');
    expect(s.frame()).toMatch(/^ ▶ ◇ Rollback Procedure \(rollback-choice, the rollback\) → Option B: Redeploy/m);
    expect(s.frame()).toContain('   ◇ choice: Rollback Procedure → Option B: Redeploy the previous commit');
    await s.press('a');

    // the input form: typed as a paste, confirmed, nothing of it runs
    await s.waitFor(' <commit-hash> > █');
    await s.press(value);
    await s.waitFor(`<commit-hash> > ${value.slice(0, 40)}`);
    await s.press('Enter');

    // the cockpit: tick the pre-flight item, run the stage
    const ready = await s.waitFor(' ◐ Pre-flight  ○ 1. Deploy to staging  ○ 2. Verify');
    expect(ready).toMatch(/ R rollback /);
    await s.press('Space');
    await s.waitFor('│ [✓] Release notes draft… │');
    await s.waitFor('⏎ run/continue');
    await s.press('Enter');

    // the block's commands as sub-rows: passed ✓ with their time, the failing one ✗ with its exit, the rest not run
    const failed = await s.waitFor(/│ ✗ Pick the build +FAILED│/, 15_000);
    expect(failed).toMatch(/ ✗ 1\. DEPLOY TO STAGING .*FAILED +R ROLLBACK$/m);
    expect(failed).toMatch(/│ {3}✓ Pick the build +0:00│/);
    expect(failed).not.toContain('⋮');
    expect(failed).toMatch(/│ {3}✓ Announce it +0:00│/);
    expect(failed).toMatch(/│ {3}✓ Warm up +0:0[12]│/);
    expect(failed).toMatch(/│ {3}✗ Smoke test +0:00│/);
    expect(failed).toContain('│     ← failed (exit 1)    │');
    expect(failed).toContain('│   ○ Never reached        │');
    expect(failed).toContain('│   r re-runs whole block  │');
    expect(failed.split('\n').at(-2)).toMatch(/^ R rollback {2}r retry {2}s skip /);
    // the input reached the step verbatim; nothing of it ran
    expect(readFileSync(join(dir, 'deployed.txt'), 'utf8')).toBe(`deploying ${value} build 42\n`);
    for (const m of marks) expect(existsSync(m), m).toBe(false);

    // skip the failed block with a reason; the next stage waits at its manual step; space ticks it
    await s.press('s');
    await s.waitFor('Reason: ▏');
    await s.press('smoke test is a stub here');
    await s.waitFor('Reason: smoke test is a stub here');
    // a skip is confirmed like anything destructive: the Enter counts 300 ms after the previous key
    await s.press('Enter', 350);
    await s.waitFor(' ✓ Pre-flight  ✓ 1. Deploy to staging (1 skipped)  ○ 2. Verify');
    await s.press('Enter');
    const waiting = await s.waitFor('WAITING FOR TICK');
    expect(waiting).toContain('│     waiting: space ticks │');
    expect(waiting).toMatch(/☐ Open the staging dashboard and check the error/);
    await s.press('Space');
    const passed = await s.waitFor(' ✓ Pre-flight  ✓ 1. Deploy to staging (1 skipped)  ✓ 2. Verify');
    expect(passed.split('\n')[0]).toMatch(/ RELEASED +R ROLLBACK$/);

    // q leaves (nothing runs), exit 0, and nothing is left running under the temp dir
    await s.press('q');
    expect((await s.exit).code).toBe(0);
    let left: string[] = [];
    await until('no process left under the temp dir', () => (left = processesUnder(base)).length === 0, 5000, () => left.join('; '));
    for (const m of marks) expect(existsSync(m), m).toBe(false);
    // the plan's acceptance and the choice are on record
    const plans = join(sb.state, 'plans');
    const [record] = readdirSync(plans);
    expect(record).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(JSON.parse(readFileSync(join(plans, record), 'utf8'))).toMatchObject({ choices: { 'rollback-choice': 'option-2' } });
  }, 60_000);
});
