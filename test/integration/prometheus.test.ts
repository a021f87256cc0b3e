/**
 * cockpit against a real Prometheus: the `prometheus` binary scrapes a target this test serves
 * (test/helpers/http-target.ts) every 500 ms; cockpit's PrometheusSource reads it with PromQL, and a
 * Controller built from a runbook with `metrics.source: {type: prometheus}` rolls back on a trigger.
 *
 * Every wait is on a condition with a deadline (a scrape seen, a sample recorded), never a fixed
 * sleep. Each test uses its own metric names or labels, so one Prometheus serves the whole file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusSource } from '../../src/metrics/sources/prometheus.js';
import type { SeriesResult } from '../../src/metrics/sources/source.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { FakeClock, settle, type Clock } from '../../src/core/clock.js';
import { Controller } from '../../src/session/controller.js';
import type { SessionEvent } from '../../src/core/events.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { MetricsTarget, serve, waitFor, within, type TestServer } from '../helpers/http-target.js';
import { PrometheusServer } from '../helpers/prometheus.js';
import { describeEvent } from '../../src/headless/plain.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'integration');
const SCRAPE = '500ms';

let target: MetricsTarget;
let prom: PrometheusServer;
const t0 = Date.now();

beforeAll(async () => {
  target = await MetricsTarget.start();
  target
    .gauge('cockpit_it_error_rate', 0.25)
    .gauge('cockpit_it_inflight', 3, { pod: 'a' })
    .gauge('cockpit_it_inflight', 4.5, { pod: 'b' })
    .gauge('cockpit_it_by_code', 1, { code: '200' })
    .gauge('cockpit_it_by_code', 2, { code: '500' })
    .gauge('cockpit_it_by_code', 3, { code: '503' })
    .gauge('cockpit_it_nan', NaN)
    .gauge('cockpit_it_pos_inf', Infinity)
    .gauge('cockpit_it_neg_inf', -Infinity)
    // counters that grow linearly with time: rate() ≈ 10/s and 2/s
    .counter('cockpit_it_requests_total', () => 1000 + (10 * (Date.now() - t0)) / 1000, { code: '200' })
    .counter('cockpit_it_requests_total', () => 500 + (2 * (Date.now() - t0)) / 1000, { code: '500' });
  prom = await PrometheusServer.start({ targets: [target.hostPort], scrapeInterval: SCRAPE });
  await prom.waitForScrape();
});

afterAll(async () => {
  await prom?.stop();
  await target?.close();
});

async function read(query: string, { url = prom.url, timeoutMs = 2000, headers = {} as Record<string, string> } = {}): Promise<SeriesResult> {
  const r = await new PrometheusSource(url, headers).fetch([{ name: 's', query }], timeoutMs, new AbortController().signal);
  return r.s;
}

const valueOf = (r: SeriesResult) => ('value' in r ? r.value : undefined);

describe('PrometheusSource against a real Prometheus', () => {
  it('reads a gauge the target exposes', async () => {
    expect(await read('cockpit_it_error_rate')).toEqual({ value: 0.25 });
    expect(await read(`cockpit_it_error_rate{job="cockpit-test", instance="${target.hostPort}"}`)).toEqual({ value: 0.25 });
  });

  it('reads a `sum by` aggregation of several series as its one element', async () => {
    expect(await read('sum by (job) (cockpit_it_inflight)')).toEqual({ value: 7.5 });
    expect(await read('max(cockpit_it_inflight)')).toEqual({ value: 4.5 });
  });

  it('reads a rate() of counters (aggregated to one element)', async () => {
    // rate() extrapolates only a little past the samples it has: wait until the 3s window is full of scrapes
    await prom.waitForValue('count_over_time(cockpit_it_requests_total{code="200"}[4s])', (n) => n >= 7, 15_000);
    const total = valueOf(await read('sum by (job) (rate(cockpit_it_requests_total[3s]))'));
    expect(total).toBeGreaterThan(11);
    expect(total).toBeLessThan(13);
    const errors = valueOf(await read('rate(cockpit_it_requests_total{code="500"}[3s])'));
    expect(errors).toBeGreaterThan(1.5);
    expect(errors).toBeLessThan(2.5);
  });

  it('reads a scalar() query (resultType scalar)', async () => {
    const body = await prom.query('scalar(sum(cockpit_it_inflight))');
    expect(body.data?.resultType).toBe('scalar');
    expect(await read('scalar(sum(cockpit_it_inflight))')).toEqual({ value: 7.5 });
    expect(await read('scalar(cockpit_it_error_rate) * 100')).toEqual({ value: 25 });
  });

  it('sees a change of the target value after Prometheus scraped it', async () => {
    target.gauge('cockpit_it_changing', 1);
    await waitFor('the first value', async () => valueOf(await read('cockpit_it_changing')) === 1);
    const scrapesAtChange = target.scrapes;
    target.gauge('cockpit_it_changing', 5);
    const seen = await waitFor('the new value', async () => (valueOf(await read('cockpit_it_changing')) === 5 ? target.scrapes : undefined), { timeoutMs: 5000 });
    // Prometheus can only know the new value from a scrape that happened after the change
    expect(seen).toBeGreaterThan(scrapesAtChange);
    expect(await read('cockpit_it_changing')).toEqual({ value: 5 });
  });

  it('an empty result (a selector matching nothing) is no data, not an error', async () => {
    expect(await read('cockpit_it_does_not_exist')).toEqual({ error: 'no data (empty result)', noData: true });
    expect(await read('cockpit_it_error_rate{instance="nowhere:1"}')).toEqual({ error: 'no data (empty result)', noData: true });
    expect(await read('cockpit_it_error_rate > 1000')).toEqual({ error: 'no data (empty result)', noData: true });
  });

  it('a query returning several series is an error naming the count', async () => {
    const three = await read('cockpit_it_by_code');
    // a configuration error (the query's fault), not no data
    expect(three).toEqual({ error: 'query returned 3 series: aggregate it to one (sum, avg, max…)', config: true });
    expect('noData' in three).toBe(false);
    expect(await read('rate(cockpit_it_requests_total[3s])')).toMatchObject({ error: expect.stringMatching(/^query returned 2 series/), config: true });
  });

  it("a PromQL syntax error is a configuration error carrying Prometheus's own message", async () => {
    const query = 'sum(rate(cockpit_it_requests_total[1m])';
    const body = await prom.query(query);
    expect(body.status).toBe('error');
    expect(body.errorType).toBe('bad_data');
    const r = await read(query);
    expect(r).toEqual({ error: `bad_data: ${body.error}`, config: true });
    expect('error' in r && r.error).toMatch(/parse error.*unclosed left parenthesis/);
    expect('noData' in r).toBe(false);
  });

  it('a range vector is a configuration error (wrong result type)', async () => {
    expect(await read('cockpit_it_error_rate[5s]')).toEqual({ error: 'query returned a range vector (matrix): use an instant vector or scalar', config: true });
  });

  it('NaN and ±Inf values are no data (from the target and from PromQL)', async () => {
    const none = { error: 'no data (NaN or Inf)', noData: true };
    expect(await read('cockpit_it_nan')).toEqual(none);
    expect(await read('cockpit_it_pos_inf')).toEqual(none);
    expect(await read('cockpit_it_neg_inf')).toEqual(none);
    expect(await read('sum(cockpit_it_nan)')).toEqual(none);
    expect(await read('scalar(cockpit_it_does_not_exist)')).toEqual(none); // scalar() of an empty vector is NaN
    expect(await read('scalar(cockpit_it_by_code)')).toEqual(none); // … and of several elements too
    expect(await read('1/0')).toEqual(none);
    expect(await read('0/0')).toEqual(none);
    // the source did receive real values: the target exposed them as NaN / +Inf
    expect(target.exposition()).toMatch(/^cockpit_it_nan NaN$/m);
    expect(target.exposition()).toMatch(/^cockpit_it_pos_inf \+Inf$/m);
  });

  it('fetches several series in one call, each with its own result', async () => {
    const r = await new PrometheusSource(`${prom.url}/`).fetch(
      [
        { name: 'gauge', query: 'cockpit_it_error_rate' },
        { name: 'empty', query: 'cockpit_it_does_not_exist' },
        { name: 'broken', query: 'sum(' },
        { name: 'many', query: 'cockpit_it_inflight' },
      ],
      2000,
      new AbortController().signal,
    );
    expect(r.gauge).toEqual({ value: 0.25 });
    expect(r.empty).toEqual({ error: 'no data (empty result)', noData: true });
    expect(r.broken).toMatchObject({ error: expect.stringMatching(/^bad_data: .*parse error/), config: true });
    expect(r.many).toEqual({ error: 'query returned 2 series: aggregate it to one (sum, avg, max…)', config: true });
  });
});

describe('PrometheusSource when Prometheus is not answering', () => {
  it('a stopped Prometheus gives source errors (connection refused), and leaves no process or directory', async () => {
    const second = await PrometheusServer.start({ targets: [target.hostPort], scrapeInterval: SCRAPE });
    const url = second.url;
    const pid = second.pid!;
    expect(await read('vector(42)', { url })).toEqual({ value: 42 });
    await second.stop();
    expect(second.running).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(existsSync(second.dir)).toBe(false);
    const r = await read('vector(42)', { url });
    expect(r).toMatchObject({ error: expect.stringMatching(/^prometheus: ECONNREFUSED/) });
    expect('noData' in r).toBe(false);
  });

  describe('slow and black-hole endpoints', () => {
    let blackHole: TestServer;
    let slow: TestServer;
    beforeAll(async () => {
      blackHole = await serve(() => undefined); // reads the request, never answers
      slow = await serve((_req, res) => {
        const t = setTimeout(() => res.end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [0, '1'] } })), 3000);
        res.on('close', () => clearTimeout(t));
      });
    });
    afterAll(async () => {
      await blackHole?.close();
      await slow?.close();
    });

    it('a black hole gives a timeout error within the timeout', async () => {
      const start = performance.now();
      const r = await read('up', { url: blackHole.url, timeoutMs: 300 });
      const took = performance.now() - start;
      expect(r).toEqual({ error: 'prometheus: timed out after 300 ms' });
      expect(took).toBeGreaterThanOrEqual(280);
      expect(took).toBeLessThan(1000);
      expect(blackHole.requests.map((q) => q.path)).toEqual(['/api/v1/query?query=up']);
    });

    it('a slow endpoint gives a timeout error within the timeout', async () => {
      const start = performance.now();
      const r = await read('up', { url: slow.url, timeoutMs: 250 });
      expect(r).toEqual({ error: 'prometheus: timed out after 250 ms' });
      expect(performance.now() - start).toBeLessThan(1000);
    });
  });

  it('a proxy error page is an HTTP error, and the runbook headers are sent', async () => {
    const proxy = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    try {
      const r = await read('up', { url: `${proxy.url}/prom`, headers: { 'X-Scope-OrgID': 'web' } });
      expect(r).toEqual({ error: 'prometheus: HTTP 502, not JSON: <html><body>Bad Gateway</body></html>' });
      expect(proxy.requests[0].path).toBe('/prom/api/v1/query?query=up');
      expect(proxy.requests[0].headers['x-scope-orgid']).toBe('web');
    } finally {
      await proxy.close();
    }
  });
});

// ── end to end: a Controller whose runbook names the Prometheus source ──────────────────────

type E2E = { c: Controller; journal: MemoryJournal; runner: FakeRunner; sessionDir: string };

function controller(run: string, clock?: Clock, query?: string, unguarded = false): E2E {
  const file = join(FIXTURES, 'prometheus-release.yml');
  const fixture = readFileSync(file, 'utf8');
  // another query for the series (YAML single-quoted)
  const text = (query === undefined ? fixture : fixture.replace(`'max(cockpit_e2e_error_rate{run="__RUN__"})'`, `'${query.replaceAll("'", "''")}'`)).replaceAll('__PROMETHEUS_URL__', prom.url).replaceAll('__RUN__', run);
  const parsed = parseRunbook(text, file);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const runner = new FakeRunner();
  runner.autoPass = true;
  const journal = new MemoryJournal();
  const sessionDir = mkdtempSync(join(tmpdir(), 'cockpit-prom-e2e-'));
  const c = new Controller({
    runbook: parsed.runbook,
    runner,
    journal,
    clock,
    sessionId: `prom-${run}`,
    sessionDir,
    values: { version: '1.0.0' },
    mode: 'headless',
    autoAdvance: true,
    unguarded,
  });
  return { c, journal, runner, sessionDir };
}

const ofType = <T extends SessionEvent['type']>(events: readonly SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

const QUERY = (run: string) => `max(cockpit_e2e_error_rate{run="${run}"})`;

/** Sets the target's error rate for one run and waits until Prometheus answers with it. */
async function setErrorRate(run: string, v: number): Promise<void> {
  target.gauge('cockpit_e2e_error_rate', v, { run });
  await prom.waitForValue(QUERY(run), (x) => x === v);
}

