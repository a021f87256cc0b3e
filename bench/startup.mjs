// Benchmark 1: start to first frame of the full cockpit screen on examples/quickstart/cockpit.yml,
// against `node -e 0` (start to exit), both on a 100x30 pseudo-terminal, runs interleaved.
//   node bench/startup.mjs            (BENCH_STARTUP_RUNS=15; 2 warm-up runs of each are dropped)
//   BENCH_STARTUP_COMPARE=<bin/cockpit.js of another build> also times that build the same way,
//   interleaved with this one, each with its own caches (printed, not judged): "is this change
//   slower than that commit" answered on the same machine in the same minute
import { readdirSync } from 'node:fs';
import { cockpit, cockpitEnv, FIRST_FRAME, isMain, median, QUICKSTART, quit, report, result, run, runs, sleep, tempDir, warmCacheDir } from './lib/common.mjs';
export const TARGET = 3;

async function baselineOnce() {
  const h = run([process.execPath, '-e', '0']);
  h.close();
  const e = await h.exit;
  if (e.status !== 0) throw new Error(`node -e 0 failed: ${JSON.stringify(e)}`);
  return { ms: e.t * 1000, cpuMs: (e.utime + e.stime) * 1000 };
}

// The runbook cache and V8's code cache of the screen's bundle (src/cli/code-cache.ts) are this
// benchmark's own, written before the runs (warmCacheDir): a user's second start has both.
const codeCaches = async (bin = cockpit()) => readdirSync(await warmCacheDir(bin)).filter((f) => f.startsWith('code-')).length;

async function cockpitOnce({ bin = cockpit() } = {}) {
  const state = tempDir('start');
  const h = run([process.execPath, bin, QUICKSTART], { env: cockpitEnv(state, { COCKPIT_CACHE_DIR: await warmCacheDir(bin) }), expects: { first: FIRST_FRAME } });
  const t = await h.match('first');
  if (Number.isNaN(t)) {
    const e = await h.exit;
    throw new Error(`the cockpit ended before its first frame: ${JSON.stringify(e)}`);
  }
  const m = h.matchEvent('first');
  await quit(h);
  // let the pre-flight scripts it started (and interrupted) go before the next measurement
  await sleep(150);
  return { ms: t * 1000, cpuMs: m.cpu * 1000, runMs: m.main_run * 1000, waitMs: m.main_wait * 1000 };
}

export async function benchStartup() {
  const n = runs('BENCH_STARTUP_RUNS', 15);
  console.log(`start to first frame: quickstart vs node -e 0, ${n} runs each (interleaved, medians)`);
  const other = process.env.BENCH_STARTUP_COMPARE;
  for (let i = 0; i < 2; i++) {
    await baselineOnce();
    await cockpitOnce();
    if (other) await cockpitOnce({ bin: other });
  }
  const base = [];
  const cock = [];
  const oth = [];
  for (let i = 0; i < n; i++) {
    // alternate which goes first so a slow phase of the machine hits both alike
    if (i % 2) {
      cock.push(await cockpitOnce());
      if (other) oth.push(await cockpitOnce({ bin: other }));
      base.push(await baselineOnce());
    } else {
      base.push(await baselineOnce());
      if (other) oth.push(await cockpitOnce({ bin: other }));
      cock.push(await cockpitOnce());
    }
  }
  const med = (xs, f) => median(xs.map(f));
  const ms = (x) => x.ms;
  if (other)
    console.log(
      `  compared: ${other}: ${med(oth, ms).toFixed(0)} ms = ${(med(oth, ms) / med(base, ms)).toFixed(2)}× (min/max ${Math.min(...oth.map(ms)).toFixed(0)}/${Math.max(...oth.map(ms)).toFixed(0)}, CPU ${med(oth, (x) => x.cpuMs).toFixed(0)} ms); ` +
        `this build ${med(cock, ms).toFixed(0)} ms = ${(med(cock, ms) / med(base, ms)).toFixed(2)}×; this build / that build = ${(med(cock, ms) / med(oth, ms)).toFixed(3)}`,
    );
  const r = result({
    name: 'start → first frame (quickstart)',
    figure: med(cock, ms),
    baseline: med(base, ms),
    unit: 'ms',
    target: TARGET,
    note:
      `cockpit min/max ${Math.min(...cock.map(ms)).toFixed(0)}/${Math.max(...cock.map(ms)).toFixed(0)} ms, node -e 0 ${Math.min(...base.map(ms)).toFixed(0)}/${Math.max(...base.map(ms)).toFixed(0)} ms; ` +
      `CPU to the first frame ${med(cock, (x) => x.cpuMs).toFixed(0)} ms (all threads; node -e 0: ${med(base, (x) => x.cpuMs).toFixed(0)} ms, ${(med(cock, (x) => x.cpuMs) / med(base, (x) => x.cpuMs)).toFixed(2)}×), ` +
      `main thread ${med(cock, (x) => x.runMs).toFixed(0)} ms on a CPU + ${med(cock, (x) => x.waitMs).toFixed(0)} ms waiting for one (machine load); ` +
      `runbook and code caches warm (written before the runs; ${await codeCaches()} code cache after them)`,
  });
  report(r);
  return [r];
}

if (isMain(import.meta.url)) await benchStartup();
