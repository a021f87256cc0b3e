// Shared by the benchmarks: running the cockpit on a pseudo-terminal (through ptyrun.py), reading
// /proc, medians, the result rows. No dependencies beyond node and python3.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH = join(ROOT, 'bench');
const PTYRUN = join(BENCH, 'lib', 'ptyrun.py');
export const COLS = 100;
export const ROWS = 30;
/** What the first frame of the cockpit screen shows (the header's rollback hint). */
export const FIRST_FRAME = 'R ROLLBACK';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** True when the module at `url` is the script node was started with. */
export const isMain = (url) => process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === url;

/** Number of runs, overridable by an env variable (BENCH_RUNS scales every count for a quick look). */
export function runs(name, dflt) {
  const v = process.env[name] ?? process.env.BENCH_RUNS;
  const n = v === undefined ? dflt : Number.parseInt(v, 10);
  return Number.isFinite(n) && n > 0 ? n : dflt;
}

const temps = [];
export function tempDir(prefix) {
  const d = mkdtempSync(join(tmpdir(), `cockpit-bench-${prefix}-`));
  temps.push(d);
  return d;
}
export function cleanupTemps() {
  while (temps.length) rmSync(temps.pop(), { recursive: true, force: true });
}
process.once('exit', cleanupTemps);

let cockpitBin;
/**
 * The cockpit to measure: by default a copy of bin/ and dist/ taken once per run, so a rebuild
 * running beside the benchmark (npm test wipes dist/) cannot change or break it halfway.
 * BENCH_USE_TREE=1 runs bin/cockpit.js of the work tree instead.
 */
export function cockpit() {
  if (cockpitBin) return cockpitBin;
  if (!existsSync(join(ROOT, 'dist', 'cockpit.js')) || !existsSync(join(ROOT, 'dist', 'supervisor.js')))
    throw new Error('dist/ is not built: run "node scripts/build.mjs" first');
  if (process.env.BENCH_USE_TREE === '1') return (cockpitBin = join(ROOT, 'bin', 'cockpit.js'));
  const d = tempDir('build');
  cpSync(join(ROOT, 'dist'), join(d, 'dist'), { recursive: true });
  mkdirSync(join(d, 'bin'));
  cpSync(join(ROOT, 'bin', 'cockpit.js'), join(d, 'bin', 'cockpit.js'));
  cpSync(join(ROOT, 'package.json'), join(d, 'package.json'));
  return (cockpitBin = join(d, 'bin', 'cockpit.js'));
}

/** The environment of a measured cockpit: a real terminal type, not CI, its own state dir. */
export function cockpitEnv(stateDir, extra = {}) {
  const env = { ...process.env, TERM: 'xterm-256color', CI: 'false', COCKPIT_STATE_DIR: stateDir, ...extra };
  // Ink and the cockpit read these: make the screen the same for every run
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.COLUMNS;
  delete env.LINES;
  return env;
}

/**
 * Runs a command under ptyrun.py: on a pseudo-terminal (mode 'pty', the default) or with its
 * output drained from a pipe (mode 'pipe'). Returns a handle:
 *   pid (promise), match(id) (promise of seconds after the spawn), matchEvent(id), expect(id, text),
 *   send(data), stats(), signal(sig), exit (promise of { t, status, utime, stime, maxrss_kb, bytes }).
 */
