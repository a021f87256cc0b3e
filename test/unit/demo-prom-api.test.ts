/**
 * The demo service answers the Prometheus HTTP API for its own series: cockpit's PrometheusSource
 * reads it (instant and query_range) as it reads a real Prometheus, and the window before the
 * service started has the old version's plausible figures (the baseline before a release).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDemoService } from '../../src/demo/service.js';
import { PrometheusSource } from '../../src/metrics/sources/prometheus.js';
import { parseQuery } from '../../src/demo/prom-api.js';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-demo-prom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo service as a prometheus source', () => {
  it('answers instant queries and query_range with the pre-release window, and refuses what it cannot answer as Prometheus does', async () => {
    let t = Date.UTC(2026, 0, 5, 14, 2, 0);
    const svc = await startDemoService({ scenario: 'good', speed: 1, flagFile: join(dir, 'flags.json'), seed: 7, now: () => t });
    try {
      const src = new PrometheusSource(svc.url);
      const signal = new AbortController().signal;
      const now = await src.fetch([{ name: 'rps', query: 'max(demo_request_rate{slot=""})' }, { name: 'green', query: 'demo_request_rate{slot="green"}' }, { name: 'two', query: 'demo_request_rate' }], 2000, signal);
      expect('value' in now.rps && now.rps.value).toBeGreaterThan(110);
      expect(now.green).toEqual({ value: 0 });
      expect(now.two).toEqual({ error: 'query returned 3 series: aggregate it to one (sum, avg, max…)', config: true });
      // the 30 minutes before the release: the old version's steady figures, every 10 s
      const range = await src.fetchRange([{ name: 'rps', query: 'max(demo_request_rate{slot=""})' }, { name: 'p95', query: 'max(demo_latency_p95_ms{slot=""})' }], { from: t - 30 * 60_000, to: t, stepMs: 10_000 }, 2000, signal);
      expect(range.rps).toEqual({ mean: expect.any(Number), points: 181 });
      expect('mean' in range.rps && range.rps.mean).toBeGreaterThan(115);
      expect('mean' in range.rps && range.rps.mean).toBeLessThan(125);
      expect('mean' in range.p95 && range.p95.mean).toBeGreaterThan(285);
      expect('mean' in range.p95 && range.p95.mean).toBeLessThan(315);
      // after it started: what it computed; never the future
      t += 5000;
      const after = await src.fetchRange([{ name: 'rps', query: 'max(demo_request_rate)' }], { from: t - 10_000, to: t + 60_000, stepMs: 1000 }, 2000, signal);
      expect(after.rps).toMatchObject({ points: 11 });
      const bad = await src.fetch([{ name: 'x', query: 'rate(demo_request_rate[1m])' }], 2000, signal);
      expect('error' in bad.x && bad.x.error).toMatch(/^bad_data: the demo service answers only a demo_\* metric/);
    } finally {
      await svc.close();
    }
  });

  it('parses the demo runbook queries, and nothing else', () => {
    expect(parseQuery('max(demo_memory_percent{slot=""})')).toEqual({ metric: 'memory', name: 'demo_memory_percent', labels: { slot: '' }, agg: 'max' });
    expect(parseQuery('demo_throughput')).toEqual({ metric: 'throughput', name: 'demo_throughput', labels: {}, agg: undefined });
    expect(parseQuery('max(demo_throughput')).toBeUndefined();
    expect(parseQuery('up')).toBeUndefined();
  });
});
