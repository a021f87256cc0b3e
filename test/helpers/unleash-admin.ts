/**
 * A local stand-in for the Unleash admin API (node:http on 127.0.0.1:0), strict about what the
 * documented endpoints take:
 *
 *   GET /api/admin/projects/{project}/features/{flag}/environments/{env}
 *       → 200 FeatureEnvironmentSchema  (name, environment, type, enabled, sortOrder, variantCount,
 *         strategies: [FeatureStrategySchema…]): "the enablement status and strategies for a
 *         feature flag in the specified environment"
 *   POST …/environments/{env}/on, …/environments/{env}/off → 200, empty: enables / disables the
 *       flag in the environment (while disabled, Unleash serves it to nobody, whatever the strategies)
 *   GET /api/admin/projects/{project}/features/{flag}/environments/{env}/strategies
 *       → 200 [FeatureStrategySchema…]  (id, name, title, disabled, sortOrder, constraints, variants, segments, parameters)
 *   PUT /api/admin/projects/{project}/features/{flag}/environments/{env}/strategies/{id}
 *       body CreateFeatureStrategySchema (name required; parameters are strings) → 200 the updated strategy
 *
 * The API token goes in the Authorization header as is (no "Bearer"); anything else is a 401. An
 * unknown project/flag/environment is a 404. Like Unleash, a PUT replaces the strategy's
 * constraints and variants with what the body carries (a missing list wipes it).
 *
 * A stand-in, not Unleash: a real Unleash server needs PostgreSQL (and docker or the internet to
 * get it), none of which this machine has. The routes and field names follow Unleash's OpenAPI
 * schemas (featureEnvironmentSchema, featureStrategySchema, createFeatureStrategySchema) and its
 * project-features controller.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type UnleashStrategy = {
  id: string;
  name: string;
  title?: string | null;
  disabled?: boolean;
  featureName?: string;
  sortOrder?: number;
  segments?: number[];
  constraints: unknown[];
  variants?: unknown[];
  parameters: Record<string, string>;
};

export type Recorded = { readonly method: string; readonly path: string; readonly authorization?: string; readonly contentType?: string; readonly body?: unknown };

export type UnleashOptions = {
  readonly token: string;
  readonly project?: string;
  readonly environment?: string;
  readonly features: Record<string, UnleashStrategy[]>;
  /** Flags disabled in the environment (the rest are enabled there). */
  readonly disabled?: readonly string[];
};

export class UnleashAdmin {
  readonly requests: Recorded[] = [];
  /** Never answer (the request hangs until the client gives up). */
  hang = false;
  /** Answer with headers and part of a body, then nothing more. */
  stallBody = false;
  /** Answer every request with this (status, body) instead. */
  override: { status: number; body: string; contentType?: string } | undefined;
  /** What a read-back shows for a rollout (a backend that rounds or clamps); default: what was stored. */
  readBack: (stored: string) => string = (s) => s;
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();
  readonly project: string;
  readonly environment: string;
  readonly features: Record<string, UnleashStrategy[]>;
  /** Whether each flag is enabled in the environment (featureEnvironmentSchema.enabled). */
  readonly enabled: Record<string, boolean>;

