// Benchmark 3: a step printing 1,000,000 lines as fast as it can (bench/fixtures/flood/flood.sh:
// mawk printing ~65-byte deploy/upload progress lines, ~65 MB in all), run by the cockpit on
// bench/fixtures/flood/cockpit.yml. Per repetition, interleaved:
//   - baseline: the same script with its output redirected to a file (spawn to exit);
//   - headless: `cockpit run … --headless --yes`, its stdout drained from a pipe (like `| cat`);
//   - TUI: the cockpit screen on a 100x30 pseudo-terminal, Enter pressed after the first frame.
// The step's wall time is durationMs of step.finished in the session journal (measured by the
// step's supervisor: its start to the step's exit and the last log write); the journal's
// step.started → step.finished span is shown beside it. Medians of 5 (BENCH_FLOOD_RUNS).
// Peak RSS of the cockpit process: VmHWM from /proc/<pid>/status, polled every 25 ms (the TUI one
// is read once more after the step, with the screen still open), and wait4's maxrss.
//   node bench/flood.mjs
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BENCH, cockpit, cockpitEnv, cpuSeconds, FIRST_FRAME, isMain, journal, median, quit, report, result, run, runs, sleep, statusKb, tempDir, waitFor, watchPeak, within } from './lib/common.mjs';

const FIXTURE = join(BENCH, 'fixtures', 'flood');
const RUNBOOK = join(FIXTURE, 'cockpit.yml');
const SCRIPT = join(FIXTURE, 'flood.sh');
export const TARGET_RATIO = 1.2;
export const TARGET_RSS_MB = 150;

/** The step alone, its output to a file: wall ms from spawn to exit. */
async function baselineOnce() {
  const dir = tempDir('flood-base');
  const out = join(dir, 'out.log');
  const fd = openSync(out, 'w');
  const t0 = performance.now();
  const child = spawn(SCRIPT, [], { cwd: FIXTURE, stdio: ['ignore', fd, 'ignore'] });
  const code = await new Promise((r) => child.on('exit', r));
  const ms = performance.now() - t0;
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`flood.sh exited ${code}`);
  return ms;
}

/**
 * Diagnostic: the step under its supervisor alone (no cockpit tailing it), timed like durationMs
 * (the supervisor's start to its exit status). Separates the supervisor's cost from the cockpit's.
 */
