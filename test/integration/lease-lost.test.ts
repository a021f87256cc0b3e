/**
 * A team cockpit that loses its lease while its release runs (another cockpit took the
 * environment over: here bob's record written over alice's with a compare-and-swap push, as a
 * takeover after expiry writes it) against a real `git daemon`: alice's next renewal finds it, the
 * headless output says LEASE LOST, the journal records lease.lost, and the step, still running,
 * reads "lost: …" in the file COCKPIT_LEASE_FILE names (it read "held <token> …" before). The
 * driving cockpit is the built binary in a process of its own.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockRef } from '../../src/team/git-lease.js';
import { casPush, readRemoteRef, writeCommit } from '../../src/team/git.js';
import { encode } from '../../src/team/lease-record.js';
import { until } from '../helpers/demo-run.js';
import { teamClones, teamRunbook } from '../helpers/git-server.js';
import { BIN } from '../helpers/session-box.js';

const RUNBOOK = teamRunbook('cat "$COCKPIT_LEASE_FILE" > before.txt; while [ ! -e go ]; do sleep 0.05; done; cat "$COCKPIT_LEASE_FILE" > after.txt', { lease: '3s' });

const team = teamClones(['alice', 'bob'], RUNBOOK);
let alice: string;
let bob: string;
beforeAll(() => void ({ alice, bob } = team.clones));

describe('a lease lost while the release runs', () => {
  it('said (LEASE LOST), journalled (lease.lost), and the running step reads it in COCKPIT_LEASE_FILE', async () => {
    const state = join(alice, '.state');
    const p = spawn(process.execPath, [BIN, 'run', '--headless', '--yes'], { cwd: alice, env: { ...process.env, COCKPIT_STATE_DIR: state, COCKPIT_SPARE_SUPERVISOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
    try {
      await until('the step to read the lease file', () => existsSync(join(alice, 'before.txt')) && readFileSync(join(alice, 'before.txt'), 'utf8') !== '', 20_000, () => out);
      expect(readFileSync(join(alice, 'before.txt'), 'utf8')).toBe(`held 1 ${lockRef('web', 'production')}\n`);

      // bob takes the environment over: his record over alice's, compare-and-swap on the ref alice wrote
      const o = { cwd: bob, remote: 'origin' };
      const ref = lockRef('web', 'production');
      const seen = await readRemoteRef(o, ref);
      if (!('sha' in seen)) throw new Error('alice holds no lease');
      const now = Date.now();
      const commit = await writeCommit(o, encode({ v: 1, kind: 'lease', holder: { user: 'bob', host: 'bobs-laptop', pid: 4242 }, session: 'bob-1', since: now, expires: now + 60_000, generation: 2 }), seen.sha);
      if (!commit.ok) throw new Error(commit.error);
      expect(await casPush(o, ref, commit.out.trim(), seen.sha)).toEqual({ ok: true });

      // alice's next renewal (every second with a 3 s lease) finds it
      await until('LEASE LOST', () => out.includes('LEASE LOST'), 10_000, () => out);
      expect(out).toMatch(/^\d\d:\d\d:\d\d ⚠ LEASE LOST: the lease on production \(web\) was taken over: .+; another cockpit may now release this environment$/m);
      writeFileSync(join(alice, 'go'), '');
      await exited;
      expect(readFileSync(join(alice, 'after.txt'), 'utf8')).toMatch(/^lost: the lease on production \(web\) was taken over: /);
      const [id] = readdirSync(join(state, 'sessions'));
      const events = readFileSync(join(state, 'sessions', id, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; why?: string });
      expect(events.filter((e) => e.type === 'lease.lost')).toEqual([expect.objectContaining({ type: 'lease.lost', why: expect.stringMatching(/^the lease on production \(web\) was taken over/) })]);
      // the lease file is gone with the session
      expect(readdirSync(state).filter((f) => f.startsWith('lease-'))).toEqual([]);
    } finally {
      p.kill('SIGKILL');
    }
  }, 60_000);
});
