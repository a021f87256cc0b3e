// Benchmark 4: rollback latency, on the built cockpit (bin/ + dist/, copied once per run).
//
// Part 1, trigger → rollback spawn (target ≤ 100 ms): `cockpit run … --headless --yes` on
// bench/fixtures/latency/trigger-*.yml. The bench serves the metric on 127.0.0.1 (http-json: no
// process per sample), turns it bad once the production step runs; the trigger (`for: 1s`,
// 100 ms samples) fires and the rollback's only step is `date +%s%N`, exec'd by its supervisor with
// no shell: its output is the wall time its process started (ns). Measured: that stamp minus the
// journal `at` of the metric.sampled event of the sample that completed the window (the fired
// trigger's last window tick); beside it trigger.fired → rollback step.started, both journal
// times. Two variants: a `monitor:` step running when it fires (nothing to kill), and a real step
// (sleep30.sh, which SIGTERM ends at once) running: the difference is the interrupt's cost.
//
// Part 2, R confirmation → rollback spawn while a step floods output (target ≤ 50 ms p99): the
// cockpit screen on a 100x30 pty (bench/fixtures/latency/ptykeys.py, which timestamps each key
// where it writes it to the pty master), fixtures/latency/flood.yml: Enter runs the stage (awk
// printing lines as fast as it can, forever) for ~1 s, R opens the dialog, R again 350 ms after the
// dialog showed confirms; measured: the rollback step's own stamp minus the wall time of that
// second R. One cockpit process per try (one rollback per incident), killed after the stamp.
// Milestones: when the cockpit had read the R (the terminal's input queue empty, polled by the
// driver), rollback.started, the flood's exit recorded, step.finished, the rollback step.started,
// its supervisor running, its process; and the cockpit's main thread's time on and waiting for a
// CPU over the try (schedstat): how much of the latency is the machine's load.
//
// Baselines, interleaved: `date +%s%N` spawned directly by node (spawn → its stamp); the same
// under a cold dist/supervisor.js (spawn → the step's stamp: a node start-up); and handed to a
// booted spare supervisor (`--standby`: spec line written → the step's stamp), the path a step
// takes when the runner has a spare ready. Diagnostic: the monitor variant with the spare turned
// off (COCKPIT_SPARE_SUPERVISOR=0), i.e. every rollback step paying a node start-up.
// Each try's milestones (journal events, the supervisors' status files) show where the time goes.
// Writes its own "## Rollback latency" section of bench/RESULTS.md (the rest is left alone).
//   node bench/latency.mjs   BENCH_LATENCY_RUNS=20 (per part-1 variant; half that without the
//                            spare), BENCH_LATENCY_KEY_RUNS=100 (part 2; cut at 50 when the tries
//                            take over BENCH_LATENCY_KEY_BUDGET_S=480 s), BENCH_LATENCY_NO_WRITE=1
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { BENCH, COLS, cockpit, cockpitEnv, FIRST_FRAME, fmt, fmtRatio, isMain, journal, median, report, result, ROWS, runs, sleep, tempDir, waitFor, within, writeRatioSection } from './lib/common.mjs';

const FIXTURE = join(BENCH, 'fixtures', 'latency');
const PTYKEYS = join(FIXTURE, 'ptykeys.py');
export const TARGET_TRIGGER_MS = 100;
export const TARGET_KEY_MS = 50;
/** The rollback dialog's line when it is open (press-R style). */
const DIALOG = 'Press R again';

/** Wall-clock ms with sub-ms resolution (Date.now() is whole ms). */
const wallNow = () => performance.timeOrigin + performance.now();

/** Nearest-rank percentile. */
export function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The wall ms printed by `date +%s%N` (the first 19-digit number in the text), or undefined. */
function stampOf(text) {
  const m = /(?:^|\s)(\d{19})(?:\s|$)/.exec(text);
  if (!m) return undefined;
  const ns = BigInt(m[1]);
  return Number(ns / 1000n) / 1000;
}

