/**
 * Time jumps (issue #19 item 6) on a FakeClock: the process is stopped (clock.jump: time moves at
 * once, the timers due meanwhile fire late, as libuv's do after SIGCONT). No missed tick is taken
 * or stamped with a time nobody measured, the pause is journalled (session.paused), a pending
 * `for:` window starts again from the real samples after it, no NO DATA or hold comes of the pause
 * itself, and restore time leaves it out.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import { pauseOf, pausedWithin } from '../../src/core/pause.js';
import { foldEvents } from '../../src/session/follow.js';
import { describeEvent } from '../../src/headless/plain.js';
import { timeToRestore, restoredText } from '../../src/history/restore-time.js';
import { guardRunbook, guardSetup, ofType, ScriptedSource } from '../helpers/guard-harness.js';

const SEC = 1000;

/** A release at its armed monitor step, error_rate breaching (5 > 1) from tick 0 on, `for: 5s`. */
async function breachingRelease(values: (k: number) => number = () => 5) {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, SEC, { error_rate: Array.from({ length: 200 }, (_, k) => values(k)) });
  const t = guardSetup(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 5s, maxErrors: 2 }'] }), { guard: { source } }, clock);
  void t.c.start();
  await settle();
  t.c.runNextStage();
  await settle();
  await clock.advance(0);
  return { ...t, source };
}

describe('the cockpit process stopped mid-window (SIGSTOP for 8 s)', () => {
  it('no missed tick is taken; the pause is journalled; the window needs 5 s of samples after it', async () => {
    const t = await breachingRelease();
    await t.clock.advance(2 * SEC); // samples at 0, 1, 2 s: pending since 0
    expect(t.c.state.guard.triggers['error-rate-above']).toMatchObject({ status: 'pending', since: 0 });
    await t.clock.jump(8 * SEC); // stopped from 2 s to 10 s: ticks 3..9 never ran
    expect(ofType(t.journal.events, 'session.paused')).toEqual([expect.objectContaining({ from: 3 * SEC, to: 10 * SEC, ms: 7 * SEC })]);
    // one sample after the pause, stamped when it was taken; none for 3..9 s
    expect(t.source.calls.filter((c) => c.at > 2 * SEC).map((c) => c.at)).toEqual([10 * SEC]);
    expect(ofType(t.journal.events, 'metric.sampled').map((e) => e.time)).toEqual([0, 1, 2, 10].map((s) => s * SEC));
    expect(ofType(t.journal.events, 'metric.sampled').every((e) => Object.keys(e.errors).length === 0)).toBe(true);
    // not fired: the window starts again at 10 s
    expect(ofType(t.journal.events, 'trigger.fired')).toEqual([]);
    expect(t.c.state.rollback.status).toBe('idle');
    expect(t.c.state.guard.triggers['error-rate-above']).toMatchObject({ status: 'pending', since: 10 * SEC });
    // the pause made no NO DATA and no hold
    expect(t.types().filter((x) => x === 'trigger.nodata' || x === 'guard.hold')).toEqual([]);
    await t.clock.advance(4 * SEC);
    expect(ofType(t.journal.events, 'trigger.fired')).toEqual([]);
    await t.clock.advance(1 * SEC);
    const [fired] = ofType(t.journal.events, 'trigger.fired');
    expect(fired).toMatchObject({ since: 10 * SEC });
    expect(fired.reason).toBe('error_rate > 1 % for 5s: error_rate 5 % now, breaching since 5s (6 samples)');
    expect(fired.window.map(([at]) => at)).toEqual([10, 11, 12, 13, 14, 15].map((s) => s * SEC));
    // state = fold(journal): the pause is an event, replaying rebuilds the restarted window
    expect(foldEvents(t.c.runbook, t.journal.events)).toEqual(t.c.state);
    t.c.dispose();
  });

  it('a metric fine after the pause: nothing fires, the window ends at the first good sample', async () => {
    const t = await breachingRelease((k) => (k < 8 ? 5 : 0.2)); // breaching until 8 s, in the pause;
    await t.clock.advance(2 * SEC);
    await t.clock.jump(8 * SEC);
    await t.clock.advance(10 * SEC);
    expect(ofType(t.journal.events, 'trigger.fired')).toEqual([]);
    expect(t.c.state.guard.triggers['error-rate-above']).toMatchObject({ status: 'idle' });
    t.c.dispose();
  });

  it('a stall under 2 s is no pause: the late tick is taken once, stamped when taken, none replayed, no event', async () => {
    const t = await breachingRelease(() => 0.1);
    await t.clock.advance(2 * SEC);
    await t.clock.jump(2500); // tick 3 due at 3 s fires at 4.5 s: tick 4 is not taken apart
    expect(t.types()).not.toContain('session.paused');
    expect(ofType(t.journal.events, 'metric.sampled').map((e) => e.time)).toEqual([0, 1, 2, 4.5].map((s) => s * SEC));
    expect(t.source.calls.filter((c) => c.at > 2 * SEC).map((c) => c.at)).toEqual([4.5 * SEC]);
    // the schedule goes on from the late tick: every second from 4.5 s
    await t.clock.advance(2 * SEC);
    expect(ofType(t.journal.events, 'metric.sampled').map((e) => e.time)).toEqual([0, 1, 2, 4.5, 5.5, 6.5].map((s) => s * SEC));
    expect(ofType(t.journal.events, 'metric.sampled').every((e) => Object.keys(e.errors).length === 0)).toBe(true);
    t.c.dispose();
  });

  it('the headless line and the screen notice say it', async () => {
    const t = await breachingRelease();
    await t.clock.advance(2 * SEC);
    await t.clock.jump(42 * SEC);
    const [e] = ofType(t.journal.events, 'session.paused');
    expect(describeEvent(t.c.state, e)).toBe('⏸ the cockpit was paused for 41.0s (process stopped): no samples in that time; trigger windows start again from the samples after it');
    t.c.dispose();
  });
});

