// Benchmark: CPU of the cockpit screen while a step runs (the running step's spinner turning),
// against the idle screen of the same run. A one-step runbook (`sleep 30`, no pre-flight) is opened
// on a 100x30 pseudo-terminal; from 12 s after its start (BENCH_SPINNER_SETTLE_S), utime+stime of
// its node process is read over a window with nothing running (idle), then Enter runs the step and,
// after its step.started and a 1 s settle, over the same window again (running). Also counted per
// window: the frames drawn (Ink's synchronized-update openings in what the terminal received) and
// the bytes. The idle screen must stay at 0.00 %. The running figure holds the spinner and the
// elapsed clock's tick once a second: the spinner's own cost is measured against a build without
// it (BENCH_SPINNER_COMPARE), runs interleaved: this build's running − idle minus that build's,
// ≤ 2 % of a core.
//   node bench/spinner-cpu.mjs      BENCH_SPINNER_SECONDS=10 (each window), BENCH_SPINNER_RUNS=3
//   BENCH_SPINNER_COMPARE=/path/to/bin/cockpit.js  the build without the spinner (built from an
//                                   earlier commit); BENCH_SPINNER_COMPARE_LABEL names it in RESULTS.md
//   BENCH_SPINNER_NO_WRITE=1        leaves bench/RESULTS.md alone (else its "## Spinner CPU" section)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  CLK_TCK,
  cockpit,
  cockpitEnv,
  cpuSeconds,
  FIRST_FRAME,
  fmt,
  isMain,
  journal,
  median,
  quit,
  report,
  result,
  run,
  runs,
  sleep,
  tempDir,
  waitFor,
  writeResultsSection,
  runLine,
  tableAndNotes,
} from './lib/common.mjs';

export const TARGET_PCT = 2;
/** The idle window starts this long after the cockpit did, at the earliest. */
const SETTLE_S = Number(process.env.BENCH_SPINNER_SETTLE_S ?? 12);
/** Ink opens every frame it writes with a synchronized-update sequence (BSU) on a terminal. */
const BSU = '\x1b[?2026h';

function runbook(dir, seconds) {
  const file = join(dir, 'cockpit.yml');
  writeFileSync(
    file,
    [
      'name: spinner-bench',
      'version: "1.0.0"',
      'environment: staging',
      'stages:',
      '  - id: wait',
      '    title: Wait',
      '    steps:',
      '      - id: sleeper',
      `        title: Sleep ${seconds} s`,
      `        run: [sleep, "${seconds}"]`,
      '',
    ].join('\n'),
  );
  return file;
}

/** CPU %, frames and bytes of `pid` over `seconds`; `h` is the ptyrun handle, `log` its output file. */
async function window(h, pid, log, seconds) {
  const t0 = performance.now();
  const s0 = await h.stats();
  const c0 = cpuSeconds(pid);
  await sleep(seconds * 1000);
  const c1 = cpuSeconds(pid);
  const s1 = await h.stats();
  const wall = (performance.now() - t0) / 1000;
  const text = readFileSync(log, 'latin1').slice(s0.bytes, s1.bytes);
  return { pct: ((c1 - c0) / wall) * 100, cpu: c1 - c0, wall, frames: text.split(BSU).length - 1, bytes: s1.bytes - s0.bytes };
}

/**
 * Each build has a code cache of its own (COCKPIT_CACHE_DIR): in the shared one, builds measured
 * in turn would delete each other's, and its write (1.5 s after the screen loaded) would land in
 * a window.
 */
const caches = new Map();
const cacheOf = (bin) => caches.get(bin) ?? caches.set(bin, tempDir('spin-cache')).get(bin);
const codeCached = (bin) => readdirSync(cacheOf(bin)).some((f) => f.startsWith('code-') && f.endsWith('.v8'));

/** One cockpit of `bin`: the idle window, then the running window. */
async function once(bin, seconds) {
  const state = tempDir('spin');
  const dir = tempDir('spin-rb');
  const log = join(dir, 'pty.log');
  // the step outlives its settle and the window, with room to spare
  const file = runbook(dir, Math.max(30, seconds + 20));
  const spawned = performance.now();
  const h = run([process.execPath, bin, file], { env: cockpitEnv(state, { COCKPIT_CACHE_DIR: cacheOf(bin) }), expects: { first: FIRST_FRAME }, log });
  try {
    const pid = await h.pid;
    if (Number.isNaN(await h.match('first'))) throw new Error(`the cockpit ended before its first frame: ${JSON.stringify(await h.exit)}`);
    // the hint bar offers Enter (its key and its label are coloured apart)
    await h.expect('ready', ' run/continue');
    // the code cache written (the first run of a build writes it), and V8's memory reducer done
    // with the start-up's garbage: its full collections (~8 s after the start, 20-40 ms of CPU)
    // would land in the idle window otherwise
    await waitFor(() => (codeCached(bin) ? true : undefined), 10_000, 'the code cache to be written');
    await sleep(Math.max(1000, SETTLE_S * 1000 - (performance.now() - spawned)));
    const idle = await window(h, pid, log, seconds);
    h.send('\r');
    await waitFor(() => (journal(state).some((e) => e.type === 'step.started') ? true : undefined), 10_000, 'the step to start');
    await sleep(1000);
    const running = await window(h, pid, log, seconds);
    const ended = journal(state).some((e) => e.type === 'step.finished');
    if (ended) throw new Error('the step finished during the window: the figure would not be of a running step');
    return { idle, running };
  } finally {
    await quit(h);
  }
}