const stats = (xs) => `p50 ${fmt(median(xs), 'ms')}, p95 ${fmt(pct(xs, 95), 'ms')}, max ${fmt(Math.max(...xs), 'ms')}`;
const ms1 = (xs) => xs.map((x) => x.toFixed(0)).join('/');

/** Kills what a session left running (a try that failed halfway): every supervisor still 'running'. */
function killLeftovers(state) {
  const root = join(state, 'sessions');
  if (!existsSync(root)) return;
  for (const id of readdirSync(root)) {
    for (const f of readdirSync(join(root, id))) {
      if (!f.endsWith('.status.json')) continue;
      try {
        const st = JSON.parse(readFileSync(join(root, id, f), 'utf8'));
        if (st.state !== 'running') continue;
        for (const [pid, sig] of [
          [st.supervisorPid, 'SIGTERM'],
          [-st.pid, 'SIGKILL'],
        ]) {
          try {
            if (pid) process.kill(pid, sig);
          } catch {
            /* gone */
          }
        }
      } catch {
        /* half-written */
      }
    }
  }
}

/** When the supervisor of a step recorded its end (status file endedAt), or NaN. */
function supervisorEnd(ev, stage) {
  const started = ev.find((e) => e.type === 'step.started' && e.stage === stage && e.logPath);
  try {
    return JSON.parse(readFileSync(started.logPath.replace(/\.log$/, '.status.json'), 'utf8')).endedAt ?? NaN;
  } catch {
    return NaN;
  }
}

/** A thread's time on a CPU and waiting for one (ms), from /proc/<pid>/task/<pid>/schedstat. */
function schedstat(pid) {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { run: run / 1e6, wait: wait / 1e6 };
  } catch {
    return undefined;
  }
}

/** The rollback step's start as the journal and the files tell it, once its stamp is in the log. */
function rollbackStep(ev) {
  const started = ev.find((e) => e.type === 'step.started' && e.stage === 'rollback');
  if (!started?.logPath || !existsSync(started.logPath)) return undefined;
  const stamp = stampOf(readFileSync(started.logPath, 'utf8'));
  if (stamp === undefined) return undefined;
  let supStart;
  try {
    supStart = JSON.parse(readFileSync(started.logPath.replace(/\.log$/, '.status.json'), 'utf8')).startedAt;
  } catch {
    /* not written yet: not needed */
  }
  return { started, stamp, supStart };
}

// ── baselines ───────────────────────────────────────────────────────────────────────────────

