/**
 * End to end: `cockpit demo` from the BUILT binary (bin/cockpit.js → dist/). Build first:
 * `node scripts/build.mjs`.
 *
 * 1. Every scenario headless, all five at once (each its own workspace, state dir and service):
 *    the exit code and the lines that tell its story, what it leaves in the workspace (flags.json,
 *    incidents.log, escalation.log, the experiment brief), and nothing left behind: no process
 *    under its temp dir (by command line or working directory), nothing listening on the service's port.
 * 2. bad-release on the screen, in tmux at 100×30 at the default speed: tick, Enter per stage,
 *    the error-rate trigger PENDING then FIRED, ROLLED BACK, q exits 3.
 * 3. good against a real Prometheus scraping the demo service (`--port` fixes the port beforehand,
 *    `--prometheus` makes the runbook read PromQL): the journal's samples carry values.
 *
 * 2 and 3 run concurrently. Every wait is on a condition with a deadline; nothing sleeps a fixed time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaled } from '../../src/demo/runbook.js';
import { BRIEF } from '../../src/demo/workspace.js';
import {
  BIN,
  connectionRefused,
  flagdFractional,
  journalEvents,
  processesUnder,
  runDemo,
  serviceOf,
  until,
  type DemoResult,
  tempRoots,
  tmuxServerPid,
} from '../helpers/demo-run.js';
import { closedPort } from '../helpers/http-target.js';
import { findPrometheus, PrometheusServer } from '../helpers/prometheus.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

/** Fast enough for the file, slow enough that every scenario still tells its story (checked below). */
const SPEED = 30;
const min = (n: number) => n * 60_000;
/** A runbook duration at SPEED, as the cockpit prints it (2m → "4s"). */
const d = (ms: number, speed = SPEED) => scaled(ms, speed);

const tempRoot = tempRoots();


/**
 * Waits until no process is under `root` (the test's temp dir: workspace and state dir) and nothing
 * listens on `port`; returns what was left, if anything.
 */
async function leftovers(root: string, port: number, exclude: readonly number[] = []): Promise<{ processes: string[]; listening: boolean }> {
  let processes: string[] = [];
  await until('no process under the temp dir', () => (processes = processesUnder(root, exclude)).length === 0, 5000).catch(() => undefined);
  const listening = !(await connectionRefused(port));
  return { processes, listening };
}

const lines = (text: string) => text.split('\n');
/** The one line of `out` that matches `re` (anchored per line), or a failure that shows the output. */
function lineMatching(out: string, re: RegExp): RegExpExecArray {
  const m = lines(out)
    .map((l) => re.exec(l))
    .filter((x): x is RegExpExecArray => x !== null);
  if (m.length !== 1) throw new Error(`expected exactly one line matching ${re}, found ${m.length}; the output was:\n${out}`);
  return m[0];
}
const TIME = String.raw`\d\d:\d\d:\d\d`;

/**
 * The trigger fired while the production stage ran, after its deploy step had started, and the stage
 * never passed. Which production step was running depends on how fast the scripts ran (a loaded
 * machine stretches the deploy past the trigger's 4 s window), so the step is not pinned; the stage is.
 */
