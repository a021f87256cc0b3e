/**
 * Guard test harness: a metric source and a probe scripted per scheduled tick on a FakeClock,
 * a runbook builder for guard scenarios, and a Controller wired to them.
 */
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import { FakeClock } from '../../src/core/clock.js';
import { Controller, type ControllerOptions } from '../../src/session/controller.js';
import type { SessionEvent } from '../../src/core/events.js';
import { MemoryJournal } from '../../src/session/journal.js';
import type { FetchResults, MetricSource, SeriesQuery, SeriesResult } from '../../src/metrics/sources/source.js';
import type { ProbeResult } from '../../src/guard/probe.js';
import { FakeRunner } from './fake-runner.js';

/** One scripted sample: a number (NaN and ±Infinity included), or a miss (source error). */
export type Scripted = number | 'miss' | { readonly error: string; readonly noData?: boolean; readonly config?: true };

export function asResult(s: Scripted | undefined): SeriesResult {
  if (s === undefined) return { error: 'script ended' };
  if (s === 'miss') return { error: 'scripted miss' };
  if (typeof s === 'number') return { value: s };
  return s;
}

/**
 * A MetricSource whose answer for each series comes from an array indexed by the scheduled tick
 * (tick = round(now / interval): the guard calls fetch synchronously at the tick's time). A fetch
 * can be delayed per tick (resolving later on the fake clock), and calls are counted.
 */
export class ScriptedSource implements MetricSource {
  readonly kind = 'scripted';
  readonly calls: { readonly tick: number; readonly at: number; readonly signal: AbortSignal }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly intervalMs: number,
    private readonly script: Readonly<Record<string, readonly Scripted[]>>,
    /** Milliseconds the fetch of a tick takes to resolve (0 or undefined: at once). */
    private readonly delayMs: (tick: number) => number | undefined = () => undefined,
  ) {}

  fetch(series: readonly SeriesQuery[], _timeoutMs: number, signal: AbortSignal): Promise<FetchResults> {
    const at = this.clock.now();
    const tick = Math.round(at / this.intervalMs);
    this.calls.push({ tick, at, signal });
    const results: FetchResults = Object.fromEntries(series.map((s) => [s.name, asResult(this.script[s.name]?.[tick])]));
    const delay = this.delayMs(tick) ?? 0;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = () => {
      this.inFlight--;
      return results;
    };
    if (delay <= 0) return Promise.resolve().then(done);
    return new Promise((resolve) => this.clock.after(delay, () => resolve(done())));
  }
}

/** A probe function scripted per tick and probe name: an HTTP status, or an error (connection refused…). */
export function scriptedProbe(
  clock: FakeClock,
  intervalMs: number,
  script: Readonly<Record<string, readonly (number | { readonly error: string })[]>>,
  urls: Readonly<Record<string, string>>,
): { probe: (url: string) => Promise<ProbeResult>; calls: { url: string; tick: number }[] } {
  const calls: { url: string; tick: number }[] = [];
  const byUrl = Object.fromEntries(Object.entries(urls).map(([name, url]) => [url, name]));
  return {
    calls,
    probe: async (url: string) => {
      const tick = Math.round(clock.now() / intervalMs);
      calls.push({ url, tick });
      const s = script[byUrl[url] ?? '']?.[tick];
      if (s === undefined) return { error: 'script ended' };
      return typeof s === 'number' ? { status: s, latencyMs: 12 } : { error: s.error };
    },
  };
}

export function runbookOf(text: string): Runbook {
  const r = parseRunbook(text, '/srv/app/cockpit.yml');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.runbook;
}

export type GuardYaml = {
  /** YAML list items under rollback.triggers (each line already indented by the caller or not). */
  readonly triggers: readonly string[];
  readonly stages?: string;
  readonly series?: string;
  readonly metricsExtra?: string;
  readonly probes?: string;
  readonly escalation?: string;
  readonly interval?: string;
};

export const DEFAULT_STAGES = `
  - id: production
    armed: true
    steps:
      - monitor: 10m`;

export const DEFAULT_SERIES = `
    error_rate: { query: 'sum(rate(errors[1m]))', unit: '%' }`;

/** A runbook for guard scenarios: one metric source, the given triggers and stages. */
export function guardRunbook(y: GuardYaml): string {
  return `
name: web-app
version: "2.4.0"
stages:${y.stages ?? DEFAULT_STAGES}
metrics:
  interval: ${y.interval ?? '1s'}${y.metricsExtra ?? ''}
  source: { type: prometheus, url: 'http://127.0.0.1:9' }
  series:${y.series ?? DEFAULT_SERIES}
${y.probes ? `probes:${y.probes}\n` : ''}rollback:
  steps: [./scripts/rollback.sh]
  verify: [./scripts/verify.sh]
  incident: [./scripts/incident.sh, "{reason}"]
  triggers:
${y.triggers.map((t) => `    - ${t}`).join('\n')}
${y.escalation ? `escalation:${y.escalation}\n` : ''}`;
}

export type GuardSetup = {
  readonly c: Controller;
  readonly clock: FakeClock;
  readonly runner: FakeRunner;
  readonly journal: MemoryJournal;
  readonly events: (type?: string) => SessionEvent[];
  readonly types: () => string[];
};

export function guardSetup(text: string, opts: Partial<ControllerOptions> = {}, clock = new FakeClock()): GuardSetup {
  const runner = new FakeRunner();
  const journal = new MemoryJournal();
  const c = new Controller({
    runbook: runbookOf(text),
    runner,
    journal,
    clock,
    sessionId: 'guard-test',
    sessionDir: '/tmp/cockpit-guard-test',
    values: { version: '2.4.0' },
    mode: 'tui',
    ...opts,
  });
  const events = (type?: string) => journal.events.filter((e) => type === undefined || e.type === type);
  return { c, clock, runner, journal, events, types: () => journal.events.map((e) => e.type) };
}

/** Events of one type, narrowed. */
export function ofType<T extends SessionEvent['type']>(events: readonly SessionEvent[], type: T): Extract<SessionEvent, { type: T }>[] {
  return events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
}
