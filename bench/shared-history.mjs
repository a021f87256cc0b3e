// Benchmark (issue 22): `cockpit history` over a team's shared history of 10,000 sessions on its
// git remote (a real `git daemon` on loopback). Two real releases are run first (one released, one
// rolled back) so the remote holds two real summaries; 10,000 synthetic sessions are made from
// them (their ids, times, versions and commits varied) and written to the history ref in one
// `git fast-import`. Measured: the whole `cockpit history --json --since all` in a clone that ran
// none of them: `--json` the first time (the summaries fetched; checked: 10,002 releases), then
// the plain report and `--json` again (already fetched). Baselines in the same run: `node -e 0`, one `git ls-remote`.
// Target: under 1 s.
//   node bench/shared-history.mjs          (BENCH_HISTORY_SESSIONS=10000, BENCH_HISTORY_RUNS=5)
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { git, startGitDaemon } from './lib/git-daemon.mjs';
import { cockpit, isMain, median, runs, tempDir } from './lib/common.mjs';

const TARGET_MS = 1000;
const REF = 'refs/cockpit/history/web';


const RUNBOOK = [
  'name: web',
  'environment: production',
  'team: { remote: origin, lease: 30s }',
  'stages:',
  '  - id: deploy',
  '    steps:',
  '      - id: ship',
  "        run: [sh, -c, 'test ! -e fail']",
  'rollback:',
  "  steps: [[sh, -c, 'echo rolled back']]",
  '',
].join('\n');

function timed(cmd, args, o = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, ...o });
  return { ms: performance.now() - t0, r };
}

/** The two real summaries on the remote, as templates. */
function templates(clone) {
  git(clone, 'fetch', '-q', 'origin', REF);
  const names = git(clone, 'ls-tree', '--name-only', 'FETCH_HEAD').split('\n').filter((n) => n.endsWith('.json'));
  return names.map((n) => JSON.parse(git(clone, 'cat-file', 'blob', `FETCH_HEAD:${n}`)));
}

/** 10,000 sessions from the templates, one every 20 minutes back from now, in one fast-import stream. */
function synthesize(clone, count, tpl, shas) {
  const now = Date.now();
  const lines = [];
  const blob = (mark, data) => {
    const b = Buffer.from(data);
    lines.push(`blob\nmark :${mark}\ndata ${b.length}\n`, b, '\n');
  };
  const entries = [];
  // the index every writer keeps beside the files: the real sessions' lines, then the synthetic ones
  const index = [git(clone, 'cat-file', 'blob', 'FETCH_HEAD:index.jsonl').trimEnd()];
  const journal = gzipSync('{"type":"session.started"}\n');
  blob(1, journal);
  for (let i = 0; i < count; i++) {
    const t = tpl[i % tpl.length];
    const at = now - (count - i) * 20 * 60_000;
    const session = `synthetic-${String(i).padStart(5, '0')}`;
    const shift = at - t.release.startedAt;
    // deployments move forward through the commits, as a team's do (several on one commit: redeploys)
    const release = { ...t.release, session, version: `1.${Math.floor(i / 100)}.${i % 100}`, sha: shas[Math.floor((i * shas.length) / count)] };
    for (const k of ['startedAt', 'endedAt', 'deployedAt']) if (typeof release[k] === 'number') release[k] += shift;
    if (release.rollback) release.rollback = { ...release.rollback, incidentAt: release.rollback.incidentAt + shift };
    const line = JSON.stringify({ v: 1, session, release });
    index.push(line);
    blob(i + 2, line);
    entries.push(`M 100644 :${i + 2} ${session}.json\n`, `M 100644 :1 ${session}.jsonl.gz\n`);
  }
  blob(count + 2, index.join('\n') + '\n');
  entries.push(`M 100644 :${count + 2} index.jsonl\n`);
  const parent = git(clone, 'rev-parse', 'FETCH_HEAD').trim();
  lines.push(`commit ${REF}\ncommitter bench <b@b> ${Math.floor(now / 1000)} +0000\ndata 5\nbench\nfrom ${parent}\n`, ...entries, '\n');
  execFileSync('git', ['fast-import', '--quiet', '--force'], { cwd: clone, input: Buffer.concat(lines.map((l) => (typeof l === 'string' ? Buffer.from(l) : l))) });
  git(clone, 'push', '-q', 'origin', `${REF}:${REF}`);
}

