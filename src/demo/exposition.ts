/** The demo service's state as Prometheus text (GET /metrics) and as JSON (GET /metrics.json). */
import { EXPERIMENT, type DemoState } from './simulation.js';

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

/** The state in the Prometheus text exposition format. */
export function prometheusText(s: DemoState): string {
  const out: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string, samples: [Record<string, string>, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) out.push(`${name}${labels(l)} ${v}`);
  };
  const perSlot = (name: string, key: keyof DemoState['overall'], help: string) =>
    family(name, 'gauge', `${help} (no slot label: the live traffic).`, [[{}, s.overall[key]], [{ slot: 'blue' }, s.slots.blue[key]], [{ slot: 'green' }, s.slots.green[key]]]);
  perSlot('demo_request_rate', 'request_rate', 'Requests per second');
  perSlot('demo_latency_p95_ms', 'latency_p95', '95th percentile response time in milliseconds');
  perSlot('demo_error_rate_percent', 'error_rate', 'Percent of requests failing');
  perSlot('demo_memory_percent', 'memory', 'Memory used, percent of the limit');
  perSlot('demo_throughput', 'throughput', 'Successful requests per second');
  const ex = s.experiments[EXPERIMENT];
  const variants = ['control', 'treatment'] as const;
  family('demo_experiment_exposures_total', 'counter', 'Users exposed to each variant of an A/B experiment (restarts when the split changes).', variants.map((v) => [{ experiment: EXPERIMENT, variant: v }, ex[v].exposures]));
  family('demo_experiment_conversions_total', 'counter', 'Conversions per variant of an A/B experiment.', variants.map((v) => [{ experiment: EXPERIMENT, variant: v }, ex[v].conversions]));
  family('demo_experiment_weight_percent', 'gauge', 'Share of the experiment traffic each variant gets.', variants.map((v) => [{ experiment: EXPERIMENT, variant: v }, ex[v].weight]));
  family('demo_flag_percent', 'gauge', 'Percentage a feature flag serves on, as read from the flagd file.', Object.entries(s.flags).map(([flag, p]) => [{ flag }, p]));
  family('demo_slot_up', 'gauge', '1 when the slot holds a version and is not down.', (['blue', 'green'] as const).map((slot) => [{ slot }, s.slots[slot].version !== null && s.slots[slot].status !== 'down' ? 1 : 0]));
  family('demo_info', 'gauge', 'The slot serving live traffic and its version.', [[{ live: s.live, version: s.version ?? '' }, 1]]);
  return `${out.join('\n')}\n`;
}

/** The JSON of GET /metrics.json. */
export function metricsJson(s: DemoState) {
  return { overall: s.overall, slots: s.slots, live: s.live, version: s.version, experiments: s.experiments, flags: s.flags, demo_seconds: s.demo_seconds };
}
