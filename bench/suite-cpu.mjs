// Benchmark (issue 21): how much CPU the test suite needs, tier by tier, and so how fast `npm test`
// can be on this machine's cores at best. Each tier runs alone (`vitest run --project <tier>`,
// CI=true as in .ci/run) under bash, whose `times` gives the CPU of every process the run waited
// for: vitest's workers, the cockpits and supervisors the tests start, tmux, git, Prometheus. A
// process reparented away before it ended (a supervisor outliving its cockpit, by design) is not
// counted: the figures are a floor. Baseline: `node -e 0`'s CPU, measured before and after the tiers
// (the smaller: the suite in node start-ups). Each tier's output is kept in a temp dir; a failing tier names its
// failed tests. No target of its own: it says what 5 minutes on N cores asks for.
//   node bench/suite-cpu.mjs [tier ...]      (default: integration ui unit e2e; build first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { bashTimes, splitTimes } from './lib/bash-times.mjs';
import { isMain, median, ROOT, writeResultsSection } from './lib/common.mjs';

const shq = (x) => `'${x.replace(/'/g, `'\\''`)}'`;
/**
 * A bare node's CPU (user + system, start-up included, as it reports itself at its end), median of
 * 10, in seconds. Not through bash's times: started from this script in the background, that read
 * 0.6 s for `node -e 0` where node itself and /usr/bin/time said 0.1 s (left unexplained).
 */
const bareNode = () =>
  median(
    Array.from({ length: 10 }, () => {
      const r = spawnSync(process.execPath, ['-e', 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1e6))'], { encoding: 'utf8' });
      return Number(r.stdout);
    }),
  );

/** Runs `argv` under bash (its output to `log`); its wall time and its children's CPU (user, system), in seconds. */
function timed(argv, env = process.env, log = '/dev/null') {
  const t0 = performance.now();
  const [bash, ...args] = bashTimes({ redirect: `> ${shq(log)} 2>&1` });
  const r = spawnSync(bash, [...args, ...argv], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 20 });
  const wall = (performance.now() - t0) / 1000;
  const t = splitTimes(r.stdout);
  if (!t) throw new Error(`bash printed no times: ${r.stdout}${r.stderr}`);
  return { wall, user: t.user, sys: t.sys, cpu: t.user + t.sys, code: r.status };
}

export function benchSuiteCpu(tiers = ['integration', 'ui', 'unit', 'e2e']) {
  const cores = availableParallelism();
  const before = bareNode();
  const env = { ...process.env, CI: 'true' };
  const logs = mkdtempSync(join(tmpdir(), 'cockpit-suite-cpu-'));
  const rows = tiers.map((tier) => {
    const log = join(logs, `${tier}.log`);
    const r = timed([process.execPath, 'node_modules/vitest/vitest.mjs', 'run', '--project', tier], env, log);
    console.log(`${tier}: wall ${r.wall.toFixed(0)} s, CPU ${r.cpu.toFixed(0)} s (user ${r.user.toFixed(0)}, system ${r.sys.toFixed(0)}), ${(r.cpu / r.wall).toFixed(2)} cores busy on average, exit ${r.code}`);
    // a failing tier names its failed tests (its whole output stays in the log)
    if (r.code !== 0) for (const l of readFileSync(log, 'utf8').split('\n').filter((x) => / FAIL /.test(x)).slice(0, 10)) console.log(`  ${stripVTControlCharacters(l).trim()}`);
    return { tier, ...r, log };
  });
  const after = bareNode();
  const node = Math.min(before, after);
  console.log(`node -e 0: ${(before * 1000).toFixed(0)} ms of CPU before the tiers, ${(after * 1000).toFixed(0)} ms after (median of 10 each)`);
  const cpu = rows.reduce((s, r) => s + r.cpu, 0);
  const wall = rows.reduce((s, r) => s + r.wall, 0);
  console.log(`all: wall ${wall.toFixed(0)} s (tiers one after another), CPU ${cpu.toFixed(0)} s = ${(cpu / node).toFixed(0)} × node -e 0 (${(node * 1000).toFixed(0)} ms of CPU each); on ${cores} cores, at best ${(cpu / cores).toFixed(0)} s`);
  return { rows, cpu, wall, node, cores };
}

if (isMain(import.meta.url)) {
  const started = new Date();
  const r = benchSuiteCpu(process.argv.slice(2).length ? process.argv.slice(2) : undefined);
  const table = [
    '| tier | wall | CPU (user + system) | cores busy on average | exit |',
    '|---|---|---|---|---|',
    ...r.rows.map((x) => `| ${x.tier} | ${x.wall.toFixed(0)} s | ${x.cpu.toFixed(0)} s (${x.user.toFixed(0)} + ${x.sys.toFixed(0)}) | ${(x.cpu / x.wall).toFixed(2)} | ${x.code} |`),
    `| all | ${r.wall.toFixed(0)} s | ${r.cpu.toFixed(0)} s | ${(r.cpu / r.wall).toFixed(2)} | |`,
  ].join('\n');
  writeResultsSection(
    '## Test suite CPU',
    `Written by \`node bench/suite-cpu.mjs\` (see the top of that file); the latest run only.\n\nRun of ${started.toISOString()} on ${r.cores} cores, node ${process.version}: each tier alone. \`node -e 0\` took ${(r.node * 1000).toFixed(0)} ms of CPU (median of 10): the suite is ${(r.cpu / r.node).toFixed(0)} of those. On ${r.cores} cores the suite cannot take less than ${(r.cpu / r.cores).toFixed(0)} s (its CPU over the cores), whatever the order of its files.\n\n${table}\n`,
  );
  process.exitCode = r.rows.every((x) => x.code === 0) ? 0 : 1;
}