export function run(argv, { mode = 'pty', env = process.env, cwd = ROOT, expects = {}, log } = {}) {
  const args = [PTYRUN, ...(mode === 'pipe' ? ['--pipe'] : ['--pty', `${COLS}x${ROWS}`])];
  if (log) args.push('--log', log);
  for (const [k, v] of Object.entries(expects)) args.push('--expect', `${k}=${v}`);
  args.push('--', ...argv);
  const child = spawn('python3', args, { cwd, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiters = new Map();
  const matched = new Map();
  const statsWaiters = [];
  let resolvePid;
  let resolveExit;
  const pid = new Promise((r) => (resolvePid = r));
  const exit = new Promise((r) => (resolveExit = r));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const e = JSON.parse(line);
    if (e.ev === 'spawned') resolvePid(e.pid);
    else if (e.ev === 'match') {
      matched.set(e.id, e);
      waiters.get(e.id)?.(e.t);
    } else if (e.ev === 'stats') {
      statsWaiters.shift()?.(e);
    } else if (e.ev === 'exit') {
      resolveExit(e);
    }
  });
  child.on('error', (e) => {
    resolveExit({ t: NaN, status: `cannot start python3 (${e.message}): the benchmarks need it for a pseudo-terminal` });
    for (const w of waiters.values()) w(NaN);
  });
  child.on('exit', (code) => {
    resolveExit({ t: NaN, status: code === 0 ? null : `ptyrun exited ${code}` });
    for (const w of waiters.values()) w(NaN);
  });
  child.stdin.on('error', () => {});
  const cmd = (o) => {
    if (child.stdin.writable) child.stdin.write(`${JSON.stringify(o)}\n`);
  };
  return {
    pid,
    exit,
    exited: false,
    /** Seconds after the spawn when `id` matched (NaN when the command ended first). */
    match(id) {
      if (matched.has(id)) return Promise.resolve(matched.get(id).t);
      return new Promise((r) => waiters.set(id, r));
    },
    /** The whole match event: t, and cpu, main_run, main_wait (seconds) when /proc could tell. */
    matchEvent(id) {
      return matched.get(id);
    },
    expect(id, text) {
      cmd({ op: 'expect', id, text });
      return this.match(id);
    },
    send(data) {
      cmd({ op: 'send', data });
    },
    /** How many bytes the command has printed so far. */
    stats() {
      return new Promise((r) => {
        statsWaiters.push(r);
        cmd({ op: 'stats' });
      });
    },
    signal(sig) {
      cmd({ op: 'signal', sig });
    },
    close() {
      child.stdin.end();
    },
  };
}

/** Resolves with `p`, or with `fallback` after `ms`. */
export function within(p, ms, fallback = undefined) {
  let t;
  return Promise.race([p, new Promise((r) => (t = setTimeout(() => r(fallback), ms)))]).finally(() => clearTimeout(t));
}

