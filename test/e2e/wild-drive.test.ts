/**
 * A new user's first release with a Markdown runbook written the way the wild corpus writes them
 * (test/fixtures/wild: a `<commit-hash>` placeholder, a stateful ```bash block with `# comment`
 * titles, a numbered step for a person, "Option A / Option B" under the rollback heading), driven
 * through the built binary in a temp git repository:
 *
 * - on a real terminal at 80×24: the plan review shows the stage, the manual step, the rollback
 *   choice NOT MADE and the input; the choice is picked and the plan accepted; the input form takes
 *   a hostile value; the stage runs, the block's command rows show ✓ ✓ ✗ ○ with the failing line's
 *   exit, and what `r` re-runs; the failed block is skipped with a reason, the manual step ticked
 *   with space, the release passes, q leaves, and no process is left under the temp dir;
 * - headless: `--set commit_hash=$(touch …)` (and `;`, backticks) never runs anything and reaches
 *   the step verbatim (the step echoes it to a file, compared byte for byte).
 *
 * Every command the runbook names is harmless: echo, sleep, false and the repository's own stub
 * scripts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, killProcessesUnder, processesUnder, runCockpit, tempRoots, tmuxServerPid, until } from '../helpers/demo-run.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const RUNBOOK = `# Shop Release

## Pre-release Checklist

- [ ] Release notes drafted

## Release Process

### 1. Deploy to staging (2 minutes)

\`\`\`bash
# Pick the build
V=42
# Announce it
echo "deploying <commit-hash> build $V" | tee deployed.txt
# Warm up
sleep 1
# Smoke test
false
# Never reached
echo never
\`\`\`

### 2. Verify

1. Open the staging dashboard and check the error rate

## Rollback Procedure

### Option A: Helm rollback

\`\`\`bash
./scripts/helm-rollback.sh
\`\`\`

### Option B: Redeploy the previous commit

\`\`\`bash
./scripts/redeploy.sh previous
\`\`\`
`;

const root = tempRoots();

/** A temp git repository holding the runbook and the stub scripts it names; state, cache and config inside it too. */
function repo(): { dir: string; env: Record<string, string> } {
  const base = root('cockpit-wild-drive-');
  const dir = join(base, 'repo');
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  writeFileSync(join(dir, 'release.md'), RUNBOOK);
  for (const [name, body] of [
    ['helm-rollback.sh', 'echo rolling back with helm'],
    ['redeploy.sh', 'echo "redeploying $1"'],
  ]) {
    writeFileSync(join(dir, 'scripts', name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, 'scripts', name), 0o755);
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=drive', '-c', 'user.email=drive@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'the runbook');
  const env = { COCKPIT_STATE_DIR: join(base, 'state'), COCKPIT_CONFIG_DIR: join(base, 'config'), COCKPIT_CACHE_DIR: join(base, 'cache') };
  return { dir: base, env };
}

/** A value that would create files if it ever reached a shell as code. */
function hostile(base: string): { value: string; marks: string[] } {
  const marks = ['pwned-subst', 'pwned-semicolon', 'pwned-backtick'].map((n) => join(base, n));
  return { value: `$(touch ${marks[0]}); touch ${marks[1]} \`touch ${marks[2]}\``, marks };
}

const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
});

function leftUnder(dir: string): string[] {
  const server = tmuxServerPid();
  return processesUnder(dir, server === undefined ? [] : [server]);
}

