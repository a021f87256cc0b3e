import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startDemoService, SCENARIOS, type DemoService, type DemoState, type ScenarioName } from '../../src/demo/service.js';
import { DEMO } from '../../src/demo/scenarios.js';
import { FlagdProvider } from '../../src/flags/providers/flagd.js';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-demo-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open: DemoService[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

let fileNo = 0;

/** A service on a fake clock: `advance(realSeconds)` moves time without sleeping. */
async function setup(scenario: ScenarioName, o: { speed?: number; seed?: number } = {}) {
  let t = 1_700_000_000_000;
  const flagFile = join(dir, `flags-${fileNo++}.json`);
  const speed = o.speed ?? 20;
  const svc = await startDemoService({ scenario, speed, flagFile, seed: o.seed ?? 7, now: () => t });
  open.push(svc);
  const flags = new FlagdProvider(flagFile, dir);
  const req = async (method: string, path: string, body?: string) => {
    const res = await fetch(`${svc.url}${path}`, { method, body });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) as Record<string, any> };
  };
  return {
    svc,
    flagFile,
    flags,
    speed,
    advance: (realSeconds: number) => {
      t += realSeconds * 1000;
    },
    /** Moves by demo-seconds. */
    advanceDemo: (demoSeconds: number) => {
      t += (demoSeconds / speed) * 1000;
    },
    get: (path: string) => req('GET', path),
    post: (path: string, body?: string) => req('POST', path, body),
    metrics: async () => (await req('GET', '/metrics.json')).json() as unknown as DemoState,
  };
}

type Env = Awaited<ReturnType<typeof setup>>;

