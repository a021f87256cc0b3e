/**
 * The guardrail self-test as a pre-flight check, through the Controller with a scripted source (a
 * fake: the real Prometheus cases are in test/integration/self-test.test.ts): it gates stage 1,
 * `r` re-runs it, `s` is refused, going on unguarded is journalled and folded (UNGUARDED, also
 * after a resume), headless needs --unguarded; a missing rollback command fails it too; the demo's
 * blind scenario stops at the pre-flight.
 */
import { describe, expect, it } from 'vitest';
import { settle } from '../../src/core/clock.js';
import type { MetricSource } from '../../src/metrics/sources/source.js';
import { SELF_TEST_ID } from '../../src/guard/self-test.js';
import { initialState, reduce, type SessionState } from '../../src/session/reduce.js';
import { describeEvent } from '../../src/headless/plain.js';
import { main } from '../../src/cli/main.js';
import { guardRunbook, guardSetup, ofType } from '../helpers/guard-harness.js';

/** A source whose answer is switched by the test: down (connection refused) or a number. */
function switchable() {
  let up = false;
  const source: MetricSource = {
    kind: 'switchable',
    fetch: async (series) => Object.fromEntries(series.map((s) => [s.name, up ? { value: 0.2 } : { error: 'prometheus: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' }])),
  };
  return { source, setUp: (v: boolean) => (up = v) };
}

const RUNBOOK = guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 3s }'] });
const selfTest = (s: SessionState) => s.preflight.steps.find((x) => x.id === SELF_TEST_ID);

describe('the guardrail self-test gates stage 1', () => {
  it('a dead source fails the pre-flight naming it; r re-runs it; s is refused; once it answers the release can go', async () => {
    const sw = switchable();
    const t = guardSetup(RUNBOOK, { guard: { source: sw.source } });
    const lines: string[] = [];
    t.c.onOutput((_stage, step, l) => step === SELF_TEST_ID && lines.push(...l.map((x) => x.slice(13))));
    void t.c.start();
    await settle();
    expect(selfTest(t.c.state)).toMatchObject({ status: 'failed', reason: 'metrics source down: ECONNREFUSED 127.0.0.1:9' });
    expect(lines).toEqual(['✗ metrics source down: ECONNREFUSED 127.0.0.1:9', '  blind: error_rate', '  url: prometheus http://127.0.0.1:9', '  fix: check metrics.source.url: is the server up there?']);
    expect(t.c.runNextStage()).toEqual({ ok: false, reason: 'pre-flight not complete (failed: Guardrail self-test)' });
    expect(t.c.skip('the dashboard looks fine')).toEqual({ ok: false, reason: 'the guardrail self-test is not skipped: fix it and retry (r), or proceed unguarded (U, typed confirmation)' });
    sw.setUp(true);
    expect(t.c.retry()).toEqual({ ok: true });
    await settle();
    expect(selfTest(t.c.state)).toMatchObject({ status: 'passed' });
    expect(t.c.state.preflight.status).toBe('passed');
    expect(t.c.state.unguarded).toBeUndefined();
    expect(t.c.proceedUnguarded()).toEqual({ ok: false, reason: 'the guardrail self-test has not failed' });
  });

  it('proceeding unguarded is journalled, folded (also on replay) and said headless', async () => {
    const sw = switchable();
    const t = guardSetup(RUNBOOK, { guard: { source: sw.source } });
    void t.c.start();
    await settle();
    expect(t.c.proceedUnguarded()).toEqual({ ok: true });
    const [e] = ofType(t.journal.events, 'guard.unguarded');
    expect(e).toMatchObject({ by: 'operator', reason: 'metrics source down: ECONNREFUSED 127.0.0.1:9' });
    expect(t.c.state.preflight.status).toBe('passed');
    expect(t.c.state.unguarded).toMatchObject({ by: 'operator' });
    expect(selfTest(t.c.state)).toMatchObject({ status: 'skipped', skipReason: 'UNGUARDED: confirmed by the operator' });
    // a resumed session's state is the fold of its journal: UNGUARDED stays
    const replayed = t.journal.events.reduce(reduce, initialState(t.c.runbook));
    expect(replayed.unguarded).toEqual(t.c.state.unguarded);
    expect(describeEvent(t.c.state, e)).toBe('⚠ UNGUARDED: the release goes on past the failed guardrail self-test (confirmed by the operator): metrics source down: ECONNREFUSED 127.0.0.1:9');
    expect(t.c.runNextStage()).toEqual({ ok: true });
  });

  it('headless: the failed self-test ends the session failed, unless --unguarded says to go on (journalled by: flag)', async () => {
    const down = guardSetup(RUNBOOK, { guard: { source: switchable().source }, mode: 'headless', autoAdvance: true });
    void down.c.start();
    await settle();
    expect(await down.c.settled).toBe('failed');
    expect(ofType(down.journal.events, 'preflight.failed')).toEqual([expect.objectContaining({ failed: ['Guardrail self-test'] })]);
    expect(down.types()).not.toContain('stage.started');

    const told = guardSetup(RUNBOOK, { guard: { source: switchable().source }, mode: 'headless', autoAdvance: true, unguarded: true });
    void told.c.start();
    await settle();
    expect(ofType(told.journal.events, 'guard.unguarded')).toEqual([expect.objectContaining({ by: 'flag' })]);
    expect(told.types()).toContain('stage.started');
    expect(told.c.state.unguarded).toMatchObject({ by: 'flag' });
  });

  it('a rollback command that cannot run fails it, naming the command and the fix', async () => {
    const sw = switchable();
    sw.setUp(true);
    const t = guardSetup(RUNBOOK, { guard: { source: sw.source } });
    t.runner.missing.set('./scripts/verify.sh', 'not executable: ./scripts/verify.sh (chmod +x ./scripts/verify.sh)');
    const lines: string[] = [];
    t.c.onOutput((_stage, step, l) => step === SELF_TEST_ID && lines.push(...l.map((x) => x.slice(13))));
    void t.c.start();
    await settle();
    expect(selfTest(t.c.state)).toMatchObject({ status: 'failed', reason: 'rollback verify: not executable: ./scripts/verify.sh' });
    expect(lines).toEqual(['✗ rollback verify: not executable: ./scripts/verify.sh', '  run: ./scripts/verify.sh', '  fix: chmod +x ./scripts/verify.sh']);
  });
});

describe('cockpit demo --scenario blind', () => {
  it('stops at the pre-flight with the reason: exit 1, nothing deployed', async () => {
    const out: string[] = [];
    const code = await main(['demo', '--scenario', 'blind', '--headless', '--speed', '60'], { out: (l) => out.push(l), err: (l) => out.push(l) });
    const text = out.join('\n');
    expect(code).toBe(1);
    expect(text).toMatch(/✗ Guardrail self-test FAILED: metrics source down: ECONNREFUSED 127\.0\.0\.1:\d+/);
    expect(text).toMatch(/│ {3}blind: error_rate, latency_p95, memory/);
    expect(text).toContain('✗ pre-flight FAILED (failed: Guardrail self-test)');
    expect(text).not.toContain('▶ stage');
  }, 60_000);
});
