/**
 * What the demo service answers (see service.ts for the endpoints): the simulation advanced to now,
 * the flags re-read when their file changed, each request routed to its answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metricsJson, prometheusText } from './exposition.js';
import { FlagFile } from './flag-file.js';
import { PromApi } from './prom-api.js';
import { SCENARIOS, type ScenarioName } from './scenarios.js';
import { Simulation, type ActionResult, type DemoState } from './simulation.js';

const VERSION_RE = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;
const MAX_BODY = 64 * 1024;
const GETS = ['/', '/metrics', '/metrics.json', '/health', '/checkout', '/admin/state', '/api/v1/query', '/api/v1/query_range'];
const POSTS = ['/admin/deploy', '/admin/switch', '/admin/rollback', '/admin/break-checkout', '/admin/fix-checkout'];

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
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

const act = (res: ServerResponse, r: ActionResult) => (r.ok ? send(res, r.status, r.body) : send(res, r.status, { ok: false, error: r.error }));

export type DemoAppOptions = { scenario: ScenarioName; speed: number; flagFile: string; seed: number; now: () => number };

export class DemoApp {
  private readonly now: () => number;
  private readonly sim: Simulation;
  private readonly flags: FlagFile;
  private readonly api: PromApi;

  constructor(o: DemoAppOptions) {
    this.now = o.now;
    this.sim = new Simulation({ scenario: o.scenario, speed: o.speed, seed: o.seed, startMs: o.now() });
    this.flags = new FlagFile(o.flagFile);
    this.api = new PromApi({ scenario: o.scenario, seed: o.seed, startedAt: o.now() });
    this.sync();
  }

  /** Advances the simulation to now (with the flags, when their file changed) and records it for the Prometheus API. */
  sync(): void {
    const { sim, flags, now } = this;
    if (flags.refresh()) sim.setFlags(flags.values.newCheckout, flags.values.split, now());
    else sim.advance(now());
    this.api.record(now(), sim.state(now()));
  }

  state(): DemoState {
    this.sync();
    const s = this.sim.state(this.now());
    return this.flags.error ? { ...s, flag_error: this.flags.error } : s;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (GETS.includes(path) && method !== 'GET' && method !== 'HEAD') return send(res, 405, { ok: false, error: `${path} takes GET` }, { allow: 'GET, HEAD' });
    if (POSTS.includes(path) && method !== 'POST') return send(res, 405, { ok: false, error: `${path} takes POST` }, { allow: 'POST' });
    const body = method === 'POST' ? await readBody(req) : '';
    this.sync();
    if (POSTS.includes(path)) return this.admin(res, path, url, body);
    return this.read(res, path, url);
  }

  /** The GETs (and anything not found). */
  private read(res: ServerResponse, path: string, url: URL): void {
    const { sim, now } = this;
    const live = sim.liveSlot;
    switch (path) {
      case '/':
        return send(res, 200, { service: 'cockpit demo', scenario: sim.scenario, story: SCENARIOS[sim.scenario].story, endpoints: [...GETS.map((p) => `GET ${p}`), ...POSTS.map((p) => `POST ${p}`)] });
      case '/metrics':
        return send(res, 200, prometheusText(this.state()));
      case '/metrics.json':
        return send(res, 200, metricsJson(this.state()));
      case '/admin/state':
        return send(res, 200, this.state());
      case '/api/v1/query':
      case '/api/v1/query_range': {
        const a = this.api.answer(path, url.searchParams, now());
        return send(res, a.status, a.body);
      }
      case '/health':
        if (live.version === null) return send(res, 503, { status: 'unavailable', live: live.name, version: null, error: `${live.name} has no version` });
        if (live.down) return send(res, 503, { status: 'down', live: live.name, version: live.version });
        return send(res, 200, { status: 'ok', live: live.name, version: live.version });
      case '/checkout':
        if (live.version === null || live.down) return send(res, 503, { status: 'down', live: live.name, version: live.version, error: 'checkout is unavailable' });
        return send(res, 200, { status: 'ok', live: live.name, version: live.version, latency_p95: sim.state(now()).overall.latency_p95 });
      default:
        return send(res, 404, { ok: false, error: `no ${path} here: try GET /` });
    }
  }

  /** The POSTs: what the demo's scripts do to the service. */
  private admin(res: ServerResponse, path: string, url: URL, body: string): void {
    const { sim, now } = this;
    switch (path) {
      case '/admin/deploy':
        return this.deploy(res, url, body);
      case '/admin/switch':
        return act(res, sim.switchLive(now()));
      case '/admin/rollback':
        return act(res, sim.rollback(now()));
      case '/admin/break-checkout':
        return act(res, sim.setDown(true, now()));
      default: // '/admin/fix-checkout'
        return act(res, sim.setDown(false, now()));
    }
  }

  private deploy(res: ServerResponse, url: URL, body: string): void {
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
    return act(res, this.sim.deploy(version, this.now()));
  }
}
