/**
 * An experiment that reads Prometheus (its own source, or metrics.source) needs written PromQL
 * for exposures and conversions: `validate` warns where the experiment is written (exit 0: the
 * release itself can run, as with the seed's Markdown and a Prometheus front matter), and
 * the sampler never sends an empty or JSON-pointer query to Prometheus. The demo's --prometheus
 * runbook writes both over the counters its service exports.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { demoRunbook } from '../../src/demo/runbook.js';
import { fetchFigures } from '../../src/flags/experiment.js';
import type { FetchResults, MetricSource, SeriesQuery } from '../../src/metrics/sources/source.js';
import { parseRunbook } from '../../src/runbook/load.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-exq-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const runbook = (experiment: string, source = "metrics:\n  source: { type: prometheus, url: 'http://127.0.0.1:9090' }\n  series: {}\n") => `name: ab
stages:
  - id: production
    steps:
      - run: ./deploy.sh
${source}experiments:
  checkout-flow-v2:
    variants: [control, treatment]
    metric: conversion
${experiment}`;

async function validate(text: string) {
  writeFileSync(join(dir, 'cockpit.yml'), text);
  const out: string[] = [];
  const code = await main(['validate', join(dir, 'cockpit.yml')], { out: (l) => out.push(l), err: (l) => out.push(l) });
  return { code, text: out.join('\n') };
}

/** A Prometheus-kind source that records what it was asked and answers 10 for everything. */
class RecordingPrometheus implements MetricSource {
  readonly kind = 'prometheus';
  readonly asked: SeriesQuery[][] = [];
  async fetch(series: readonly SeriesQuery[]): Promise<FetchResults> {
    this.asked.push([...series]);
    return Object.fromEntries(series.map((s) => [s.name, { value: 10 }]));
  }
}

describe('validate: an experiment reading Prometheus without its queries', () => {
  it('metrics.source is Prometheus, no queries: a warning at the experiment', async () => {
    const r = await validate(runbook(''));
    expect(r.code).toBe(0);
    expect(r.text).toContain(
      `cockpit.yml:10:3: warning: experiment "checkout-flow-v2" reads Prometheus but has no exposures or conversions query: write one per variant, e.g. exposures: 'sum(my_exposures_total{experiment="{experiment}",variant="{variant}"})'; until then it gets no figures`,
    );
  });

  it('its own Prometheus source and only exposures: the conversions query is named', async () => {
    const r = await validate(runbook(`    source: { type: prometheus, url: 'http://127.0.0.1:9090' }\n    exposures: 'sum(x{variant="{variant}"})'\n`, ''));
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/warning: experiment "checkout-flow-v2" reads Prometheus but has no conversions query/);
  });

  it('both queries written: no warning; an http-json source needs none (its pointers have a default)', async () => {
    expect((await validate(runbook(`    exposures: 'sum(e{variant="{variant}"})'\n    conversions: 'sum(c{variant="{variant}"})'\n`))).text).not.toContain('warning: experiment');
    expect((await validate(runbook('', "metrics:\n  source: { type: http-json, url: 'http://127.0.0.1:9' }\n  series: {}\n"))).text).not.toContain('warning: experiment');
  });

  it("the demo's --prometheus runbook validates without the warning, with PromQL for both", async () => {
    const text = demoRunbook({ serviceUrl: 'http://127.0.0.1:8080', speed: 20, prometheusUrl: 'http://127.0.0.1:9090' });
    expect((await validate(text)).text).not.toContain('reads Prometheus');
    const r = parseRunbook(text, join(dir, 'cockpit.yml'));
    const ex = r.ok ? r.runbook.experiments['checkout-flow-v2'] : undefined;
    expect(ex?.exposures).toBe('sum(demo_experiment_exposures_total{experiment="{experiment}",variant="{variant}"})');
    expect(ex?.conversions).toBe('sum(demo_experiment_conversions_total{experiment="{experiment}",variant="{variant}"})');
  });
});

describe('the sampler against a Prometheus source', () => {
  const parsed = (experiment: string) => {
    const r = parseRunbook(runbook(experiment), join(dir, 'cockpit.yml'));
    return r.ok ? r.runbook.experiments['checkout-flow-v2'] : undefined;
  };

  it('metrics.source Prometheus (no source of its own): the written PromQL is sent, filled per variant', async () => {
    const ex = parsed(`    exposures: 'sum(e{experiment="{experiment}",variant="{variant}"})'\n    conversions: 'sum(c{variant="{variant}"})'\n`)!;
    const src = new RecordingPrometheus();
    const f = await fetchFigures('checkout-flow-v2', ex, src);
    expect(src.asked[0]).toEqual([
      { name: 'control.exposures', query: 'sum(e{experiment="checkout-flow-v2",variant="control"})' },
      { name: 'control.conversions', query: 'sum(c{variant="control"})' },
      { name: 'treatment.exposures', query: 'sum(e{experiment="checkout-flow-v2",variant="treatment"})' },
      { name: 'treatment.conversions', query: 'sum(c{variant="treatment"})' },
    ]);
    expect(f.variants.map((v) => v.exposures)).toEqual([10, 10]);
  });

  it('no queries written: nothing is sent, every variant says what is missing', async () => {
    const ex = parsed('')!;
    const src = new RecordingPrometheus();
    const f = await fetchFigures('checkout-flow-v2', ex, src);
    expect(src.asked).toEqual([]);
    expect(f.variants.map((v) => v.error)).toEqual([
      expect.stringMatching(/^experiment checkout-flow-v2 reads Prometheus but has no exposures or conversions query/),
      expect.stringMatching(/^experiment checkout-flow-v2 reads Prometheus but has no exposures or conversions query/),
    ]);
    expect(f.verdict).toMatch(/^no data: experiment checkout-flow-v2 reads Prometheus/);
  });
});