describe.skipIf(!hasTmux())('a wild-style Markdown runbook, first run on a terminal (tmux, 80×24)', () => {
  it('reviews the plan, picks the rollback method, takes the input, runs the block to its failing line, ticks the manual step, leaves nothing running', async () => {
    const { dir: base, env } = repo();
    const dir = join(base, 'repo');
    const { value, marks } = hostile(base);
    const s = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} release.md`, { cols: 80, rows: 24, cwd: dir, env, name: 'cockpit-wild' });
    sessions.push(s);
    try {
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
      // (the importer's uncertain mappings, "⚠ line N: …", would show at the top: see the report of this drive)

      // accepting before choosing is refused, and says what to do
      s.keys('a');
      await s.waitFor('cannot accept yet: choose "Rollback Procedure" first (Tab to it, then 1–2)');
      s.keys('2');
      await s.waitFor('      ● 2 Option B: Redeploy the previous commit');
      expect(s.screen()).toMatch(/^ ▶ ◇ Rollback Procedure \(rollback-choice, the rollback\) → Option B: Redeploy/m);
      expect(s.screen()).toContain('   ◇ choice: Rollback Procedure → Option B: Redeploy the previous commit');
      s.keys('a');

      // the input form: typed as a paste, confirmed, nothing of it runs
      await s.waitFor(' <commit-hash> > █');
      s.type(value);
      await s.waitFor(`<commit-hash> > ${value.slice(0, 40)}`);
      s.keys('Enter');

      // the cockpit: tick the pre-flight item, run the stage
      const ready = await s.waitFor(' ◐ Pre-flight  ○ 1. Deploy to staging  ○ 2. Verify');
      expect(ready).toMatch(/ R rollback /);
      s.keys('Space');
      await s.waitFor('│ [✓] Release notes draft… │');
      await s.waitFor('⏎ run/continue');
      s.keys('Enter');

      // the block's commands as sub-rows: passed ✓ with their time, the failing one ✗ with its exit, the rest not run
      const failed = await s.waitFor(/│ ✗ Pick the build +FAILED│/, { timeoutMs: 15_000 });
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
      s.keys('s');
      await s.waitFor('Reason: ▏');
      s.type('smoke test is a stub here');
      await s.waitFor('Reason: smoke test is a stub here');
      // a skip is confirmed like anything destructive: the Enter counts 300 ms after the previous key
      await s.gap(350);
      s.keys('Enter');
      await s.waitFor(' ✓ Pre-flight  ✓ 1. Deploy to staging (1 skipped)  ○ 2. Verify');
      s.keys('Enter');
      const waiting = await s.waitFor('WAITING FOR TICK');
      expect(waiting).toContain('│     waiting: space ticks │');
      expect(waiting).toMatch(/☐ Open the staging dashboard and check the error/);
      s.keys('Space');
      const passed = await s.waitFor(' ✓ Pre-flight  ✓ 1. Deploy to staging (1 skipped)  ✓ 2. Verify');
      expect(passed.split('\n')[0]).toMatch(/ RELEASED +R ROLLBACK$/);

      // q leaves (nothing runs), exit 0, and nothing is left running under the temp dir
      s.keys('q');
      expect(await s.waitForExit({ timeoutMs: 10_000 })).toBe(0);
      let left: string[] = [];
      await until('no process left under the temp dir', () => (left = leftUnder(base)).length === 0, 5000, () => left.join('; '));
      for (const m of marks) expect(existsSync(m), m).toBe(false);
      // the plan's acceptance and the choice are on record
      const plans = join(env.COCKPIT_STATE_DIR, 'plans');
      const [record] = readdirSync(plans);
      expect(record).toMatch(/^[0-9a-f]{64}\.json$/);
      expect(JSON.parse(readFileSync(join(plans, record), 'utf8'))).toMatchObject({ choices: { 'rollback-choice': 'option-2' } });
    } finally {
      s.kill();
      const server = tmuxServerPid();
      killProcessesUnder(base, server === undefined ? [] : [server]);
    }
  }, 60_000);
});

describe('a hostile input value, headless through the built binary', () => {
  it('--set commit_hash=$(touch …); touch … `touch …` runs nothing and reaches the step verbatim', async () => {
    const { dir: base, env } = repo();
    const dir = join(base, 'repo');
    const { value, marks } = hostile(base);
    const r = await runCockpit(['run', '--headless', '--yes', '--choose', 'rollback-choice=1', '--set', `commit_hash=${value}`, 'release.md'], { cwd: dir, env: { ...process.env, CI: 'true', ...env } });
    // the block fails at its smoke test, as written
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stdout).toContain(`▸ plan as given (sha256 `);
    expect(r.stdout).toContain(`inputs commit_hash=${value}`);
    expect(r.stdout).toMatch(/failed at command 4\/5 \(line 8 of the block\): false/);
    expect(r.stdout).not.toMatch(/│ never$/m);
    expect(readFileSync(join(dir, 'deployed.txt'), 'utf8')).toBe(`deploying ${value} build 42\n`);
    for (const m of marks) expect(existsSync(m), m).toBe(false);
    let left: string[] = [];
    await until('no process left under the temp dir', () => (left = processesUnder(base)).length === 0, 5000, () => left.join('; '));
  }, 30_000);
});
