/**
 * The lease on the team's git remote (src/team/git-lease.ts) against a real git server on loopback
 * (`git daemon` with receive-pack: test/helpers/git-server.ts), from several clones, as operators on
 * several machines would: one holder at a time, the holder named to whoever is refused, a takeover
 * only after expiry with a strictly growing token, the old holder told it lost the lease, holds that
 * refuse every start with their reason, an unreachable remote said as such, and a ref that is not a
 * lease never overwritten.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitLease, lockRef, readHold, refPart, setHold, type Acquired, type NotAcquired } from '../../src/team/git-lease.js';
import { CLOCK_SKEW_MS, decodeLease, type LeaseHolder } from '../../src/team/lease-record.js';
import { GitServer, gitSync } from '../helpers/git-server.js';
import { readRemoteRef } from '../../src/team/git.js';

let server: GitServer;
let clones: string[];
beforeAll(async () => {
  server = await GitServer.start();
  clones = ['alice', 'bob', 'ci'].map((l) => server.clone(l));
}, 30_000);
afterAll(() => server?.remove());

const TTL = 5000;
const who = (user: string, pid = 4242, ci?: string): LeaseHolder => ({ user, host: `${user}-laptop`, pid, ...(ci ? { ci } : {}) });
let n = 0;
/** A fresh environment for each test (its own ref). */
const target = () => ({ runbook: 'web app', environment: `production-${++n}` });
const lease = (clone: string, t: { runbook: string; environment: string }, now?: () => number, ttlMs = TTL) => new GitLease({ cwd: clone, remote: 'origin', ttlMs, ...(now ? { now } : {}) }, t);
const refused = (r: Acquired | NotAcquired) => (r.ok ? 'acquired' : r.why);

