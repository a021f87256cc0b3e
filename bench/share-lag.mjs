// Benchmark (issue 22): the lag from a journal write of the driving cockpit to the screen of a
// follower on the stream (`cockpit watch URL`, shared with `cockpit run --share`). Target: p95
// under 500 ms.
//
// The driver runs headless a runbook of STAGES stages ("Phase 01" …), each one step of ~0.3 s,
// with --share. The bench watches the driver's journal (inotify, read at once) and stamps each
// stage.started line as it lands; two followers run on real pseudo-terminals (`script`, 100x30,
// their output read as it is written): the remote one on the URL, and, as the baseline measured
// in the same run, the local one (`cockpit watch`, which tails the same journal from disk). For
// each stage the lag is when its title first shows in the header (◐ PHASE 07) minus the stamp.
// Counted: the stages that start once both followers have drawn their first frame.
//   node bench/share-lag.mjs       (BENCH_LAG_STAGES=40)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cockpit, cockpitEnv, isMain, median, runs, tempDir } from './lib/common.mjs';

const TARGET_MS = 500;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const title = (i) => `Phase ${String(i).padStart(2, '0')}`;

function runbook(stages) {
  const lines = ['name: lag', 'environment: production', 'stages:'];
  for (let i = 1; i <= stages; i++) lines.push(`  - id: p${i}`, `    title: ${title(i)}`, '    steps:', `      - id: s${i}`, "        run: [sleep, '0.3']");
  return `${lines.join('\n')}\n`;
}

/** A command on a real pseudo-terminal (util-linux `script`): when each title first shows on its screen. */
function onPty(cmd, cwd, env, titles) {
  const p = spawn('script', ['-qfec', `stty cols 100 rows 30; exec ${cmd}`, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'ignore'] });
  const seen = new Map();
  const screen = { first: Infinity };
  let text = '';
  p.stdout.setEncoding('utf8').on('data', (d) => {
    const t = now();
    // what the terminal shows, without its escapes: enough to find a title that was drawn
    text = (text + d.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g, '')).slice(-4000);
    if (screen.first === Infinity && text.includes('R ROLLBACK')) screen.first = t;
    for (const want of titles) if (!seen.has(want) && text.includes(want)) seen.set(want, t);
  });
  return { p, seen, screen, quit: () => p.stdin.write('q') };
}

/** Stamps each stage.started of the journal at `path` as the driver writes it (inotify, then read at once). */
function stampJournal(path) {
  const stamps = new Map();
  let offset = 0;
  let partial = '';
  const read = () => {
    const t = now();
    let text;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return;
    }
    const fresh = partial + text.slice(offset);
    offset = text.length;
    const lines = fresh.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const e = JSON.parse(l);
      if (e.type === 'stage.started' && !stamps.has(e.stage)) stamps.set(e.stage, t);
    }
  };
  const w = watch(path, read);
  const poll = setInterval(read, 5);
  read();
  return { stamps, stop: () => (w.close(), clearInterval(poll)) };
}

export async function benchShareLag() {
  const stages = runs('BENCH_LAG_STAGES', 40);
  const root = tempDir('share-lag');
  const dir = join(root, 'driver');
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(dir);
  mkdirSync(elsewhere);
  writeFileSync(join(dir, 'cockpit.yml'), runbook(stages));
  const state = join(root, 'state');
  const env = cockpitEnv(state, { COCKPIT_SPARE_SUPERVISOR: '1' });
  const driver = spawn(process.execPath, [cockpit(), 'run', '--headless', '--yes', '--share'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  driver.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const done = new Promise((r) => driver.on('close', (code) => r(code)));
  while (!/read-only at (http:\S+)/.test(err)) {
    if (driver.exitCode !== null) throw new Error(`the driver ended: ${err}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const url = /read-only at (http:\S+)/.exec(err)[1];
  const sessions = join(state, 'sessions');
  while (!existsSync(sessions) || readdirSync(sessions).length === 0) await new Promise((r) => setTimeout(r, 5));
  const journal = stampJournal(join(sessions, readdirSync(sessions)[0], 'journal.jsonl'));
  const titles = Array.from({ length: stages }, (_, i) => `◐ ${title(i + 1).toUpperCase()}`);
  const remote = onPty(`${process.execPath} ${cockpit()} watch ${url}`, elsewhere, cockpitEnv(join(root, 'nostate')), titles);
  const local = onPty(`${process.execPath} ${cockpit()} watch cockpit.yml`, dir, env, titles);
  const code = await done;
  await new Promise((r) => setTimeout(r, 1500));
  journal.stop();
  for (const f of [remote, local]) f.quit();
  // the stages that started once both followers had drawn their first frame (the ones before were history when they came)
  const from = Math.max(remote.screen.first, local.screen.first) + 100;
  const counted = titles.map((t, i) => [t, journal.stamps.get(`p${i + 1}`)]).filter(([, at]) => at !== undefined && at > from);
  const lags = (f) => counted.flatMap(([t, at]) => (f.seen.has(t) ? [f.seen.get(t) - at] : []));
  const [rp, lp] = [lags(remote), lags(local)];
  const p95 = pct(rp, 95);
  // a stage a follower never showed counts against it (a screen that skips one is behind)
  const ok = code === 0 && counted.length >= stages / 2 && rp.length === counted.length && p95 < TARGET_MS;
  console.log(
    `share lag: ${stages} stages, journal write → follower screen (◐ PHASE nn in the header), ${counted.length} stages after both followers drew: remote (cockpit watch URL) ${rp.length} seen, median ${median(rp).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, worst ${Math.max(...rp).toFixed(0)} ms (target p95 < ${TARGET_MS} ms); baseline local cockpit watch (journal tailed from disk) ${lp.length} seen, median ${median(lp).toFixed(0)} ms, p95 ${pct(lp, 95).toFixed(0)} ms (remote/local p95 ×${(p95 / pct(lp, 95)).toFixed(2)}); driver exit ${code}: ${ok ? 'PASS' : 'FAIL'}`,
  );
  return { ok, p95, median: median(rp), local: pct(lp, 95) };
}

if (isMain(import.meta.url)) {
  const r = await benchShareLag();
  process.exitCode = r.ok ? 0 : 1;
}
