/**
 * Each release's changes (src/history/changes.ts) from one walk of the history instead of one git
 * call per release: on a real repository with branches, merges, a deployment of a side branch, a
 * rollback to an old version and committer clocks that go backwards, every release's commits are
 * exactly what `git log prev..this` says (the per-release answer it replaced), in the same order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changesFor, withCommits } from '../../src/history/changes.js';
import { commitsBetween } from '../../src/history/git.js';
import type { Release } from '../../src/history/log.js';
import { gitSync, gitSyncWith } from '../helpers/git-server.js';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-history-changes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let t = 1_700_000_000;
/** A commit at committer time `at` (seconds; may go backwards, as skewed clocks do). */
function commit(msg: string, at = (t += 60)): string {
  writeFileSync(join(dir, msg), `${msg}\n`); // a file each: the branches merge without conflict
  gitSync(dir, 'add', msg);
  const date = `${at} +0000`;
  // the dates go to git itself (gitSyncWith): gitSync's environment is fixed, and setting process.env
  // here, as this once did, left every commit at the real time (the skewed clocks never tested)
  gitSyncWith({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }, dir, 'commit', '-q', '-m', msg);
  return gitSync(dir, 'rev-parse', 'HEAD').trim();
}
let n = 0;
const release = (sha: string | undefined, version = `v${n}`): Release =>
  ({ session: `s${++n}`, journal: '', runbook: 'web', version, environment: 'production', startedAt: 1000 * n, live: false, kind: 'release', deployedAt: 1000 * n + 1, ...(sha ? { sha } : {}), failures: [], unconfirmed: [], fired: [] }) as unknown as Release;

describe('changes from one walk of the history', () => {
  it('every release: the commits git log prev..this lists, in its order (branches, merges, a side deployment, a rollback, clock skew)', () => {
    gitSync(dir, 'init', '-q', '-b', 'main');
    const base = commit('base');
    const a1 = commit('a1');
    gitSync(dir, 'tag', 'v-tagged');
    const a2 = commit('a2');
    gitSync(dir, 'checkout', '-q', '-b', 'side', base);
    const s1 = commit('s1', t - 3600); // an hour in the past: a skewed clock
    const s2 = commit('s2');
    gitSync(dir, 'checkout', '-q', 'main');
    const a3 = commit('a3');
    gitSyncWith({ GIT_COMMITTER_DATE: `${(t += 60)} +0000`, GIT_AUTHOR_DATE: `${t} +0000` }, dir, 'merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    const m = gitSync(dir, 'rev-parse', 'HEAD').trim();
    const a4 = commit('a4', t - 7200); // older than its parent
    const a5 = commit('a5');
    const releases = [
      release(base),
      release(undefined, 'v-tagged'), // its version names a commit (a1)
      release(a2),
      release(s1), // a deployment of the side branch
      release(a3),
      release(m),
      release(a1), // a rollback to an old version
      release(a4),
      release(a5),
      release(a5), // the same commit again
    ];
    const all = withCommits(releases, dir);
    expect(all[1].sha).toBe(a1);
    const got = changesFor(all, 0, dir);
    for (let i = 1; i < all.length; i++) {
      const want = commitsBetween(dir, all[i - 1].sha!, all[i].sha!);
      expect(got.get(all[i].session), `release ${i}`).toEqual({ commits: want });
    }
    expect(got.get(all[0].session)).toEqual({ why: 'first deployment in the log' });
    // the ranges that are not empty, by subject
    expect(all.slice(1).map((r) => ((got.get(r.session) as unknown as { commits?: { subject: string }[] }).commits ?? []).map((c) => c.subject).join(','))).toEqual([
      'a1',
      'a2',
      's1',
      'a3,a2,a1',
      'merge side,s2,s1',
      '',
      'a4,merge side,a3,s2,a2,s1', // s1's clock is an hour behind: git lists it last
      'a5',
      '',
    ]);
    void s2;
  });

  it('without git history (not a repository): each release says git is unavailable, never a crash', () => {
    const empty = mkdtempSync(join(tmpdir(), 'cockpit-no-repo-'));
    try {
      const rs = [release('a'.repeat(40)), release('b'.repeat(40))];
      expect(changesFor(withCommits(rs, empty), 0, empty).get(rs[1].session)).toEqual({ why: 'git unavailable' });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
