/**
 * Small real HTTP servers for integration tests, all on 127.0.0.1 with an ephemeral port:
 *
 * - `serve(handler)`: any handler; records every request (method, path, headers, body) and can be
 *   closed with its open connections (a server that never answers must not hold the test open).
 * - `MetricsTarget`: a Prometheus scrape target serving /metrics in the text exposition format
 *   (0.0.4), with the values a test sets (gauges, labelled series, counters that grow with time).
 * - `closedPort()`: a port nothing listens on (connection refused).
 * - `waitFor(...)`: polls a condition against a deadline; tests never sleep a fixed time and hope.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RecordedRequest = {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
};

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, index: number) => unknown;

export type TestServer = {
  readonly port: number;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
};

/** Starts a node:http server on 127.0.0.1:0; every request is recorded (body read first). */
export async function serve(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const index = requests.length;
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      Promise.resolve(handler(req, res, body, index)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(599);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port that was free a moment ago and has no listener now (connection refused): the demo's own. */
export { closedPort } from '../../src/demo/closed-port.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a value other than undefined/false, or throws after `timeoutMs`
 * with `what` and the last value seen (so a failure says what it was waiting for).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 10_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(intervalMs);
  }
}

// ── a Prometheus scrape target ─────────────────────────────────────────────────────────────

type Labels = Readonly<Record<string, string>>;
type Value = number | (() => number);
type Family = { type: 'gauge' | 'counter' | 'untyped'; help: string; series: Map<string, { labels: Labels; value: Value }> };

/** A number as the exposition format writes it: NaN, +Inf, -Inf or a Go-parsable float. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k])}"`)
    .join(',');
}

/** Serves /metrics with what the test set; everything else is 404. Counts scrapes. */
export class MetricsTarget {
  private readonly families = new Map<string, Family>();
  private scrapeCount = 0;

  private constructor(private readonly server: TestServer) {}

  static async start(): Promise<MetricsTarget> {
    let target!: MetricsTarget;
    const server = await serve((req, res) => {
      if (req.method !== 'GET' || !(req.url ?? '').startsWith('/metrics')) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
        return;
      }
      target.scrapeCount++;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(target.exposition());
    });
    target = new MetricsTarget(server);
    return target;
  }

  /** host:port, as a Prometheus static target. */
  get hostPort(): string {
    return `127.0.0.1:${this.server.port}`;
  }
  get url(): string {
    return `${this.server.url}/metrics`;
  }
  get scrapes(): number {
    return this.scrapeCount;
  }

  /** Sets a gauge (one series per distinct label set). */
  gauge(name: string, value: Value, labels: Labels = {}): this {
    return this.put(name, 'gauge', value, labels);
  }

  /** Sets a counter; a function is evaluated at each scrape (e.g. one that grows with time). */
  counter(name: string, value: Value, labels: Labels = {}): this {
    return this.put(name, 'counter', value, labels);
  }

  /** Stops exposing one series (or, without labels, the whole family). */
  remove(name: string, labels?: Labels): this {
    if (labels === undefined) this.families.delete(name);
    else this.families.get(name)?.series.delete(labelKey(labels));
    return this;
  }

  private put(name: string, type: Family['type'], value: Value, labels: Labels): this {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
    const f = this.families.get(name) ?? { type, help: `test metric ${name}`, series: new Map() };
    f.type = type;
    f.series.set(labelKey(labels), { labels, value });
    this.families.set(name, f);
    return this;
  }

  /** The exposition text as served right now. */
  exposition(): string {
    const lines: string[] = [];
    for (const [name, f] of this.families) {
      lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const { labels, value } of f.series.values()) {
        const key = labelKey(labels);
        const v = typeof value === 'function' ? value() : value;
        lines.push(`${name}${key ? `{${key}}` : ''} ${formatSampleValue(v)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** Resolves as `p` does, or rejects after `ms` saying what it was waiting for (the timer is cleared either way). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