/** Deploys 2.4.0, waits (fake time) until it is ready and switches to it. */
async function release(env: Env, version = '2.4.0') {
  expect((await env.post(`/admin/deploy?version=${version}`)).status).toBe(202);
  env.advanceDemo(DEMO.deploySeconds + 1);
  const r = await env.post('/admin/switch');
  expect(r.status).toBe(200);
  return r.json();
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?(?:[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|NaN|\+Inf|-Inf))$/;

function parseProm(text: string) {
  const types = new Map<string, string>();
  const samples: { name: string; labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    if (!types.has(m[1])) throw new Error(`${m[1]} has no # TYPE before its samples`);
    samples.push({ name: m[1], labels: m[2] ?? '', value: Number(m[3]) });
  }
  const value = (name: string, labels = '') => samples.find((s) => s.name === name && s.labels === labels)?.value;
  return { types, samples, value };
}

describe('demo service: endpoints', () => {
  it('GET /metrics is the Prometheus text format with # HELP/# TYPE and every series', async () => {
    const env = await setup('good');
    env.advance(1);
    const r = await env.get('/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const p = parseProm(r.text);
    for (const name of ['demo_request_rate', 'demo_latency_p95_ms', 'demo_error_rate_percent', 'demo_memory_percent', 'demo_throughput']) {
      expect(p.types.get(name)).toBe('gauge');
      expect(r.text).toContain(`# HELP ${name} `);
      expect(p.value(name)).toBeGreaterThan(0); // overall, no slot label
      expect(p.value(name, '{slot="blue"}')).toBe(p.value(name));
      expect(p.value(name, '{slot="green"}')).toBe(0);
    }
    expect(p.types.get('demo_experiment_exposures_total')).toBe('counter');
    expect(p.types.get('demo_experiment_conversions_total')).toBe('counter');
    expect(p.value('demo_experiment_exposures_total', '{experiment="checkout-flow-v2",variant="control"}')).toBeGreaterThan(0);
    expect(p.value('demo_experiment_conversions_total', '{experiment="checkout-flow-v2",variant="treatment"}')).toBeGreaterThanOrEqual(0);
    expect(p.value('demo_flag_percent', '{flag="new-checkout"}')).toBe(0);
    expect(p.value('demo_info', '{live="blue",version="2.3.9"}')).toBe(1);
    expect(p.value('demo_latency_p95_ms')).toBeGreaterThan(250);
    expect(p.value('demo_latency_p95_ms')).toBeLessThan(350);
  });

  it('GET /metrics.json has overall, slots, live, experiments and flags as numbers', async () => {
    const env = await setup('good');
    env.advance(1);
    const r = await env.get('/metrics.json');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    const m = r.json();
    for (const k of ['request_rate', 'latency_p95', 'error_rate', 'memory', 'throughput']) {
      expect(typeof m.overall[k]).toBe('number');
      expect(typeof m.slots.blue[k]).toBe('number');
      expect(typeof m.slots.green[k]).toBe('number');
    }
    expect(m.overall.error_rate).toBeLessThan(0.1);
    expect(m.overall.memory).toBeGreaterThan(50);
    expect(m.overall.memory).toBeLessThan(60);
    expect(m.overall.throughput).toBeLessThanOrEqual(m.overall.request_rate);
    expect(m.slots.blue).toMatchObject({ version: '2.3.9', status: 'live' });
    expect(m.slots.green).toMatchObject({ version: null, status: 'idle', request_rate: 0 });
    expect(m.live).toBe('blue');
    const ex = m.experiments['checkout-flow-v2'];
    for (const v of ['control', 'treatment']) {
      expect(Number.isInteger(ex[v].exposures)).toBe(true);
      expect(Number.isInteger(ex[v].conversions)).toBe(true);
      expect(ex[v].weight).toBe(50);
    }
    expect(m.flags).toEqual({ 'new-checkout': 0 });
  });

  it('GET /health and /checkout are 200 and turn 503 when the live slot is down (admin toggle)', async () => {
    const env = await setup('good');
    const h = await env.get('/health');
    expect(h.status).toBe(200);
    expect(h.json()).toEqual({ status: 'ok', live: 'blue', version: '2.3.9' });
    expect((await env.get('/checkout')).status).toBe(200);
    expect((await env.post('/admin/break-checkout')).status).toBe(200);
    expect((await env.get('/checkout')).status).toBe(503);
    expect((await env.get('/health')).status).toBe(503);
    expect((await env.metrics()).slots.blue.status).toBe('down');
    expect((await env.post('/admin/fix-checkout')).status).toBe(200);
    expect((await env.get('/checkout')).status).toBe(200);
    expect((await env.get('/health')).status).toBe(200);
  });

  it('answers unknown paths with 404 and wrong methods with 405, in JSON', async () => {
    const env = await setup('good');
    const nf = await env.get('/nope');
    expect(nf.status).toBe(404);
    expect(nf.json().error).toMatch(/no \/nope/);
    const wrong = await env.get('/admin/switch');
    expect(wrong.status).toBe(405);
    expect(wrong.json().error).toMatch(/POST/);
    expect((await env.post('/metrics')).status).toBe(405);
    const index = (await env.get('/')).json();
    expect(index.story).toBe(SCENARIOS.good.story);
    expect(index.endpoints).toContain('POST /admin/rollback');
  });

  it('every scenario has a one-line story', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(['bad-release', 'blind', 'flag-regression', 'flaky-tests', 'good', 'slow-leak']);
    for (const s of Object.values(SCENARIOS)) {
      expect(s.story.length).toBeGreaterThan(10);
      expect(s.story.length).toBeLessThan(120);
      expect(s.story).not.toContain('\n');
    }
  });

  it('refuses an unknown scenario and a speed that is not positive', async () => {
    await expect(startDemoService({ scenario: 'nope' as ScenarioName, speed: 1, flagFile: join(dir, 'x.json') })).rejects.toThrow(/unknown demo scenario/);
    await expect(startDemoService({ scenario: 'good', speed: 0, flagFile: join(dir, 'x.json') })).rejects.toThrow(/speed/);
  });
});

describe('demo service: deploy → ready → switch → rollback', () => {
  it('walks the blue/green flow with its error codes', async () => {
    const env = await setup('good');
    // nothing deployed, nothing to switch to or roll back to
    const sw0 = await env.post('/admin/switch');
    expect(sw0.status).toBe(409);
    expect(sw0.json().error).toMatch(/green is idle/);
    const rb0 = await env.post('/admin/rollback');
    expect(rb0.status).toBe(409);
    expect(rb0.json().error).toMatch(/nothing to roll back to/);
    // bad input
    expect((await env.post('/admin/deploy')).status).toBe(400);
    expect((await env.post('/admin/deploy?version=')).status).toBe(400);
    expect((await env.post('/admin/deploy?version=2.4.0%20;rm')).status).toBe(400);
    expect((await env.post('/admin/deploy', '{not json')).status).toBe(400);

    const d = await env.post('/admin/deploy?version=2.4.0');
    expect(d.status).toBe(202);
    expect(d.json()).toMatchObject({ ok: true, slot: 'green', version: '2.4.0', status: 'deploying', ready_in_seconds: DEMO.deploySeconds / env.speed });
    expect((await env.post('/admin/deploy?version=2.4.1')).status).toBe(409);
    env.advanceDemo(DEMO.deploySeconds / 2);
    let st = (await env.get('/admin/state')).json();
    expect(st.slots.green).toMatchObject({ version: '2.4.0', status: 'deploying', progress: 0.5 });
    expect(st.deploy).toMatchObject({ slot: 'green', version: '2.4.0', progress: 0.5 });
    const early = await env.post('/admin/switch');
    expect(early.status).toBe(409);
    expect(early.json().error).toMatch(/still deploying 2\.4\.0 \(50 %\)/);

    env.advanceDemo(DEMO.deploySeconds / 2 + 0.1);
    st = (await env.get('/admin/state')).json();
    expect(st.slots.green.status).toBe('ready');
    expect(st.deploy).toBeNull();
    expect(st.live).toBe('blue');

    const sw = await env.post('/admin/switch');
    expect(sw.status).toBe(200);
    expect(sw.json()).toMatchObject({ live: 'green', version: '2.4.0', previous: 'blue' });
    expect((await env.get('/health')).json()).toEqual({ status: 'ok', live: 'green', version: '2.4.0' });
    env.advance(0.5);
    let m = await env.metrics();
    expect(m.live).toBe('green');
    expect(m.slots.green.status).toBe('live');
    expect(m.slots.blue).toMatchObject({ status: 'ready', version: '2.3.9', request_rate: 0 });
    expect(m.overall.request_rate).toBe(m.slots.green.request_rate);
    expect(parseProm((await env.get('/metrics')).text).value('demo_info', '{live="green",version="2.4.0"}')).toBe(1);

    const rb = await env.post('/admin/rollback');
    expect(rb.status).toBe(200);
    expect(rb.json()).toMatchObject({ live: 'blue', version: '2.3.9', rolled_back_from: { slot: 'green', version: '2.4.0' } });
    const again = await env.post('/admin/rollback');
    expect(again.status).toBe(200); // idempotent
    expect(again.json()).toMatchObject({ already: true, live: 'blue', version: '2.3.9' });
    m = await env.metrics();
    expect(m.live).toBe('blue');
    expect(m.slots.green.status).toBe('ready'); // the bad version stays on the idle slot

    // switching forward again, then redeploying over the rollback target: nothing to roll back to
    expect((await env.post('/admin/switch')).status).toBe(200);
    expect((await env.post('/admin/deploy', JSON.stringify({ version: '2.4.1' }))).status).toBe(202);
    expect((await env.post('/admin/rollback')).status).toBe(409);
    st = (await env.get('/admin/state')).json();
    expect(st.slots.blue).toMatchObject({ version: '2.4.1', status: 'deploying' });
    expect(st.log.map((l: { message: string }) => l.message).join('\n')).toMatch(/rolled back green \(2\.4\.0\) → blue \(2\.3\.9\)/);
  });

  it('deploys in real time too: ready after deploySeconds / speed, on the unref()d tick', async () => {
    const flagFile = join(dir, 'realtime.json');
    const svc = await startDemoService({ scenario: 'good', speed: 20, flagFile });
    open.push(svc);
    await fetch(`${svc.url}/admin/deploy?version=2.4.0`, { method: 'POST' });
    expect(svc.state().slots.green.status).toBe('deploying');
    const deadline = Date.now() + 5000;
    while (svc.state().slots.green.status !== 'ready' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(svc.state().slots.green.status).toBe('ready');
    expect((await fetch(`${svc.url}/admin/switch`, { method: 'POST' })).status).toBe(200);
  });
});

describe('demo service: scenario profiles', () => {
  it('good: the new version stays healthy', async () => {
    const env = await setup('good');
    await release(env);
    for (const demoSeconds of [10, 60, 600]) {
      env.advanceDemo(demoSeconds);
      const m = await env.metrics();
      expect(m.overall.error_rate).toBeLessThan(0.1);
      expect(m.overall.latency_p95).toBeLessThan(400);
      expect(m.overall.memory).toBeGreaterThan(55);
      expect(m.overall.memory).toBeLessThan(62);
    }
  });

  it('bad-release: errors climb past 1 % some demo-seconds after the switch and fall below 0.5 % after rollback', async () => {
    const env = await setup('bad-release');
    env.advanceDemo(30);
    expect((await env.metrics()).overall.error_rate).toBeLessThan(0.1); // before the release: healthy
    await release(env);
    expect((await env.metrics()).overall.error_rate).toBeLessThan(0.5); // right at the switch
    env.advanceDemo(DEMO.badRampSeconds);
    const bad = await env.metrics();
    expect(bad.overall.error_rate).toBeGreaterThan(3);
    expect(bad.overall.latency_p95).toBeGreaterThan(350);
    env.advanceDemo(120);
    expect((await env.metrics()).overall.error_rate).toBeGreaterThan(1); // and it stays there
    expect((await env.post('/admin/rollback')).status).toBe(200);
    env.advance(0.2);
    const m = await env.metrics();
    expect(m.overall.error_rate).toBeLessThan(0.5);
    expect(m.overall.latency_p95).toBeLessThan(350);
  });

  it('slow-leak: memory creeps past 85 % right after the switch, so its 5-minute trigger fires inside the 6-minute monitor', async () => {
    const env = await setup('slow-leak', { speed: 20 });
    expect((await env.metrics()).overall.memory).toBeLessThan(62); // the old version
    await release(env);
    const early = (await env.metrics()).overall;
    expect(early.memory).toBeGreaterThan(69); // in the warning band at once
    expect(early.memory).toBeLessThan(75);
    env.advance(1); // 20 demo-seconds
    expect((await env.metrics()).overall.memory).toBeLessThan(85);
    env.advance(1); // 40 demo-seconds
    const late = (await env.metrics()).overall;
    expect(late.memory).toBeGreaterThan(85);
    expect(late.error_rate).toBeLessThan(0.1);
    expect(late.latency_p95).toBeLessThan(400);
    env.advance(60);
    expect((await env.metrics()).overall.memory).toBeLessThanOrEqual(DEMO.leakMax + 0.5); // capped
    await env.post('/admin/rollback');
    env.advance(0.2);
    expect((await env.metrics()).overall.memory).toBeLessThan(60);
  });

  it('flag-regression: p95 above 2 s with new-checkout at 50 %, normal at 25 % and 0 %', async () => {
    const env = await setup('flag-regression');
    await env.flags.set('new-checkout', 50);
    env.advance(0.2);
    let m = await env.metrics();
    expect(m.flags['new-checkout']).toBe(50);
    expect(m.overall.latency_p95).toBeLessThan(500); // the old version has no new checkout
    await release(env);
    env.advance(0.2);
    m = await env.metrics();
    expect(m.overall.latency_p95).toBeGreaterThan(2000);
    expect(parseProm((await env.get('/metrics')).text).value('demo_flag_percent', '{flag="new-checkout"}')).toBe(50);
    await env.flags.set('new-checkout', 25);
    env.advance(0.2);
    m = await env.metrics();
    expect(m.flags['new-checkout']).toBe(25);
    expect(m.overall.latency_p95).toBeLessThan(500);
    await env.flags.set('new-checkout', 30);
    env.advance(0.2);
    expect((await env.metrics()).overall.latency_p95).toBeGreaterThan(2000);
    await env.flags.set('new-checkout', 0);
    env.advance(0.2);
    m = await env.metrics();
    expect(m.flags['new-checkout']).toBe(0);
    expect(m.overall.latency_p95).toBeLessThan(500);
    // a rollback with the flag still high is healthy too: the old version is always healthy
    await env.flags.set('new-checkout', 50);
    env.advance(0.2);
    expect((await env.metrics()).overall.latency_p95).toBeGreaterThan(2000);
    await env.post('/admin/rollback');
    env.advance(0.2);
    expect((await env.metrics()).overall.latency_p95).toBeLessThan(500);
  });

  it('a missing flag file or flag is 0 %; a broken file keeps the last values and says so', async () => {
    const env = await setup('flag-regression');
    expect((await env.metrics()).flags['new-checkout']).toBe(0);
    writeFileSync(env.flagFile, JSON.stringify({ flags: { other: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } } }));
    expect((await env.metrics()).flags['new-checkout']).toBe(0);
    await env.flags.set('new-checkout', 40);
    expect((await env.metrics()).flags['new-checkout']).toBe(40);
    writeFileSync(env.flagFile, '{"flags": {');
    const st = (await env.get('/admin/state')).json();
    expect(st.flags['new-checkout']).toBe(40);
    expect(st.flag_error).toMatch(/JSON/);
    rmSync(env.flagFile);
    expect((await env.metrics()).flags['new-checkout']).toBe(0);
  });

  it('flaky-tests: the service is the good one', async () => {
    const env = await setup('flaky-tests');
    await release(env);
    env.advanceDemo(300);
    const m = await env.metrics();
    expect(m.overall.error_rate).toBeLessThan(0.1);
    expect(m.overall.latency_p95).toBeLessThan(400);
    expect(m.overall.memory).toBeLessThan(62);
  });
});

describe('demo service: the A/B experiment', () => {
  it('reaches 1000 exposures per variant within 20 real seconds at speed 20, split 50/50 without the flag', async () => {
    const env = await setup('good', { speed: 20 });
    const seen: number[] = [];
    for (let s = 0; s < 20; s++) {
      env.advance(1);
      const ex = (await env.metrics()).experiments['checkout-flow-v2'];
      seen.push(ex.control.exposures + ex.treatment.exposures);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
    const ex = (await env.metrics()).experiments['checkout-flow-v2'];
    expect(ex.control.exposures).toBeGreaterThanOrEqual(1000);
    expect(ex.treatment.exposures).toBeGreaterThanOrEqual(1000);
    expect(ex.control.weight).toBe(50);
  });

  it('reaches 1000 per variant within 20 real seconds at speed 20 even at a 10/90 split', async () => {
    for (const split of [10, 90]) {
      const env = await setup('good', { speed: 20 });
      await env.flags.set('checkout-v2-split', split);
      await env.metrics();
      env.advance(20);
      const ex = (await env.metrics()).experiments['checkout-flow-v2'];
      expect(Math.min(ex.control.exposures, ex.treatment.exposures)).toBeGreaterThanOrEqual(1000);
    }
  });

  it('follows the checkout-v2-split flag: a new split restarts the counts, which then follow it; treatment converts better', async () => {
    const env = await setup('good', { speed: 20 });
    env.advance(5);
    expect((await env.metrics()).experiments['checkout-flow-v2'].control.exposures).toBeGreaterThan(100);
    await env.flags.set('checkout-v2-split', 20);
    let st = (await env.get('/admin/state')).json();
    expect(st.experiment_phase).toBe(2);
    expect(st.flags['checkout-v2-split']).toBe(20);
    expect(st.experiments['checkout-flow-v2'].control).toMatchObject({ exposures: 0, conversions: 0, weight: 80 });
    expect(st.experiments['checkout-flow-v2'].treatment.weight).toBe(20);
    for (let s = 0; s < 200; s++) {
      env.advance(1);
      await env.metrics();
    }
    const ex = (await env.metrics()).experiments['checkout-flow-v2'];
    const total = ex.control.exposures + ex.treatment.exposures;
    expect(total).toBeGreaterThan(0.9 * DEMO.exposuresPerSecond * 200 * env.speed);
    expect(ex.treatment.exposures / total).toBeGreaterThan(0.18);
    expect(ex.treatment.exposures / total).toBeLessThan(0.22);
    const rc = ex.control.conversions / ex.control.exposures;
    const rt = ex.treatment.conversions / ex.treatment.exposures;
    expect(rc).toBeGreaterThan(0.09);
    expect(rc).toBeLessThan(0.11);
    expect(rt).toBeGreaterThan(0.105);
    expect(rt).toBeLessThan(0.125);
    // setting the same split again is not a new phase
    await env.flags.set('checkout-v2-split', 20);
    st = (await env.get('/admin/state')).json();
    expect(st.experiment_phase).toBe(2);
    const p = parseProm((await env.get('/metrics')).text);
    expect(p.value('demo_experiment_exposures_total', '{experiment="checkout-flow-v2",variant="treatment"}')).toBe(st.experiments['checkout-flow-v2'].treatment.exposures);
    expect(p.value('demo_experiment_weight_percent', '{experiment="checkout-flow-v2",variant="treatment"}')).toBe(20);
    expect(p.value('demo_flag_percent', '{flag="checkout-v2-split"}')).toBe(20);
  });
});

describe('demo service: determinism and shutdown', () => {
  it('gives the same figures for the same seed and times, other figures for another seed', async () => {
    const run = async (seed: number) => {
      const env = await setup('bad-release', { seed });
      const out: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        env.advance(0.7);
        if (i === 1) await release(env);
        out.push(await env.metrics());
      }
      return out;
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(await run(43)).not.toEqual(a);
  });

  it('close() leaves nothing listening and no timer keeping the process alive', async () => {
    const count = (what: string) => process.getActiveResourcesInfo().filter((r) => r === what).length;
    const timersBefore = count('Timeout');
    const svc = await startDemoService({ scenario: 'good', speed: 20, flagFile: join(dir, 'close.json') });
    expect(count('Timeout')).toBe(timersBefore); // the tick is unref()'d
    expect((await fetch(`${svc.url}/health`)).status).toBe(200); // a keep-alive connection is open
    await svc.close();
    await svc.close(); // twice is fine
    expect(count('Timeout')).toBe(timersBefore);
    const refused = await new Promise<string>((resolve) => {
      const sock = connect(svc.port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve('connected');
      });
      sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
