/**
 * The demo service's Prometheus HTTP API (the part cockpit reads): GET /api/v1/query (instant) and
 * GET /api/v1/query_range, for the demo's own series and the PromQL its runbook writes: a metric
 * name with label matchers, optionally under one aggregation (`max(demo_request_rate{slot=""})`).
 *
 * History: every state the service computed (its 200 ms ticks), kept for two hours; before the
 * service started, the old version's steady figures (scenarios.ts `profile`, the version that was
 * live before the release) with seeded jitter per second, so the window before a release has
 * plausible values, as a real Prometheus scraping the service would have had.
 */
import { DEMO, profile } from './scenarios.js';
import type { DemoState, Metrics } from './simulation.js';
import { prng } from './simulation.js';

const METRICS: Readonly<Record<string, keyof Metrics>> = {
  demo_request_rate: 'request_rate',
  demo_latency_p95_ms: 'latency_p95',
  demo_error_rate_percent: 'error_rate',
  demo_memory_percent: 'memory',
  demo_throughput: 'throughput',
};
type Aggregation = 'max' | 'min' | 'sum' | 'avg';
const KEEP_MS = 2 * 60 * 60_000;
const MAX_POINTS = 11_000;

type Query = { readonly metric: keyof Metrics; readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly agg?: Aggregation };
type Sample = { readonly labels: Record<string, string>; readonly value: number };
export type ApiAnswer = { readonly status: number; readonly body: unknown };

const bad = (error: string): ApiAnswer => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error } });

/** `max(demo_request_rate{slot=""})`, `demo_memory_percent{slot="blue"}`; undefined when it is not that form. */
export function parseQuery(q: string): Query | undefined {
  const m = /^\s*(?:(max|min|sum|avg)\s*\(\s*)?([a-z_][a-z0-9_]*)\s*(?:\{([^}]*)\})?\s*(\))?\s*$/.exec(q);
  if (!m || Boolean(m[1]) !== Boolean(m[4]) || !(m[2] in METRICS)) return undefined;
  const labels: Record<string, string> = {};
  for (const part of (m[3] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const l = /^([a-z_]+)\s*=\s*"([^"]*)"$/.exec(part);
    if (!l) return undefined;
    labels[l[1]] = l[2];
  }
  return { metric: METRICS[m[2]], name: m[2], labels, agg: m[1] as Query['agg'] };
}

/** The series of a state (overall with no slot label, then each slot) that match the query. */
function select(q: Query, s: DemoState): Sample[] {
  const all: Sample[] = [
    { labels: { __name__: q.name }, value: s.overall[q.metric] },
    { labels: { __name__: q.name, slot: 'blue' }, value: s.slots.blue[q.metric] },
    { labels: { __name__: q.name, slot: 'green' }, value: s.slots.green[q.metric] },
  ];
  const found = all.filter((x) => Object.entries(q.labels).every(([k, v]) => (x.labels[k] ?? '') === v));
  if (!q.agg || found.length === 0) return found;
  const values = found.map((x) => x.value);
  const value = { max: Math.max(...values), min: Math.min(...values), sum: values.reduce((a, b) => a + b, 0), avg: values.reduce((a, b) => a + b, 0) / values.length }[q.agg];
  return [{ labels: {}, value }];
}

/** The figures before the service started: the old version, steady, with jitter seeded by the second. */
function before(scenario: Parameters<typeof profile>[0], ms: number, seed: number): DemoState['overall'] {
  const p = profile(scenario, { isNew: false, sinceLive: 0, flagPercent: 0 });
  const rnd = prng((seed ^ Math.floor(ms / 1000)) >>> 0);
  const j = () => rnd() * 2 - 1;
  const rps = DEMO.baseRps * p.trafficFactor * (1 + 0.03 * j());
  const error = Math.max(0, p.errorRate * (1 + 0.2 * j()));
  const r = (v: number, d: number) => Number(v.toFixed(d));
  return { request_rate: r(rps, 1), latency_p95: Math.round(p.latencyP95 * (1 + 0.04 * j())), error_rate: r(error, 3), memory: r(p.memory + 0.4 * j(), 1), throughput: r(rps * (1 - error / 100), 1) };
}

export class PromApi {
  private readonly history: { at: number; state: DemoState }[] = [];

  constructor(private readonly o: { readonly scenario: Parameters<typeof profile>[0]; readonly seed: number; readonly startedAt: number }) {}

  /** Keeps a state the service computed, at wall time `at`. */
  record(at: number, state: DemoState): void {
    const last = this.history.at(-1);
    if (last && last.at >= at) return;
    this.history.push({ at, state });
    while (this.history.length > 0 && this.history[0].at < at - KEEP_MS) this.history.shift();
  }

  /** The state at wall time `ms`: the latest recorded at or before it, or the pre-release figures. */
  private stateAt(ms: number): DemoState | undefined {
    if (ms < this.o.startedAt) {
      const overall = before(this.o.scenario, ms, this.o.seed);
      const none = { request_rate: 0, latency_p95: 0, error_rate: 0, memory: 0, throughput: 0 };
      return { overall, slots: { blue: { ...overall, version: '2.3.9', status: 'live' }, green: { ...none, version: null, status: 'idle' } } } as unknown as DemoState;
    }
    let found: DemoState | undefined;
    for (const h of this.history) {
      if (h.at > ms) break;
      found = h.state;
    }
    return found ?? this.history[0]?.state;
  }

  /** GET /api/v1/query (query, time) and /api/v1/query_range (query, start, end, step), as Prometheus answers them. */
  answer(path: string, params: URLSearchParams, now: number): ApiAnswer {
    const text = params.get('query') ?? '';
    const q = parseQuery(text);
    if (!q) return bad(`the demo service answers only a demo_* metric with label matchers, optionally under max/min/sum/avg (got ${JSON.stringify(text.slice(0, 80))})`);
    const num = (k: string) => (params.get(k) === null ? undefined : Number(params.get(k)));
    if (path === '/api/v1/query') {
      const at = num('time') !== undefined ? num('time')! * 1000 : now;
      const s = this.stateAt(at);
      const result = s ? select(q, s).map((x) => ({ metric: x.labels, value: [at / 1000, String(x.value)] })) : [];
      return { status: 200, body: { status: 'success', data: { resultType: 'vector', result } } };
    }
    const [start, end, step] = [num('start'), num('end'), num('step')];
    if (start === undefined || end === undefined || step === undefined || ![start, end, step].every(Number.isFinite) || step <= 0 || end < start) return bad('query_range needs start, end (unix seconds, end ≥ start) and a positive step (seconds)');
    if ((end - start) / step > MAX_POINTS) return bad(`exceeded maximum resolution of ${MAX_POINTS} points per timeseries. Try decreasing the query resolution (?step=XX)`);
    const series = new Map<string, { metric: Record<string, string>; values: [number, string][] }>();
    for (let t = start; t <= end && t * 1000 <= now; t += step) {
      const s = this.stateAt(t * 1000);
      for (const x of s ? select(q, s) : []) {
        const key = JSON.stringify(x.labels);
        if (!series.has(key)) series.set(key, { metric: x.labels, values: [] });
        series.get(key)!.values.push([t, String(x.value)]);
      }
    }
    return { status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [...series.values()] } } };
  }
}
