/**
 * The team's shared history on its git remote (a real `git daemon` with receive-pack on loopback):
 * alice and bob release from their own clones (each its own state directory), one of alice's
 * releases failing and rolled back; each session's summary and journal reach the remote when it
 * ends. `cockpit history` in a third clone, carol's, which ran nothing, shows all three, with the
 * same releases and DORA figures as one clone holding every journal; alice's own history shows
 * bob's release too. Six sessions shared at once from three clones all arrive. An unreachable
 * remote: said, and the clone's own releases shown. Runs
 * in-process (test/helpers/cli.ts); the steps are real processes.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyRef, readSharedHistory, shareSession } from '../../src/team/shared-history.js';
import { cockpitInProcess } from '../helpers/cli.js';
import { GitServer, gitSync } from '../helpers/git-server.js';

let server: GitServer;
let alice: string;
let bob: string;
let carol: string;
let dave: string;

const RUNBOOK = (team: boolean, remote = 'origin') =>
  [
    'name: web',
    'environment: production',
    ...(team ? [`team: { remote: ${remote}, lease: 30s }`] : []),
    'stages:',
    '  - id: deploy',
    '    steps:',
    '      - id: ship',
    `        run: [sh, -c, 'test ! -e fail']`,
    'rollback:',
    `  steps: [[sh, -c, 'echo rolled back']]`,
    '',
  ].join('\n');

beforeAll(async () => {
  server = await GitServer.start();
  [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((l) => {
    const dir = server.clone(l);
    writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK(l !== 'dave'));
    return dir;
  });
}, 30_000);
afterAll(() => server?.remove());

const state = (clone: string) => join(clone, '.state');
const env = (clone: string) => ({ COCKPIT_STATE_DIR: state(clone), COCKPIT_SPARE_SUPERVISOR: '0' });
const run = (clone: string, ...args: string[]) => cockpitInProcess(['run', '--headless', '--yes', ...args], { cwd: clone, env: env(clone) });
async function history(clone: string): Promise<{ code: number; report: { releases: Record<string, unknown>[]; dora: unknown }; err: string }> {
  const r = await cockpitInProcess(['history', '--json', '--since', 'all'], { cwd: clone, env: env(clone) });
  return { code: r.code, report: r.code === 0 ? JSON.parse(r.stdout) : { releases: [], dora: null }, err: r.stderr };
}
/** What a history says of its releases, whoever folded them (the journal's path is the folding machine's). */
const rows = (rep: { releases: Record<string, unknown>[] }) => rep.releases.map(({ journal: _j, ...rest }) => rest);

describe('the shared history on the team remote', () => {
  it('alice and bob release; carol, who ran nothing, sees every release with the DORA figures one clone with every journal gives', async () => {
    expect((await run(alice)).code).toBe(0);
    writeFileSync(join(alice, 'fail'), '');
    expect((await run(alice, '--on-failure', 'rollback')).code).toBe(3);
    expect((await run(bob)).code).toBe(0);

    // on the remote: one summary and one journal per session
    const tree = gitSync(carol, 'ls-remote', 'origin', historyRef('web'));
    expect(tree).toMatch(/^[0-9a-f]{40}\trefs\/cockpit\/history\/web$/m);
    gitSync(carol, 'fetch', '-q', 'origin', historyRef('web'));
    const files = gitSync(carol, 'ls-tree', '--name-only', 'FETCH_HEAD').trim().split('\n');
    const sessions = [...readdirSync(join(state(alice), 'sessions')), ...readdirSync(join(state(bob), 'sessions'))].sort();
    expect(files.sort()).toEqual([...sessions.flatMap((s) => [`${s}.json`, `${s}.jsonl.gz`]), 'index.jsonl'].sort());
    // the index: each session's summary on a line, the same as its file
    const index = gitSync(carol, 'cat-file', 'blob', 'FETCH_HEAD:index.jsonl').trim().split('\n');
    expect(index.map((l) => (JSON.parse(l) as { session: string }).session).sort()).toEqual(sessions);
    for (const l of index) expect(gitSync(carol, 'cat-file', 'blob', `FETCH_HEAD:${(JSON.parse(l) as { session: string }).session}.json`)).toBe(l);
    // the journal there is alice's, whole
    const first = readdirSync(join(state(alice), 'sessions')).sort()[0];
    const gz = execFileSync('git', ['cat-file', 'blob', `FETCH_HEAD:${first}.jsonl.gz`], { cwd: carol });
    expect(gunzipSync(gz).toString()).toContain('"type":"session.started"');

    const c = await history(carol);
    expect(c.code, c.err).toBe(0);
    expect(c.report.releases.map((r) => r.session).sort()).toEqual(sessions);
    expect(c.report.releases.map((r) => r.outcome).sort()).toEqual(['released', 'released', 'rolled-back']);

    // one clone with every journal (no team remote): the same releases, the same figures
    for (const from of [alice, bob]) for (const id of readdirSync(join(state(from), 'sessions'))) {
      mkdirSync(join(state(dave), 'sessions'), { recursive: true });
      cpSync(join(state(from), 'sessions', id), join(state(dave), 'sessions', id), { recursive: true });
    }
    const d = await history(dave);
    expect(d.code, d.err).toBe(0);
    expect(rows(c.report)).toEqual(rows(d.report));
    expect(c.report.dora).toEqual(d.report.dora);

    // alice's own history has bob's release too
    const a = await history(alice);
    expect(a.report.releases.map((r) => r.session).sort()).toEqual(sessions);
    expect(a.report.dora).toEqual(d.report.dora);
  }, 60_000);

  it('sessions ending at once on three machines: every one is in the tree and the index (the pushes retried, none undone)', async () => {
    const shares = Array.from({ length: 6 }, (_, i) =>
      shareSession({ cwd: [alice, bob, carol][i % 3], remote: 'origin' }, 'race', `race-${i}`, { session: `race-${i}`, runbook: 'race' }, Buffer.from(`{"n":${i}}\n`)),
    );
    expect(await Promise.all(shares)).toEqual(Array(6).fill(undefined));
    const read = await readSharedHistory({ cwd: dave, remote: 'origin' }, 'race');
    if ('unreachable' in read) throw new Error(read.unreachable);
    expect(read.summaries.map((x) => x.session).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `race-${i}`));
    // the tip read is kept in dave's clone: his next read's fetch says "have" for it, and only
    // the sessions added since travel, not every summary and journal again
    const tip = gitSync(dave, 'ls-remote', 'origin', historyRef('race')).split('\t')[0];
    expect(gitSync(dave, 'rev-parse', 'refs/cockpit/known/history/race').trim()).toBe(tip);
    gitSync(dave, 'fetch', '-q', 'origin', historyRef('race'));
    expect(gitSync(dave, 'ls-tree', '--name-only', 'FETCH_HEAD').trim().split('\n')).toHaveLength(13);
  }, 60_000);

  it('an unreachable remote: said, and this clone\'s releases shown', async () => {
    writeFileSync(join(alice, 'cockpit.yml'), RUNBOOK(true, 'nowhere'));
    try {
      const a = await history(alice);
      expect(a.code).toBe(0);
      expect(a.err).toMatch(/^cockpit: the team's shared history could not be read \(nowhere: .+\): this clone's releases only$/m);
      expect(a.report.releases).toHaveLength(readdirSync(join(state(alice), 'sessions')).length);
    } finally {
      writeFileSync(join(alice, 'cockpit.yml'), RUNBOOK(true));
    }
  }, 30_000);
});
