/**
 * The guard's I/O against real local servers and real processes: HTTP probes, the http-json and
 * command metric sources, and Slack webhook escalation (retries, failures, unset webhook).
 * Every server listens on 127.0.0.1:0; every wait is on a condition with a deadline.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Escalation } from '../../src/guard/escalation.js';
import { probeOnce } from '../../src/guard/probe.js';
import { CommandSource } from '../../src/metrics/sources/command.js';
import { HttpJsonSource } from '../../src/metrics/sources/http-json.js';
import { sourceFor } from '../../src/metrics/sources/index.js';
import type { SeriesQuery } from '../../src/metrics/sources/source.js';
import { parseCommand } from '../../src/runbook/command.js';
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import { FakeClock, systemClock } from '../../src/core/clock.js';
import type { EventBody } from '../../src/core/events.js';
import { closedPort, serve, waitFor, within, type TestServer } from '../helpers/http-target.js';
import { slackProblems } from '../helpers/notify-schema.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'integration');

/** Servers started by a test; closed after it, whatever happened. */
const open: TestServer[] = [];
async function server(...args: Parameters<typeof serve>): Promise<TestServer> {
  const s = await serve(...args);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const never = () => undefined; // reads the request, never answers

function parse(text: string): Runbook {
  const r = parseRunbook(text, join(FIXTURES, 'cockpit.yml'));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.runbook;
}

const signal = () => new AbortController().signal;

// ── probes ───────────────────────────────────────────────────────────────────────────────────

describe('probeOnce against real HTTP servers', () => {
  it('200: the status and a latency, no error', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const r = await probeOnce(`${s.url}/healthz`, 2000);
    expect(r).toEqual({ status: 200, latencyMs: expect.any(Number) });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(r.latencyMs).toBeLessThan(1000);
    expect(s.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/healthz' })]);
  });

  it('HEAD probes send HEAD; a redirect is reported, not followed', async () => {
    const s = await server((req, res) => {
      res.writeHead(req.url === '/old' ? 302 : 204, req.url === '/old' ? { location: '/new' } : {});
      res.end();
    });
    expect(await probeOnce(`${s.url}/up`, 2000, 'HEAD')).toMatchObject({ status: 204 });
    expect(await probeOnce(`${s.url}/old`, 2000)).toMatchObject({ status: 302 });
    expect(s.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['HEAD /up', 'GET /old']);
  });

  it('503: the status, no error (the trigger decides what a 5xx means)', async () => {
    const s = await server((_req, res) => {
      res.writeHead(503, { 'retry-after': '1' });
      res.end('unavailable');
    });
    const r = await probeOnce(s.url, 2000);
    expect(r.status).toBe(503);
    expect(r.error).toBeUndefined();
  });

  it('a slow endpoint: a timeout error, within the timeout', async () => {
    const s = await server(never);
    const start = performance.now();
    const r = await probeOnce(s.url, 300);
    const took = performance.now() - start;
    expect(r).toEqual({ error: 'timed out after 300 ms', latencyMs: expect.any(Number) });
    expect(r.status).toBeUndefined();
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(1000);
    expect(r.latencyMs).toBeGreaterThanOrEqual(280);
  });

  it('a closed port: connection refused', async () => {
    const port = await closedPort();
    const r = await probeOnce(`http://127.0.0.1:${port}/healthz`, 2000);
    expect(r).toEqual({ error: `ECONNREFUSED 127.0.0.1:${port}`, latencyMs: expect.any(Number) });
  });
});

// ── http-json source ─────────────────────────────────────────────────────────────────────────

describe('HttpJsonSource against a real HTTP server', () => {
  const DOC = {
    data: {
      services: [
        { name: 'web', error_rate: 0.7 },
        { name: 'api', error_rate: 1.25 },
      ],
      latency: { p95: '212.5', p99: null },
      status: 'fast',
      healthy: true,
    },
    'a/b': { '~tilde': 3 },
    error_rate: 0.4,
  };

  it('takes each series by its JSON pointer (nested, array index, escaped ~0 ~1, numeric strings)', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(DOC));
    });
    const series: SeriesQuery[] = [
      { name: 'web', pointer: '/data/services/0/error_rate' },
      { name: 'api', pointer: '/data/services/1/error_rate' },
      { name: 'p95', pointer: '/data/latency/p95' },
      { name: 'escaped', pointer: '/a~1b/~0tilde' },
      { name: 'error_rate' }, // no pointer: /<name>
    ];
    const r = await new HttpJsonSource(`${s.url}/stats`).fetch(series, 2000, signal());
    expect(r).toEqual({ web: { value: 0.7 }, api: { value: 1.25 }, p95: { value: 212.5 }, escaped: { value: 3 }, error_rate: { value: 0.4 } });
    expect(s.requests).toHaveLength(1); // one GET for every series
    expect(s.requests[0]).toMatchObject({ method: 'GET', path: '/stats' });
    expect(s.requests[0].headers.accept).toBe('application/json');
  });

  it('a missing key or a null is no data; a non-numeric value is a configuration error', async () => {
    const s = await server((_req, res) => res.end(JSON.stringify(DOC)));
    const r = await new HttpJsonSource(s.url).fetch(
      [
        { name: 'missing', pointer: '/data/nope' },
        { name: 'deep', pointer: '/data/services/7/error_rate' },
        { name: 'null', pointer: '/data/latency/p99' },
        { name: 'word', pointer: '/data/status' },
        { name: 'bool', pointer: '/data/healthy' },
        { name: 'object', pointer: '/data/latency' },
      ],
      2000,
      signal(),
    );
    expect(r.missing).toEqual({ error: 'no /data/nope in the response', noData: true });
    expect(r.deep).toEqual({ error: 'no /data/services/7/error_rate in the response', noData: true });
    expect(r.null).toEqual({ error: 'no /data/latency/p99 in the response', noData: true });
    expect(r.word).toEqual({ error: 'not a number at /data/status: "fast"', config: true });
    expect(r.bool).toEqual({ error: 'not a number at /data/healthy: true', config: true });
    expect(r.object).toEqual({ error: 'not a number at /data/latency: {"p95":"212.5","p99":null}', config: true });
  });

  it('a body that is not JSON (a login page at 200) is a configuration error for every series', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Login required</body></html>');
    });
    const r = await new HttpJsonSource(s.url).fetch([{ name: 'a', pointer: '/a' }, { name: 'b' }], 2000, signal());
    expect(r).toEqual({ a: { error: 'not JSON: <html><body>Login required</body></html>', config: true }, b: { error: 'not JSON: <html><body>Login required</body></html>', config: true } });
  });

  it('HTTP 500 is an error (even with a JSON body), not no data', async () => {
    const s = await server((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_rate: 0 }));
    });
    const r = await new HttpJsonSource(s.url).fetch([{ name: 'error_rate' }], 2000, signal());
    expect(r).toEqual({ error_rate: { error: 'HTTP 500' } });
  });

  it('times out on a black hole and reports connection refused on a closed port', async () => {
    const s = await server(never);
    const start = performance.now();
    expect(await new HttpJsonSource(s.url).fetch([{ name: 'x' }], 300, signal())).toEqual({ x: { error: 'timed out after 300 ms' } });
    expect(performance.now() - start).toBeLessThan(1000);
    const port = await closedPort();
    const r = await new HttpJsonSource(`http://127.0.0.1:${port}/`).fetch([{ name: 'x' }], 2000, signal());
    expect(r.x).toEqual({ error: `ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('a runbook source sends its headers with $ENV values (sourceFor)', async () => {
    const s = await server((_req, res) => res.end('{"error_rate": 0.1}'));
    const rb = parse(`
name: web-app
metrics:
  source: { type: http-json, url: "${s.url}/m", headers: { Authorization: "Bearer $COCKPIT_IT_TOKEN", X-Team: web } }
  series: { error_rate: { pointer: /error_rate } }
stages: [{ id: production, steps: [./deploy.sh] }]
`);
    const src = sourceFor(rb, { COCKPIT_IT_TOKEN: 's3cret' })!;
    expect(src.kind).toBe('http-json');
    expect(await src.fetch([{ name: 'error_rate', pointer: '/error_rate' }], 2000, signal())).toEqual({ error_rate: { value: 0.1 } });
    expect(s.requests[0].headers.authorization).toBe('Bearer s3cret');
    expect(s.requests[0].headers['x-team']).toBe('web');
  });
});

// ── command source ───────────────────────────────────────────────────────────────────────────

describe('CommandSource with real scripts', () => {
  const script = (name: string, ...args: string[]) => new CommandSource(parseCommand([`./${name}`, ...args]), FIXTURES);

  it('reads the JSON object on the last line of output (by name, escaped name, or pointer)', async () => {
    const r = await script('metrics-good.sh').fetch(
      [{ name: 'error_rate' }, { name: 'weird/name' }, { name: 'p95', pointer: '/latency/p95' }, { name: 'absent' }],
      5000,
      signal(),
    );
    expect(r).toEqual({
      error_rate: { value: 0.5 },
      'weird/name': { value: 7 },
      p95: { value: 212 },
      absent: { error: 'no /absent in the command output', noData: true },
    });
  });

  it('garbage output is an error saying what was printed', async () => {
    const r = await script('metrics-garbage.sh').fetch([{ name: 'error_rate' }], 5000, signal());
    expect(r).toEqual({ error_rate: { error: 'metrics command printed no JSON object: error_rate=0.5 latency=212' } });
  });

  it('a non-zero exit is an error with the code and the last stderr line (its stdout is not used)', async () => {
    const r = await script('metrics-fail.sh').fetch([{ name: 'error_rate' }], 5000, signal());
    expect(r).toEqual({ error_rate: { error: 'metrics command: exit 3: metrics backend unreachable' } });
  });

  it('a missing command is named', async () => {
    const r = await script('no-such-metrics.sh').fetch([{ name: 'error_rate' }], 5000, signal());
    expect(r).toEqual({ error_rate: { error: 'metrics command: command not found: ./no-such-metrics.sh' } });
  });

  it('a JSON value that is not an object is refused', async () => {
    const r = await new CommandSource(parseCommand(['echo', '[1, 2]']), FIXTURES).fetch([{ name: 'error_rate' }], 5000, signal());
    expect(r).toEqual({ error_rate: { error: 'metrics command must print one JSON object {series: number}', config: true } });
  });

  describe('a command that hangs past the timeout', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'cockpit-cmd-'));
    });
    afterAll(() => {
      // never leave the sleeper behind, even when the test failed
      for (const f of ['pids', 'pids-abort', 'pid-straggler'].map((n) => join(dir, n)))
        if (existsSync(f)) for (const p of readFileSync(f, 'utf8').trim().split(/\s+/).map(Number)) if (alive(p)) process.kill(p, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('is killed (with what it started) and reported as a timeout, within the timeout', async () => {
      const pidFile = join(dir, 'pids');
      const start = performance.now();
      const r = await script('metrics-hang.sh', pidFile).fetch([{ name: 'error_rate' }], 700, signal());
      const took = performance.now() - start;
      expect(r).toEqual({ error_rate: { error: 'metrics command: timed out after 700 ms' } });
      expect(took).toBeGreaterThanOrEqual(650);
      expect(took).toBeLessThan(2000);
      const [shell, sleeper] = readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
      await waitFor(`the metrics script (pid ${shell}) to be gone`, () => !alive(shell), { timeoutMs: 2000 });
      await waitFor(`the script's child sleep (pid ${sleeper}) to be gone`, () => !alive(sleeper), { timeoutMs: 2000 });
    });

    it('an aborted fetch ends the command too', async () => {
      const pidFile = join(dir, 'pids-abort');
      const abort = new AbortController();
      const pending = script('metrics-hang.sh', pidFile).fetch([{ name: 'error_rate' }], 10_000, abort.signal);
      const [shell, sleeper] = await waitFor('the pids', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number));
      abort.abort();
      expect(await within(pending, 2000, 'the aborted fetch')).toEqual({ error_rate: { error: 'metrics command: timed out after 10000 ms' } });
      await waitFor('the aborted command and its child to be gone', () => !alive(shell) && !alive(sleeper), { timeoutMs: 2000 });
    });

    it('a command that exits leaves nothing running behind it', async () => {
      const pidFile = join(dir, 'pid-straggler');
      const r = await script('metrics-straggler.sh', pidFile).fetch([{ name: 'error_rate' }], 5000, signal());
      expect(r).toEqual({ error_rate: { value: 0.25 } });
      const straggler = Number(readFileSync(pidFile, 'utf8').trim());
      await waitFor(`its background sleep (pid ${straggler}) to be gone`, () => !alive(straggler), { timeoutMs: 2000 });
    });
  });
});