describe('restore time leaves the pause out', () => {
  it('a pause during the rollback: restoreMs without it, pausedMs said', async () => {
    const t = await breachingRelease(() => 0.1);
    await t.clock.advance(1 * SEC);
    t.c.rollback('by hand', 'operator');
    await settle();
    expect(t.runner.isRunning('rollback.rollback')).toBe(true);
    await t.clock.jump(30 * SEC); // stopped while the rollback step runs
    await t.clock.advance(1 * SEC);
    t.runner.finish('rollback.rollback');
    await settle();
    t.runner.finish('rollback.verify');
    await settle();
    const [v] = ofType(t.journal.events, 'rollback.verified');
    const [p] = ofType(t.journal.events, 'session.paused');
    expect(p.ms).toBeGreaterThanOrEqual(29 * SEC);
    expect(v.pausedMs).toBe(p.ms);
    // from the request (1 s) to verify (32 s), less the pause
    expect(v.restoreMs).toBe(31 * SEC - p.ms);
    expect(describeEvent(t.c.state, v)).toContain(`; the cockpit was paused ${(p.ms / 1000).toFixed(1)}s in that time, not counted)`);
    t.runner.finish('rollback.incident');
    await settle();
    t.c.dispose();
  });

  it('pure rules: pauseOf, pausedWithin, timeToRestore', () => {
    expect(pauseOf(1000, 2500, 250)).toBeUndefined(); // 1.5 s late: a busy loop, not a pause
    expect(pauseOf(1000, 9000, 250)).toEqual({ from: 1000, to: 9000, ms: 8000 });
    expect(pauseOf(0, 20_000, 15_000)).toBeUndefined(); // late by less than two intervals
    expect(pausedWithin([{ from: 0, to: 10 }, { from: 50, to: 80 }], 5, 60)).toBe(15);
    expect(timeToRestore(1000, 50_000, 30_000)).toBe(19_000);
    expect(restoredText(19_000, 'trigger')).toBe("restored in 19.0s (from the incident's start: the first breaching sample)");
  });
});

describe('a monitor window with a pause in it', () => {
  const MONITOR_10S = `
  - id: production
    armed: true
    steps:
      - monitor: 10s`;

  it('the pause is not watched: the window goes on by as much after it (released at 29 s, not at SIGCONT)', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: Array.from({ length: 100 }, () => 0.1) });
    const t = guardSetup(guardRunbook({ stages: MONITOR_10S, triggers: ['{ metric: error_rate, above: 1, for: 5s }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(3 * SEC);
    await clock.jump(20 * SEC); // stopped from 3 s to 23 s: the window (due at 10 s) had 3 s watched
    const [p] = ofType(t.journal.events, 'session.paused');
    expect(p).toMatchObject({ from: 4 * SEC, to: 23 * SEC });
    expect(t.c.state.outcome).toBeUndefined();
    // watched: 0..4 s, then from 23 s the 6 s left
    await clock.advance(6 * SEC - 1);
    expect(t.c.state.outcome).toBeUndefined();
    await clock.advance(1);
    expect(t.c.state.outcome).toBe('released');
    t.c.dispose();
  });

  it('a pause in the middle of the window, over before it ends: the window ends later by the pause', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: Array.from({ length: 100 }, () => 0.1) });
    const t = guardSetup(guardRunbook({ stages: MONITOR_10S, triggers: ['{ metric: error_rate, above: 1, for: 5s }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(2 * SEC);
    await clock.jump(5 * SEC); // stopped from 3 s (the tick missed) to 7 s
    const [p] = ofType(t.journal.events, 'session.paused');
    await clock.advance(10 * SEC - 7 * SEC);
    expect(t.c.state.outcome).toBeUndefined();
    await clock.advance(p.ms);
    expect(t.c.state.outcome).toBe('released');
    t.c.dispose();
  });
});
