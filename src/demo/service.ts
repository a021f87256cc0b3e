/**
 * The demo service: a small node:http server on 127.0.0.1 that the demo's scripts deploy to and the
 * cockpit reads metrics from. It simulates a web app with two slots (blue/green) behind a router
 * (see simulation.ts), reads the flagd file for `new-checkout` and `checkout-v2-split` whenever it
 * changes, and advances on every request and on an unref()'d 200 ms tick (cleared by close()).
 *
 *   GET  /metrics             Prometheus text exposition format (0.0.4)
 *   GET  /metrics.json        the same figures as JSON
 *   GET  /health              200 {status:'ok', live, version}; 503 when the live slot is down or has no version
 *   GET  /checkout            the critical path: 200, 503 only when the live slot is down
 *   GET  /admin/state         everything, with deploy progress and a log of admin actions
 *   POST /admin/deploy?version=2.4.0   deploy to the idle slot (202; ready after DEMO.deploySeconds)
 *   POST /admin/switch        live traffic to the other slot (409 unless it is ready)
 *   POST /admin/rollback      back to the previous slot (idempotent; 409 with nothing to roll back to)
 *   POST /admin/break-checkout, POST /admin/fix-checkout   test toggles: the live slot down / up
 *   GET  /api/v1/query, /api/v1/query_range   the Prometheus HTTP API for its own series (prom-api.ts):
 *                             a runbook can read it as a prometheus source, history included
 */
import { statSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentOf } from '../flags/providers/flagd.js';
import { isScenario, SCENARIOS, type ScenarioName } from './scenarios.js';
import { EXPERIMENT, FLAG, Simulation, SPLIT_FLAG, type ActionResult, type DemoState } from './simulation.js';
import { PromApi } from './prom-api.js';

export { SCENARIOS, type ScenarioName } from './scenarios.js';
export type { DemoState, Metrics, SlotName, SlotStatus, SlotView } from './simulation.js';

export type DemoServiceOptions = {
  scenario: ScenarioName;
  /** Demo-seconds per real second: every time constant is divided by it. */
  speed: number;
  /** The flagd flag-definition file to read `new-checkout` and `checkout-v2-split` from. */
  flagFile: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Seeds the jitter (default 0x5eed). */
  seed?: number;
  /** Wall clock in ms (tests); default Date.now. */
  now?: () => number;
};

export type DemoService = { url: string; port: number; close(): Promise<void>; state(): DemoState };

/** How often the simulation advances on its own (real ms). */
export const TICK_MS = 200;
const VERSION_RE = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;
const MAX_BODY = 64 * 1024;

type FlagValues = { newCheckout: number; split: number | undefined };

/** Reads the flags from the flagd file, again only when its mtime, size or inode changed. */
class FlagFile {
  private signature: string | undefined;
  values: FlagValues = { newCheckout: 0, split: undefined };
  error: string | undefined;

  constructor(readonly path: string) {}

  private stat(): string {
    try {
      const st = statSync(this.path);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return 'missing';
    }
  }