/**
 * FakeClock + real fetch: the fake clock decides when ticks are due (500 ms apart, so `for: 2s`
 * and the 10 s monitor are exact), each tick's fetch goes to the real Prometheus, and the driver
 * waits (real time, with a deadline) for that tick's sample before moving the clock again.
 */
/** The guardrail self-test failed naming the metric, and the run went on only by `--unguarded` (journalled). */
function wentOnUnguarded(e: E2E): void {
  const selfTest = e.c.state.preflight.steps.find((x) => x.title === 'Guardrail self-test');
  expect(selfTest).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^error_rate: /) }); // failed, then passed over unguarded
  expect(ofType(e.journal.events, 'guard.unguarded')).toEqual([expect.objectContaining({ by: 'flag' })]);
}

function driver(e: E2E, clock: FakeClock) {
  const sampled = () => ofType(e.journal.events, 'metric.sampled');
  return {
    sampled,
    /** The pre-flight's self-test reads the real Prometheus before stage 1 starts: wait for the stage (or the end). */
    async started(): Promise<void> {
      await waitFor('stage 1 to start', () => e.journal.events.some((x) => x.type === 'stage.started') || e.c.state.outcome !== undefined, { timeoutMs: 5000, intervalMs: 5 });
      await settle();
    },
    async tick(ms = 500): Promise<void> {
      const before = sampled().length;
      await clock.advance(ms);
      await waitFor(`the sample after +${ms} ms (fake t=${clock.now()})`, () => sampled().length > before || e.c.state.outcome !== undefined, { timeoutMs: 5000, intervalMs: 5 });
      await settle();
    },
  };
}