/** True while the pid exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// ── Slack webhook escalation ─────────────────────────────────────────────────────────────────

describe('Slack webhook escalation against a real HTTP receiver', () => {
  const WEBHOOK_ENV = 'COCKPIT_IT_SLACK_WEBHOOK';
  const REASON = 'trigger fired: error_rate > 1 % for 2s: error_rate 3.5 % now, breaching since 2s (5 samples)';
  const rb = parse(`
name: web-app
version: "2.4.0"
stages: [{ id: production, steps: [./deploy.sh] }]
escalation:
  - after: 0s
    title: Page on-call
    notify: { slack: { webhookEnv: ${WEBHOOK_ENV} } }
`);

  /** Starts escalation for an incident now; resolves with the events once the level finished. */
  async function escalate(env: NodeJS.ProcessEnv): Promise<EventBody[]> {
    const events: EventBody[] = [];
    const t0 = performance.now();
    const esc = new Escalation({
      runbook: rb,
      clock: systemClock,
      now: () => Math.round(performance.now() - t0),
      record: (e) => events.push(e),
      runCommand: async () => ({ ok: true }),
      env,
      version: '2.4.0',
      environment: 'production',
      retryDelayMs: 20,
    });
    try {
      esc.start(0, REASON);
      await waitFor('escalation.finished', () => events.some((e) => e.type === 'escalation.finished'), { timeoutMs: 10_000 });
      return events;
    } finally {
      esc.stop();
    }
  }

  /** The body Slack documents (checked by slackProblems), saying what happened and why, escaped. */
  function expectSlackBody(raw: string): void {
    const body = JSON.parse(raw) as { text: string; blocks: { text?: { text: string } }[] };
    expect(slackProblems(body)).toEqual([]);
    expect(body.text).toBe(`:rotating_light: web-app 2.4.0 in production: Page on-call (level 1): ${REASON.replace('>', '&gt;')}`);
    expect(body.blocks[0].text?.text).toBe(`:rotating_light: *web-app 2.4.0 in production: Page on-call (level 1)*\n${REASON.replace('>', '&gt;')}`);
  }

  it('posts a Slack message (escaped text, section blocks) with content-type application/json', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const events = await escalate({ [WEBHOOK_ENV]: `${s.url}/services/T000/B000/XXXX` });
    expect(events).toEqual([
      { type: 'escalation.started', level: 1, title: 'Page on-call', action: `slack webhook ($${WEBHOOK_ENV})` },
      { type: 'escalation.finished', level: 1, ok: true, attempts: 1 },
    ]);
    expect(s.requests).toHaveLength(1);
    const q = s.requests[0];
    expect(q.method).toBe('POST');
    expect(q.path).toBe('/services/T000/B000/XXXX');
    expect(q.headers['content-type']).toBe('application/json');
    expectSlackBody(q.body);
  });

  it('500, 500, then 200: three attempts, ok', async () => {
    const s = await server((_req, res, _body, i) => {
      res.writeHead(i < 2 ? 500 : 200);
      res.end(i < 2 ? 'internal error' : 'ok');
    });
    const events = await escalate({ [WEBHOOK_ENV]: s.url });
    expect(events.filter((e) => e.type === 'escalation.finished')).toEqual([{ type: 'escalation.finished', level: 1, ok: true, attempts: 3 }]);
    expect(s.requests).toHaveLength(3);
    for (const q of s.requests) expectSlackBody(q.body);
  });

  it('a receiver that always fails: escalation.finished ok:false with the attempts, nothing thrown', async () => {
    const s = await server((_req, res) => {
      res.writeHead(500);
      res.end('no');
    });
    const events = await escalate({ [WEBHOOK_ENV]: s.url });
    expect(events.filter((e) => e.type === 'escalation.finished')).toEqual([{ type: 'escalation.finished', level: 1, ok: false, error: 'webhook: HTTP 500', attempts: 3 }]);
    expect(s.requests).toHaveLength(3);
  });

  it('a webhook that refuses connections: ok:false naming the error, nothing thrown', async () => {
    const port = await closedPort();
    const events = await escalate({ [WEBHOOK_ENV]: `http://127.0.0.1:${port}/hook` });
    expect(events.filter((e) => e.type === 'escalation.finished')).toEqual([{ type: 'escalation.finished', level: 1, ok: false, error: `webhook: ECONNREFUSED 127.0.0.1:${port}`, attempts: 3 }]);
  });

  it('resolving the incident between retries: no further attempt, no timer left, and the failure is still reported', async () => {
    const s = await server((_req, res) => {
      res.writeHead(500);
      res.end('no');
    });
    const clock = new FakeClock();
    const events: EventBody[] = [];
    const esc = new Escalation({
      runbook: rb,
      clock,
      now: () => clock.now(),
      record: (e) => events.push(e),
      runCommand: async () => ({ ok: true }),
      env: { [WEBHOOK_ENV]: s.url },
      version: '2.4.0',
      environment: 'production',
      retryDelayMs: 1000,
    });
    esc.start(0, REASON);
    await clock.advance(0); // level 1 is due at once: the first (real) post goes out
    // the first post failed and the retry waits on the clock
    await waitFor('the first attempt to fail and a retry to be scheduled', () => s.requests.length === 1 && clock.pending() === 1);
    esc.resolve();
    expect(clock.pending()).toBe(0); // nothing keeps a finished session alive
    await clock.advance(60_000);
    expect(s.requests).toHaveLength(1);
    await esc.drain();
    expect(events.map((e) => e.type)).toEqual(['escalation.started', 'incident.resolved', 'escalation.finished']);
    expect(events.at(-1)).toEqual({ type: 'escalation.finished', level: 1, ok: false, error: 'webhook: HTTP 500 (not retried: the incident was resolved)', attempts: 1 });
  });

  it('an unset webhook variable: a clear failure event and no request', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const events = await escalate({ OTHER: s.url });
    expect(events).toEqual([
      { type: 'escalation.started', level: 1, title: 'Page on-call', action: `slack webhook ($${WEBHOOK_ENV})` },
      { type: 'escalation.finished', level: 1, ok: false, error: `$${WEBHOOK_ENV} is not set: no Slack message sent`, attempts: 0 },
    ]);
    expect(s.requests).toHaveLength(0);
  });
});
