/**
 * A hold for lack of data has a limit (metrics.holdLimit), end to end with the built binary: the
 * metrics source answers through the pre-flight (the guardrail self-test passes: the release is
 * guarded), then dies mid-release (the test creates out/down once the stage has deployed), the
 * trigger (onNoData: hold) holds the monitor, and once the hold has lasted its limit the stage
 * fails saying why; then the failure policy applies (headless stop: exit 1; --on-failure rollback:
 * the rollback runs, exit 3). On the screen the time left counts down: test/ui/guard-screen.test.tsx.
 *
 * The two runs are independent (each its own sandbox): they run side by side (describe.concurrent),
 * each cleaning up its own (session-box scope).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journal, ofType, order, ROOT, scope, until, type Box, type Scope } from '../helpers/session-box.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'hold');
const REASON = 'held 2s for lack of data: error_rate had no data (metrics command: exit 1: connection refused)';

/** The metrics source goes down (scripts/metrics.sh fails every sample from now on). */
function sourceDown(b: Box): void {
  mkdirSync(join(b.fx, 'out'), { recursive: true });
  writeFileSync(join(b.fx, 'out', 'down'), '');
}

/** A headless run whose metrics source dies once the stage has deployed (after the self-test passed). */
async function runDyingSource(t: Scope, b: Box, args: string[]) {
  const r = t.run(b, args);
  await until('the deploy step', () => order(b).includes('deployed'));
  sourceDown(b);
  return r.done;
}

/** The pre-flight's guardrail self-test passed (the source answered), and nobody went on unguarded. */
function expectGuarded(b: Box): void {
  const es = journal(b);
  expect(ofType(es, 'step.finished').find((e) => e.step === 'guardrail-self-test')).toMatchObject({ stage: 'preflight', ok: true });
  expect(ofType(es, 'guard.unguarded')).toEqual([]);
}

describe.concurrent('the hold limit', () => {
  it('headless, the metrics source down: the monitor holds 2s (holdLimit), then the stage fails with the reason, exit 1', async ({ onTestFinished }) => {
    const t = scope(onTestFinished);
    const b = t.box(FIXTURES);
    const started = Date.now();
    const r = await runDyingSource(t, b, ['run', '--headless', 'hold.yml']);
    expect(r.code, r.out + r.err).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expectGuarded(b);
    expect(r.out).toContain('  ✓ Guardrail self-test (');
    expect(r.out).not.toContain('UNGUARDED');
    expect(r.out).toContain('⏸ HOLD: no data from error-rate-above: monitors and ramps paused (the stage fails if it holds 2s)');
    expect(r.out).toContain(`✗ stage production FAILED at monitor 60s: ${REASON}`);
    const es = journal(b);
    const hold = ofType(es, 'guard.hold').find((e) => e.holding)!;
    expect(hold).toMatchObject({ triggers: ['error-rate-above'], limitMs: 2000 });
    const failed = ofType(es, 'step.finished').find((e) => e.step === 'watch')!;
    expect(failed).toMatchObject({ ok: false, interrupted: false, reason: REASON });
    // the hold lasted its limit, not less
    expect(failed.t - hold.t).toBeGreaterThanOrEqual(2000);
    expect(ofType(es, 'stage.failed')).toMatchObject([{ stage: 'production', step: 'watch', reason: REASON }]);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'failed' }]);
    expect(order(b)).toEqual(['deployed']);
  });

  it('--on-failure rollback: the held stage fails and the rollback runs, exit 3', async ({ onTestFinished }) => {
    const t = scope(onTestFinished);
    const b = t.box(FIXTURES);
    const r = await runDyingSource(t, b, ['run', '--headless', '--on-failure', 'rollback', 'hold.yml']);
    expect(r.code, r.out + r.err).toBe(3);
    expectGuarded(b);
    const es = journal(b);
    expect(ofType(es, 'rollback.started')).toMatchObject([{ source: 'on-failure', reason: `stage "production" failed at monitor 60s: ${REASON}` }]);
    expect(order(b)).toEqual(['deployed', 'rollback']);
  });
});