describe('a Controller with metrics.source: prometheus (end to end)', () => {
  it('bad value: pending, then fired with the value after `for`, rollback by the trigger, rolled back', async () => {
    const run = 'bad';
    await setErrorRate(run, 0.2);
    const clock = new FakeClock();
    const e = controller(run, clock);
    const d = driver(e, clock);
    try {
      void e.c.start();
      await settle();
      await d.started();
      await d.tick(0); // tick 0 at t=0
      await d.tick(); // t=500
      expect(d.sampled().map((s) => [s.time, s.values.error_rate])).toEqual([
        [0, 0.2],
        [500, 0.2],
      ]);
      expect(ofType(e.journal.events, 'guard.armed')[0]).toMatchObject({ armed: true, why: 'stage:production' });

      await setErrorRate(run, 3.5);
      await d.tick(); // t=1000: first breaching sample
      expect(ofType(e.journal.events, 'trigger.pending')).toEqual([expect.objectContaining({ trigger: 'error-rate-above', since: 1000, value: 3.5 })]);
      for (let i = 0; i < 3; i++) await d.tick(); // 1500, 2000, 2500: still pending
      expect(ofType(e.journal.events, 'trigger.fired')).toHaveLength(0);
      await d.tick(); // t=3000: `for: 2s` elapsed since 1000
      const outcome = await within(e.c.settled, 5000, 'the session to end');
      expect(outcome).toBe('rolled-back');

      const ev = e.journal.events;
      const fired = ofType(ev, 'trigger.fired');
      expect(fired).toHaveLength(1);
      expect(fired[0]).toMatchObject({
        trigger: 'error-rate-above',
        since: 1000,
        value: 3.5,
        window: [
          [1000, 3.5],
          [1500, 3.5],
          [2000, 3.5],
          [2500, 3.5],
          [3000, 3.5],
        ],
        reason: 'error_rate > 1 % for 2s: error_rate 3.5 % now, breaching since 2s (5 samples)',
      });
      expect(fired[0].t).toBe(3000);
      const started = ofType(ev, 'rollback.started');
      expect(started).toEqual([expect.objectContaining({ source: 'trigger', incidentAt: 1000, reason: `trigger fired: ${fired[0].reason}` })]);
      const order = ['trigger.pending', 'trigger.fired', 'rollback.started', 'rollback.finished', 'session.ended'].map((t) => ev.findIndex((x) => x.type === t));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order.every((i) => i >= 0)).toBe(true);
      // the monitor was cut short, the rollback steps ran, verify passed
      const monitor = ofType(ev, 'step.finished').find((x) => x.stage === 'production' && x.step === 'monitor-10s');
      expect(monitor).toMatchObject({ ok: false, interrupted: true });
      expect(e.runner.keys()).toEqual(['production.deploy', 'rollback.rollback', 'rollback.verify']);
      expect(ofType(ev, 'rollback.finished')).toEqual([expect.objectContaining({ ok: true })]);
      // every sample came from the real Prometheus, with no source error
      expect(d.sampled().every((s) => Object.keys(s.errors).length === 0)).toBe(true);
    } finally {
      e.c.dispose();
      rmSync(e.sessionDir, { recursive: true, force: true });
    }
  });

  it('good run: a spike shorter than `for` resets, the 10 s monitor window passes, nothing fired', async () => {
    const run = 'good';
    await setErrorRate(run, 0.2);
    const clock = new FakeClock();
    const e = controller(run, clock);
    const d = driver(e, clock);
    try {
      void e.c.start();
      await settle();
      await d.started();
      await d.tick(0);
      await d.tick();
      await setErrorRate(run, 1.8);
      await d.tick(); // t=1000 pending
      await setErrorRate(run, 0.3);
      await d.tick(); // t=1500 reset
      expect(ofType(e.journal.events, 'trigger.pending')).toEqual([expect.objectContaining({ since: 1000, value: 1.8 })]);
      expect(ofType(e.journal.events, 'trigger.reset')).toEqual([expect.objectContaining({ value: 0.3 })]);
      const deadline = Date.now() + 20_000;
      while (e.c.state.outcome === undefined && Date.now() < deadline) await d.tick();
      expect(await within(e.c.settled, 5000, 'the session to end')).toBe('released');

      const ev = e.journal.events;
      expect(clock.now()).toBe(10_000);
      expect(ofType(ev, 'trigger.fired')).toHaveLength(0);
      expect(ofType(ev, 'rollback.started')).toHaveLength(0);
      const monitor = ofType(ev, 'step.finished').find((x) => x.step === 'monitor-10s');
      expect(monitor).toMatchObject({ ok: true, interrupted: false, durationMs: 10_000 });
      expect(ofType(ev, 'stage.passed')).toEqual([expect.objectContaining({ stage: 'production' })]);
      // samples every 500 ms of fake time until the window ended, all real values
      const samples = d.sampled();
      expect(samples.map((s) => s.time)).toEqual(samples.map((_, i) => i * 500));
      expect(samples.length).toBeGreaterThanOrEqual(20);
      expect(samples.every((s) => typeof s.values.error_rate === 'number' && Object.keys(s.errors).length === 0)).toBe(true);
      expect(e.runner.keys()).toEqual(['production.deploy']);
    } finally {
      e.c.dispose();
      rmSync(e.sessionDir, { recursive: true, force: true });
    }
  });

  it('real clock: a bad value fires after `for: 2s` of real time and the release is rolled back', async () => {
    const run = 'realtime';
    await setErrorRate(run, 4);
    const e = controller(run); // systemClock, real timers
    try {
      const start = performance.now();
      void e.c.start();
      const outcome = await within(e.c.settled, 8000, 'the session to end');
      const wall = performance.now() - start;
      expect(outcome).toBe('rolled-back');
      const ev = e.journal.events;
      const pending = ofType(ev, 'trigger.pending');
      const fired = ofType(ev, 'trigger.fired');
      expect(pending).toHaveLength(1);
      expect(fired).toHaveLength(1);
      expect(fired[0]).toMatchObject({ since: pending[0].since, value: 4 });
      const last = fired[0].window[fired[0].window.length - 1][0];
      expect(last - fired[0].since).toBeGreaterThanOrEqual(2000);
      expect(last - fired[0].since).toBeLessThan(3500);
      expect(wall).toBeGreaterThanOrEqual(1900);
      expect(ofType(ev, 'rollback.started')).toEqual([expect.objectContaining({ source: 'trigger', incidentAt: pending[0].since })]);
    } finally {
      e.c.dispose();
      rmSync(e.sessionDir, { recursive: true, force: true });
    }
  });
});

