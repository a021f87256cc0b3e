/**
 * The read-only session `cockpit watch` shows: the fold of another cockpit's journal (fed by
 * applyExternal), its steps' output (relayOutput), and intents that refuse with how to act instead.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import type { SessionEvent } from '../../src/core/events.js';
import { ReadOnlySession } from '../../src/session/read-only-session.js';
import { flagRunbook, flagSetup } from '../helpers/flag-harness.js';
import { runbookOf } from '../helpers/guard-harness.js';

const HOW = 'read-only: roll back in pid 42 (R) or: cockpit rollback cockpit.yml';
const RAMP = '    checkout: [5, 25, 50, 100]';

/** A driving session's journal: started, the armed stage running, a flag ramped. */
async function driven(): Promise<readonly SessionEvent[]> {
  const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 0 } });
  void t.c.start();
  await settle();
  expect(t.c.runNextStage()).toEqual({ ok: true });
  await settle();
  expect(await t.c.flags!.apply('checkout', 5, { by: 'operator' })).toMatchObject({ ok: true });
  return [...t.journal.events];
}

function follower(clock = new FakeClock()) {
  return new ReadOnlySession({ runbook: runbookOf(flagRunbook({ ramps: RAMP })), sessionDir: '/tmp/cockpit-watch-test', how: HOW, clock });
}

describe('ReadOnlySession (cockpit watch)', () => {
  it('folds the journal it is fed: the same state the driving cockpit has, every event told to its listeners', async () => {
    const events = await driven();
    const s = follower();
    const seen: string[] = [];
    s.subscribe((_st, e) => seen.push(e.type));
    s.applyExternal(events);
    expect(seen).toEqual(events.map((e) => e.type));
    expect(s.state.stages[0].status).toBe('running');
    expect(s.state.flags.checkout).toMatchObject({ percent: 5 });
    expect(s.state.sessionId).toBe('guard-test');
  });

  it('session time is the watched session\'s, from its start', async () => {
    const clock = new FakeClock();
    const s = follower(clock);
    await clock.advance(5000);
    s.applyExternal([{ type: 'session.started', sessionId: 'x', runbook: 'web-app', file: '/f', version: '1', environment: 'production', mode: 'tui', at: clock.wall() - 60_000, t: 0 } as SessionEvent]);
    expect(s.elapsed()).toBe(60_000);
  });

  it('an event it cannot fold (valid JSON of the wrong shape: a damaged journal, a hostile stream) is skipped, nothing told; the next ones still count', async () => {
    const events = await driven();
    const s = follower();
    const told: string[] = [];
    s.subscribe((_st, e) => told.push(e.type));
    const bad = [{ type: 'metric.sampled', at: 1, t: 1 }, { type: 'session.started', at: 'x' }] as unknown as SessionEvent[];
    expect(() => s.applyExternal([bad[0], ...events, bad[1]])).not.toThrow();
    // the first, which could not be folded, was not told; every event of the journal was, in order
    expect(told.slice(0, events.length)).toEqual(events.map((e) => e.type));
    expect(s.state.stages[0].status).toBe('running');
    expect(s.state.flags.checkout?.percent).toBe(5);
  });

  it('settles with the outcome of the session.ended it is fed', async () => {
    const s = follower();
    s.applyExternal([{ type: 'session.ended', outcome: 'rolled-back', at: 0, t: 10 } as SessionEvent]);
    await expect(s.settled).resolves.toBe('rolled-back');
  });

  it('hands the steps\' lines it is given to its output listeners', () => {
    const s = follower();
    const got: string[] = [];
    const off = s.onOutput((stage, step, lines) => got.push(`${stage}/${step}: ${lines.join('|')}`));
    s.relayOutput('production', 'deploy', ['a', 'b']);
    off();
    s.relayOutput('production', 'deploy', ['c']);
    expect(got).toEqual(['production/deploy: a|b']);
  });

  it('refuses every intent with how to act instead; quit leaves; nothing is busy', async () => {
    const s = follower();
    s.applyExternal(await driven());
    const refused = { ok: false, reason: HOW };
    expect(s.readOnly).toBe(HOW);
    expect(s.busy).toBe(false);
    expect(s.abandoned).toBe(false);
    expect(s.tick('x')).toEqual(refused);
    expect(s.tickStep('production', 'x')).toEqual(refused);
    expect(s.runNextStage()).toEqual(refused);
    expect(s.retry()).toEqual(refused);
    expect(s.skip('because')).toEqual(refused);
    expect(s.rollback('r', 'operator')).toEqual(refused);
    expect(s.acknowledge()).toEqual(refused);
    expect(s.abandonRollback()).toEqual(refused);
    expect(s.proceedUnguarded()).toEqual(refused);
    expect(s.runEmergency('x')).toEqual(refused);
    expect(s.deployExperiment('x')).toEqual(refused);
    expect(await s.deployFlag('checkout')).toEqual(refused);
    expect(await s.concludeExperiment('x', 'none', 'keep')).toEqual(refused);
    expect(await s.flags!.apply('checkout', 25, { by: 'operator' })).toEqual(refused);
    expect(s.quit()).toEqual({ ok: true });
    expect(() => s.record({ type: 'incident.acknowledged' })).toThrow('a read-only session records nothing');
    // the flag's next step is still shown, from the fold
    expect(s.flags!.target('checkout', 'up')).toBe(25);
    expect(s.state.flags.checkout.percent).toBe(5);
  });
});

describe('ReadOnlySession: its driver gone', () => {
  const ADVICE = 'no driver: cockpit run cockpit.yml takes over · cockpit rollback cockpit.yml (its cockpit, pid 42, is gone)';

  it('marked once, listeners told once; every intent then answers with the advice', async () => {
    const s = follower();
    s.applyExternal(await driven());
    let told = 0;
    s.onDriverGone(() => told++);
    expect(s.driverGone).toBeUndefined();
    expect(s.markDriverGone(ADVICE)).toBe(true);
    expect(s.markDriverGone('another text')).toBe(true);
    expect(told).toBe(1);
    expect(s.driverGone).toBe(ADVICE);
    expect(s.readOnly).toBe(ADVICE);
    expect(s.rollback('r', 'operator')).toEqual({ ok: false, reason: ADVICE });
  });

  it('a session that ended is not marked; one whose end arrives after the mark shows its end, not the advice', async () => {
    const ended = follower();
    ended.applyExternal([...(await driven()), { type: 'session.ended', outcome: 'released', at: 0, t: 10 } as SessionEvent]);
    expect(ended.markDriverGone(ADVICE)).toBe(false);
    expect(ended.driverGone).toBeUndefined();
    expect(ended.readOnly).toBe(HOW);

    // the driver wrote its end, then let its lock go; the follower looked between the two
    const late = follower();
    late.applyExternal(await driven());
    expect(late.markDriverGone(ADVICE)).toBe(true);
    late.applyExternal([{ type: 'session.ended', outcome: 'released', at: 0, t: 10 } as SessionEvent]);
    expect(late.driverGone).toBeUndefined();
    expect(late.readOnly).toBe(HOW);
  });
});
