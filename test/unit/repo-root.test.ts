/**
 * A Markdown runbook inside a git repository runs its commands from the repository root: in
 * docs/runbooks/release.md, `./scripts/x.sh` is the repository's scripts/x.sh. Its .cockpit/ stays
 * beside it; a cockpit.yml keeps its own directory. In-process through main(argv, io).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { repositoryRoot, runDirOf } from '../../src/runbook/run-dir.js';

const RUNBOOK = ['# Release', '', '## Release Process', '', '### Deploy', '', '```bash', '# Deploy', './scripts/x.sh', '```', ''].join('\n');

let repo: string;
let cache: string;
const saved = { ...process.env };
beforeEach(() => {
  repo = realpathSync(mkdtempSync(join(tmpdir(), 'cockpit-repo-')));
  cache = mkdtempSync(join(tmpdir(), 'cockpit-repo-cache-'));
  delete process.env.COCKPIT_STATE_DIR;
  process.env.COCKPIT_CACHE_DIR = cache;
  mkdirSync(join(repo, '.git'));
  mkdirSync(join(repo, 'scripts'));
  mkdirSync(join(repo, 'docs', 'runbooks'), { recursive: true });
  // the step writes where it runs: the file says which scripts/x.sh ran, and from where
  writeFileSync(join(repo, 'scripts', 'x.sh'), '#!/bin/sh\necho "root script in $(pwd -P)" > ran.txt\n');
  chmodSync(join(repo, 'scripts', 'x.sh'), 0o755);
  writeFileSync(join(repo, 'docs', 'runbooks', 'release.md'), RUNBOOK);
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(repo, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

async function cockpit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** The dry run's line for the step, after its id. */
const step = (r: { out: string[] }) => r.out.find((l) => l.includes('./scripts/x.sh'))?.replace(/^ {2}[\w-]+: /, '');

describe('a Markdown runbook in docs/ of a git repository', () => {
  const file = () => join(repo, 'docs', 'runbooks', 'release.md');

  it('runs ./scripts/x.sh as the repository root’s scripts/x.sh, from the root; its .cockpit/ stays beside the runbook', async () => {
    const r = await cockpit('run', file(), '--headless', '--yes');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(repo, 'ran.txt'), 'utf8')).toBe(`root script in ${repo}\n`);
    expect(existsSync(join(repo, 'docs', 'runbooks', 'ran.txt'))).toBe(false);
    expect(existsSync(join(repo, 'docs', 'runbooks', '.cockpit', 'sessions'))).toBe(true);
    expect(existsSync(join(repo, '.cockpit'))).toBe(false);
  });

  it('validate says so; the dry run finds the script at the root', async () => {
    const v = await cockpit('validate', file());
    expect(v.code).toBe(0);
    expect(v.out).toContain(`  ${file()}:1: commands run from the repository root ${repo} (the runbook is in docs/runbooks)`);
    expect(step(await cockpit('run', '--dry-run', file()))).toBe('["./scripts/x.sh"]');
  });

  it('the cached runbook follows the repository: without .git the script is looked for beside the runbook', async () => {
    expect(step(await cockpit('run', '--dry-run', file()))).toBe('["./scripts/x.sh"]');
    rmSync(join(repo, '.git'), { recursive: true });
    expect(step(await cockpit('run', '--dry-run', file()))).toBe(`["./scripts/x.sh"]  (missing: ./scripts/x.sh (no such file in ${join(repo, 'docs', 'runbooks')}))`);
  });

  it('a worktree’s .git file marks the root too; a cockpit.yml beside the Markdown keeps its own directory', () => {
    rmSync(join(repo, '.git'), { recursive: true });
    writeFileSync(join(repo, '.git'), 'gitdir: /elsewhere/.git/worktrees/x\n');
    expect(repositoryRoot(join(repo, 'docs', 'runbooks'))).toBe(repo);
    expect(runDirOf(file())).toBe(repo);
    const md = loadRunbook(file());
    expect(md.ok && { dir: md.runbook.dir, home: md.runbook.home }).toEqual({ dir: repo, home: join(repo, 'docs', 'runbooks') });
    writeFileSync(join(repo, 'docs', 'runbooks', 'cockpit.yml'), 'name: y\nstages:\n  - id: deploy\n    steps: [./scripts/x.sh]\n');
    const y = loadRunbook(join(repo, 'docs', 'runbooks', 'cockpit.yml'));
    expect(y.ok && { dir: y.runbook.dir, home: y.runbook.home }).toEqual({ dir: join(repo, 'docs', 'runbooks'), home: undefined });
  });

  it('outside any repository a Markdown runbook runs from its own directory, and says nothing of it', async () => {
    rmSync(join(repo, '.git'), { recursive: true });
    expect(repositoryRoot(join(repo, 'docs', 'runbooks'))).toBeUndefined();
    const v = await cockpit('validate', file());
    expect(v.out.join('\n')).not.toContain('repository root');
  });
});
