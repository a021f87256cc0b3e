/**
 * What a flag change is reported as is what users get, in the provider's own words:
 *  - Unleash (the local admin API stand-in, test/helpers/unleash-admin.ts: a real Unleash needs
 *    PostgreSQL, which cannot run here): with the flag's environment disabled, a change is written
 *    but users are served 0 %: not confirmed. `cockpit flag` exits 1 and says so; a runbook flag
 *    step fails with the same words; the flags pane and the wallboard show 0 % and NOT SERVED.
 *  - flagd: "written to flags.json; providers re-read it within their poll interval", never
 *    "confirmed".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { settle, FakeClock } from '../../src/core/clock.js';
import type { FlagRamps } from '../../src/flags/manager.js';
import { UnleashProvider } from '../../src/flags/providers/unleash.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { flagViews } from '../../src/ui/view-model.js';
import { flagRows } from '../../src/wallboard/model-panels.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { ofType } from '../helpers/guard-harness.js';
import { UnleashAdmin, type UnleashStrategy } from '../helpers/unleash-admin.js';

const FEATURES = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/flags/unleash-features.json'), 'utf8')) as Record<string, UnleashStrategy[]>;
const TOKEN = '*:production.0c1d2e3f4a5b6c7d8e9f';
const DISABLED = '25 % written; environment production is DISABLED: users are served 0 %';

let dir: string;
let admin: UnleashAdmin;
let url: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-served-'));
  admin = new UnleashAdmin({ token: TOKEN, features: FEATURES, disabled: ['new-checkout'] });
  url = await admin.start();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await admin.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runbookText(provider: string): string {
  return `
name: served
stages:
  - id: production
    steps:
      - { id: ramp-25, flag: new-checkout, to: 25 }
flags:
  provider: ${provider}
  ramps:
    new-checkout: [5, 25, 50, 100]
`;
}

const UNLEASH = () => `{ type: unleash, url: '${url}', project: default, environment: production, tokenEnv: UNLEASH_TOKEN }`;

function controller() {
  const r = parseRunbook(runbookText(UNLEASH()), join(dir, 'cockpit.yml'));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  const journal = new MemoryJournal();
  const c = new Controller({ runbook: r.runbook, runner: new FakeRunner(), journal, clock: new FakeClock(), sessionId: 'served', sessionDir: join(dir, 'session'), values: {}, mode: 'tui', env: { UNLEASH_TOKEN: TOKEN } });
  return { c, journal, rb: r.runbook, flags: c.flags as FlagRamps };
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['flag', ...args, '--runbook', join(dir, 'cockpit.yml')], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('Unleash: the environment decides what users are served', () => {
  const provider = () => new UnleashProvider({ url, project: 'default', environment: 'production', token: TOKEN, timeoutMs: 2000 });

  it('disabled: the rollout is written, the reading says users are served 0 %; enabled again: what was written', async () => {
    expect(await provider().set('new-checkout', 25)).toEqual({ percent: 25, served: 0, says: DISABLED });
    expect(admin.features['new-checkout'][0].parameters.rollout).toBe('25');
    expect(await provider().read('new-checkout')).toEqual({ percent: 25, served: 0, says: 'rollout 25 %; environment production is DISABLED: users are served 0 %' });
    admin.requests.length = 0;
    // the documented toggle, as an operator would do it in Unleash
    await fetch(`${url}/api/admin/projects/default/features/new-checkout/environments/production/on`, { method: 'POST', headers: { Authorization: TOKEN } });
    expect(await provider().read('new-checkout')).toEqual({ percent: 25, served: 25, says: 'confirmed by Unleash: production enabled, users are served 25 %' });
  });

  it('the strategy itself disabled: users are served 0 % by it', async () => {
    admin.enabled['new-checkout'] = true;
    admin.features['new-checkout'][0].disabled = true;
    expect(await provider().set('new-checkout', 25)).toEqual({ percent: 25, served: 0, says: '25 % written; its strategy is DISABLED in production: users are served 0 % by it' });
  });

  it('through the session: read at start shows 0 % NOT SERVED; a change is journalled as written, not confirmed; the flag step fails with the words', async () => {
    const t = controller();
    void t.c.start(); // no pre-flight: it passes at once
    await vi.waitFor(() => expect(ofType(t.journal.events, 'flag.read')).toHaveLength(1));
    expect(t.c.state.flags['new-checkout']).toMatchObject({ percent: 5, served: 0 });
    const NOT_SERVED_5 = 'NOT SERVED: rollout 5 %; environment production is DISABLED: users are served 0 %';
    expect(flagViews(t.rb, t.c.state, { flagIndex: 0 })[0]).toMatchObject({ percent: 0, state: NOT_SERVED_5, slot: 'stage.failed' });
    expect(flagRows(t.rb, t.c.state)[0]).toMatchObject({ percent: 0, text: '0 %', note: NOT_SERVED_5, tone: 'danger' });

    await vi.waitFor(() => expect(t.c.runNextStage()).toEqual({ ok: true }));
    await vi.waitFor(() => expect(ofType(t.journal.events, 'step.finished')).toHaveLength(1));
    await settle();
    expect(ofType(t.journal.events, 'step.finished')[0]).toMatchObject({ step: 'ramp-25', ok: false, reason: DISABLED });
    expect(ofType(t.journal.events, 'flag.set')).toEqual([expect.objectContaining({ percent: 25, requested: 25, served: 0, says: DISABLED })]);
    expect(ofType(t.journal.events, 'flag.failed')).toEqual([]);
    expect(t.c.state.flags['new-checkout']).toMatchObject({ percent: 25, served: 0 });
    expect(flagViews(t.rb, t.c.state, { flagIndex: 0 })[0]).toMatchObject({ percent: 0, state: `NOT SERVED: ${DISABLED}` });

    // a rollback still writes 0 %: the 25 % would be served the moment someone enables the environment
    await t.flags.rollbackAll();
    expect(admin.features['new-checkout'][0].parameters.rollout).toBe('0');
    expect(t.c.state.flags['new-checkout']).toMatchObject({ percent: 0, served: 0 });
    expect(flagRows(t.rb, t.c.state)[0]).toMatchObject({ text: '0 %', tone: 'ok' });
    t.c.quit();
  });
});

describe('cockpit flag <name> <percent>: what it prints is what users get', () => {
  beforeEach(() => {
    vi.stubEnv('UNLEASH_TOKEN', TOKEN);
    vi.stubEnv('COCKPIT_STATE_DIR', join(dir, 'state'));
  });

  it('Unleash, environment disabled: exit 1, the words on stderr, nothing claims a confirmation', async () => {
    writeFileSync(join(dir, 'cockpit.yml'), runbookText(UNLEASH()));
    const r = await cli(['new-checkout', '25']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(`cockpit: new-checkout → 25 %: ${DISABLED}`);
    expect(r.err).not.toContain('confirmed');
    const json = await cli(['new-checkout', '50', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ flag: 'new-checkout', from: 25, requested: 50, ok: false, written: { percent: 50, served: 0 } });
  });

  it('Unleash, environment enabled: exit 0 and Unleash\'s confirmation', async () => {
    admin.enabled['new-checkout'] = true;
    writeFileSync(join(dir, 'cockpit.yml'), runbookText(UNLEASH()));
    const r = await cli(['new-checkout', '25']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe('new-checkout: 5 % → 25 % (confirmed by Unleash: production enabled, users are served 25 %)');
  });

  it('flagd: written, and providers re-read it within their poll interval (never "confirmed")', async () => {
    writeFileSync(join(dir, 'cockpit.yml'), runbookText('{ type: flagd, file: flags.json }'));
    const r = await cli(['new-checkout', '25']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe('new-checkout: 0 % → 25 % (written to flags.json; providers re-read it within their poll interval)');
  });

  it("a provider's words reach the terminal sanitised: OSC 52 and ESC[2J in its stderr never do", async () => {
    writeFileSync(join(dir, 'flag.sh'), "#!/bin/sh\nprintf '\\033]52;c;cm0gLXJmIH4=\\007\\033[2Jrefused by backend\\n' >&2\nexit 1\n", { mode: 0o755 });
    writeFileSync(join(dir, 'cockpit.yml'), runbookText('{ type: command, run: [./flag.sh, "{flag}", "{percent}"] }'));
    const r = await cli(['new-checkout', '25']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('refused by backend');
    expect(r.err).not.toMatch(/\u001b|\u0007/);
    expect(r.err).not.toContain('52;c;');
  });
});