async function supervisorOnce() {
  const dir = tempDir('flood-sup');
  const spec = { file: SCRIPT, args: [], cwd: FIXTURE, env: {}, logPath: join(dir, 'step.log'), statusPath: join(dir, 'step.status.json'), graceMs: 5000, secretNames: [] };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  const sup = join(dirname(cockpit()), '..', 'dist', 'supervisor.js');
  const child = spawn(process.execPath, [sup, join(dir, 'spec.json')], { cwd: FIXTURE, stdio: 'ignore' });
  await new Promise((r) => child.on('exit', r));
  const st = JSON.parse(readFileSync(spec.statusPath, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  if (st.state !== 'exited' || st.exitCode !== 0) throw new Error(`supervisor alone: ${JSON.stringify(st)}`);
  return st.endedAt - st.startedAt;
}

function stepTimes(state) {
  const ev = journal(state);
  const started = ev.find((e) => e.type === 'step.started' && e.step === 'flood');
  const finished = ev.find((e) => e.type === 'step.finished' && e.step === 'flood');
  if (!started || !finished) return undefined;
  if (!finished.ok) throw new Error(`the flood step failed: ${finished.reason}`);
  const batches = ev.filter((e) => e.type === 'step.output').length;
  return { durationMs: finished.durationMs, spanMs: finished.at - started.at, outputEvents: batches, exitMs: stepExitMs(state) };
}

/** The step's own wall time (its supervisor's start to the step's exit), from its status file. */
function stepExitMs(state) {
  const root = join(state, 'sessions');
  for (const id of readdirSync(root)) {
    const p = join(root, id, 'deploy.flood.status.json');
    if (!existsSync(p)) continue;
    const st = JSON.parse(readFileSync(p, 'utf8'));
    if (st.exitedAt) return st.exitedAt - st.startedAt;
  }
  return NaN;
}

async function headlessOnce() {
  const state = tempDir('flood-headless');
  const h = run([process.execPath, cockpit(), 'run', RUNBOOK, '--headless', '--yes'], { mode: 'pipe', env: cockpitEnv(state) });
  const peak = watchPeak(await h.pid);
  const e = await h.exit;
  peak.stop();
  if (e.status !== 0) throw new Error(`headless cockpit exited ${e.status}`);
  const t = stepTimes(state);
  rmSync(state, { recursive: true, force: true });
  return { ...t, hwmKb: peak.peak, maxrssKb: e.maxrss_kb, cpuS: e.utime + e.stime, outBytes: e.bytes };
}

async function tuiOnce() {
  const state = tempDir('flood-tui');
  const h = run([process.execPath, cockpit(), RUNBOOK], { env: cockpitEnv(state), expects: { first: FIRST_FRAME } });
  const pid = await h.pid;
  const peak = watchPeak(pid);
  try {
    if (Number.isNaN(await h.match('first'))) throw new Error(`the cockpit ended before its first frame: ${JSON.stringify(await h.exit)}`);
    await waitFor(() => (journal(state).some((e) => e.type === 'preflight.passed') ? true : undefined), 10_000, 'the (empty) pre-flight to pass');
    const cpu0 = cpuSeconds(pid);
    const bytes0 = (await h.stats()).bytes;
    // Enter runs the stage; pressed again if the screen was not listening yet
    for (let i = 0; ; i++) {
      h.send('\r');
      const started = await within(
        waitFor(() => (journal(state).some((e) => e.type === 'step.started') ? true : undefined), 2000, 'the step to start').catch(() => false),
        2500,
        false,
      );
      if (started) break;
      if (i === 2) throw new Error('Enter did not start the stage');
    }
    const t = await waitFor(() => stepTimes(state), 120_000, 'the flood step to finish', 50);
    const cpu = cpuSeconds(pid) - cpu0;
    const bytes = (await h.stats()).bytes - bytes0;
    await sleep(200); // the screen catches up with the end of the output
    const hwm = statusKb(pid, 'VmHWM') ?? 0;
    return { ...t, hwmKb: Math.max(hwm, peak.peak), cpuS: cpu, outBytes: bytes };
  } finally {
    peak.stop();
    await quit(h);
    rmSync(state, { recursive: true, force: true });
  }
}

const mb = (kb) => kb / 1024;

export async function benchFlood() {
  const n = runs('BENCH_FLOOD_RUNS', 5);
  console.log(`1,000,000-line step: under the cockpit (headless and screen) vs its output to a file, ${n} runs each (interleaved, medians)`);
  await baselineOnce(); // warm-up: page cache, mawk
  const base = [];
  const headless = [];
  const tui = [];
  const sup = [];
  // BENCH_FLOOD_ONLY=screen: the baseline and the screen only (a quicker look while working on it)
  const only = process.env.BENCH_FLOOD_ONLY;
  const order = [
    [baselineOnce, base],
    [supervisorOnce, sup],
    [headlessOnce, headless],
    [tuiOnce, tui],
  ].filter(([, into]) => !only || into === base || (only === 'screen' ? into === tui : into === headless));
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < order.length; k++) {
      const [fn, into] = order[(i + k) % order.length];
      into.push(await fn());
      await sleep(200);
    }
  }
  const baseMs = median(base);
  const med = (xs, f) => median(xs.map(f));
  const rows = [];
  for (const [label, xs, isTarget] of [
    ['screen', tui, true],
    ['headless', headless, false],
  ]) {
    if (xs.length === 0) continue;
    const dur = med(xs, (x) => x.durationMs);
    const span = med(xs, (x) => x.spanMs);
    rows.push(
      result({
        name: `1M-line step wall time, ${label}${isTarget ? '' : ' (for reference)'}`,
        figure: dur,
        baseline: baseMs,
        unit: 'ms',
        target: TARGET_RATIO,
        note:
          `step's exit ${xs.map((x) => x.exitMs).join('/')} ms; journal step.started→finished ${span.toFixed(0)} ms (${(span / baseMs).toFixed(2)}×); ` +
          `cockpit CPU ${med(xs, (x) => x.cpuS).toFixed(2)} s ${label === 'screen' ? 'from Enter to the end of the step' : 'in all (start-up included)'}; ` +
          `${med(xs, (x) => x.outputEvents).toFixed(0)} output batches; ${(med(xs, (x) => x.outBytes) / 1024).toFixed(0)} KiB to the ${label === 'screen' ? 'terminal during the step' : 'pipe'}; ` +
          `durations ${xs.map((x) => x.durationMs).join('/')} ms, baseline ${base.map((x) => x.toFixed(0)).join('/')} ms`,
      }),
    );
    rows.push(
      result({
        name: `1M-line step peak RSS, ${label}${isTarget ? '' : ' (for reference)'}`,
        figure: mb(med(xs, (x) => x.hwmKb)),
        baseline: NaN,
        unit: 'MB',
        target: TARGET_RSS_MB,
        verdictOn: 'figure',
        note: `VmHWM of the cockpit process, max over runs ${mb(Math.max(...xs.map((x) => x.hwmKb))).toFixed(1)} MB${xs[0].maxrssKb ? `; wait4 maxrss ${mb(med(xs, (x) => x.maxrssKb)).toFixed(1)} MB` : ''}`,
      }),
    );
  }
  if (sup.length) rows.push(
    result({
      name: '1M-line step wall time, supervisor alone (diagnostic)',
      figure: median(sup),
      baseline: baseMs,
      unit: 'ms',
      target: TARGET_RATIO,
      note: `the step under dist/supervisor.js with no cockpit following it: the part of the overhead that is the supervisor's; durations ${sup.map((x) => x.toFixed(0)).join('/')} ms`,
    }),
  );
  for (const r of rows) report(r);
  return rows;
}

if (isMain(import.meta.url)) await benchFlood();