describe('a lease on the git remote', () => {
  it('one holder: another clone is refused with the holder, where, since when and their message; after release the next holder gets a greater token', async () => {
    const t = target();
    const a = lease(clones[0], t);
    const got = await a.acquire(who('alice'), 'session-a', 'shipping 2.4.0');
    expect(got).toEqual({ ok: true, token: 1 });
    const b = await lease(clones[1], t).acquire(who('bob', 77), 'session-b');
    expect(b.ok).toBe(false);
    expect(refused(b)).toMatch(
      /^production-\d+ \(web app\) is held by alice@alice-laptop \(pid 4242\) since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(session session-a\): "shipping 2\.4\.0"; the lease runs [45] s more unless renewed$/,
    );
    expect(await a.release()).toBe(true);
    const again = await lease(clones[1], t).acquire(who('bob', 77), 'session-b');
    expect(again).toEqual({ ok: true, token: 2 });
    // the ref's log is the environment's history of holders
    gitSync(clones[2], 'fetch', '-q', 'origin', `+${lockRef(t.runbook, t.environment)}:refs/seen`);
    const log = gitSync(clones[2], 'log', '--format=%B%x00', 'refs/seen').split('\0').map((m) => m.trim()).filter(Boolean);
    expect(log.map((m) => decodeLease(m)).map((r) => (typeof r === 'string' ? r : `${r.kind} ${r.holder.user} ${r.generation}`))).toEqual(['lease bob 2', 'released alice 1', 'lease alice 1']);
  });

  it('renewed, it stays held; taken over only once expired (the token grows), and the old holder learns it lost the lease', async () => {
    const t = target();
    let clock = Date.now();
    const a = lease(clones[0], t, () => clock);
    expect(await a.acquire(who('alice'), 'session-a')).toEqual({ ok: true, token: 1 });
    clock += TTL - 1000;
    expect(await a.renew()).toEqual({ ok: true });
    // past the first expiry, but renewed: still held
    clock += 2000;
    const early = await lease(clones[1], t, () => clock).acquire(who('bob'), 'session-b');
    expect(early.ok).toBe(false);
    // the holder stops renewing (kill -9): free once its expiry and the skew allowance have passed
    clock += TTL + CLOCK_SKEW_MS;
    const b = await lease(clones[1], t, () => clock).acquire(who('bob'), 'session-b');
    expect(b).toMatchObject({ ok: true, token: 2, tookOver: { holder: { user: 'alice' }, generation: 1 } });
    const lost = await a.renew();
    expect(lost).toMatchObject({ ok: false, lost: true });
    expect(a.token).toBeUndefined();
  });

  it('a read offers the last commit it saw as "have": renewals are fetched, not the whole chain of holders again', async () => {
    const t = target();
    const ref = lockRef(t.runbook, t.environment);
    const a = lease(clones[0], t);
    expect((await a.acquire(who('alice'), 'session-a')).ok).toBe(true);
    const first = await readRemoteRef({ cwd: clones[2], remote: 'origin' }, ref);
    if (!('sha' in first)) throw new Error(`not read: ${JSON.stringify(first)}`);
    const known = `refs/cockpit/known/${ref.split('/').slice(2).join('/')}`;
    expect(gitSync(clones[2], 'rev-parse', known).trim()).toBe(first.sha);
    for (let i = 0; i < 3; i++) expect(await a.renew()).toEqual({ ok: true });
    // a cockpit killed mid-read left its namespace (its pid runs no more): the next read removes it
    const dead = spawnSync('true').pid;
    gitSync(clones[2], 'update-ref', `refs/cockpit/seen/${dead}-0badc0de/0`, first.sha);
    const trace = join(server.root, `packets-${t.environment}`);
    process.env.GIT_TRACE_PACKET = trace;
    let second: Awaited<ReturnType<typeof readRemoteRef>>;
    try {
      second = await readRemoteRef({ cwd: clones[2], remote: 'origin' }, ref);
    } finally {
      delete process.env.GIT_TRACE_PACKET;
    }
    if (!('sha' in second)) throw new Error(`not read: ${JSON.stringify(second)}`);
    expect(decodeLease(second.message)).toMatchObject({ kind: 'lease', holder: { user: 'alice' } });
    expect(readFileSync(trace, 'utf8')).toContain(`fetch> have ${first.sha}`);
    expect(gitSync(clones[2], 'rev-parse', known).trim()).toBe(second.sha);
    expect(gitSync(clones[2], 'for-each-ref', 'refs/cockpit/seen')).toBe('');
    await a.release();
  });

  it("a read fetches its own environment's lease only: not one whose name it begins (production-N-eu)", async () => {
    const t = target();
    const eu = { runbook: t.runbook, environment: `${t.environment}-eu` };
    expect((await lease(clones[0], eu).acquire(who('erin'), 'session-eu')).ok).toBe(true);
    const euSha = gitSync(clones[0], 'ls-remote', 'origin', lockRef(eu.runbook, eu.environment)).split('\t')[0];
    expect((await lease(clones[0], t).acquire(who('alice'), 'session-a')).ok).toBe(true);
    const read = await readRemoteRef({ cwd: clones[1], remote: 'origin' }, lockRef(t.runbook, t.environment));
    expect('sha' in read && decodeLease(read.message)).toMatchObject({ holder: { user: 'alice' } });
    expect(() => execFileSync('git', ['cat-file', '-e', euSha], { cwd: clones[1], stdio: 'ignore' })).toThrow();
  });

  it('a renewal in flight when the session ends does not undo the release: the next holder takes it at once', async () => {
    const t = target();
    const a = lease(clones[0], t);
    expect(await a.acquire(who('alice'), 'session-a')).toEqual({ ok: true, token: 1 });
    const [renewed, released] = await Promise.all([a.renew(), a.release()]);
    expect(renewed).toEqual({ ok: true });
    expect(released).toBe(true);
    expect(await lease(clones[1], t).acquire(who('bob'), 'session-b')).toEqual({ ok: true, token: 2 });
  });

  it('12 contenders from 3 clones at once, 3 times: exactly one holds, every other is refused naming it', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const t0 = performance.now();
      const t = target();
      // nobody renews here: a lease long enough to outlast the contention on a loaded machine
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => lease(clones[i % 3], t, undefined, 120_000).acquire(who(`op${i}`, 1000 + i), `session-${i}`)));
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      expect(winners, JSON.stringify(results.map(refused))).toHaveLength(1);
      const holder = `op${winners[0]}@op${winners[0]}-laptop (pid ${1000 + winners[0]})`;
      for (const r of results) if (!r.ok) expect(r.why).toContain(`is held by ${holder}`);
      console.log(`trial ${trial}: ${Math.round(performance.now() - t0)} ms`);
    }
    // each read fetched into a namespace of its own and removed it: four at once in one clone
    // shared no ref lock, and nothing is left in the operators' clones
    for (const c of clones) expect(gitSync(c, 'for-each-ref', 'refs/cockpit/seen')).toBe('');
  }, 120_000);

  it('a hold refuses every start with its reason until it is lifted', async () => {
    const t = target();
    const o = { cwd: clones[2], remote: 'origin' };
    expect(await setHold(o, t, 'hold', who('carol'), 'code freeze until Monday')).toBeUndefined();
    const r = await lease(clones[0], t).acquire(who('alice'), 'session-a');
    expect(refused(r)).toMatch(/^production-\d+ \(web app\) is on hold since .+ UTC by carol@carol-laptop \(pid 4242\): code freeze until Monday \(cockpit unhold lifts it\)$/);
    expect(await readHold(o, t)).toMatchObject({ record: { kind: 'hold', reason: 'code freeze until Monday' } });
    expect(await setHold(o, t, 'unheld', who('carol'), 'freeze over')).toBeUndefined();
    expect(await setHold(o, t, 'unheld', who('carol'), 'again')).toMatch(/is not on hold$/);
    expect(await lease(clones[0], t).acquire(who('alice'), 'session-a')).toEqual({ ok: true, token: 1 });
  });

  it('an unreachable remote is said as such, never taken for a free lease', async () => {
    const dir = clones[0];
    gitSync(dir, 'remote', 'add', 'down', 'git://127.0.0.1:9/team.git');
    const r = await new GitLease({ cwd: dir, remote: 'down', ttlMs: TTL }, target()).acquire(who('alice'), 's');
    expect(r).toMatchObject({ ok: false, unreachable: true });
    expect(refused(r)).toMatch(/^down: /);
  });

  it('a ref that is not a cockpit lease is never overwritten', async () => {
    const t = target();
    const dir = clones[1];
    const tree = gitSync(dir, 'mktree').trim();
    const sha = gitSync(dir, 'commit-tree', tree, '-m', 'someone else\'s ref').trim();
    gitSync(dir, 'push', '-q', 'origin', `${sha}:${lockRef(t.runbook, t.environment)}`);
    const r = await lease(clones[0], t).acquire(who('alice'), 's');
    expect(refused(r)).toMatch(/: not a cockpit lease \(its commit message is not JSON\)$/);
    expect(gitSync(dir, 'ls-remote', 'origin', lockRef(t.runbook, t.environment)).split('\t')[0]).toBe(sha);
  });

  it('ref names from any runbook or environment name are valid git ref parts', () => {
    expect(refPart('web app')).toBe('web-app');
    expect(refPart('本番 環境')).toBe('本番-環境');
    expect(refPart('..prod..lock')).toBe('prod-lock');
    expect(refPart('a/b:c~d^e?f*g[h\\i@{j')).toBe('a-b-c-d-e-f-g-h-i-j');
    expect(refPart('...')).toBe('unnamed');
    for (const name of ['web app', '本番 環境', '..prod..lock', 'a/b:c', 'x.lock', '-v1.']) {
      expect(() => gitSync(clones[0], 'check-ref-format', `refs/cockpit/locks/${refPart(name)}/x`), name).not.toThrow();
    }
  });

  it('a background guard adopts the lease its screen held: the same token, renewed in its name; the screen’s renewal then fails; another token is refused', async () => {
    const t = target();
    const screen = lease(clones[0], t);
    const got = await screen.acquire(who('alice', 100), 'session-a');
    if (!got.ok) throw new Error(got.why);
    const guard = lease(clones[0], t);
    expect(await guard.adopt(who('alice', 200), got.token + 1)).toMatch(/^the lease on .+ is no longer generation 2 \(lease generation 1 of alice@alice-laptop\)$/);
    expect(await guard.adopt(who('alice', 200), got.token)).toBe(true);
    expect(guard.token).toBe(got.token);
    // whoever asks now is told the guard holds it
    const other = await lease(clones[1], t).acquire(who('bob'), 'session-b');
    expect(refused(other)).toMatch(/is held by alice@alice-laptop \(pid 200/);
    // the screen's lease is the guard's now
    expect(await screen.renew()).toMatchObject({ ok: false, lost: true });
    expect(await guard.renew()).toEqual({ ok: true });
    expect(await guard.release()).toBe(true);
    const next = await lease(clones[1], t).acquire(who('bob'), 'session-b');
    expect(next).toMatchObject({ ok: true, token: got.token + 1 });
  });
});
