/**
 * A real Prometheus server for integration tests: the `prometheus` binary (Debian package
 * `prometheus`, or $PROMETHEUS_BIN) on a free loopback port, its TSDB and generated config in a
 * temporary directory, scraping the test's own targets on a short interval.
 *
 *   const prom = await PrometheusServer.start({ targets: [target.hostPort], scrapeInterval: '500ms' });
 *   await prom.waitForScrape();          // every target scraped and up
 *   ...
 *   await prom.stop();                   // SIGTERM (SIGKILL after a grace), temp dir removed
 *
 * Everything waits on conditions against deadlines (/-/ready, `up`), never a fixed sleep. A
 * missing binary, a config Prometheus rejects or a server that exits early fails with a message
 * that says so and carries the end of Prometheus's log. The process is killed when the test process
 * exits, whatever happens, so none is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { closedPort, waitFor } from './http-target.js';

export const PROMETHEUS_JOB = 'cockpit-test';

/** The prometheus executable: $PROMETHEUS_BIN, else `prometheus` on PATH; throws a clear error when there is none. */
export function findPrometheus(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.PROMETHEUS_BIN;
  const candidates = given
    ? [given]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, 'prometheus'));
  for (const c of candidates) {
    if (given && !isAbsolute(c)) return c; // a bare name in $PROMETHEUS_BIN: let spawn resolve it
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  throw new Error(
    given
      ? `PROMETHEUS_BIN=${given} is not an executable file: the Prometheus integration tests need the prometheus binary`
      : 'the prometheus binary is not on PATH: the Prometheus integration tests need it (Debian/Ubuntu: apt-get install -y prometheus; or set PROMETHEUS_BIN)',
  );
}

export type PrometheusOptions = {
  /** Scrape targets as host:port (served at /metrics). */
  readonly targets: readonly string[];
  /** Prometheus duration, e.g. '1s' or '500ms'. */
  readonly scrapeInterval?: string;
  /** Deadline for /-/ready. */
  readonly readyTimeoutMs?: number;
};

export type PromApiBody = {
  status: string;
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: unknown };
};

const LOG_LINES = 60;

export class PrometheusServer {
  private readonly log: string[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private stopping: Promise<void> | undefined;
  private readonly killOnExit = () => {
    try {
      this.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  };

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly dir: string,
    readonly targets: readonly string[],
  ) {
    process.once('exit', this.killOnExit);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.log.push(line);
      if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      const gone = (code: number | null, signal: NodeJS.Signals | null) => {
        this.exitInfo ??= { code, signal };
        process.removeListener('exit', this.killOnExit);
        resolve();
      };
      child.once('exit', gone);
      child.once('error', (e) => {
        this.log.push(`spawn error: ${e.message}`);
        if (child.pid === undefined) gone(null, null);
      });
    });
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get pid(): number | undefined {
    return this.child.pid;
  }
  get running(): boolean {
    return this.exitInfo === undefined;
  }
  /** The end of Prometheus's own log (for failure messages). */
  logTail(lines = 15): string {
    return this.log.slice(-lines).join('\n');
  }

  /**
   * Starts Prometheus on a free 127.0.0.1 port and waits for /-/ready. A port taken between
   * choosing and binding it is retried with another one.
   */
  static async start(opts: PrometheusOptions): Promise<PrometheusServer> {
    const bin = findPrometheus();
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await closedPort();
      const dir = mkdtempSync(join(tmpdir(), 'cockpit-prom-'));
      const interval = opts.scrapeInterval ?? '1s';
      // JSON is YAML: no quoting surprises in the generated config
      const config = {
        global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
        scrape_configs: [{ job_name: PROMETHEUS_JOB, metrics_path: '/metrics', static_configs: [{ targets: [...opts.targets] }] }],
      };
      const configFile = join(dir, 'prometheus.yml');
      writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
      const child = spawn(
        bin,
        [
          `--config.file=${configFile}`,
          `--web.listen-address=127.0.0.1:${port}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          '--storage.tsdb.retention.time=1h',
          '--log.level=info',
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOMAXPROCS: process.env.GOMAXPROCS ?? '2' } },
      );
      const prom = new PrometheusServer(child, port, dir, opts.targets);
      try {
        await prom.waitReady(opts.readyTimeoutMs ?? 20_000);
        return prom;
      } catch (e) {
        lastError = e as Error;
        const portTaken = /address already in use/i.test(prom.logTail(LOG_LINES));
        await prom.stop();
        if (!portTaken) throw lastError;
      }
    }
    throw lastError ?? new Error('prometheus did not start');
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        throw new Error(
          `prometheus exited before it was ready (code ${this.exitInfo?.code ?? 'none'}, signal ${this.exitInfo?.signal ?? 'none'}):\n${this.logTail()}`,
        );
      }
      try {
        const res = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() >= deadline) throw new Error(`prometheus was not ready within ${timeoutMs} ms at ${this.url}/-/ready:\n${this.logTail()}`);
      await new Promise<void>((r) => setTimeout(r, 50));
    }
  }

  /** Runs an instant query against the HTTP API and returns the parsed body (any status). */
  async query(expr: string): Promise<PromApiBody> {
    const u = new URL('/api/v1/query', this.url);
    u.searchParams.set('query', expr);
    const res = await fetch(u, { signal: AbortSignal.timeout(5000) });
    return (await res.json()) as PromApiBody;
  }

  /** The values of an instant vector query (NaN/Inf as numbers), or undefined for a non-vector. */
  async vector(expr: string): Promise<{ metric: Record<string, string>; value: number }[] | undefined> {
    const body = await this.query(expr);
    if (body.status !== 'success' || body.data?.resultType !== 'vector') return undefined;
    return (body.data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Waits until every target has been scraped and is up (`up{job=…} == 1`). */
  async waitForScrape(timeoutMs = 15_000): Promise<void> {
    const want = new Set(this.targets);
    await waitFor(
      `prometheus to scrape ${[...want].join(', ')} (up == 1)`,
      async () => {
        if (!this.running) throw new Error(`prometheus exited:\n${this.logTail()}`);
        const v = await this.vector(`up{job="${PROMETHEUS_JOB}"}`);
        const upTargets = new Set((v ?? []).filter((s) => s.value === 1).map((s) => s.metric.instance));
        return [...want].every((t) => upTargets.has(t)) ? true : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nprometheus log:\n${this.logTail()}`);
    });
  }

  /**
   * Waits until an instant query returns exactly one sample that satisfies `ok` (e.g. the value the
   * test just set on the target has been scraped); returns that value.
   */
  async waitForValue(expr: string, ok: (v: number) => boolean, timeoutMs = 10_000): Promise<number> {
    return waitFor(
      `${expr} to satisfy ${ok.toString()}`,
      async () => {
        const v = await this.vector(expr);
        return v && v.length === 1 && ok(v[0].value) ? v[0].value : undefined;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  /** SIGTERM, then SIGKILL after `graceMs`; waits for the exit and removes the temp dir. Idempotent. */
  stop(graceMs = 10_000): Promise<void> {
    this.stopping ??= (async () => {
      if (this.running) {
        this.child.kill('SIGTERM');
        const killer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
        await this.exited;
        clearTimeout(killer);
      }
      process.removeListener('exit', this.killOnExit);
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}
