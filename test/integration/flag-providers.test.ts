/**
 * The flag providers for real:
 *  - flagd: the file cockpit writes, evaluated by the official OpenFeature flagd provider in
 *    in-process file mode for 10,000 targeting keys; other flags untouched; atomic writes; a
 *    corrupt file refused and left alone.
 *  - Unleash: against a local admin API that checks path, method, token and body like Unleash.
 *  - command: a real script that records its argv; hostile flag names never execute.
 * Every failure reaches the operator as words through FlagRamps.apply, never as an exception.
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FlagdProvider as OfficialFlagdProvider } from '@openfeature/flagd-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FlagRamps } from '../../src/flags/manager.js';
import { CommandFlagProvider } from '../../src/flags/providers/command.js';
import { FlagdProvider, flagDefinition, percentOf } from '../../src/flags/providers/flagd.js';
import { providerFor } from '../../src/flags/providers/index.js';
import { FlagProviderError, type FlagProvider } from '../../src/flags/providers/provider.js';
import { UnleashProvider } from '../../src/flags/providers/unleash.js';
import { parseCommand } from '../../src/runbook/command.js';
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import { FakeClock } from '../../src/core/clock.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { ofType } from '../helpers/guard-harness.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { UnleashAdmin, type UnleashStrategy } from '../helpers/unleash-admin.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/flags');
const BASE = join(FIXTURES, 'flagd-base.json');
const UNLEASH_FEATURES = JSON.parse(readFileSync(join(FIXTURES, 'unleash-features.json'), 'utf8')) as Record<string, UnleashStrategy[]>;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-flags-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await OpenFeature.close();
});

function runbook(text: string, at = dir): Runbook {
  const r = parseRunbook(text, join(at, 'cockpit.yml'));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.runbook;
}

function flagsRunbook(provider: string, ramps: string, extra = ''): string {
  return `
name: flags-it
stages:
  - id: production
    steps:
      - run: ./deploy.sh
rollback:
  steps: [./rollback.sh]
flags:
  provider: ${provider}
  ramps:
${ramps}
${extra}`;
}

/** A Controller on a FakeClock (nothing here needs time) with the runbook's provider, or an injected one. */
function controller(rb: Runbook, o: { provider?: FlagProvider; env?: NodeJS.ProcessEnv } = {}) {
  const journal = new MemoryJournal();
  const c = new Controller({
    runbook: rb,
    runner: new FakeRunner(),
    journal,
    clock: new FakeClock(),
    sessionId: 'flags-it',
    sessionDir: join(dir, 'session'),
    values: { version: '1.0.0' },
    mode: 'tui',
    flagProvider: o.provider,
    env: o.env ?? {},
  });
  return { c, journal, flags: c.flags as FlagRamps };
}

/** Reads all flags at start and waits until every one has been read (real I/O). */
async function begun(t: ReturnType<typeof controller>): Promise<void> {
  t.c.begin();
  await vi.waitFor(() => expect(ofType(t.journal.events, 'flag.read').length).toBe(Object.keys(t.c.state.flags).length), { timeout: 10_000 });
}

// ── flagd ──────────────────────────────────────────────────────────────────────────────────────

let domains = 0;

/** Evaluates a boolean flag for user-0 … user-(n-1) with the official provider reading the file. */
async function officialShare(file: string, flag: string, n = 10_000) {
  const provider = new OfficialFlagdProvider({ resolverType: 'in-process', offlineFlagSourcePath: file });
  const domain = `cockpit-it-${domains++}`;
  await OpenFeature.setProviderAndWait(domain, provider);
  try {
    const client = OpenFeature.getClient(domain);
    let on = 0;
    for (let i = 0; i < n; i++) if (await client.getBooleanValue(flag, false, { targetingKey: `user-${i}` })) on++;
    const details = await client.getBooleanDetails(flag, false, { targetingKey: 'user-0' });
    const staff = await client.getStringValue('theme', 'unset', { targetingKey: 'user-1', email: 'ann@example.com' });
    const guest = await client.getStringValue('theme', 'unset', { targetingKey: 'user-2', email: 'bob@elsewhere.org' });
    const limits = await client.getObjectValue('rate-limits', {}, { targetingKey: 'user-3' });
    return { share: (on / n) * 100, on, details, staff, guest, limits };
  } finally {
    await provider.onClose();
  }
}

