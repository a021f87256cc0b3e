/**
 * A hold for lack of data has a limit (metrics.holdLimit), end to end with the built binary: the
 * metrics source is down, the trigger (onNoData: hold) holds the monitor, and once the hold has
 * lasted its limit the stage fails saying why; then the failure policy applies (headless stop:
 * exit 1; --on-failure rollback: the rollback runs, exit 3). On the screen the time left counts down.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, box as sandbox, journal, ofType, order, panes, ROOT, run } from '../helpers/session-box.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'hold');
const box = () => sandbox(FIXTURES);
const REASON = 'held 2s for lack of data: error_rate had no data (metrics command: exit 1: connection refused)';

describe('the hold limit', () => {
  it('headless, the metrics source down: the monitor holds 2s (holdLimit), then the stage fails with the reason, exit 1', async () => {
    const b = box();
    const started = Date.now();
    const r = await run(b, ['run', '--headless', 'hold.yml']).done;
    expect(r.code, r.out + r.err).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
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

  it('--on-failure rollback: the held stage fails and the rollback runs, exit 3', async () => {
    const b = box();
    const r = await run(b, ['run', '--headless', '--on-failure', 'rollback', 'hold.yml']).done;
    expect(r.code, r.out + r.err).toBe(3);
    const es = journal(b);
    expect(ofType(es, 'rollback.started')).toMatchObject([{ source: 'on-failure', reason: `stage "production" failed at monitor 60s: ${REASON}` }]);
    expect(order(b)).toEqual(['deployed', 'rollback']);
  });
});

describe.skipIf(!hasTmux())('the hold limit on the screen', () => {
  it('the trigger line counts the time left down', async () => {
    const b = box();
    const p = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} screen.yml`, { cols: 160, rows: 32, cwd: b.fx, env: { COCKPIT_STATE_DIR: b.state }, name: 'cockpit-hold' });
    panes.push(p);
    await p.waitFor('Enter');
    p.keys('Enter');
    const left = (screen: string) => {
      const m = /NO DATA · HOLD fails in 0:(\d\d)/.exec(screen);
      return m ? Number(m[1]) : undefined;
    };
    const first = left(await p.waitFor((s) => left(s) !== undefined, { timeoutMs: 20_000 }))!;
    expect(first).toBeLessThanOrEqual(30);
    const later = left(await p.waitFor((s) => (left(s) ?? 99) <= first - 2, { timeoutMs: 20_000 }))!;
    expect(later).toBeLessThanOrEqual(first - 2);
    expect(p.screen()).toContain('HOLD: a trigger has no data; the countdown is paused until data is back (the stage fails in 0:');
  }, 60_000);
});