  /** True when the values changed. */
  refresh(): boolean {
    const sig = this.stat();
    if (sig === this.signature) return false;
    this.signature = sig;
    const before = this.values;
    if (sig === 'missing') {
      this.values = { newCheckout: 0, split: undefined };
      this.error = undefined;
    } else {
      try {
        const doc = JSON.parse(readFileSync(this.path, 'utf8')) as { flags?: Record<string, unknown> };
        const pct = (key: string) => {
          const def = doc?.flags?.[key];
          const p = def === undefined ? undefined : percentOf(def);
          return p === undefined ? undefined : Math.min(100, Math.max(0, p));
        };
        this.values = { newCheckout: pct(FLAG) ?? 0, split: pct(SPLIT_FLAG) };
        this.error = undefined;
      } catch (e) {
        // a half-written or hand-broken file: keep serving the last values read
        this.error = `${this.path}: ${(e as Error).message}`;
      }
    }
    return before.newCheckout !== this.values.newCheckout || before.split !== this.values.split;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new Error('request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

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

export async function startDemoService(o: DemoServiceOptions): Promise<DemoService> {
  if (!isScenario(o.scenario)) throw new Error(`unknown demo scenario ${String(o.scenario)} (one of ${Object.keys(SCENARIOS).join(', ')})`);
  const now = o.now ?? Date.now;
  const sim = new Simulation({ scenario: o.scenario, speed: o.speed, seed: o.seed ?? 0x5eed, startMs: now() });
  const flags = new FlagFile(o.flagFile);
  const api = new PromApi({ scenario: o.scenario, seed: o.seed ?? 0x5eed, startedAt: now() });

  const sync = () => {
    if (flags.refresh()) sim.setFlags(flags.values.newCheckout, flags.values.split, now());
    else sim.advance(now());
    api.record(now(), sim.state(now()));
  };
  const state = (): DemoState => {
    sync();
    const s = sim.state(now());
    return flags.error ? { ...s, flag_error: flags.error } : s;
  };
  sync();

  const act = (res: ServerResponse, r: ActionResult) => (r.ok ? send(res, r.status, r.body) : send(res, r.status, { ok: false, error: r.error }));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const gets = ['/', '/metrics', '/metrics.json', '/health', '/checkout', '/admin/state', '/api/v1/query', '/api/v1/query_range'];
    const posts = ['/admin/deploy', '/admin/switch', '/admin/rollback', '/admin/break-checkout', '/admin/fix-checkout'];
    if (gets.includes(path) && method !== 'GET' && method !== 'HEAD') return send(res, 405, { ok: false, error: `${path} takes GET` }, { allow: 'GET, HEAD' });
    if (posts.includes(path) && method !== 'POST') return send(res, 405, { ok: false, error: `${path} takes POST` }, { allow: 'POST' });
    const body = method === 'POST' ? await readBody(req) : '';
    sync();
    const s = () => sim.state(now());
    const live = sim.liveSlot;
    switch (path) {
      case '/':
        return send(res, 200, { service: 'cockpit demo', scenario: sim.scenario, story: SCENARIOS[sim.scenario].story, endpoints: [...gets.map((p) => `GET ${p}`), ...posts.map((p) => `POST ${p}`)] });
      case '/metrics':
        return send(res, 200, prometheusText(state()));
      case '/metrics.json':
        return send(res, 200, metricsJson(state()));
      case '/admin/state':
        return send(res, 200, state());
      case '/api/v1/query':
      case '/api/v1/query_range': {
        const a = api.answer(path, url.searchParams, now());
        return send(res, a.status, a.body);
      }
      case '/health':
        if (live.version === null) return send(res, 503, { status: 'unavailable', live: live.name, version: null, error: `${live.name} has no version` });
        if (live.down) return send(res, 503, { status: 'down', live: live.name, version: live.version });
        return send(res, 200, { status: 'ok', live: live.name, version: live.version });
      case '/checkout':
        if (live.version === null || live.down) return send(res, 503, { status: 'down', live: live.name, version: live.version, error: 'checkout is unavailable' });
        return send(res, 200, { status: 'ok', live: live.name, version: live.version, latency_p95: s().overall.latency_p95 });
      case '/admin/deploy': {
        let version = url.searchParams.get('version') ?? undefined;
        if (version === undefined && body.trim() !== '') {
          try {
            const parsed = JSON.parse(body) as { version?: unknown };
            if (typeof parsed?.version === 'string') version = parsed.version;
          } catch {
            return send(res, 400, { ok: false, error: 'the body is not JSON: pass ?version=2.4.0 or {"version":"2.4.0"}' });
          }
        }
        if (version === undefined || version === '') return send(res, 400, { ok: false, error: 'version is required: POST /admin/deploy?version=2.4.0' });
        if (!VERSION_RE.test(version)) return send(res, 400, { ok: false, error: `not a version: ${JSON.stringify(version.slice(0, 80))} (letters, digits, . _ + -, up to 64)` });
        return act(res, sim.deploy(version, now()));
      }
      case '/admin/switch':
        return act(res, sim.switchLive(now()));
      case '/admin/rollback':
        return act(res, sim.rollback(now()));
      case '/admin/break-checkout':
        return act(res, sim.setDown(true, now()));
      case '/admin/fix-checkout':
        return act(res, sim.setDown(false, now()));
      default:
        return send(res, 404, { ok: false, error: `no ${path} here: try GET /` });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, (e as Error).message === 'request body too large' ? 413 : 500, { ok: false, error: (e as Error).message });
      else res.destroy();
    });
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const timer = setInterval(() => {
    try {
      sync();
    } catch {
      // a tick must never take the service down; the next request reports any error
    }
  }, TICK_MS);
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    state,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