const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0);
/** A window's count per second over every run: `which` is 'idle' or 'running'. */
const perS = (xs, which, field) => sum(xs, (x) => x[which][field]) / sum(xs, (x) => x[which].wall);

/** One build's runs in a few figures (medians of the runs) and a line of detail. */
function figures(xs, seconds) {
  const running = median(xs.map((x) => x.running.pct));
  const idle = median(xs.map((x) => x.idle.pct));
  const framesPerS = perS(xs, 'running', 'frames');
  const detail =
    `running ${xs.map((x) => x.running.pct.toFixed(2)).join('/')} %, idle ${xs.map((x) => x.idle.pct.toFixed(2)).join('/')} % (resolution ${(100 / CLK_TCK / seconds).toFixed(2)} %); ` +
    `${framesPerS.toFixed(2)} frames/s running (${perS(xs, 'idle', 'frames').toFixed(2)}/s idle), ` +
    `${(perS(xs, 'running', 'bytes') / 1024).toFixed(2)} KiB/s to the terminal running (${perS(xs, 'idle', 'bytes').toFixed(0)} B/s idle), ` +
    `${((1000 * sum(xs, (x) => x.running.cpu - x.idle.cpu)) / Math.max(1, sum(xs, (x) => x.running.frames - x.idle.frames))).toFixed(1)} ms of CPU a frame`;
  return { running, idle, framesPerS, detail };
}

/**
 * Rows: the running screen against the idle one (for reference: the elapsed clock's tick once a
 * second is in it too), the idle screen (must be 0.00 %), and with BENCH_SPINNER_COMPARE the
 * spinner's own cost: this build's running − idle minus the compared build's (≤ 2 % of a core).
 */
export async function benchSpinner() {
  const seconds = Number(process.env.BENCH_SPINNER_SECONDS ?? 10);
  const n = runs('BENCH_SPINNER_RUNS', 3);
  const other = process.env.BENCH_SPINNER_COMPARE;
  const bins = [cockpit(), ...(other ? [other] : [])];
  console.log(`CPU while a step runs (a sleep, its spinner turning) vs the idle screen, ${seconds} s windows, ${n} run(s) each${other ? `, against ${other}` : ''}`);
  const all = bins.map(() => []);
  for (let i = 0; i < n; i++) {
    // alternate the order so a slow phase of the machine hits both alike
    const order = i % 2 ? [...bins.keys()].reverse() : [...bins.keys()];
    for (const b of order) all[b].push(await once(bins[b], seconds));
  }
  const f = all.map((xs) => figures(xs, seconds));
  const rows = [
    result({ name: 'CPU while a step runs (spinner turning)', figure: f[0].running, baseline: f[0].idle, unit: '%', target: Infinity, verdictOn: 'figure', targetText: '— (reference)', note: f[0].detail }),
    result({ name: 'idle screen, same run (no spinner)', figure: f[0].idle, baseline: NaN, unit: '%', target: 0.05, verdictOn: 'figure', targetText: '0.00 %' }),
  ];
  if (other) {
    rows.push(
      result({ name: 'CPU while a step runs, compared build', figure: f[1].running, baseline: f[1].idle, unit: '%', target: Infinity, verdictOn: 'figure', targetText: '— (reference)', note: `${other}: ${f[1].detail}` }),
      result({
        name: "the spinner's cost (running − idle, this build − compared)",
        figure: f[0].running - f[0].idle - (f[1].running - f[1].idle),
        baseline: f[1].running - f[1].idle,
        unit: '%',
        target: TARGET_PCT,
        verdictOn: 'figure',
        targetText: `≤ ${TARGET_PCT} % of a core`,
        note: `${(f[0].framesPerS - f[1].framesPerS).toFixed(2)} more frames/s`,
      }),
    );
  }
  for (const r of rows) report(r);
  return rows;
}

/** The "## Spinner CPU" section of bench/RESULTS.md. */
function section(rows, started, load0, load1) {
  const other = process.env.BENCH_SPINNER_COMPARE;
  const header = ['figure', 'measured', 'baseline (idle)', 'target', 'verdict'];
  return [
    'Written by `node bench/spinner-cpu.mjs` (see the top of that file for what is measured); the latest run only.',
    '',
    runLine(started, load0, load1, { after: other ? `; compared build: ${process.env.BENCH_SPINNER_COMPARE_LABEL ?? other}` : '' }),
    '',
    ...tableAndNotes(
      header,
      rows.map((r) => [r.name, fmt(r.figure, r.unit), fmt(r.baseline, r.unit), r.targetText, r.targetText.startsWith('—') ? '—' : r.verdict]),
      rows,
    ),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const started = new Date();
  const load0 = loadavg()[0];
  const rows = await benchSpinner();
  if (process.env.BENCH_SPINNER_NO_WRITE !== '1') {
    writeResultsSection('## Spinner CPU', section(rows, started, load0, loadavg()[0]));
    console.log('written: bench/RESULTS.md (section "Spinner CPU")');
  }
}