function otherFlagsUnchanged(file: string, base: Record<string, unknown>, ours: string): void {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { flags: Record<string, unknown> };
  const baseFlags = base.flags as Record<string, unknown>;
  // top-level keys other than flags: same values, same order
  expect(Object.keys(doc)).toEqual(Object.keys(base));
  for (const k of Object.keys(base)) if (k !== 'flags') expect(JSON.stringify(doc[k])).toBe(JSON.stringify(base[k]));
  expect(Object.keys(doc.flags).filter((k) => k !== ours)).toEqual(Object.keys(baseFlags).filter((k) => k !== ours));
  for (const k of Object.keys(baseFlags)) if (k !== ours) expect(JSON.stringify(doc.flags[k])).toBe(JSON.stringify(baseFlags[k]));
}

describe('flagd: the file cockpit writes, evaluated by the official flagd provider (in-process, file)', () => {
  it('serves `on` to the set share of 10,000 targeting keys (±1.5 points) at 0, 5, 25, 50 and 100 %; other flags unchanged after every write', async () => {
    const file = join(dir, 'flags.json');
    copyFileSync(BASE, file);
    const base = JSON.parse(readFileSync(BASE, 'utf8')) as Record<string, unknown>;
    const cockpit = new FlagdProvider('flags.json', dir);
    // the other flags evaluate as written before cockpit touches the file
    const before = await officialShare(file, 'new-checkout', 10);
    expect(before.details.errorCode).toBe('FLAG_NOT_FOUND');
    expect([before.staff, before.guest]).toEqual(['dark', 'light']);
    const limits = (base.flags as Record<string, { variants: Record<string, unknown> }>)['rate-limits'].variants.standard;
    expect(before.limits).toEqual(limits);

    for (const p of [5, 25, 50, 100, 0]) {
      expect((await cockpit.set('new-checkout', p)).percent).toBe(p);
      expect((await cockpit.read('new-checkout')).percent).toBe(p);
      otherFlagsUnchanged(file, base, 'new-checkout');
      const r = await officialShare(file, 'new-checkout');
      expect(r.details.errorCode).toBeUndefined();
      expect(r.details.reason).toBe('TARGETING_MATCH');
      if (p === 0) expect(r.on).toBe(0);
      else if (p === 100) expect(r.on).toBe(10_000);
      else expect(Math.abs(r.share - p)).toBeLessThanOrEqual(1.5);
      expect([r.staff, r.guest]).toEqual(['dark', 'light']);
      expect(r.limits).toEqual(limits);
    }
  });

  it('a percentage that is not a whole number (2.5 %) is served as such, not silently as 0 % (flagd weights are integers)', async () => {
    const file = join(dir, 'flags.json');
    copyFileSync(BASE, file);
    const cockpit = new FlagdProvider(file, '/');
    expect((await cockpit.set('new-checkout', 2.5)).percent).toBe(2.5);
    const r = await officialShare(file, 'new-checkout');
    expect(r.details.errorCode).toBeUndefined();
    expect(Math.abs(r.share - 2.5)).toBeLessThanOrEqual(1.5);
    expect(r.on).toBeGreaterThan(0);
    // whole percentages keep the readable [on, p], [off, 100 - p] form
    expect(flagDefinition(25)).toMatchObject({ targeting: { fractional: [['on', 25], ['off', 75]] } });
    expect(percentOf(flagDefinition(0.25))).toBe(0.25);
  });

  it('creates the file when there is none, and the official provider reads it', async () => {
    const cockpit = new FlagdProvider('flags.json', dir);
    expect((await cockpit.read('new-checkout')).percent).toBe(0);
    expect((await cockpit.set('new-checkout', 50)).percent).toBe(50);
    const provider = new OfficialFlagdProvider({ resolverType: 'in-process', offlineFlagSourcePath: join(dir, 'flags.json') });
    await OpenFeature.setProviderAndWait('cockpit-it-new-file', provider);
    const d = await OpenFeature.getClient('cockpit-it-new-file').getBooleanDetails('new-checkout', false, { targetingKey: 'user-1' });
    await provider.onClose();
    expect(d.errorCode).toBeUndefined();
  });

  it('a flag name with a slash is written into the same file (the temp file is not named after the flag)', async () => {
    const file = join(dir, 'flags.json');
    copyFileSync(BASE, file);
    const cockpit = new FlagdProvider(file, '/');
    expect((await cockpit.set('team/checkout', 25)).percent).toBe(25);
    expect((await cockpit.set('../escape', 5)).percent).toBe(5);
    expect(readdirSync(dir)).toEqual(['flags.json']);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).flags)).toEqual(['theme', 'rate-limits', 'team/checkout', '../escape']);
  });

  it('writes atomically: a reader in a loop never sees a partial file (and the same reader does see one with a plain write)', async () => {
    const file = join(dir, 'flags.json');
    const base = JSON.parse(readFileSync(BASE, 'utf8')) as { flags: Record<string, unknown> };
    // ~350 KB: large enough that a plain write is visibly not atomic
    for (let i = 0; i < 1500; i++) base.flags[`filler-${i}`] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { fractional: [['on', i % 100], ['off', 100 - (i % 100)]] } };
    writeFileSync(file, JSON.stringify(base, null, 2));

    const watch = () => {
      const stop = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(
        `const { workerData, parentPort } = require('node:worker_threads');
         const { readFileSync } = require('node:fs');
         const stop = new Int32Array(workerData.stop);
         let reads = 0, invalid = 0, missing = 0, lost = 0;
         while (Atomics.load(stop, 0) === 0) {
           let text;
           try { text = readFileSync(workerData.file, 'utf8'); } catch { missing++; continue; }
           reads++;
           try { const d = JSON.parse(text); if (!d.flags || !d.flags.theme || !d.flags['filler-1499']) lost++; } catch { invalid++; }
         }
         parentPort.postMessage({ reads, invalid, missing, lost });`,
        { eval: true, workerData: { file, stop: stop.buffer } },
      );
      const result = new Promise<{ reads: number; invalid: number; missing: number; lost: number }>((r) => worker.once('message', r));
      return {
        finish: async () => {
          Atomics.store(stop, 0, 1);
          const r = await result;
          await worker.terminate();
          return r;
        },
      };
    };

    const cockpit = new FlagdProvider(file, '/');
    const w = watch();
    await new Promise((r) => setTimeout(r, 50));
    const steps = [5, 25, 50, 100, 0];
    for (let i = 0; i < 80; i++) {
      expect((await cockpit.set('new-checkout', steps[i % steps.length])).percent).toBe(steps[i % steps.length]);
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    const seen = await w.finish();
    expect(seen.reads).toBeGreaterThan(10);
    expect(seen).toMatchObject({ invalid: 0, missing: 0, lost: 0 });
    expect(readdirSync(dir)).toEqual(['flags.json']); // no temp file left behind

    // control: the same reader against plain (non-atomic) writes of the same document
    const text = readFileSync(file, 'utf8');
    const c = watch();
    await new Promise((r) => setTimeout(r, 50));
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      for (let i = 0; i < 20; i++) writeFileSync(file, text);
      await new Promise((r) => setTimeout(r, 5));
    }
    const control = await c.finish();
    expect(control.invalid + control.lost).toBeGreaterThan(0);
  });

  it('a corrupt file is refused with a clear error and left untouched; FlagRamps.apply records it as failed', async () => {
    const file = join(dir, 'flags.json');
    const corrupt = readFileSync(BASE, 'utf8').slice(0, 300); // cut mid-document
    writeFileSync(file, corrupt);
    const cockpit = new FlagdProvider('flags.json', dir);
    await expect(cockpit.set('new-checkout', 25)).rejects.toThrow(FlagProviderError);
    await expect(cockpit.set('new-checkout', 25)).rejects.toThrow(/flags\.json is not valid JSON \(.+\): not touching it$/);
    await expect(cockpit.read('new-checkout')).rejects.toThrow(/is not valid JSON/);
    expect(readFileSync(file, 'utf8')).toBe(corrupt);
    expect(readdirSync(dir)).toEqual(['flags.json']);

    const rb = runbook(flagsRunbook('{ type: flagd, file: flags.json }', '    new-checkout: [5, 25, 50, 100]'));
    const t = controller(rb);
    await begun(t);
    expect(t.c.state.flags['new-checkout']).toMatchObject({ status: 'failed', error: expect.stringMatching(/not valid JSON/) });
    const r = await t.flags.apply('new-checkout', 5, { by: 'operator' });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/flags\.json is not valid JSON .*not touching it/) });
    expect(ofType(t.journal.events, 'flag.failed')).toHaveLength(1);
    expect(t.c.state.flags['new-checkout'].percent).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe(corrupt);
  });

  it.each([
    ['a JSON array', '[1, 2, 3]\n', /is not a flagd flag definition file/],
    ['"flags" that is not an object', '{ "flags": ["theme"] }\n', /is not a flagd flag definition file/],
    ['"flags" that is a string', '{ "flags": "theme" }\n', /is not a flagd flag definition file/],
  ])('refuses %s and leaves it untouched', async (_name, text, error) => {
    const file = join(dir, 'flags.json');
    writeFileSync(file, text);
    await expect(new FlagdProvider(file, '/').set('new-checkout', 5)).rejects.toThrow(error);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

// ── Unleash ────────────────────────────────────────────────────────────────────────────────────

const TOKEN = '*:production.5b8f2c1e9d7a4f3b8c6e1d2a9f7b3c4e';

describe('Unleash: the admin API', () => {
  let admin: UnleashAdmin;
  let url: string;
  beforeEach(async () => {
    admin = new UnleashAdmin({ token: TOKEN, features: UNLEASH_FEATURES });
    url = await admin.start();
  });
  afterEach(async () => {
    await admin.stop();
  });

  const provider = (o: Partial<ConstructorParameters<typeof UnleashProvider>[0]> = {}) => new UnleashProvider({ url, project: 'default', environment: 'production', token: TOKEN, timeoutMs: 2000, ...o });
  const ENV = '/api/admin/projects/default/features/new-checkout/environments/production';
  const STRATEGIES = `${ENV}/strategies`;

  it('reads the rollout, updates the flexibleRollout strategy keeping everything else, and confirms by reading back the feature environment', async () => {
    const p = provider({ url: `${url}/` }); // a trailing slash is fine
    expect(await p.read('new-checkout')).toMatchObject({ percent: 5, served: 5 });
    admin.requests.length = 0;
    expect(await p.set('new-checkout', 25)).toEqual({ percent: 25, served: 25, says: 'confirmed by Unleash: production enabled, users are served 25 %' });
    expect(admin.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${ENV}`,
      `PUT ${STRATEGIES}/6b5157cb-343a-41e7-bfa3-7b4ec3044840`,
      `GET ${ENV}`,
    ]);
    for (const r of admin.requests) expect(r.authorization).toBe(TOKEN); // as is: no "Bearer"
    const put = admin.requests[1];
    expect(put.contentType).toMatch(/^application\/json/);
    const before = UNLEASH_FEATURES['new-checkout'][0];
    expect(put.body).toEqual({
      name: 'flexibleRollout',
      title: 'Gradual rollout',
      disabled: false,
      parameters: { groupId: 'new-checkout', rollout: '25', stickiness: 'userId' }, // strings, as Unleash takes them
      constraints: before.constraints,
      variants: before.variants,
      segments: [3],
    });
    // what Unleash holds now: only the rollout changed
    expect(admin.features['new-checkout'][0]).toEqual({ ...before, parameters: { ...before.parameters, rollout: '25' } });
    expect((await p.read('new-checkout')).percent).toBe(25);
  });

  it('picks the flexibleRollout strategy among several (or the one strategyId names)', async () => {
    // what users get is said with the other strategy that also turns it on
    expect(await provider().set('search-v2', 10)).toEqual({ percent: 10, served: 10, says: 'confirmed by Unleash: production enabled, users are served 10 % (other enabled strategies: userWithId)' });
    expect(admin.features['search-v2'][0].parameters).toEqual({ userIds: '42,43' });
    expect(admin.features['search-v2'][1].parameters.rollout).toBe('10');
    await expect(provider({ strategyId: '0f3c1c3e-0d1e-4bd5-9d2e-2f0f5c3a1111' }).read('search-v2')).rejects.toThrow(/has no rollout percentage/);
  });

  it('the confirmed percentage is what Unleash serves on read-back', async () => {
    admin.readBack = (s) => (s === '25' ? '24' : s);
    expect(await provider().set('new-checkout', 25)).toMatchObject({ percent: 24, served: 24, says: 'confirmed by Unleash: production enabled, users are served 24 % (25 % asked)' });
  });

  it('percent-encodes the project, flag and environment into the path', async () => {
    admin.features['new checkout/v2'] = structuredClone(UNLEASH_FEATURES['new-checkout']);
    admin.enabled['new checkout/v2'] = true;
    expect((await provider().set('new checkout/v2', 50)).percent).toBe(50);
    expect(admin.requests.at(-2)!.path).toBe('/api/admin/projects/default/features/new%20checkout%2Fv2/environments/production/strategies/6b5157cb-343a-41e7-bfa3-7b4ec3044840');
  });

  it('through a Controller with the runbook provider: the token comes from the named env var, is sent, and never journalled', async () => {
    const rb = runbook(
      flagsRunbook(`{ type: unleash, url: '${url}', project: default, environment: production, tokenEnv: UNLEASH_ADMIN_TOKEN }`, '    new-checkout: [5, 25, 50, 100]', 'secrets: [UNLEASH_ADMIN_TOKEN]'),
    );
    expect(providerFor(rb, { UNLEASH_ADMIN_TOKEN: TOKEN })?.kind).toBe('unleash');
    const t = controller(rb, { env: { UNLEASH_ADMIN_TOKEN: TOKEN } });
    await begun(t);
    expect(t.c.state.flags['new-checkout']).toMatchObject({ percent: 5, status: 'steady' });
    expect(await t.flags.apply('new-checkout', 25, { by: 'operator' })).toMatchObject({ ok: true, percent: 25, served: 25 });
    expect(t.c.state.flags['new-checkout'].percent).toBe(25);
    expect(JSON.stringify(t.journal.events)).not.toContain(TOKEN);
  });

  type Failure = { name: string; flag?: string; arrange: (a: UnleashAdmin) => void; o?: Partial<ConstructorParameters<typeof UnleashProvider>[0]>; error: RegExp; maxMs?: number };
  const FAILURES: readonly Failure[] = [
    { name: '401: a wrong token', arrange: () => undefined, o: { token: 'wrong' }, error: /^unleash: HTTP 401: .*AuthenticationRequired/ },
    { name: '401: no token at all (the env var is not set)', arrange: () => undefined, o: { token: '' }, error: /^unleash: HTTP 401/ },
    { name: '404: no such flag', flag: 'ghost', arrange: () => undefined, error: /^unleash: HTTP 404: .*Could not find feature flag ghost/ },
    { name: '404: wrong project', arrange: () => undefined, o: { project: 'payments' }, error: /^unleash: HTTP 404/ },
    { name: 'no flexibleRollout strategy', flag: 'only-default', arrange: () => undefined, error: /^unleash: flag only-default has no flexibleRollout strategy in default\/production$/ },
    { name: 'a timeout: the server never answers', arrange: (a) => (a.hang = true), o: { timeoutMs: 300 }, error: /^unleash: timed out after 300 ms$/, maxMs: 3000 },
    { name: 'a timeout: headers, then the body never ends', arrange: (a) => (a.stallBody = true), o: { timeoutMs: 300 }, error: /^unleash: timed out after 300 ms$/, maxMs: 3000 },
    { name: 'a proxy answering HTML', arrange: (a) => (a.override = { status: 200, body: '<html>Login</html>', contentType: 'text/html' }), error: /^unleash: not JSON: <html>Login<\/html>$/ },
    { name: 'a 500', arrange: (a) => (a.override = { status: 500, body: '{"message":"database is down"}' }), error: /^unleash: HTTP 500: .*database is down/ },
  ];

  for (const f of FAILURES) {
    it(`${f.name} → a clear error; FlagRamps.apply records it and throws nothing`, async () => {
      const flag = f.flag ?? 'new-checkout';
      const p = provider(f.o);
      f.arrange(admin);
      const rb = runbook(flagsRunbook(`{ type: unleash, url: '${url}', project: default, environment: production, tokenEnv: T }`, `    ${flag}: [5, 25, 50, 100]`));
      const t = controller(rb, { provider: p });
      const started = Date.now();
      const r = await t.flags.apply(flag, 25, { forced: true, by: 'operator' });
      const took = Date.now() - started;
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(f.error);
      if (f.maxMs) expect(took).toBeLessThan(f.maxMs);
      const failed = ofType(t.journal.events, 'flag.failed');
      expect(failed).toEqual([expect.objectContaining({ flag, requested: 25, error: (r as { reason: string }).reason })]);
      expect(t.c.state.flags[flag]).toMatchObject({ status: 'failed', requested: 25 });
      expect(t.c.state.flags[flag].percent).toBeUndefined();
      await expect(p.read(flag)).rejects.toThrow(FlagProviderError);
      // nothing was changed on the server
      expect(admin.requests.filter((x) => x.method === 'PUT')).toEqual([]);
    });
  }

  it('connection refused → a clear error', async () => {
    await admin.stop();
    await expect(provider().set('new-checkout', 25)).rejects.toThrow(`unleash: ECONNREFUSED ${url.replace(/^http:\/\//, '')}`);
  });
});

// ── command ────────────────────────────────────────────────────────────────────────────────────

/** Each call the script recorded: its argv after the program. */
function argvLog(at = dir): string[][] {
  const p = join(at, 'argv.log');
  if (!existsSync(p)) return [];
  const fields = readFileSync(p, 'utf8').split('\0');
  const calls: string[][] = [];
  for (const f of fields.slice(0, -1)) {
    if (f === 'CALL') calls.push([]);
    else calls.at(-1)!.push(f);
  }
  return calls;
}

describe('command: a real script', () => {
  beforeEach(() => {
    copyFileSync(join(FIXTURES, 'flag-cli.sh'), join(dir, 'flag-cli.sh'));
    chmodSync(join(dir, 'flag-cli.sh'), 0o755);
  });

  const PROVIDER = '{ type: command, run: [./flag-cli.sh, set, "{flag}", "{percent}"], read: [./flag-cli.sh, read, "{flag}"] }';

  it('{flag} and {percent} land as separate argv elements; set then read back', async () => {
    const rb = runbook(flagsRunbook(PROVIDER, '    new-checkout: [5, 25, 50, 100]'));
    const t = controller(rb);
    await begun(t);
    expect(t.c.state.flags['new-checkout']).toMatchObject({ percent: 0, status: 'steady' });
    expect(await t.flags.apply('new-checkout', 5, { by: 'operator' })).toMatchObject({ ok: true, percent: 5 });
    expect(argvLog()).toEqual([
      ['read', 'new-checkout'],
      ['set', 'new-checkout', '5'],
      ['read', 'new-checkout'],
    ]);
  });

  it('the string form of run is split into the same argv', async () => {
    const p = new CommandFlagProvider(parseCommand('./flag-cli.sh set {flag} {percent}'), parseCommand('./flag-cli.sh read {flag}'), dir);
    expect((await p.set('new-checkout', 25)).percent).toBe(25);
    expect(argvLog()[0]).toEqual(['set', 'new-checkout', '25']);
  });

  const pwned = (n: number) => `/tmp/pwned-${process.pid}-${n}`;
  const HOSTILE = [`$(touch ${pwned(1)})`, `\`touch ${pwned(2)}\``, `x; touch ${pwned(3)}`, `a'b"c $HOME {percent} | touch ${pwned(4)}`];

  afterEach(() => {
    for (let n = 1; n <= 4; n++) rmSync(pwned(n), { force: true });
  });

  it('hostile flag names from the runbook (the schema accepts them as ramp keys) are passed as data, never executed', async () => {
    const ramps = HOSTILE.map((h) => `    ${JSON.stringify(h)}: [5, 25]`).join('\n');
    const rb = runbook(flagsRunbook(PROVIDER, ramps));
    expect(Object.keys(rb.flags!.ramps)).toEqual(HOSTILE);
    const t = controller(rb);
    await begun(t);
    for (const h of HOSTILE) {
      expect(t.c.state.flags[h]).toMatchObject({ percent: 0, status: 'steady' });
      expect(await t.flags.apply(h, 5, { by: 'operator' })).toMatchObject({ ok: true, percent: 5 });
    }
    const sets = argvLog().filter((a) => a[0] === 'set');
    expect(sets).toEqual(HOSTILE.map((h) => ['set', h, '5']));
    for (let n = 1; n <= 4; n++) expect(existsSync(pwned(n))).toBe(false);
  });

  it('hostile flag names through a shell-form command (run needs bash) are expanded once, never parsed', async () => {
    const p = new CommandFlagProvider(parseCommand('./flag-cli.sh set {flag} {percent} && echo done'), parseCommand('./flag-cli.sh read {flag} | tail -n 1'), dir);
    expect(parseCommand('./flag-cli.sh set {flag} {percent} && echo done').kind).toBe('shell');
    for (const h of HOSTILE) expect((await p.set(h, 25)).percent).toBe(25);
    expect(argvLog().filter((a) => a[0] === 'set')).toEqual(HOSTILE.map((h) => ['set', h, '25']));
    for (let n = 1; n <= 4; n++) expect(existsSync(pwned(n))).toBe(false);
  });

  it('a read command that prints garbage → a clear error, at start and on read-back after a set', async () => {
    writeFileSync(join(dir, 'garbage-read'), '');
    const rb = runbook(flagsRunbook(PROVIDER, '    new-checkout: [5, 25, 50, 100]'));
    const t = controller(rb);
    await begun(t);
    const msg = 'the read command printed no percentage: "flagctl v2.1 (c) Example Corp\\n<html><bod"';
    expect(t.c.state.flags['new-checkout']).toMatchObject({ status: 'failed', error: msg });
    const r = await t.flags.apply('new-checkout', 5, { by: 'operator' });
    expect(r).toEqual({ ok: false, reason: msg });
    expect(ofType(t.journal.events, 'flag.failed')[0]).toMatchObject({ error: msg });
    expect(t.c.state.flags['new-checkout'].percent).toBeUndefined();
  });

  it('exit non-zero → an error with its exit code and last stderr line; the shown percentage stays; a retry works', async () => {
    const rb = runbook(flagsRunbook(PROVIDER, '    new-checkout: [5, 25, 50, 100]'));
    const t = controller(rb);
    await begun(t);
    expect((await t.flags.apply('new-checkout', 5, { by: 'operator' })).ok).toBe(true);
    writeFileSync(join(dir, 'fail-set'), '');
    const r = await t.flags.apply('new-checkout', 25, { by: 'operator' });
    expect(r).toEqual({ ok: false, reason: 'exit 3: error: flag service unavailable (503)' });
    expect(t.c.state.flags['new-checkout']).toMatchObject({ percent: 5, status: 'failed', error: 'exit 3: error: flag service unavailable (503)' });
    rmSync(join(dir, 'fail-set'));
    expect(await t.flags.apply('new-checkout', 25, { by: 'operator' })).toMatchObject({ ok: true, percent: 25, says: 'set; the read command reports 25 %' });
  });

  it('a command that is not there, and one that hangs (short timeout) → clear errors', async () => {
    const missing = new CommandFlagProvider(parseCommand(['./no-such-cli.sh', 'set', '{flag}', '{percent}']), undefined, dir);
    await expect(missing.set('new-checkout', 5)).rejects.toThrow('command not found: ./no-such-cli.sh');
    writeFileSync(join(dir, 'slow-set'), '');
    const slow = new CommandFlagProvider(parseCommand(['./flag-cli.sh', 'set', '{flag}', '{percent}']), undefined, dir, 300);
    const started = Date.now();
    await expect(slow.set('new-checkout', 5)).rejects.toThrow('timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('a timeout ends everything the command started: no child applies the change after the failure was reported', async () => {
    writeFileSync(join(dir, 'late-set'), '');
    const p = new CommandFlagProvider(parseCommand(['./flag-cli.sh', 'set', '{flag}', '{percent}']), parseCommand(['./flag-cli.sh', 'read', '{flag}']), dir, 300);
    await expect(p.set('new-checkout', 25)).rejects.toThrow('timed out after 300 ms');
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(join(dir, 'late-set'));
    // read back with the default timeout: under load a shell's start-up alone can take 300 ms (CI read timed out here)
    const reader = new CommandFlagProvider(parseCommand(['./flag-cli.sh', 'set', '{flag}', '{percent}']), parseCommand(['./flag-cli.sh', 'read', '{flag}']), dir);
    expect((await reader.read('new-checkout'))?.percent).toBe(0);
  });

  it('without a read command exit 0 is the confirmation, and the start-up read says it does not know', async () => {
    const rb = runbook(flagsRunbook('{ type: command, run: [./flag-cli.sh, set, "{flag}", "{percent}"] }', '    new-checkout: [5, 25, 50, 100]'));
    const t = controller(rb);
    await begun(t);
    expect(t.c.state.flags['new-checkout']).toMatchObject({ status: 'unknown' });
    // exit 0 is all there is, and the words say no more
    expect(await t.flags.apply('new-checkout', 5, { by: 'operator' })).toEqual({ ok: true, percent: 5, says: 'the set command exited 0; no read command confirms what is served' });
    expect(argvLog()).toEqual([['set', 'new-checkout', '5']]);
  });
});