  constructor(private readonly o: UnleashOptions) {
    this.project = o.project ?? 'default';
    this.environment = o.environment ?? 'production';
    this.features = structuredClone(o.features);
    this.enabled = Object.fromEntries(Object.keys(o.features).map((f) => [f, !(o.disabled ?? []).includes(f)]));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = { unparsable: raw };
    }
    const path = req.url ?? '';
    this.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
    if (this.hang) {
      this.hanging.add(res);
      return;
    }
    if (this.stallBody) {
      this.hanging.add(res);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('[{"id":"');
      return;
    }
    if (this.override) {
      res.writeHead(this.override.status, { 'Content-Type': this.override.contentType ?? 'application/json' });
      res.end(this.override.body);
      return;
    }
    if (req.headers.authorization !== this.o.token) {
      this.json(res, 401, { name: 'AuthenticationRequired', message: 'You must log in to use Unleash. Your request had no valid authorization header.', path: '/auth/simple/login', type: 'password' });
      return;
    }
    const m = /^\/api\/admin\/projects\/([^/]+)\/features\/([^/]+)\/environments\/([^/]+)(?:\/(on|off)|\/strategies(?:\/([^/]+))?)?$/.exec(path);
    if (!m) {
      this.json(res, 404, { name: 'NotFoundError', message: `no route ${req.method} ${path}` });
      return;
    }
    const [project, flag, env, toggle, id] = [m[1], m[2], m[3], m[4], m[5]].map((x) => (x === undefined ? undefined : decodeURIComponent(x)));
    const strategies = path.includes('/strategies');
    const list = this.features[flag!];
    if (project !== this.project || env !== this.environment || !list) {
      this.json(res, 404, { name: 'NotFoundError', message: `Could not find feature flag ${flag} in project ${project}, environment ${env}` });
      return;
    }
    const shown = () => list.map((s) => ({ ...s, parameters: s.parameters.rollout !== undefined ? { ...s.parameters, rollout: this.readBack(s.parameters.rollout) } : s.parameters }));
    if (req.method === 'GET' && !strategies && !toggle) {
      this.json(res, 200, { name: flag, environment: env, type: 'production', enabled: this.enabled[flag!], sortOrder: 1, variantCount: 0, strategies: shown() });
      return;
    }
    if (req.method === 'POST' && toggle) {
      this.enabled[flag!] = toggle === 'on';
      res.writeHead(200).end();
      return;
    }
    if (req.method === 'GET' && strategies && id === undefined) {
      this.json(res, 200, shown());
      return;
    }
    if (req.method === 'PUT' && id !== undefined) {
      const i = list.findIndex((s) => s.id === id);
      if (i < 0) {
        this.json(res, 404, { name: 'NotFoundError', message: `Could not find strategy ${id}` });
        return;
      }
      const problem = badStrategyBody(body, req.headers['content-type']);
      if (problem) {
        this.json(res, 400, { name: 'BadDataError', message: problem });
        return;
      }
      const b = body as { name: string; title?: string; disabled?: boolean; constraints?: unknown[]; variants?: unknown[]; segments?: number[]; parameters: Record<string, string> };
      const updated: UnleashStrategy = {
        ...list[i],
        name: b.name,
        parameters: b.parameters,
        constraints: b.constraints ?? [],
        variants: b.variants ?? [],
        ...(b.title !== undefined ? { title: b.title } : {}),
        ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
        ...(b.segments !== undefined ? { segments: b.segments } : {}),
      };
      list[i] = updated;
      this.json(res, 200, updated);
      return;
    }
    this.json(res, 405, { name: 'MethodNotAllowed', message: `${req.method} ${path}` });
  }
}

/** Why a PUT body is not a CreateFeatureStrategySchema Unleash would take, or undefined. */
function badStrategyBody(body: unknown, contentType: string | undefined): string | undefined {
  if (!contentType?.startsWith('application/json')) return `content-type ${contentType}`;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'body is not a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.name !== 'string' || b.name === '') return '"name" is required';
  if (b.constraints !== undefined && !Array.isArray(b.constraints)) return '"constraints" must be an array';
  if (b.variants !== undefined && !Array.isArray(b.variants)) return '"variants" must be an array';
  if (!b.parameters || typeof b.parameters !== 'object') return '"parameters" must be an object';
  for (const [k, v] of Object.entries(b.parameters as Record<string, unknown>)) if (typeof v !== 'string') return `parameter "${k}" must be a string`;
  if (b.name === 'flexibleRollout') {
    const p = b.parameters as Record<string, string>;
    const r = Number(p.rollout);
    if (p.rollout === undefined || p.rollout.trim() === '' || !Number.isFinite(r) || r < 0 || r > 100) return `rollout "${p.rollout}" is not a percentage`;
    if (!p.stickiness || p.groupId === undefined) return 'flexibleRollout needs stickiness and groupId';
  }
  return undefined;
}