export async function benchSharedHistory() {
  const count = runs('BENCH_HISTORY_SESSIONS', 10_000);
  const n = runs('BENCH_HISTORY_RUNS', 5);
  const root = tempDir('history');
  const { url, stop } = await startGitDaemon(root);
  try {
    const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', COCKPIT_SPARE_SUPERVISOR: '0' };
    const ops = join(root, 'ops');
    git(root, 'clone', '-q', url, ops);
    for (let i = 0; i < 200; i++) execFileSync('git', ['commit', '-q', '--allow-empty', '-m', `change ${i}`], { cwd: ops, env });
    git(ops, 'push', '-q', 'origin', 'HEAD');
    writeFileSync(join(ops, 'cockpit.yml'), RUNBOOK);
    const run = (...a) => spawnSync(process.execPath, [cockpit(), 'run', '--headless', '--yes', ...a], { cwd: ops, env: { ...env, COCKPIT_STATE_DIR: join(ops, '.state') }, encoding: 'utf8' });
    if (run().status !== 0) throw new Error('the released run did not release');
    writeFileSync(join(ops, 'fail'), '');
    if (run('--on-failure', 'rollback').status !== 3) throw new Error('the failing run did not roll back');
    const shas = git(ops, 'rev-list', '--reverse', 'HEAD').trim().split('\n');
    synthesize(ops, count, templates(ops), shas);

    const reader = join(root, 'reader');
    git(root, 'clone', '-q', url, reader);
    writeFileSync(join(reader, 'cockpit.yml'), RUNBOOK);
    const history = (...extra) => timed(process.execPath, [cockpit(), 'history', '--since', 'all', ...extra], { cwd: reader, env: { ...env, COCKPIT_STATE_DIR: join(reader, '.state') } });
    const first = history('--json');
    if (first.r.status !== 0) throw new Error(`cockpit history failed: ${first.r.stderr}`);
    const listed = JSON.parse(first.r.stdout).releases.length;
    const again = [];
    const json = [];
    const node0 = [];
    const lsRemote = [];
    for (let i = 0; i < n; i++) {
      node0.push(timed(process.execPath, ['-e', '0']).ms);
      lsRemote.push(timed('git', ['ls-remote', url]).ms);
      const h = history();
      if (h.r.status !== 0 || !h.r.stdout.includes(` 1.${Math.floor((count - 1) / 100)}.${(count - 1) % 100} `)) throw new Error(`cockpit history failed: ${h.r.stderr}`);
      again.push(h.ms);
      json.push(history('--json').ms);
    }
    if (process.env.BENCH_HISTORY_PROFILE) timed(process.execPath, ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_HISTORY_PROFILE, cockpit(), 'history', '--since', 'all'], { cwd: reader, env: { ...env, COCKPIT_STATE_DIR: join(reader, '.state') } });
    const med = median(again);
    const ok = listed === count + 2 && med <= TARGET_MS;
    console.log(
      `shared history: ${count + 2} sessions on the remote, ${listed} listed; cockpit history --json first ${first.ms.toFixed(0)} ms (summaries fetched); then cockpit history median ${med.toFixed(0)} ms, worst ${Math.max(...again).toFixed(0)} ms of ${n} (target ≤ ${TARGET_MS} ms), --json (${count + 2} releases, pretty-printed) median ${median(json).toFixed(0)} ms; baselines: node -e 0 ${median(node0).toFixed(0)} ms (×${(med / median(node0)).toFixed(1)}), git ls-remote ${median(lsRemote).toFixed(0)} ms: ${ok ? 'PASS' : 'FAIL'}`,
    );
    return { ok, first: first.ms, median: med, listed };
  } finally {
    stop();
  }
}

if (isMain(import.meta.url)) {
  const r = await benchSharedHistory();
  process.exitCode = r.ok ? 0 : 1;
}
