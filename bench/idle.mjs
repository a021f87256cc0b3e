// Benchmark 2: CPU of an idle cockpit screen. The quickstart is opened on a pseudo-terminal, its
// automated pre-flight checks run to the end (the manual ones stay unticked: nothing runs), then
// after a 1 s settle utime+stime of the cockpit's node process is read from /proc at the start and
// the end of a 10 s window, as % of one core. Baseline: an idle `node` (a timer every 2^30 ms)
// measured over the same window. The verdict is on the absolute figure (≤ 1.5 %).
//   node bench/idle.mjs               (BENCH_IDLE_SECONDS=10; two windows of that length)
import { CLK_TCK, cockpit, cockpitEnv, cpuSeconds, FIRST_FRAME, isMain, journal, QUICKSTART, quit, report, result, run, sleep, tempDir, waitFor, warmCacheDir } from './lib/common.mjs';
export const TARGET_PCT = 1.5;

export async function benchIdle() {
  const seconds = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
  console.log(`idle CPU: quickstart open, pre-flight checks done, nothing running, over ${seconds} s`);
  const state = tempDir('idle');
  // caches written before (warmCacheDir): the window is the idle screen, not the one-off write of
  // the code cache after a new build (~0.08 s of CPU)
  const h = run([process.execPath, cockpit(), QUICKSTART], { env: cockpitEnv(state, { COCKPIT_CACHE_DIR: await warmCacheDir() }), expects: { first: FIRST_FRAME } });
  const base = run([process.execPath, '-e', 'setInterval(() => {}, 2 ** 30)'], { mode: 'pipe' });
  try {
    const pid = await h.pid;
    const basePid = await base.pid;
    if (Number.isNaN(await h.match('first'))) throw new Error(`the cockpit ended before its first frame: ${JSON.stringify(await h.exit)}`);
    // the automated pre-flight checks have run: every step started has finished, and the
    // journal has been quiet for half a second
    await waitFor(
      () => {
        const ev = journal(state);
        const started = ev.filter((e) => e.type === 'step.started').length;
        const finished = ev.filter((e) => e.type === 'step.finished').length;
        const last = ev.at(-1)?.at ?? Date.now();
        return ev.length > 0 && started === finished && Date.now() - last > 500 ? true : undefined;
      },
      20_000,
      'the pre-flight checks to finish',
    );
    await sleep(1000);
    // two windows one after the other: the first 10 s after the pre-flight (the figure of earlier
    // runs), then the next 10 s. V8's memory reducer may run a few GCs once, ~8 s after the last
    // startup GC (~0.05 s of CPU), in the first window; the second is the screen left open.
    const windows = [];
    for (const which of ['first', 'next']) {
      const before = journal(state).length;
      const t0 = performance.now();
      const s0 = await h.stats();
      const c0 = cpuSeconds(pid);
      const b0 = cpuSeconds(basePid);
      await sleep(seconds * 1000);
      const c1 = cpuSeconds(pid);
      const b1 = cpuSeconds(basePid);
      const s1 = await h.stats();
      const wall = (performance.now() - t0) / 1000;
      const during = journal(state).slice(before);
      const still = during.filter((e) => e.type === 'step.started').length;
      const pct = ((c1 - c0) / wall) * 100;
      const basePct = ((b1 - b0) / wall) * 100;
      windows.push(
        result({
          name: which === 'first' ? `idle CPU (quickstart open, first ${seconds} s after the pre-flight)` : `idle CPU (quickstart open, the ${seconds} s after)`,
          figure: pct,
          baseline: basePct,
          unit: '%',
          target: TARGET_PCT,
          verdictOn: 'figure',
          targetText: `≤ ${TARGET_PCT} % of a core`,
          note:
            `${(c1 - c0).toFixed(2)} s of CPU in ${wall.toFixed(1)} s (idle node: ${(b1 - b0).toFixed(2)} s; resolution ${(100 / CLK_TCK / wall).toFixed(2)} %); ` +
            `${s1.bytes - s0.bytes} bytes written to the terminal and ${during.length} journal events in the window${still > 0 ? `; WARNING: ${still} step(s) started during the window` : ''}`,
        }),
      );
    }
    for (const r of windows) report(r);
    return windows;
  } finally {
    base.signal(9);
    await quit(h);
    await base.exit;
  }
}

if (isMain(import.meta.url)) await benchIdle();
