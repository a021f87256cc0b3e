/**
 * A new user's first release with a Markdown runbook written the way the wild corpus writes them
 * (test/fixtures/wild: a `<commit-hash>` placeholder, a stateful ```bash block with `# comment`
 * titles, a numbered step for a person, "Option A / Option B" under the rollback heading), driven
 * through the built binary in a temp git repository, headless: `--set commit_hash=$(touch …)` (and
 * `;`, backticks) never runs anything and reaches the step verbatim (the step echoes it to a file,
 * compared byte for byte). The first run on a screen (plan review, input form, the block's rows,
 * skip, tick, q) is driven in the ui tier: test/ui/plan-first-run.test.ts.
 *
 * Every command the runbook names is harmless: echo, sleep, false and the repository's own stub
 * scripts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesUnder, ROOT, runCockpit, tempRoots, until } from '../helpers/demo-run.js';

/** The runbook, as the wild corpus writes them (test/fixtures/wild-drive/release.md). */
const RUNBOOK = readFileSync(join(ROOT, 'test', 'fixtures', 'wild-drive', 'release.md'), 'utf8');

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