describe('a broken query against the real Prometheus fails the step at once; an empty answer holds (issue 18)', () => {
  const broken = [
    ['a PromQL syntax error', 'sum(rate(cockpit_it_requests_total[1m])', /^bad_data: .*parse error.*unclosed left parenthesis/],
    ['a query returning 2 series', 'cockpit_it_inflight', /^query returned 2 series: aggregate it to one/],
    ['a range vector', 'up[1m]', /^query returned a range vector \(matrix\): use an instant vector or scalar$/],
  ] as const;

  for (const [name, query, message] of broken) {
    it(`${name}: trigger.broken with Prometheus's message on the first sample, the monitor fails, FAILED (no hold)`, async () => {
      const clock = new FakeClock();
      // the pre-flight's self-test catches it first; going on by --unguarded (journalled), sampling finds it again: the step fails at once
      const e = controller(`broken-${name.length}`, clock, query, true);
      const d = driver(e, clock);
      try {
        void e.c.start();
        await settle();
        await d.started();
        await d.tick(0); // tick 0 at t=0: the only sample it takes
        expect(await within(e.c.settled, 5000, 'the session to end')).toBe('failed');
        const ev = e.journal.events;
        const b = ofType(ev, 'trigger.broken');
        expect(b).toHaveLength(1);
        expect(b[0]).toMatchObject({ trigger: 'error-rate-above', metric: 'error_rate', query, t: 0 });
        expect(b[0].error).toMatch(message);
        expect(b[0].reason).toBe(`trigger error-rate-above: query "${query}" is broken: ${b[0].error}`);
        // the headless line says it, once
        const line = describeEvent(e.c.state, b[0]);
        expect(line).toBe(`✗ ${b[0].reason}: the step fails now (a configuration error, not no data)`);
        // the monitor step failed with that reason, at fake time 0: no 10-minute hold, no NO DATA
        const monitor = ofType(ev, 'step.finished').find((x) => x.step === 'monitor-10s');
        expect(monitor).toMatchObject({ ok: false, reason: b[0].reason });
        expect(monitor!.t).toBe(0);
        expect(ofType(ev, 'guard.hold')).toEqual([]);
        expect(ofType(ev, 'trigger.nodata')).toEqual([]);
        expect(ofType(ev, 'rollback.started')).toEqual([]);
        expect(ofType(ev, 'metric.sampled')[0]).toMatchObject({ values: { error_rate: null }, config: ['error_rate'] });
        wentOnUnguarded(e);
      } finally {
        e.c.dispose();
        rmSync(e.sessionDir, { recursive: true, force: true });
      }
    });
  }

  it('an empty vector is no data: no trigger.broken, the release holds after maxErrors samples and the monitor waits', async () => {
    const clock = new FakeClock();
    const e = controller('empty', clock, 'cockpit_it_does_not_exist', true);
    const d = driver(e, clock);
    try {
      void e.c.start();
      await settle();
      await d.started();
      await d.tick(0);
      for (let i = 0; i < 4; i++) await d.tick();
      const ev = e.journal.events;
      expect(ofType(ev, 'trigger.broken')).toEqual([]);
      expect(ofType(ev, 'trigger.nodata')).toEqual([expect.objectContaining({ trigger: 'error-rate-above', misses: 4, policy: 'hold', error: 'no data (empty result)' })]);
      expect(ofType(ev, 'guard.hold')).toEqual([expect.objectContaining({ holding: true })]);
      expect(e.c.state.stages[0].steps.find((x) => x.id === 'monitor-10s')?.status).toBe('running');
      expect(e.c.state.outcome).toBeUndefined();
      expect(ofType(ev, 'metric.sampled').every((x) => x.config === undefined)).toBe(true);
      wentOnUnguarded(e);
    } finally {
      e.c.dispose();
      rmSync(e.sessionDir, { recursive: true, force: true });
    }
  });
});
