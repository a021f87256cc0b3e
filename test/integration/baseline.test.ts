/**
 * The baseline from history against a real Prometheus: the `prometheus` binary scrapes a target
 * this test serves (500 ms) for a while before the release, so query_range over the window before
 * the session returns a real window. The session reads it once when it starts; the first armed
 * stage then has a baseline and its dropWarnPct band applies there.
 *
 * FakeClock for the sampler's ticks (its wall clock starts at the real now, so the window is real
 * time), real fetches. Every wait is on a condition with a deadline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import type { SessionEvent } from '../../src/core/events.js';
import { describeEvent } from '../../src/headless/plain.js';
import { PrometheusSource } from '../../src/metrics/sources/prometheus.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { baselineTitle, seriesViews } from '../../src/ui/view-model.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { MetricsTarget, waitFor } from '../helpers/http-target.js';
import { PrometheusServer } from '../helpers/prometheus.js';

let target: MetricsTarget;
let prom: PrometheusServer;

const QUERY = 'max(cockpit_bl_throughput)';

beforeAll(async () => {
  target = await MetricsTarget.start();
  target.gauge('cockpit_bl_throughput', 100);
  prom = await PrometheusServer.start({ targets: [target.hostPort], scrapeInterval: '500ms' });
  await prom.waitForScrape();
  // history before the release: at least 4 scrapes of 100 in the last 3 s
  await prom.waitForValue('count_over_time(cockpit_bl_throughput[3s])', (n) => n >= 4, 20_000);
});

afterAll(async () => {
  await prom?.stop();
  await target?.close();
});

const runbook = (url: string) => `
name: baseline-it
version: "1.0.0"
metrics:
  interval: 500ms
  timeout: 400ms
  baseline: 3s
  source: { type: prometheus, url: "${url}" }
  series:
    throughput: { query: '${QUERY}', unit: rps, dropWarnPct: 20 }
    fresh: { query: 'max(cockpit_bl_never_exported)', dropWarnPct: 10 }
stages:
  - id: production
    armed: true
    steps:
      - run: ./deploy.sh
      - monitor: 30s
rollback:
  steps: [./rollback.sh]
`;

const ofType = <T extends SessionEvent['type']>(events: readonly SessionEvent[], type: T) => events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

describe('baseline from history (Prometheus query_range)', () => {
  it('query_range gives the mean of the one series over the window, and its points', async () => {
    const to = Date.now();
    const r = await new PrometheusSource(prom.url).fetchRange([{ name: 't', query: QUERY }, { name: 'none', query: 'max(cockpit_bl_never_exported)' }, { name: 'bad', query: 'max(' }], { from: to - 3000, to, stepMs: 500 }, 2000, new AbortController().signal);
    expect(r.t).toEqual({ mean: 100, points: expect.any(Number) });
    expect('points' in r.t && r.t.points).toBeGreaterThanOrEqual(4);
    expect(r.none).toEqual({ error: 'no data in the window (empty result)', noData: true });
    expect('error' in r.bad && r.bad.error).toMatch(/^prometheus: bad_data: .*parse error/);
  });

  it('is read once when the session starts, journalled with its window; the first armed stage has it and dropWarnPct applies there', async () => {
    const wallStart = Date.now();
    const clock = new FakeClock(wallStart);
    const parsed = parseRunbook(runbook(prom.url), '/srv/app/cockpit.yml');
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
    const rb = parsed.runbook;
    const runner = new FakeRunner();
    runner.autoPass = true;
    const journal = new MemoryJournal();
    const sessionDir = mkdtempSync(join(tmpdir(), 'cockpit-baseline-it-'));
    const c = new Controller({ runbook: rb, runner, journal, clock, sessionId: 'bl', sessionDir, values: { version: '1.0.0' }, mode: 'headless', autoAdvance: true });
    try {
      void c.start();
      await settle();
      const taken = await waitFor('the history baseline', () => ofType(journal.events, 'baseline.taken')[0], { timeoutMs: 10_000 });
      expect(taken).toMatchObject({ window: { from: wallStart - 3000, to: wallStart, stepMs: 500 }, values: { throughput: 100, fresh: null } });
      expect(taken.stage).toBeUndefined();
      expect(taken.points?.throughput).toBeGreaterThanOrEqual(4);
      expect(taken.errors).toEqual({ fresh: 'no data in the window (empty result)' });
      const hhmm = new Date(wallStart).toTimeString().slice(0, 5);
      expect(describeEvent(c.state, taken)).toBe(
        `  · baseline (3s before ${hhmm}): throughput=100 (${taken.points!.throughput} points)  fresh=∅ (no data in the window (empty result): from the samples when each stage starts)`,
      );
      // the first stage started after it (it waited for it), armed, and kept the history value
      await waitFor('the production stage', () => c.state.stages[0].status === 'running');
      const types = journal.events.map((e) => e.type);
      expect(types.indexOf('baseline.taken')).toBeLessThan(types.indexOf('stage.started'));
      expect(c.state.guard.armed).toBe(true);
      expect(c.state.guard.baseline.throughput).toBe(100);
      expect(baselineTitle(rb, c.state)).toBe(`base: 3s before ${hhmm}`);

      // the release drops throughput by 30 %: in this first armed stage the drop band warns
      target.gauge('cockpit_bl_throughput', 70);
      await prom.waitForValue(QUERY, (v) => v === 70);
      // (a tick fetched before the change may still land: tick until a sample carries the new value;
      // a failure lists what the last samples said)
      const last = () => c.state.guard.series.throughput.samples.at(-1)?.[1];
      const sampled = () => ofType(journal.events, 'metric.sampled');
      const said = () => JSON.stringify(sampled().slice(-5).map((e) => e.values.throughput ?? e.errors.throughput));
      for (let i = 0; i < 60 && last() !== 70; i++) {
        const before = sampled().length;
        // the clock goes to the next tick exactly (a sample's time + the interval), and stops
        // there while the tick's real fetch answers. (500 ms steps could pass a tick early in a
        // step and its 400 ms deadline in the same step: on a loaded machine every sample then
        // read "timed out after 400 ms", seen 60 times in a row)
        const next = (sampled().at(-1)?.time ?? c.elapsed()) + 500;
        await clock.advance(Math.max(1, next - c.elapsed()));
        await waitFor(`a sample (the last ones: ${said()})`, () => sampled().length > before);
      }
      expect(last(), `a sample carrying the dropped throughput; the last ones: ${said()}`).toBe(70);
      const tp = seriesViews(rb, c.state).find((s) => s.name === 'throughput')!;
      expect(tp).toMatchObject({ value: 70, band: 'warn', thresholds: 'base 100' });
    } finally {
      c.dispose();
      rmSync(sessionDir, { recursive: true, force: true });
    }
  }, 60_000);
});
