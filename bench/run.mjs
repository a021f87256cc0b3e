// Runs every benchmark, prints the final table and writes it to bench/RESULTS.md.
//   npm run bench         (= node scripts/build.mjs && node bench/run.mjs)
//   node bench/run.mjs [startup] [idle] [flood]      only those; RESULTS.md is then left alone
// Every figure is compared with a baseline measured in the same run (the machines are noisy).
// Env: BENCH_RUNS (every count), BENCH_STARTUP_RUNS (15), BENCH_FLOOD_RUNS (5),
// BENCH_IDLE_SECONDS (10), BENCH_USE_TREE=1 (measure bin/ and dist/ in place, not a copy).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchFlood } from './flood.mjs';
import { benchIdle } from './idle.mjs';
import { BENCH, cleanupTemps, cockpit, fmt, fmtRatio, resultsSections, ROOT, runLine, tableAndNotes } from './lib/common.mjs';
import { benchStartup } from './startup.mjs';

const ALL = { startup: benchStartup, idle: benchIdle, flood: benchFlood };
const picked = process.argv.slice(2);
for (const p of picked) if (!(p in ALL)) throw new Error(`unknown benchmark "${p}" (${Object.keys(ALL).join(', ')})`);
const names = picked.length ? picked : Object.keys(ALL);

function gitRev() {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `${rev}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
}

try {
  execFileSync('python3', ['-c', 'import pty, select, fcntl, termios'], { stdio: 'ignore' });
} catch {
  console.error('bench: needs python3 (its pty module gives the cockpit a real terminal) and Linux');
  process.exit(1);
}

const started = new Date();
const load0 = loadavg()[0];
cockpit(); // take the copy of the build before anything runs
const rows = [];
const failures = [];
for (const name of names) {
  try {
    rows.push(...(await ALL[name]()));
  } catch (e) {
    failures.push(`${name}: ${e.stack ?? e}`);
    console.error(`bench ${name} failed: ${e.stack ?? e}`);
  }
  console.log('');
}
cleanupTemps();

const date = started.toISOString().slice(0, 16).replace('T', ' ');
const header = ['date', 'figure', 'measured', 'baseline', 'ratio', 'target', 'verdict'];
const table = rows.map((r) => [date, r.name, fmt(r.figure, r.unit), fmt(r.baseline, r.unit), fmtRatio(r.ratio), r.targetText, r.verdict]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const t of table) console.log(line(t));
const failed = rows.filter((r) => r.verdict === 'FAIL' && !/reference|diagnostic/.test(r.name));
console.log(`\n${rows.length - failed.length}/${rows.length} rows pass${failures.length ? `; ${failures.length} benchmark(s) did not run to the end` : ''}`);

if (picked.length === 0) {
  const md = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (`node bench/run.mjs`); the latest run only. Each figure is compared with a',
    'baseline measured in the same run, interleaved with it; see bench/README.md for what each one measures.',
    '',
    runLine(started, load0, loadavg()[0], { before: `commit ${gitRev()}, ` }),
    '',
    ...tableAndNotes(header, table, rows, failures.map((f) => `- DID NOT RUN TO THE END: ${f.split('\n')[0]}`)),
  ].join('\n');
  // the sections other benchmarks write on their own (rollback latency, spinner CPU) stay
  const kept = resultsSections();
  writeFileSync(join(BENCH, 'RESULTS.md'), kept ? `${md}\n${kept}` : md);
  console.log(`written: ${join('bench', 'RESULTS.md')}`);
}
process.exitCode = failures.length ? 1 : 0;