function firedDuringProduction(out: string, trigger: string, why: { metric: string; threshold: number; window: string }): void {
  const all = lines(out);
  const at = (re: RegExp) => all.findIndex((l) => re.test(l));
  const stage = at(new RegExp(`^${TIME} ▶ stage production: `));
  const deploy = at(new RegExp(`^${TIME}   ▶ Deploy with blue-green strategy: `));
  const fired = at(new RegExp(`^${TIME} ● trigger ${trigger} FIRED: `));
  expect(stage, out).toBeGreaterThan(-1);
  expect(deploy, out).toBeGreaterThan(stage);
  expect(fired, out).toBeGreaterThan(deploy);
  expect(out).not.toMatch(/stage production passed/);
  // the decision record under the FIRED line: the value against the threshold, the series' pointer, the window's samples
  const value = new RegExp(`^${TIME} ● trigger ${trigger} FIRED: .+: ${why.metric} (\\S+) % now, `).exec(all[fired])![1];
  expect(all[fired + 1]).toMatch(new RegExp(`^${TIME}     why: ${why.metric} ${escape(value)} % > ${why.threshold} % for ${why.window}$`));
  expect(all[fired + 2]).toMatch(new RegExp(`^${TIME}     query: /overall/${why.metric}$`));
  const samples = Number(new RegExp(`\\((\\d+) samples\\)$`).exec(all[fired])![1]);
  const shown = Math.min(samples, 12);
  const earlier = samples > shown ? `… ${samples - shown} earlier, ` : '';
  expect(all[fired + 3]).toMatch(new RegExp(`^${TIME}     window ${samples} samples over \\S+: ${earlier}(?:(?:\\d+(?:\\.\\d+)?|∅) ){${shown - 1}}${escape(value)}$`));
  expect(all[fired + 4]).toMatch(new RegExp(`^${TIME} ⛨ triggers disarmed \\((stage:production|monitor:production/monitor)\\)$`));
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ── 1. every scenario headless ───────────────────────────────────────────────────────────────

type Scenario = 'good' | 'bad-release' | 'slow-leak' | 'flag-regression' | 'flaky-tests';
type Run = DemoResult & { ws: string; port: number; left: { processes: string[]; listening: boolean } };

async function headless(scenario: Scenario): Promise<Run> {
  const root = tempRoot(`cockpit-demo-${scenario}-`);
  const ws = join(root, 'ws');
  const r = await runDemo(['--scenario', scenario, '--headless', '--speed', String(SPEED), '--dir', ws], { state: join(root, 'state'), timeoutMs: 75_000 });
  const { port, dir } = serviceOf(r.stderr);
  expect(dir).toBe(ws);
  return { ...r, ws, port, left: await leftovers(root, port) };
}

/** What every run must show, whatever the scenario. */
/** `f` over `items`, at most `width` at a time; the results in the items' order. */
async function inPool<T, R>(items: readonly T[], width: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

function common(r: Run, scenario: Scenario, exit: 0 | 3): void {
  const context = `${scenario}: stderr:\n${r.stderr}\nstdout:\n${r.stdout}`;
  expect(r.code, context).toBe(exit);
  const err = lines(r.stderr.trimEnd());
  expect(err).toHaveLength(2);
  expect(err[0]).toMatch(new RegExp(`^cockpit demo: workspace ${escape(r.ws)} · service http://127\\.0\\.0\\.1:${r.port} · DEMO ×${SPEED} \\(5m in the runbook is ${d(min(5))} here\\) · ${scenario}: .+$`));
  expect(err[1]).toBe(`cockpit demo: stopped the demo service; the workspace stays in ${r.ws}`);
  const out = lines(r.stdout.trimEnd());
  expect(out[0]).toMatch(new RegExp(`^${TIME} cockpit · demo-web-app 2\\.4\\.0 → production · session \\S+$`));
  // the outcome; a rollback's risk-register entry; the seed's celebration checklist and the learnings; the journal
  const end = out.length - 1 - [...out].reverse().findIndex((l) => new RegExp(`^${TIME} ■ `).test(l));
  expect(out[end]).toMatch(new RegExp(`^${TIME} ■ ${exit === 0 ? 'RELEASED' : 'ROLLED BACK'}$`));
  const risk = exit === 3 ? [new RegExp(`^${TIME} ⚑ risk register: entry for session \\S+ appended to ${escape(join(r.ws, 'risk-register.md'))}$`)] : [];
  const review = [new RegExp(`^${TIME} ★ When we ${exit === 0 ? 'ship successfully' : 'roll back'}:$`), ...Array.from({ length: 4 }, () => new RegExp(`^${TIME}   \\[ \\] .+$`))];
  const after = out.slice(end + 1);
  expect(after, context).toHaveLength(risk.length + review.length + 2);
  [...risk, ...review].forEach((re, i) => expect(after[i]).toMatch(re));
  expect(out.at(-2)).toMatch(new RegExp(`^${TIME} ★ learnings: 2\\.4\\.0 → production.+\\.$`));
  expect(out.at(-1)).toMatch(/^journal: .+\/journal\.jsonl$/);
  // the secret is masked in the deploy output
  expect(r.stdout).toMatch(new RegExp(`^${TIME}   │ deploying 2\\.4\\.0 with token ••••$`, 'm'));
  expect(r.stdout).not.toMatch(/demo-[0-9a-f]{12}/);
  // nothing left behind
  expect(r.left.processes, `${scenario}: processes left`).toEqual([]);
  expect(r.left.listening, `${scenario}: something still listens on ${r.port}`).toBe(false);
  // a clean release is inside its budgets
  if (exit === 0) expect(r.stdout).not.toContain('OVER BUDGET');
}

function readWs(r: Run, name: string): string {
  return readFileSync(join(r.ws, name), 'utf8');
}

describe('cockpit demo, built binary', () => {
  it(`every scenario headless at ×${SPEED}: exit code, story lines, workspace, nothing left behind`, async () => {
    const scenarios: Scenario[] = ['good', 'bad-release', 'slow-leak', 'flag-regression', 'flaky-tests'];
    // three at a time: five demos at ×30 at once (each a cockpit, its steps and a service) starved
    // a loaded machine, where a clean release's samples timed out and it went OVER BUDGET
    const runs = Object.fromEntries(await inPool(scenarios, 3, async (sc) => [sc, await headless(sc)] as const)) as Record<Scenario, Run>;

    // good: released, the flag at 100 %, the experiment brief untouched, no incident
    {
      const r = runs.good;
      common(r, 'good', 0);
      expect(r.stdout).not.toMatch(/FIRED|ROLLING BACK|FAILED|refused/);
      expect(r.stdout).toMatch(new RegExp(`^${TIME}   ✓ new-checkout → 100 % \\(\\d+ms\\): written to flags\\.json; providers re-read it within their poll interval$`, 'm'));
      expect(flagdFractional(readWs(r, 'flags.json'), 'new-checkout')).toEqual([['on', 100], ['off', 0]]);
      expect(readWs(r, 'experiment-brief.md')).toBe(BRIEF);
      expect(existsSync(join(r.ws, 'incidents.log'))).toBe(false);
      expect(readWs(r, 'release.log')).toMatch(/^\S+ released 2\.4\.0\n$/);
    }

    // bad-release: the error-rate trigger fires with its value; rollback, incident, level-1 alert
    {
      const r = runs['bad-release'];
      common(r, 'bad-release', 3);
      const fired = lineMatching(
        r.stdout,
        new RegExp(`^${TIME} ● trigger error-rate-above FIRED: error_rate > 1 % for ${d(min(2))}: error_rate (\\d+(?:\\.\\d+)?) % now, breaching since \\S+ \\(\\d+ samples\\)$`),
      );
      expect(Number(fired[1])).toBeGreaterThan(1);
      expect(Number(fired[1])).toBeLessThan(6);
      // it fired during the production stage, not later
      firedDuringProduction(r.stdout, 'error-rate-above', { metric: 'error_rate', threshold: 1, window: d(min(2)) });
      const reason = lineMatching(r.stdout, new RegExp(`^${TIME} ⟲ ROLLING BACK \\(trigger\\): (trigger fired: error_rate > 1 % .+)$`))[1];
      expect(r.stdout).toMatch(new RegExp(`^${TIME} ✓ rollback verified: restored in .+ \\(from the incident's start: the first breaching sample\\)$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^${TIME}   │ rolled back: blue serves 2\\.3\\.9 again$`, 'm'));
      expect(readWs(r, 'incidents.log')).toMatch(new RegExp(`^\\S+ incident: ${escape(reason)}\\n$`));
      expect(readWs(r, 'escalation.log')).toMatch(new RegExp(`^\\S+ alert: L1: ${escape(reason)}$`, 'm'));
      expect(existsSync(join(r.ws, 'release.log'))).toBe(false);
    }

    // slow-leak: the memory trigger, inside the monitor window
    {
      const r = runs['slow-leak'];
      common(r, 'slow-leak', 3);
      const fired = lineMatching(
        r.stdout,
        new RegExp(`^${TIME} ● trigger memory-above FIRED: memory > 85 % for ${d(min(5))}: memory (\\d+\\.\\d) % now, breaching since \\S+ \\(\\d+ samples\\)$`),
      );
      expect(Number(fired[1])).toBeGreaterThan(85);
      firedDuringProduction(r.stdout, 'memory-above', { metric: 'memory', threshold: 85, window: d(min(5)) });
      expect(r.stdout).not.toContain('error-rate-above FIRED');
      expect(readWs(r, 'incidents.log')).toMatch(/^\S+ incident: trigger fired: memory > 85 % .+\n$/);
    }

    // flag-regression: the step up to 100 % is refused while the latency trigger is PENDING; the flag ends at 0 %
    {
      const r = runs['flag-regression'];
      common(r, 'flag-regression', 3);
      const refusal = `refused: trigger latency_p95>2000ms ${d(min(3))} is PENDING`;
      expect(r.stdout).toMatch(new RegExp(`^${TIME} ◐ trigger latency-p95-above PENDING \\(value \\d+\\)$`, 'm'));
      lineMatching(r.stdout, new RegExp(`^${TIME}   ✗ new-checkout → 100 % FAILED: ${escape(refusal)} \\(\\d+ms\\)$`));
      lineMatching(r.stdout, new RegExp(`^${TIME} ⟲ ROLLING BACK \\(on-failure\\): stage "Deploy to Production" failed at new-checkout → 100 %: ${escape(refusal)}$`));
      expect(r.stdout).not.toContain('FIRED');
      // the ramp got to 50 % (where latency jumps), never to 100 %
      expect(r.stdout).toMatch(new RegExp(`^${TIME}   ✓ new-checkout → 50 % \\(\\d+ms\\): written to flags\\.json; providers re-read it within their poll interval$`, 'm'));
      expect(flagdFractional(readWs(r, 'flags.json'), 'new-checkout')).toEqual([['on', 0], ['off', 100]]);
      expect(readWs(r, 'incidents.log')).toContain(refusal);
    }

    // flaky-tests: the first attempt fails, the automatic retry passes, the release is clean
    {
      const r = runs['flaky-tests'];
      common(r, 'flaky-tests', 0);
      const out = lines(r.stdout);
      const failed = out.findIndex((l) => new RegExp(`^${TIME}   ✗ All tests passing FAILED: exit 1 \\(.+\\)$`).test(l));
      const retry = out.findIndex((l) => new RegExp(`^${TIME}   ↻ retrying All tests passing \\(attempt 2, automatic\\)$`).test(l));
      const passed = out.findIndex((l) => new RegExp(`^${TIME}   ✓ All tests passing \\(.+\\)$`).test(l));
      expect(failed, r.stdout).toBeGreaterThan(0);
      expect(retry).toBeGreaterThan(failed);
      expect(passed).toBeGreaterThan(retry);
      expect(r.stdout).not.toMatch(/FIRED|ROLLING BACK/);
      expect(flagdFractional(readWs(r, 'flags.json'), 'new-checkout')).toEqual([['on', 100], ['off', 0]]);
    }
  }, 150_000);

  // ── 2. bad-release on the screen ─────────────────────────────────────────────────────────────

  // 2 and 3 run side by side (it.concurrent, one group): each its own temp root, service, port and
  // state dir; both mostly wait on the demos' real-time windows. The five headless demos of 1 run alone.
  it.skipIf(!hasTmux()).concurrent('bad-release in tmux at 100×30, default speed: tick, Enter per stage, PENDING, FIRED, ROLLED BACK, q exits 3', async () => {
    const cols = 100;
    const rows = 30;
    const root = tempRoot('cockpit-demo-tui-');
    const ws = join(root, 'ws');
    const s = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} demo --scenario bad-release --dir ${shq(ws)}`, {
      cols,
      rows,
      cwd: root,
      env: { COCKPIT_STATE_DIR: join(root, 'state') },
      name: 'cockpit-demo',
    });
    try {
      const header = (x: string) => lines(x)[0] ?? '';
      const strip = (x: string) => lines(x)[1] ?? '';
      const triggers = (x: string) => lines(x).find((l) => l.startsWith(' triggers ')) ?? '';
      const hint = (x: string) => lines(x).filter(Boolean).at(-1) ?? '';
      const canRun = (x: string) => / ⏎ run\/continue /.test(hint(x));

      // the automated checks, the guardrail self-test last among them, have passed: READY waits for the manual ones
      let f = await s.waitFor(
        (x) => x.includes('✓ All tests passing') && x.includes('✓ Demo service healthy') && x.includes('✓ Guardrail self-test') && x.includes('[ ] Rollback plan ready'),
        { timeoutMs: 20_000 },
      );
      expect(lines(f)).toHaveLength(rows);
      expect(f).toMatch(/^ DEMO ×20 \(5m in the runbook is 15s here\) · bad-release: The new version ships a bug/m);
      expect(header(f)).toMatch(/^ cockpit · demo-web-app 2\.4\.0 → production +READY {3}R ROLLBACK$/);

      s.keys('Space');
      await s.waitFor('[✓] No active incidents');
      s.keys('Space');
      f = await s.waitFor((x) => x.includes('[✓] Rollback plan ready') && canRun(x));
      expect(strip(f)).toMatch(/^ ✓ Pre-flight {2}○ Pre-Release /);

      s.keys('Enter');
      f = await s.waitFor((x) => strip(x).includes('✓ Pre-Release') && canRun(x), { timeoutMs: 15_000 });
      s.keys('Enter');
      f = await s.waitFor((x) => strip(x).includes('✓ Deploy to Staging') && canRun(x), { timeoutMs: 15_000 });
      s.keys('Enter');
      f = await s.waitFor((x) => strip(x).includes('◐ Deploy to Production'), { timeoutMs: 10_000 });
      expect(header(f)).toMatch(/◐ DEPLOY TO PRODUCTION {2}\d:\d\d \/ \d:\d\d {2}RUNNING {3}R ROLLBACK$/);

      // the error rate climbs after the switch: the trigger counts up to its 6 s, then fires
      f = await s.waitFor((x) => /error_rate>1% 6s ◐ PENDING 0:0\d of 0:06/.test(triggers(x)), { timeoutMs: 20_000 });
      f = await s.waitFor((x) => triggers(x).includes('error_rate>1% 6s ● FIRED'), { timeoutMs: 15_000 });
      f = await s.waitFor((x) => / ROLLED BACK {3}R ROLLBACK$/.test(header(x)), { timeoutMs: 20_000 });
      // the incident's escalation levels are announced on the notice line for a few seconds; the demo's banner comes back
      f = await s.waitFor((x) => / ROLLED BACK {3}R ROLLBACK$/.test(header(x)) && /^ DEMO ×20 \(5m in the runbook is 15s here\) · bad-release/m.test(x), { timeoutMs: 15_000 });
      expect(f).toMatch(/│ ✓ Rollback to last known go…? *\d:\d\d│/);

      s.keys('q');
      expect(await s.waitForExit({ timeoutMs: 15_000 })).toBe(3);
      const after = s.screen({ history: 1000 });
      expect(after).toContain(`cockpit demo: stopped the demo service; the workspace stays in ${ws}`);

      // nothing left: the service's port (from the workspace's runbook) refuses; no process is under the temp dir
      const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\/checkout/.exec(readFileSync(join(ws, 'cockpit.yml'), 'utf8'))![1]);
      const server = tmuxServerPid();
      const left = await leftovers(root, port, server === undefined ? [] : [server]);
      expect(left.processes).toEqual([]);
      expect(left.listening).toBe(false);
      expect(readFileSync(join(ws, 'incidents.log'), 'utf8')).toMatch(/^\S+ incident: trigger fired: error_rate > 1 % for 6s: .+\n$/);
    } finally {
      s.kill();
    }
  }, 60_000);

  // ── 3. good against a real Prometheus ────────────────────────────────────────────────────────

  let prometheus = true;
  try {
    findPrometheus();
  } catch {
    prometheus = false;
  }

  it.skipIf(!prometheus).concurrent(`good with --prometheus, a real Prometheus scraping the service (--port), ×${SPEED}: exit 0, the samples carry values`, async () => {
    const root = tempRoot('cockpit-demo-prom-');
    const ws = join(root, 'ws');
    const port = await closedPort();
    const prom = await PrometheusServer.start({ targets: [`127.0.0.1:${port}`], scrapeInterval: '500ms' });
    try {
      const run = runDemo(['--scenario', 'good', '--headless', '--speed', String(SPEED), '--dir', ws, '--port', String(port), '--prometheus', prom.url], {
        state: join(root, 'state'),
        // ~25 s when it works; a series without data holds the release (HOLD) until this kills it
        timeoutMs: 60_000,
      });
      // Prometheus finds the service up while the release runs
      const scraped = prom.waitForScrape(30_000).then(
        () => 'up',
        (e: Error) => e.message,
      );
      const r = await run;
      const context = `stderr:\n${r.stderr}\nstdout:\n${r.stdout}`;
      // the demo waited for Prometheus's first scrape of the service (when it had not happened yet), so the self-test passed
      expect(r.stdout, context).toMatch(new RegExp(`^${TIME}   ✓ Guardrail self-test \\([^)]+\\)$`, 'm'));
      expect(r.code, context).toBe(0);
      expect(await scraped).toBe('up');
      expect(serviceOf(r.stderr).port).toBe(port);
      const err = lines(r.stderr.trimEnd());
      const wait = [
        `cockpit demo: waiting for Prometheus (${prom.url}) to scrape the service at 127.0.0.1:${port} (up to 1m15s)`,
        expect.stringMatching(/^cockpit demo: Prometheus has the service's series \(after \S+\)$/),
      ];
      expect(err).toEqual([expect.stringMatching(/^cockpit demo: workspace /), ...(err.length === 4 ? wait : []), expect.stringMatching(/^cockpit demo: stopped the demo service; /)]);
      expect(r.stdout).toMatch(new RegExp(`^${TIME} ■ RELEASED$`, 'm'));
      expect(readFileSync(join(ws, 'cockpit.yml'), 'utf8')).toContain(`source: { type: prometheus, url: ${JSON.stringify(prom.url)} }`);

      const journal = /^journal: (.+)$/m.exec(r.stdout)![1];
      const samples = journalEvents(journal).filter((e) => e.type === 'metric.sampled') as unknown as { values: Record<string, number | null>; errors?: Record<string, string> }[];
      expect(samples.length).toBeGreaterThan(10);
      const ranges: Record<string, [number, number]> = { latency_p95: [200, 600], error_rate: [0, 0.5], memory: [40, 70] };
      for (const [series, [lo, hi]] of Object.entries(ranges)) {
        const values = samples.map((x) => x.values[series]).filter((v): v is number => typeof v === 'number');
        expect(values.length, `${series}: ${values.length} of ${samples.length} samples have a value`).toBeGreaterThan(samples.length / 2);
        // the series carry values to the release's end: one of the last three samples has one. (A
        // scrape that Prometheus timed out, at its 500 ms interval on a loaded machine, marks the
        // series stale until the next one: a single sample can come back empty, as in production,
        // and says why.)
        const tail = samples.slice(-3).map((x) => (x.values[series] === null ? `null: ${x.errors?.[series] ?? 'no reason'}` : x.values[series]));
        expect(tail.some((v) => typeof v === 'number'), `${series}: the last three samples: ${JSON.stringify(tail)}`).toBe(true);
        for (const x of samples) if (x.values[series] === null) expect(x.errors?.[series], `${series}: an empty sample says why`).toMatch(/\S/);
        expect(Math.min(...values), series).toBeGreaterThanOrEqual(lo);
        expect(Math.max(...values), series).toBeLessThanOrEqual(hi);
      }
      // the experiment reads Prometheus too, with the PromQL the demo runbook writes: answered, not empty
      const figures = journalEvents(journal)
        .filter((e) => e.type === 'experiment.sampled')
        .map((e) => (e as unknown as { figures: { variants: { exposures?: number; error?: string }[] } }).figures);
      expect(figures.length).toBeGreaterThan(0);
      expect(figures.at(-1)!.variants.map((v) => v.error)).toEqual([undefined, undefined]);
      expect(figures.some((f) => f.variants.every((v) => (v.exposures ?? 0) > 0)), JSON.stringify(figures.at(-1))).toBe(true);
      const left = await leftovers(root, port);
      expect(left.processes).toEqual([]);
      expect(left.listening).toBe(false);
    } finally {
      await prom.stop();
    }
  }, 90_000);

  // ── 4. shared, followed from elsewhere (after 2 and 3: not beside the five demos of 1) ────────

  it.skipIf(!hasTmux())('shared (--share): cockpit watch URL and cockpit wallboard URL, from another working directory, with none of its files: a demo bad-release shared by a headless cockpit, followed to ROLLED BACK on both screens', async () => {
    const root = tempRoot('cockpit-share-e2e-');
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    const demo = spawn(process.execPath, [BIN, 'demo', '--scenario', 'bad-release', '--headless', '--speed', '30', '--dir', join(root, 'ws'), '--share'], {
      env: { ...process.env, COCKPIT_STATE_DIR: join(root, 'state') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    demo.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((r) => demo.on('close', (code) => r(code)));
    let watch: TmuxSession | undefined;
    let board: TmuxSession | undefined;
    try {
      await until('the demo says its share URL', () => /sharing this session read-only at (http:\S+)/.test(err), 20_000);
      const url = /sharing this session read-only at (http:\S+)/.exec(err)![1];
      expect(err).toContain(`cockpit: follow it with: cockpit watch ${url} (or cockpit wallboard ${url}); anyone who has the URL can follow`);
      watch = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} watch ${shq(url)}`, { cols: 100, rows: 30, cwd: elsewhere, name: 'cockpit-watch-url' });
      board = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} wallboard ${shq(url)}`, { cols: 160, rows: 48, cwd: elsewhere, name: 'cockpit-wallboard-url' });
      const header = (x: string) => x.split('\n')[0] ?? '';
      let f = await watch.waitFor('cockpit watch (read-only) · demo-web-app 2.4.0 → production', { timeoutMs: 15_000 });
      f = await watch.waitFor((x) => / ROLLED BACK {3}R ROLLBACK$/.test(header(x)), { timeoutMs: 60_000 });
      expect(f.split('\n')[1]).toMatch(/^ ✓ Pre-flight {2}↺ Pre-Release {2}↺ Deploy to Staging {2}↺ Deploy to Production {2}○ Post-Release {2}✓ Rollba/);
      let b = await board.waitFor((x) => x.includes(' ROLLED BACK   demo-web-app 2.4.0 → production') && x.includes(' ENDED '), { timeoutMs: 30_000 });
      expect(b).toMatch(/^ ENDED \d\d:\d\d:\d\d: rolled back · incident \d:\d\d · escalation L1\/3 · session \S+$/m);
      expect(await exited, err).toBe(3);
      // R on a remote follower says where to roll back: the machine that drives it
      watch.keys('R');
      f = await watch.waitFor('read-only: roll back where it runs: R there, or cockpit rollback (');
      board.keys('R');
      b = await board.waitFor('To roll back, run:  cockpit rollback, where it runs (');
      for (const [pane, what] of [[watch, 'watch'], [board, 'wallboard']] as const) {
        pane.keys('q');
        expect(await pane.waitForExit(), what).toBe(0);
      }
      expect(watch.screen({ history: 100 }).replace(/\n/g, '')).toMatch(/cockpit watch: left session \S+ \(it ended: rolled-back\); shared by \S+@\S+, pid \d+ at http:/);
      // the followers wrote nothing where they ran
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      for (const p of [watch, board]) p?.kill();
      demo.kill('SIGKILL');
    }
  }, 120_000);
});
