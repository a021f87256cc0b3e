/**
 * What a background guard does with the session it took over (session/background-guard.ts), on a
 * FakeClock: it arms the triggers also after the armed stage passed, a breach rolls back on its
 * own, and it ends the session once its guard window is over with nothing pending. Plus the
 * hand-over's command line (session/hand-over.ts).
 */
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { guardInBackground, guardWindowMs, guardWindowOver, DEFAULT_GUARD_WINDOW_MS } from '../../src/session/background-guard.js';
import { guardArgs, parseGuardTarget } from '../../src/session/hand-over.js';
import { guardRunbook, guardSetup, ofType, runbookOf, ScriptedSource } from '../helpers/guard-harness.js';
import { FakeClock } from '../../src/core/clock.js';

const STAGES = `
  - id: production
    armed: true
    steps: [./scripts/deploy.sh]
  - id: post
    armed: false
    steps: [./scripts/announce.sh]`;

const TEXT = guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 3s }'], stages: STAGES });

/** Production has passed (its triggers disarmed), post-release waits: the guard takes over here. */
async function productionPassed(script: readonly number[]) {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, 1000, { error_rate: script });
  const g = guardSetup(TEXT, { guard: { source } }, clock);
  g.runner.auto.set('rollback.rollback', {});
  g.runner.auto.set('rollback.verify', {});
  g.runner.auto.set('rollback.incident', {});
  await g.c.start();
  expect(g.c.runNextStage()).toEqual({ ok: true });
  g.runner.finish('production.deploy');
  await g.c.idle();
  expect(g.c.state.stages.map((s) => s.status)).toEqual(['passed', 'pending']);
  expect(g.c.state.guard.armed).toBe(false);
  return g;
}

describe('the background guard', () => {
  it('its window is the longest monitor of the armed stages, else 5 min', () => {
    expect(guardWindowMs(runbookOf(TEXT))).toBe(DEFAULT_GUARD_WINDOW_MS);
    const monitored = guardRunbook({ triggers: ['{ metric: error_rate, above: 1 }'], stages: `\n  - id: production\n    armed: true\n    steps:\n      - monitor: 2m\n      - monitor: 7m\n  - id: canary\n    armed: false\n    steps:\n      - monitor: 30m` });
    expect(guardWindowMs(runbookOf(monitored))).toBe(7 * 60_000);
  });

  it('arms the triggers after the armed stage passed and ends the session as q would once the window is over with nothing pending', async () => {
    const g = await productionPassed(Array<number>(400).fill(0.1));
    const stop = guardInBackground(g.c, g.clock, 1000);
    expect(g.c.state.guard.armed).toBe(true);
    expect(ofType(g.journal.events, 'guard.armed').at(-1)).toMatchObject({ armed: true, why: 'background' });
    await g.clock.advance(DEFAULT_GUARD_WINDOW_MS - 1000);
    expect(g.c.state.outcome).toBeUndefined();
    await g.clock.advance(2000);
    expect(g.c.state.outcome).toBe('aborted');
    expect(g.c.state.guard.armed).toBe(false);
    expect(ofType(g.journal.events, 'rollback.started')).toHaveLength(0);
    stop();
  });

  it('a breach after the armed stage passed rolls back on its own: verify and the incident run, no one asked', async () => {
    const g = await productionPassed([0.1, 0.1, 0.1, ...Array<number>(400).fill(9)]);
    guardInBackground(g.c, g.clock, 1000);
    await g.clock.advance(10_000);
    await g.c.idle();
    const fired = ofType(g.journal.events, 'trigger.fired');
    expect(fired).toHaveLength(1);
    expect(ofType(g.journal.events, 'rollback.started')).toMatchObject([{ source: 'trigger' }]);
    expect(g.runner.keys().filter((k) => k.startsWith('rollback.'))).toEqual(['rollback.rollback', 'rollback.verify', 'rollback.incident']);
    expect(g.c.state.outcome).toBe('rolled-back');
  });

  it('the window over while a trigger is PENDING: it keeps guarding until the trigger resolves', async () => {
    const g = await productionPassed(Array<number>(400).fill(0.1));
    const s = g.c.state;
    const pending = { ...s, guard: { ...s.guard, triggers: Object.fromEntries(Object.keys(s.guard.triggers).map((k) => [k, { status: 'pending' as const, noData: false }])) } };
    expect(guardWindowOver(pending, false, DEFAULT_GUARD_WINDOW_MS * 2, DEFAULT_GUARD_WINDOW_MS)).toBe(false);
    expect(guardWindowOver(s, true, DEFAULT_GUARD_WINDOW_MS * 2, DEFAULT_GUARD_WINDOW_MS)).toBe(false);
    expect(guardWindowOver(s, false, DEFAULT_GUARD_WINDOW_MS - 1, DEFAULT_GUARD_WINDOW_MS)).toBe(false);
    expect(guardWindowOver(s, false, DEFAULT_GUARD_WINDOW_MS, DEFAULT_GUARD_WINDOW_MS)).toBe(true);
  });
});

describe('the hand-over command line', () => {
  it('runs the same runbook headless as the background guard of the session, with the choices and inputs it was given', () => {
    const plan = { type: 'plan.accepted', how: 'given', choices: { method: 'helm' }, inputs: { VERSION: '2.4.1' }, at: 0, t: 0 } as SessionEvent;
    expect(guardArgs('/srv/app/release.md', '20261206-1', 4242, [plan])).toEqual(['run', '/srv/app/release.md', '--headless', '--background-guard', '20261206-1:4242', '--choose', 'method=helm', '--set', 'VERSION=2.4.1']);
    expect(parseGuardTarget('20261206-1:4242')).toEqual({ sessionId: '20261206-1', fromPid: 4242 });
    expect(parseGuardTarget('nonsense')).toBe('--background-guard: expected <session>:<pid> (got "nonsense")');
  });
});
