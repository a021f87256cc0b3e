/**
 * A cockpit stopped and resumed (SIGSTOP/SIGCONT: Ctrl+Z, a VM pause, a laptop lid), end to end
 * with the built binary: a headless run whose error rate breaches from the switch on (`for: 3s`,
 * 300 ms samples) is stopped for 5 s once its trigger is PENDING. Before the fix the missed ticks
 * were replayed at SIGCONT stamped with their scheduled times and the trigger fired within half a
 * second ("breaching since 9s", with the former 5s window, 500 ms samples and 8 s stopped); now
 * the pause is journalled and said, no sample is made up, and the trigger fires only after 3 s of
 * real samples after the pause.
 *
 * The durations are the former ones (5s window, 500 ms samples, 8 s stopped) × 0.6, and so are the
 * bounds that follow from them: fired at least a window less one sample after SIGCONT (4500 → 2700
 * ms), gaps between samples at least 0.8 of the interval (400 → 240 ms); the sample counts (11 or 12)
 * are the same.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { box, journal, ofType, ROOT, run, until } from '../helpers/session-box.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'pause');
const STOPPED_MS = 5000;
/** The trigger's window and the sampling interval (test/fixtures/pause/cockpit.yml). */
const WINDOW_MS = 3000;
const INTERVAL_MS = 300;

describe('the cockpit process stopped for 5 s mid-window', () => {
  it('no sample is made up: the trigger fires after 3 s of samples taken after SIGCONT, the pause is said', async () => {
    const b = box(FIXTURES);
    const r = run(b, ['run', '--headless', 'cockpit.yml']);
    await until('the trigger PENDING', () => r.out().includes('◐ trigger error-rate-above PENDING'), 30_000);
    r.child.kill('SIGSTOP');
    // the pause itself is the point of the test: a deliberate interval, not a wait for something
    await new Promise((resolve) => setTimeout(resolve, STOPPED_MS));
    r.child.kill('SIGCONT');
    const resumed = Date.now();
    await until('the trigger fired', () => r.out().includes('● trigger error-rate-above FIRED'), 30_000);
    const firedAfter = Date.now() - resumed;
    // before the fix: 31-447 ms after SIGCONT, on replayed samples
    expect(firedAfter).toBeGreaterThanOrEqual(WINDOW_MS - INTERVAL_MS);
    const done = await r.done;
    expect(done.code, done.out + done.err).toBe(3);

    const es = journal(b);
    const [pause] = ofType(es, 'session.paused');
    expect(pause.ms).toBeGreaterThan(STOPPED_MS - 1500);
    const [fired] = ofType(es, 'trigger.fired');
    // the window is made of samples taken after the pause, and lasted the trigger's 3 s
    expect(fired.since).toBeGreaterThanOrEqual(pause.to);
    expect(fired.window.every(([t]) => t >= pause.to)).toBe(true);
    expect(fired.t - pause.to).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(fired.reason).toMatch(/breaching since [34]s \(1[12] samples\)$/);
    // no sample stamped inside the pause, none replayed in a burst at SIGCONT
    const sampled = ofType(es, 'metric.sampled');
    expect(sampled.filter((e) => e.time > pause.from && e.time < pause.to)).toEqual([]);
    const afterPause = sampled.filter((e) => e.time >= pause.to);
    expect(afterPause.slice(1).every((e, i) => e.time - afterPause[i].time >= 0.8 * INTERVAL_MS)).toBe(true);
    // the pause made no NO DATA and no hold
    expect(es.filter((e) => e.type === 'trigger.nodata' || e.type === 'guard.hold')).toEqual([]);
    expect(done.out).not.toContain('NO DATA');
    expect(done.out).toMatch(/⏸ the cockpit was paused for \d+\.\ds \(process stopped\): no samples in that time/);
  }, 60_000);
});
