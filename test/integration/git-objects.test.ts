/**
 * The lease's commits read and written by the cockpit itself (src/team/git-objects.ts), checked
 * against real git: what it writes, git reads back (cat-file, log, fsck) and pushes; what git
 * writes, it reads as `git log --format=%B` gives it; and every case it does not handle answers
 * undefined (the caller asks git).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { objectDir, readLooseCommit, writeLooseCommit } from '../../src/team/git-objects.js';
import { writeCommit } from '../../src/team/git.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const ENV = { ...process.env, GIT_AUTHOR_NAME: 'cockpit', GIT_AUTHOR_EMAIL: 'cockpit@localhost', GIT_COMMITTER_NAME: 'cockpit', GIT_COMMITTER_EMAIL: 'cockpit@localhost' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
function repo(...initArgs: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'cockpit-objects-'));
  roots.push(d);
  git(d, 'init', '-q', ...initArgs);
  return d;
}
const MESSAGE = JSON.stringify({ v: 1, kind: 'lease', holder: { user: 'ålice', host: 'laptop', pid: 42 }, message: 'shipping "2.4.0"\nsecond line' });

describe('lease commits in the object store', () => {
  it('what the cockpit writes, git reads back, checks and pushes; the same text gives the same id', () => {
    const d = repo();
    const objects = objectDir(d)!;
    expect(objects).toBe(join(d, '.git', 'objects'));
    const first = writeLooseCommit(objects, MESSAGE, undefined, 1_800_000_000_000)!;
    const second = writeLooseCommit(objects, 'next', first, 1_800_000_001_000)!;
    expect(git(d, 'cat-file', '-t', second).trim()).toBe('commit');
    expect(git(d, 'log', '--format=%B', '-1', first).trim()).toBe(MESSAGE);
    expect(git(d, 'rev-parse', `${second}^`).trim()).toBe(first);
    expect(git(d, 'log', '--format=%an <%ae> %at', '-1', second).trim()).toBe('cockpit <cockpit@localhost> 1800000001');
    git(d, 'update-ref', 'refs/cockpit/locks/web/prod', second);
    // the empty tree is written with the commits (git reads it without; fsck wants it there)
    expect(git(d, 'fsck', '--strict', '--no-dangling', '--no-progress').trim()).toBe('');
    expect(writeLooseCommit(objects, MESSAGE, undefined, 1_800_000_000_000)).toBe(first);
    const bare = repo('--bare');
    git(d, 'push', '-q', bare, `${second}:refs/cockpit/locks/web/prod`);
    expect(git(bare, 'rev-parse', 'refs/cockpit/locks/web/prod').trim()).toBe(second);
    expect(git(bare, 'fsck', '--strict', '--no-dangling', '--no-progress').trim()).toBe('');
  });

  it("what git writes (commit-tree -m), it reads as git log's %B gives it", () => {
    const d = repo();
    const sha = git(d, 'commit-tree', '4b825dc642cb6eb9a060e54bf8d69288fbee4904', '-m', MESSAGE).trim();
    expect(readLooseCommit(objectDir(d)!, sha)).toBe(git(d, 'log', '--format=%B', '-1', sha).trim());
  });

  it('where git writes the commit (a linked worktree), the empty tree is written too: fsck finds nothing missing', async () => {
    const d = repo();
    git(d, 'commit', '-q', '--allow-empty', '-m', 'base');
    git(d, 'worktree', 'add', '-q', join(d, 'wt'));
    const made = await writeCommit({ cwd: join(d, 'wt'), remote: 'origin' }, 'by git', undefined);
    if (!made.ok) throw new Error(made.error);
    git(d, 'update-ref', 'refs/cockpit/locks/web/prod', made.out.trim());
    expect(git(d, 'log', '--format=%B', '-1', 'refs/cockpit/locks/web/prod').trim()).toBe('by git');
    expect(git(d, 'fsck', '--strict', '--no-dangling', '--no-progress').trim()).toBe('');
  });

  it('what it does not handle answers undefined: not there, packed, not a commit, a worktree, GIT_DIR, SHA-256', () => {
    const d = repo();
    const objects = objectDir(d)!;
    expect(readLooseCommit(objects, '0'.repeat(40))).toBeUndefined();
    expect(readLooseCommit(objects, 'not-a-sha')).toBeUndefined();
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: d, input: 'x' }).toString().trim();
    expect(readLooseCommit(objects, blob)).toBeUndefined();
    const sha = writeLooseCommit(objects, 'packed', undefined)!;
    git(d, 'update-ref', 'refs/x', sha);
    git(d, 'gc', '-q', '--prune=now');
    expect(readLooseCommit(objects, sha)).toBeUndefined();
    expect(git(d, 'log', '--format=%B', '-1', sha).trim()).toBe('packed');
    // a linked worktree's .git is a file: git decides
    git(d, 'commit', '-q', '--allow-empty', '-m', 'base');
    git(d, 'worktree', 'add', '-q', join(d, 'wt'));
    expect(objectDir(join(d, 'wt'))).toBeUndefined();
    expect(objectDir(d, { GIT_DIR: join(d, '.git') })).toBeUndefined();
    const sub = join(d, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    expect(objectDir(sub)).toBe(objects);
    // a bare repository at the directory itself (a follower's scratch repository) is plain too
    const bare = repo('--bare');
    expect(objectDir(bare)).toBe(join(bare, 'objects'));
    const written = writeLooseCommit(join(bare, 'objects'), 'in a bare one', undefined)!;
    expect(git(bare, 'log', '--format=%B', '-1', written).trim()).toBe('in a bare one');
    let sha256: string | undefined;
    try {
      sha256 = repo('--object-format=sha256');
    } catch {
      /* a git without SHA-256 */
    }
    if (sha256) expect(objectDir(sha256)).toBeUndefined();
    const outside = mkdtempSync(join(tmpdir(), 'cockpit-noobj-'));
    roots.push(outside);
    writeFileSync(join(outside, 'x'), '');
    expect(objectDir(outside)).toBeUndefined();
  });
});