/** `date +%s%N` spawned by node: spawn() call → the stamp. */
async function directOnce() {
  const t0 = wallNow();
  const child = spawn('date', ['+%s%N'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  await new Promise((r) => child.on('close', r));
  return stampOf(out) - t0;
}

/** The same under the step supervisor, as the runner starts it: spawn() call → the step's stamp. */
async function supervisorOnce() {
  const dir = tempDir('lat-sup');
  const spec = { file: 'date', args: ['+%s%N'], cwd: dir, env: {}, logPath: join(dir, 'step.log'), statusPath: join(dir, 'step.status.json'), graceMs: 5000, secretNames: [] };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  const sup = join(dirname(cockpit()), '..', 'dist', 'supervisor.js');
  const t0 = wallNow();
  const child = spawn(process.execPath, [sup, join(dir, 'spec.json')], { cwd: dir, stdio: 'ignore', detached: true });
  await new Promise((r) => child.on('exit', r));
  const stamp = stampOf(readFileSync(spec.logPath, 'utf8'));
  const st = JSON.parse(readFileSync(spec.statusPath, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  if (stamp === undefined) throw new Error(`supervisor baseline: no stamp (${JSON.stringify(st)})`);
  return { ms: stamp - t0, bootMs: st.startedAt - t0 };
}

/** A spare supervisor (`--standby`), booted and ready: the spec line written → the step's stamp. */
async function spareOnce() {
  const dir = tempDir('lat-spare');
  const spec = { file: 'date', args: ['+%s%N'], cwd: dir, env: {}, logPath: join(dir, 'step.log'), statusPath: join(dir, 'step.status.json'), graceMs: 5000, secretNames: [] };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  const sup = join(dirname(cockpit()), '..', 'dist', 'supervisor.js');
  const child = spawn(process.execPath, [sup, '--standby'], { cwd: '/', stdio: ['pipe', 'pipe', 'ignore'], detached: true });
  const exited = new Promise((r) => child.on('exit', r));
  const ready = await within(new Promise((r) => child.stdout.once('data', () => r(true))), 10_000, false);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error('the spare supervisor never said ready (is dist/ built from this tree?)');
  }
  const t0 = wallNow();
  child.stdin.end(`${JSON.stringify({ spec: join(dir, 'spec.json'), env: process.env })}\n`);
  await exited;
  const stamp = stampOf(readFileSync(spec.logPath, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  if (stamp === undefined) throw new Error('spare supervisor baseline: no stamp');
  return stamp - t0;
}

// ── part 1: trigger → rollback spawn ────────────────────────────────────────────────────────

function metricsServer() {
  let value = 0;
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ error_rate: value }));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}/metrics`;
      resolve({ url, set: (v) => (value = v), close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** A copy of the fixture runbook (and its script) pointing at the bench's metric server. */
function triggerRunbook(variant, url) {
  const dir = tempDir(`lat-rb-${variant}`);
  const yml = readFileSync(join(FIXTURE, `trigger-${variant}.yml`), 'utf8').replaceAll('__METRICS_URL__', url);
  writeFileSync(join(dir, 'cockpit.yml'), yml);
  copyFileSync(join(FIXTURE, 'sleep30.sh'), join(dir, 'sleep30.sh'));
  return join(dir, 'cockpit.yml');
}

async function triggerOnce(runbook, server, extraEnv = {}) {
  const state = tempDir('lat-trig');
  server.set(0);
  const child = spawn(process.execPath, [cockpit(), 'run', runbook, '--headless', '--yes'], { env: cockpitEnv(state, extraEnv), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.on('exit', (code) => r(code)));
  try {
    await within(
      waitFor(() => (journal(state).some((e) => e.type === 'step.started' && e.stage === 'production') ? true : undefined), 20_000, 'the production step to start'),
      21_000,
    );
    // a few good samples first, then bad until the end: the trigger fires ~1 s later
    await sleep(250 + Math.random() * 100);
    server.set(5);
    const code = await within(exited, 20_000, 'timeout');
    if (code !== 3) throw new Error(`the cockpit exited ${code} (expected 3, rolled back): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const ev = journal(state);
    const fired = ev.find((e) => e.type === 'trigger.fired');
    if (!fired) throw new Error('no trigger.fired in the journal');
    const lastTick = fired.window.at(-1)[0];
    const sampled = ev.find((e) => e.type === 'metric.sampled' && e.time === lastTick);
    const rs = ev.find((e) => e.type === 'rollback.started');
    const stopped = ev.find((e) => e.type === 'step.finished' && e.stage === 'production');
    const rb = rollbackStep(ev);
    if (!sampled || !rb || !rs) throw new Error('the journal or the rollback log is missing a piece');
    return {
      fromSample: rb.stamp - sampled.at,
      fromFired: rb.stamp - fired.at,
      firedToStarted: rb.started.at - fired.at,
      // where the time went, each after the completing sample's metric.sampled (journal `at`):
      // trigger.fired, the interrupted step's supervisor recording its exit (status endedAt), its
      // step.finished, the rollback step.started, the rollback supervisor's start, the stamp
      at: {
        fired: fired.at - sampled.at,
        supEnd: supervisorEnd(ev, 'production') - sampled.at,
        stopped: stopped ? stopped.at - sampled.at : NaN,
        started: rb.started.at - sampled.at,
        sup: (rb.supStart ?? NaN) - sampled.at,
        stamp: rb.stamp - sampled.at,
      },
      sampleLagMs: sampled.t - sampled.time, // the tick's fetch: not part of the figure
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    killLeftovers(state);
    rmSync(state, { recursive: true, force: true });
  }
}

// ── part 2: R, R on the screen while a step floods ──────────────────────────────────────────

function ptyKeys(argv, env) {
  const child = spawn('python3', [PTYKEYS, `${COLS}x${ROWS}`, '--', ...argv], { env, cwd: FIXTURE, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiters = new Map();
  const events = new Map();
  let resolveExit;
  const exit = new Promise((r) => (resolveExit = r));
  const fire = (key, e) => {
    events.set(key, e);
    waiters.get(key)?.(e);
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const e = JSON.parse(line);
    if (e.ev === 'spawned') fire('spawned', e);
    else if (e.ev === 'match') fire(`match:${e.id}`, e);
    else if (e.ev === 'sent') fire(`sent:${e.id}`, e);
    else if (e.ev === 'consumed') fire(`consumed:${e.id}`, e);
    else if (e.ev === 'exit') resolveExit(e);
  });
  child.on('exit', () => {
    resolveExit({ status: null });
    for (const w of waiters.values()) w(undefined);
  });
  child.stdin.on('error', () => {});
  const cmd = (o) => child.stdin.writable && child.stdin.write(`${JSON.stringify(o)}\n`);
  const wait = (key) => (events.has(key) ? Promise.resolve(events.get(key)) : new Promise((r) => waiters.set(key, r)));
  return {
    exit,
    pid: () => wait('spawned').then((e) => e?.pid),
    expect: (id, text) => (cmd({ op: 'expect', id, text }), wait(`match:${id}`)),
    send: (id, data, watch = false) => (cmd({ op: 'send', id, data, watch }), wait(`sent:${id}`)),
    consumed: (id) => wait(`consumed:${id}`),
    signal: (sig) => cmd({ op: 'signal', sig }),
    close: () => child.stdin.end(),
  };
}

async function keyOnce() {
  const state = tempDir('lat-key');
  // this flood (~65 MB/s) fills a step log's default cap (64 MiB) in about a second, after which
  // the supervisor reads nothing until the step ends: the cap is raised so that the cockpit still
  // follows the flood when the R comes (the figure is R under a live flood)
  const h = ptyKeys([process.execPath, cockpit(), join(FIXTURE, 'flood.yml')], cockpitEnv(state, { COCKPIT_LOG_MAX_BYTES: String(2 * 1024 ** 3) }));
  try {
    if (!(await within(h.expect('first', FIRST_FRAME), 20_000))) throw new Error('no first frame');
    await waitFor(() => (journal(state).some((e) => e.type === 'preflight.passed') ? true : undefined), 10_000, 'the (empty) pre-flight to pass');
    for (let i = 0; ; i++) {
      await h.send(`enter${i}`, '\r');
      const started = await within(
        waitFor(() => (journal(state).some((e) => e.type === 'step.started' && e.step === 'flood') ? true : undefined), 2000, 'the flood step').catch(() => false),
        2500,
        false,
      );
      if (started) break;
      if (i === 2) throw new Error('Enter did not start the stage');
    }
    // the flood in full swing: its output reaching the screen
    await waitFor(() => (journal(state).filter((e) => e.type === 'step.output').length >= 3 ? true : undefined), 10_000, 'the flood output');
    // a step that has been flooding for a while (over a second by the confirming R), as when an
    // operator sees the deploy go wrong; and the cockpit past its first second (its spares boot then)
    await sleep(700 + Math.random() * 200);
    const pid = await h.pid();
    let confirm;
    let sched0;
    for (let attempt = 0; attempt < 3 && !confirm; attempt++) {
      const dialogShown = h.expect(`dialog${attempt}`, DIALOG);
      await h.send(`open${attempt}`, 'R');
      if (!(await within(dialogShown, 5000))) throw new Error('R did not open the rollback dialog');
      // the dialog counts a confirmation only ≥ 300 ms after it opened (and after the previous key)
      await sleep(350);
      sched0 = schedstat(pid);
      const sent = await h.send(`confirm${attempt}`, 'R', true);
      const ok = await within(
        waitFor(() => (journal(state).some((e) => e.type === 'rollback.started') ? true : undefined), 5000, 'rollback.started').catch(() => false),
        5500,
        false,
      );
      if (ok) confirm = { sent, attempt, consumed: await within(h.consumed(`confirm${attempt}`), 2000) };
      else await h.send(`esc${attempt}`, '\x1b');
    }
    if (!confirm) throw new Error('R, R did not start the rollback');
    const rb = await waitFor(() => rollbackStep(journal(state)), 10_000, 'the rollback step stamp');
    const sched1 = schedstat(pid);
    const ev = journal(state);
    const rs = ev.find((e) => e.type === 'rollback.started');
    const stopped = ev.find((e) => e.type === 'step.finished' && e.step === 'flood');
    const keyAt = confirm.sent.after * 1000; // the R was in the pty when os.write() returned
    return {
      ms: rb.stamp - keyAt,
      writeMs: (confirm.sent.after - confirm.sent.before) * 1000,
      retried: confirm.attempt,
      // where the time went: R → rollback.started (the key read and handled) → step.finished of
      // the interrupted flood → rollback step.started → supervisor start → step stamp
      // where the time went, each after the R: rollback.started (the key read and handled), the
      // flood's supervisor recording its exit, the flood's step.finished, the rollback
      // step.started, the rollback supervisor's start, the stamp
      at: {
        read: confirm.consumed && confirm.consumed.left === 0 ? confirm.consumed.wall * 1000 - keyAt : NaN,
        rollback: rs.at - keyAt,
        supEnd: supervisorEnd(ev, 'deploy') - keyAt,
        stopped: stopped ? stopped.at - keyAt : NaN,
        started: rb.started.at - keyAt,
        sup: (rb.supStart ?? NaN) - keyAt,
        stamp: rb.stamp - keyAt,
      },
      // the cockpit's main thread from just before the R to the stamp (polled: a rough window)
      mainRun: sched0 && sched1 ? sched1.run - sched0.run : NaN,
      mainWait: sched0 && sched1 ? sched1.wait - sched0.wait : NaN,
    };
  } finally {
    h.signal(9);
    await within(h.exit, 5000);
    h.close();
    killLeftovers(state);
    // a supervisor killed a moment ago may still be closing its log
    rmSync(state, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

// ── the benchmark ───────────────────────────────────────────────────────────────────────────

/** "+x ms label, …": the median of each milestone (those with data), in milestone order. */
const breakdown = (xs, keys) =>
  keys
    .map(([k, label]) => [label, median(xs.map((x) => x.at[k]).filter(Number.isFinite))])
    .filter(([, v]) => Number.isFinite(v))
    .map(([label, v]) => `+${v.toFixed(1)} ${label}`)
    .join(', ');

const TRIGGER_MILESTONES = [
  ['fired', 'trigger.fired'],
  ['supEnd', "the running step's exit recorded by its supervisor"],
  ['stopped', 'its step.finished'],
  ['started', 'rollback step.started'],
  ['sup', 'rollback supervisor running'],
  ['stamp', 'rollback step process'],
];

export async function benchLatency() {
  const n = runs('BENCH_LATENCY_RUNS', 20);
  const nCold = Math.max(1, Math.round(n / 2));
  const nKey = runs('BENCH_LATENCY_KEY_RUNS', 100);
  const keyBudgetS = Number(process.env.BENCH_LATENCY_KEY_BUDGET_S ?? 480);
  console.log(
    `rollback latency: trigger → rollback spawn (${n} headless runs per variant, ${nCold} without the spare supervisor), ` +
      `R confirm → rollback spawn under an output flood (${nKey} screen runs, at least 50 if that takes over ${keyBudgetS} s)`,
  );
  const direct = [];
  const sup = [];
  const spare = [];
  const baselines = async () => {
    direct.push(await directOnce());
    sup.push(await supervisorOnce());
    spare.push(await spareOnce());
  };
  for (let i = 0; i < 3; i++) await baselines(); // warm-up: page cache, node
  direct.length = 0;
  sup.length = 0;
  spare.length = 0;

  const server = await metricsServer();
  const variants = { monitor: triggerRunbook('monitor', server.url), running: triggerRunbook('running', server.url) };
  const trig = { monitor: [], running: [], cold: [] };
  const failures = [];
  const attempt = async (label, fn, into) => {
    try {
      into.push(await fn());
    } catch (e) {
      failures.push(`${label}: ${e.message}`);
    }
  };
  const only = process.env.BENCH_LATENCY_ONLY; // 'trigger' or 'key': one part only (a quick look)
  try {
    for (let i = 0; i < (only === 'key' ? 0 : n); i++) {
      for (const v of i % 2 ? ['running', 'monitor'] : ['monitor', 'running']) {
        await attempt(`trigger/${v}`, () => triggerOnce(variants[v], server), trig[v]);
        await sleep(100);
      }
      // diagnostic: the same monitor runbook with the spare supervisor turned off (a cold start)
      if (i % 2 === 1 || n === 1) await attempt('trigger/cold', () => triggerOnce(variants.monitor, server, { COCKPIT_SPARE_SUPERVISOR: '0' }), trig.cold);
      await baselines();
    }
  } finally {
    await server.close();
  }

  const keys = [];
  const t0 = Date.now();
  let cut = false;
  for (let i = 0; i < (only === 'trigger' ? 0 : nKey); i++) {
    if (i >= 50 && (Date.now() - t0) / 1000 > keyBudgetS) {
      cut = true;
      break;
    }
    await attempt('key', keyOnce, keys);
    if (i % 5 === 4) await baselines();
  }
  const keySeconds = (Date.now() - t0) / 1000;

  const directMs = median(direct);
  const rows = [];
  for (const [v, label, diagnostic] of [
    ['monitor', 'a monitor step running', false],
    ['running', 'a sleep step running (interrupted first)', false],
    ['cold', 'a monitor step running, no spare supervisor (diagnostic)', true],
  ]) {
    const xs = trig[v];
    const fromSample = xs.map((x) => x.fromSample);
    const note =
      `${xs.length} runs: ${stats(fromSample)}; from the trigger.fired event ${stats(xs.map((x) => x.fromFired))}; ` +
      `journal trigger.fired → rollback step.started ${stats(xs.map((x) => x.firedToStarted))}; ` +
      `after the sample (medians, ms): ${breakdown(xs, TRIGGER_MILESTONES)}; all ${ms1(fromSample)} ms`;
    for (const [p, name] of diagnostic ? [[50, 'median']] : [[50, 'median'], [95, 'p95']]) {
      rows.push(
        result({
          name: `trigger sample → rollback step spawn, ${label} (${name})`,
          figure: p === 50 ? median(fromSample) : pct(fromSample, p),
          baseline: directMs,
          unit: 'ms',
          target: TARGET_TRIGGER_MS,
          verdictOn: 'figure',
          note: p === 50 ? note : '',
        }),
      );
    }
  }
  const k = keys.map((x) => x.ms);
  const keyNote =
    `p50 ${fmt(median(k), 'ms')}, p95 ${fmt(pct(k, 95), 'ms')}, p99 ${fmt(pct(k, 99), 'ms')}, max ${fmt(Math.max(...k), 'ms')} over ${keys.length} tries in ${keySeconds.toFixed(0)} s` +
    `${cut ? ` (stopped before ${nKey}: over the ${keyBudgetS} s budget)` : ''}; ${keys.filter((x) => x.retried).length} needed a second confirm; ` +
    `after the R (medians, ms): ${breakdown(keys, [
      ['read', 'the cockpit read it (input queue empty)'],
      ['rollback', 'rollback.started'],
      ['supEnd', "the flood's exit recorded by its supervisor"],
      ['stopped', 'its step.finished'],
      ['started', 'rollback step.started'],
      ['sup', 'rollback supervisor running'],
      ['stamp', 'rollback step process'],
    ])}; the cockpit's main thread from the R to the stamp: ${median(keys.map((x) => x.mainRun)).toFixed(0)} ms on a CPU, ` +
    `${median(keys.map((x) => x.mainWait)).toFixed(0)} ms waiting for one (medians); ` +
    `the slowest: ${[...keys]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((x) => `${x.ms.toFixed(0)} ms (${['read', 'rollback', 'supEnd', 'stopped', 'started', 'sup'].map((m) => (Number.isFinite(x.at[m]) ? x.at[m].toFixed(0) : '-')).join('/')}; main thread ${x.mainRun.toFixed(0)}+${x.mainWait.toFixed(0)} ms)`)
      .join(', ')}`;
  rows.push(
    result({
      name: `R confirm → rollback step spawn, output flooding (p99 of ${keys.length})`,
      figure: pct(k, 99),
      baseline: directMs,
      unit: 'ms',
      target: TARGET_KEY_MS,
      verdictOn: 'figure',
      note: keyNote,
    }),
  );
  rows.push(
    result({
      name: `R confirm → rollback step spawn, output flooding (median, for reference)`,
      figure: median(k),
      baseline: directMs,
      unit: 'ms',
      target: TARGET_KEY_MS,
      verdictOn: 'figure',
    }),
  );
  const ref = (name, xs, note) =>
    rows.push(result({ name, figure: median(xs), baseline: name.includes('directly') ? NaN : directMs, unit: 'ms', target: Infinity, verdictOn: 'figure', targetText: '—', note: `${xs.length} runs: ${stats(xs)}${note ? `; ${note}` : ''}` }));
  ref('spawn → start of `date`, spawned directly by node (baseline, for reference)', direct);
  ref('spawn → step start, cold dist/supervisor.js (baseline, for reference)', sup.map((x) => x.ms), `of which node start-up to the supervisor's first line ${fmt(median(sup.map((x) => x.bootMs)), 'ms')}`);
  ref('spec handed to a spare supervisor → step start (baseline, for reference)', spare, 'the path every step takes when a spare is ready');
  if (process.env.BENCH_LATENCY_DUMP) writeFileSync(process.env.BENCH_LATENCY_DUMP, JSON.stringify({ trig, keys, direct, sup, spare }, null, 1));
  for (const r of rows) report(r);
  for (const f of failures) console.log(`  failed try: ${f}`);
  return rows;
}

// ── RESULTS.md: this benchmark's own section ────────────────────────────────────────────────

const HEADING = '## Rollback latency';

/** Writes (or replaces) the "## Rollback latency" section of bench/RESULTS.md, leaving the rest. */
export function writeSection(rows, when = {}) {
  writeRatioSection(HEADING, 'bench/latency.mjs', rows, when);
}

if (isMain(import.meta.url)) {
  const started = new Date();
  const load0 = loadavg()[0];
  const rows = await benchLatency();
  const load1 = loadavg()[0];
  const date = started.toISOString().slice(0, 16).replace('T', ' ');
  const header = ['date', 'figure', 'measured', 'baseline', 'ratio', 'target', 'verdict'];
  const table = rows.map((r) => [date, r.name, fmt(r.figure, r.unit), fmt(r.baseline, r.unit), fmtRatio(r.ratio), r.targetText, r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const t of table) console.log(line(t));
  console.log(`\nload average ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end (${cpus().length} CPUs)`);
  if (process.env.BENCH_LATENCY_NO_WRITE !== '1') {
    writeSection(rows, { started, load0, load1 });
    console.log(`written: ${join('bench', 'RESULTS.md')} (section "${HEADING.slice(3)}")`);
  }
}