/** Quits a cockpit screen: q (and y if it asks, something still running), SIGKILL as a last resort. */
export async function quit(h) {
  const gone = h.exit.then(() => true);
  h.send('q');
  if (await within(gone, 600, false)) return h.exit;
  h.send('y'); // the quit dialog ignores a key within 300 ms of opening: 600 ms have passed
  if (await within(gone, 5000, false)) return h.exit;
  h.signal(9);
  return h.exit;
}

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds (from /proc/<pid>/stat). */
export function cpuSeconds(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // fields after the command: state(3) ... utime(14) stime(15): index 11 and 12 here
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** A field of /proc/<pid>/status in kB (VmHWM, VmRSS), or undefined when the process is gone. */
export function statusKb(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Polls VmHWM of `pid` every `ms` until stopped; `peak` is the highest seen (kB). */
export function watchPeak(pid, ms = 25) {
  const w = { peak: 0, stop: () => clearInterval(t) };
  const t = setInterval(() => {
    const v = statusKb(pid, 'VmHWM');
    if (v !== undefined && v > w.peak) w.peak = v;
  }, ms);
  return w;
}

/** The events of the one session journal under a state dir ([] until it exists). */
export function journal(stateDir) {
  const root = join(stateDir, 'sessions');
  if (!existsSync(root)) return [];
  const out = [];
  for (const id of readdirSync(root)) {
    const p = join(root, id, 'journal.jsonl');
    if (!existsSync(p)) continue;
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      try {
        if (line.trim()) out.push(JSON.parse(line));
      } catch {
        /* a line being written */
      }
    }
  }
  return out;
}

/** Polls `fn` until it returns a value other than undefined; throws after `ms`. */
export async function waitFor(fn, ms, what, every = 20) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** The quickstart runbook the start-up, idle and spinner benchmarks open. */
export const QUICKSTART = join(ROOT, 'examples', 'quickstart', 'cockpit.yml');

const warmed = new Map();
/**
 * A cache directory (COCKPIT_CACHE_DIR) of this benchmark run's own, for the cockpit `bin`, with
 * the runbook cache and V8's code cache of the screen's bundle written: the quickstart is opened
 * once and kept open until the code cache is there (written 1.5 s after the screen loads). A
 * user's second start has both; measuring with them, from a directory no other build's run can
 * change, makes the figures independent of what ran on the machine before.
 */
export async function warmCacheDir(bin = cockpit()) {
  if (warmed.has(bin)) return warmed.get(bin);
  const dir = tempDir('cache');
  const h = run([process.execPath, bin, QUICKSTART], { env: cockpitEnv(tempDir('warm'), { COCKPIT_CACHE_DIR: dir }), expects: { first: FIRST_FRAME } });
  try {
    if (Number.isNaN(await h.match('first'))) throw new Error(`the cockpit ended before its first frame: ${JSON.stringify(await h.exit)}`);
    await waitFor(() => (readdirSync(dir).some((f) => f.startsWith('code-')) ? true : undefined), 10_000, "the screen's code cache to be written");
  } finally {
    await quit(h);
  }
  warmed.set(bin, dir);
  return dir;
}

// ── results ─────────────────────────────────────────────────────────────────────────────────

/**
 * One row of the final table. `figure` and `baseline` are numbers in `unit`; `ratio` is
 * figure / baseline; the verdict compares `verdictOn` ('ratio' or 'figure') with `target` (≤).
 */
export function result({ name, figure, baseline, unit, target, verdictOn = 'ratio', note = '', targetText }) {
  const ratio = baseline > 0 ? figure / baseline : NaN;
  const value = verdictOn === 'ratio' ? ratio : figure;
  const pass = Number.isFinite(value) && value <= target;
  return {
    name,
    figure,
    baseline,
    unit,
    ratio,
    target,
    verdictOn,
    targetText: targetText ?? (verdictOn === 'ratio' ? `≤ ${target}×` : `≤ ${target} ${unit}`),
    verdict: pass ? 'PASS' : 'FAIL',
    note,
  };
}

export function fmt(n, unit) {
  if (n === undefined || Number.isNaN(n)) return 'n/a';
  if (unit === 'ms') return `${n.toFixed(n < 100 ? 1 : 0)} ms`;
  if (unit === '%') return `${n.toFixed(2)} %`;
  if (unit === 'MB') return `${n.toFixed(1)} MB`;
  return `${n.toFixed(2)} ${unit}`;
}

export function fmtRatio(r) {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a';
}

/** Prints one result the same way in every benchmark. */
export function report(r) {
  console.log(
    `  ${r.verdict}  ${r.name}: ${fmt(r.figure, r.unit)} vs baseline ${fmt(r.baseline, r.unit)} = ${fmtRatio(r.ratio)} (target ${r.targetText})${r.note ? `\n        ${r.note}` : ''}`,
  );
}

// ── bench/RESULTS.md ────────────────────────────────────────────────────────────────────────

const RESULTS = join(BENCH, 'RESULTS.md');

/** The "## …" sections of RESULTS.md that benchmarks write on their own (latency, spinner), as text ('' when none). */
export function resultsSections() {
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const at = old.indexOf('\n## ');
  return at < 0 ? '' : old.slice(at + 1);
}

/** A RESULTS.md run line: "Run of <ISO> on <n> × <cpu>, node <v>, [before]load average … at the start (… at the end)[after]." */
export function runLine(started, load0, load1, { before = '', after = '' } = {}) {
  return `Run of ${started.toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${before}load average ${load0.toFixed(2)} at the start (${load1.toFixed(2)} at the end)${after}.`;
}

/** A RESULTS.md table (`header`, one row of `cells` a line) and the notes of `rows` (then `more` notes): as lines. */
export function tableAndNotes(header, cells, rows, more = []) {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...cells.map((c) => `| ${c.join(' | ')} |`),
    '',
    'Notes of this run:',
    '',
    ...rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`),
    ...more,
    '',
  ];
}

/** Writes (or replaces) the section `heading` ("## Name") of bench/RESULTS.md, leaving the rest. */
export function writeResultsSection(heading, body) {
  const section = `${heading}\n\n${body.replace(/\n*$/, '\n')}`;
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const at = old.indexOf(`\n${heading}\n`);
  let next;
  if (at < 0) next = `${old.replace(/\n*$/, '\n')}\n${section}`;
  else {
    const after = old.indexOf('\n## ', at + heading.length + 2);
    next = `${old.slice(0, at + 1)}${section}${after < 0 ? '' : old.slice(after)}`;
  }
  writeFileSync(RESULTS, next);
}

/**
 * Writes (or replaces) the section `heading` of bench/RESULTS.md for a bench whose rows are figures
 * against a baseline (name, figure, baseline, unit, ratio, targetText, verdict, note): the run line,
 * the table and the notes. `script` names the file that wrote it.
 */
export function writeRatioSection(heading, script, rows, { started = new Date(), load0 = NaN, load1 = NaN } = {}) {
  const date = started.toISOString().slice(0, 16).replace('T', ' ');
  const header = ['date', 'figure', 'measured', 'baseline', 'ratio', 'target', 'verdict'];
  const body = [
    `Written by \`node ${script}\` (see the top of that file for what is measured); the latest run only.`,
    '',
    runLine(started, load0, load1),
    '',
    ...tableAndNotes(
      header,
      rows.map((r) => [date, r.name, fmt(r.figure, r.unit), fmt(r.baseline, r.unit), fmtRatio(r.ratio), r.targetText, r.verdict]),
      rows,
    ),
  ].join('\n');
  writeResultsSection(heading, body);
}
