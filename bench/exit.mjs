// Exit latency of the screen: from q to the process's exit (wait4), on a 100x30 pseudo-terminal,
// against `node -e 0` (spawn → exit, same pty), runs interleaved, medians:
//   - after a release   (test/fixtures/exit/release.yml, q as soon as session.ended is journalled)
//   - after a rollback  (test/fixtures/exit/rollback.yml --on-failure rollback, the same)
//   - idle quickstart   (examples/quickstart/cockpit.yml, automated pre-flight checks done)
//   node bench/exit.mjs            (BENCH_EXIT_RUNS=7; 1 warm-up run of each is dropped)
//   BENCH_EXIT_BIN=<bin/cockpit.js of another build> measures that build instead (before/after a change)
// Exiting must finish the session's work (the journal flushed and fsynced, the lock released,
// spare supervisors ended): the figure is what an operator waits for after q.
import { cpSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { cockpit, cockpitEnv, FIRST_FRAME,  isMain, journal, median, QUICKSTART, report, result, ROOT, run, runs, sleep, tempDir, waitFor, warmCacheDir, within, writeRatioSection } from './lib/common.mjs';

/** q → exit at most this many times `node -e 0`'s spawn → exit (a ratio: the machine's load cancels out). */
export const TARGET = 1.5;
const FIXTURES = join(ROOT, 'test', 'fixtures', 'exit');
const bin = () => process.env.BENCH_EXIT_BIN ?? cockpit();

async function baselineOnce() {
  const h = run([process.execPath, '-e', '0']);
  h.close();
  const e = await h.exit;
  if (e.status !== 0) throw new Error(`node -e 0 failed: ${JSON.stringify(e)}`);
  return e.t * 1000;
}

const ended = (state) => (journal(state).some((e) => e.type === 'session.ended') ? true : undefined);

/** The automated pre-flight checks have run: every step started has finished, the journal quiet for 300 ms. */
const quiet = (state) => {
  const ev = journal(state);
  const started = ev.filter((e) => e.type === 'step.started').length;
  const finished = ev.filter((e) => e.type === 'step.finished').length;
  return started > 0 && started === finished && Date.now() - (ev.at(-1)?.at ?? Date.now()) > 300 ? true : undefined;
};

const CASES = {
  release: { argv: (fx) => [join(fx, 'release.yml'), '--yes'], ready: ended, what: 'the release to end', enter: true },
  rollback: { argv: (fx) => [join(fx, 'rollback.yml'), '--yes', '--on-failure', 'rollback'], ready: ended, what: 'the rollback to end', enter: true },
  idle: { argv: () => [QUICKSTART], ready: quiet, what: 'the pre-flight checks to finish' },
};

/** Milliseconds from q to the cockpit's exit. */
async function exitOnce(name) {
  const c = CASES[name];
  const state = tempDir('exit');
  // a copy of the fixtures: the rollback writes its risk register beside its runbook
  const fx = tempDir('exit-fx');
  cpSync(FIXTURES, fx, { recursive: true });
  const h = run([process.execPath, bin(), 'run', ...c.argv(fx)], { env: cockpitEnv(state, { COCKPIT_CACHE_DIR: await warmCacheDir(bin()) }), expects: { first: FIRST_FRAME } });
  if (Number.isNaN(await h.match('first'))) throw new Error(`${name}: the cockpit ended before its first frame: ${JSON.stringify(await h.exit)}`);
  // the release starts on Enter (the screen waits for its operator)
  // (a key typed before the screen reads its input is lost: again until the stage has started)
  if (c.enter)
    await waitFor(() => {
      if (journal(state).some((e) => e.type === 'stage.started')) return true;
      h.send('\r');
      return undefined;
    }, 20_000, `${name}: the stage to start`, 300);
  try {
    await waitFor(() => c.ready(state), 30_000, `${name}: ${c.what}`);
  } catch (e) {
    h.signal(9);
    throw e;
  }
  h.send('q');
  // answered after the q was written to the terminal: its time, on ptyrun's clock
  const { t: qAt } = await h.stats();
  const e = await within(h.exit, 15_000);
  if (!e) {
    h.signal(9);
    throw new Error(`${name}: the cockpit did not exit within 15 s of q`);
  }
  if (e.signal) throw new Error(`${name}: killed: ${JSON.stringify(e)}`);
  return (e.t - qAt) * 1000;
}

export async function benchExit() {
  const n = runs('BENCH_EXIT_RUNS', 7);
  console.log(`exit latency: q → exit after a release, after a rollback, idle quickstart, vs node -e 0; ${n} runs each (interleaved, medians)`);
  const names = Object.keys(CASES);
  await baselineOnce();
  for (const name of names) await exitOnce(name);
  const base = [];
  const got = Object.fromEntries(names.map((x) => [x, []]));
  for (let i = 0; i < n; i++) {
    base.push(await baselineOnce());
    for (const name of i % 2 ? [...names].reverse() : names) got[name].push(await exitOnce(name));
    await sleep(100);
  }
  const rows = names.map((name) =>
    result({
      name: `q → exit (${name})`,
      figure: median(got[name]),
      baseline: median(base),
      unit: 'ms',
      target: TARGET,
      note: `min/max ${Math.min(...got[name]).toFixed(0)}/${Math.max(...got[name]).toFixed(0)} ms; node -e 0 (spawn → exit) ${median(base).toFixed(0)} ms`,
    }),
  );
  for (const r of rows) report(r);
  return rows;
}

const HEADING = '## Exit latency';

if (isMain(import.meta.url)) {
  const started = new Date();
  const load0 = loadavg()[0];
  const rows = await benchExit();
  if (process.env.BENCH_EXIT_NO_WRITE !== '1') writeRatioSection(HEADING, 'bench/exit.mjs', rows, { started, load0, load1: loadavg()[0] });
}
