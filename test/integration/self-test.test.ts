/**
 * The guardrail self-test against a real Prometheus (the `prometheus` binary scraping a target this
 * test serves): a query that answers with one number passes; one that returns two series, one that
 * returns an empty vector, and a source that is down each fail, naming the metric, the query (or
 * the URL), what came back and the fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusSource } from '../../src/metrics/sources/prometheus.js';
import { findingLines, findingsReason, testGuardrails, type SelfTestTargets } from '../../src/guard/self-test.js';
import { probeOnce } from '../../src/guard/probe.js';
import { closedPort, MetricsTarget } from '../helpers/http-target.js';
import { PrometheusServer } from '../helpers/prometheus.js';

let target: MetricsTarget;
let prom: PrometheusServer;

beforeAll(async () => {
  target = await MetricsTarget.start();
  target.gauge('cockpit_st_error_rate', 0.25).gauge('cockpit_st_by_pod', 1, { pod: 'a' }).gauge('cockpit_st_by_pod', 2, { pod: 'b' });
  prom = await PrometheusServer.start({ targets: [target.hostPort], scrapeInterval: '500ms' });
  await prom.waitForScrape();
});

afterAll(async () => {
  await prom?.stop();
  await target?.close();
});

const series = (name: string, query: string): SelfTestTargets['series'][number] => ({ name, query, usedBy: [`trigger ${name}`] });

async function selfTest(url: string, list: SelfTestTargets['series']) {
  return testGuardrails({ series: list, probes: [] }, { source: new PrometheusSource(url), sourceText: `prometheus ${url}`, probe: probeOnce, timeoutMs: 2000 });
}

describe('guardrail self-test against a real Prometheus', () => {
  it('passes when every series answers with one number', async () => {
    expect(await selfTest(prom.url, [series('error_rate', 'cockpit_st_error_rate'), series('pods', 'sum(cockpit_st_by_pod)')])).toEqual([]);
  });

  it('a query returning two series fails, naming the metric, the query and the fix', async () => {
    const f = await selfTest(prom.url, [series('error_rate', 'cockpit_st_error_rate'), series('inflight', 'cockpit_st_by_pod')]);
    expect(findingLines(f)).toEqual(['✗ inflight: 2 series', '  query: cockpit_st_by_pod', '  fix: aggregate it to one series with sum()/avg()/max()']);
    expect(findingsReason(f)).toBe('inflight: 2 series');
  });

  it('an empty vector fails: no series is no number', async () => {
    const f = await selfTest(prom.url, [series('latency', 'cockpit_st_no_such_metric')]);
    expect(findingLines(f)).toEqual(['✗ latency: an empty vector (no series)', '  query: cockpit_st_no_such_metric', '  fix: check the metric name and labels: is the target scraped?']);
  });

  it('a PromQL syntax error fails with Prometheus\'s own message', async () => {
    const f = await selfTest(prom.url, [series('bad', 'sum(')]);
    expect(f).toHaveLength(1);
    expect(f[0].subject).toBe('bad');
    expect(f[0].got).toMatch(/^bad_data: .*parse error/);
    expect(f[0].details).toEqual(['query: sum(', 'fix: fix the PromQL (Prometheus said why above)']);
  });

  it('a source that is down fails once for every series it leaves blind, naming the URL and ECONNREFUSED', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const f = await selfTest(url, [series('error_rate', 'cockpit_st_error_rate'), series('latency', 'cockpit_st_error_rate')]);
    expect(findingLines(f)).toEqual([
      `✗ metrics source down: ECONNREFUSED 127.0.0.1:${port}`,
      '  blind: error_rate, latency',
      `  url: prometheus ${url}`,
      '  fix: check metrics.source.url: is the server up there?',
    ]);
  });

  it('a probe that does not answer fails, naming it and its URL', async () => {
    const port = await closedPort();
    const f = await testGuardrails({ series: [], probes: [{ name: 'checkout', url: `http://127.0.0.1:${port}/checkout`, method: 'GET' }] }, { sourceText: '', probe: probeOnce, timeoutMs: 2000 });
    expect(findingLines(f)).toEqual([`✗ probe checkout: no answer (ECONNREFUSED 127.0.0.1:${port})`, `  url: http://127.0.0.1:${port}/checkout`, "  fix: check the probe's url: is the service up there?"]);
  });
});
