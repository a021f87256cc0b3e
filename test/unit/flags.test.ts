/**
 * Flag ramps through a Controller on a FakeClock with an in-memory provider: proposals, the
 * guardrails that refuse a step up (and never a step down or the kill switch), forced steps,
 * one change at a time, failures, confirmed percentages, auto-advance with pause/resume, and the
 * rollback that takes every ramped flag down before any rollback step starts.
 */
import { describe, expect, it } from 'vitest';
import { FlagRamps } from '../../src/flags/manager.js';
import { nextStep, previousStep, rampPlans } from '../../src/flags/plan.js';
import type { FlagProvider } from '../../src/flags/providers/provider.js';
import { settle } from '../../src/core/clock.js';
import type { SessionEvent } from '../../src/core/events.js';
import { ofType, runbookOf, type Scripted } from '../helpers/guard-harness.js';
import { ARMED_MONITOR, constant, flagRunbook, flagSetup, UNARMED_MONITOR, type FlagSetup } from '../helpers/flag-harness.js';

const SEC = 1000;
const RAMP = '    checkout: [5, 25, 50, 100]';

/** Starts the session (pre-flight passes: there is none) and, with `arm`, runs the armed monitor stage. */
async function boot(t: FlagSetup, arm = true): Promise<void> {
  void t.c.start();
  await settle();
  if (arm) {
    expect(t.c.runNextStage()).toEqual({ ok: true });
    await settle();
    expect(t.c.state.guard.armed).toBe(true);
  }
}

/** `bad` from tick `from` (inclusive) to `to` (exclusive), `good` elsewhere. */
function window(from: number, to: number, bad: Scripted = 3, good: Scripted = 0.2, n = 600): Scripted[] {
  return Array.from({ length: n }, (_, k) => (k >= from && k < to ? bad : good));
}

const flags = (t: FlagSetup) => t.c.flags!;
const pct = (t: FlagSetup, flag = 'checkout') => t.c.state.flags[flag]?.percent;
const index = (events: readonly SessionEvent[], pred: (e: SessionEvent) => boolean) => events.findIndex(pred);

// ── plans and proposals ────────────────────────────────────────────────────────────────────────

describe('ramp plans', () => {
  it('prepends the kill switch (0) and reads hold, auto and rollbackTo', () => {
    const rb = runbookOf(flagRunbook({ ramps: `${RAMP}\n    search: { steps: [0, 10, 100], hold: 10s, auto: true, rollbackTo: 10 }` }));
    const [a, b] = rampPlans(rb);
    expect(a).toEqual({ flag: 'checkout', steps: [0, 5, 25, 50, 100], auto: false, rollbackTo: 0 });
    expect(b).toEqual({ flag: 'search', steps: [0, 10, 100], holdMs: 10_000, auto: true, rollbackTo: 10 });
    expect(nextStep(a, undefined)).toBe(5);
    expect(nextStep(a, 24)).toBe(25); // a confirmed 24 proposes the step it fell short of
    expect(previousStep(a, 24)).toBe(5);
    expect(nextStep(a, 100)).toBeUndefined();
    expect(previousStep(a, 0)).toBeUndefined();
  });
});

describe('proposals through the controller: 0 → 5 → 25 → 50 → 100 and back', () => {
  it('target() proposes the next step up and down, applies it, and stops at the ends', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 0 } });
    await boot(t);
    expect(pct(t)).toBe(0);
    expect(t.c.state.flags.checkout.status).toBe('steady');
    expect(flags(t).target('checkout', 'down')).toBe('checkout is at 0 %');
    expect(flags(t).target('checkout', 'kill')).toBe('checkout is already at 0 %');

    const ups: number[] = [];
    for (;;) {
      const to = flags(t).target('checkout', 'up');
      if (typeof to === 'string') {
        expect(to).toBe('checkout is at the top of its ramp');
        break;
      }
      ups.push(to);
      expect(await flags(t).apply('checkout', to, { by: 'operator' })).toMatchObject({ ok: true, percent: to });
      expect(pct(t)).toBe(to);
    }
    expect(ups).toEqual([5, 25, 50, 100]);

    const downs: number[] = [];
    for (;;) {
      const to = flags(t).target('checkout', 'down');
      if (typeof to === 'string') break;
      downs.push(to);
      expect((await flags(t).apply('checkout', to, { by: 'operator' })).ok).toBe(true);
    }
    expect(downs).toEqual([50, 25, 5, 0]);
    expect(t.provider.sets('checkout')).toEqual([5, 25, 50, 100, 50, 25, 5, 0]);
    expect(ofType(t.journal.events, 'flag.set').map((e) => e.percent)).toEqual([5, 25, 50, 100, 50, 25, 5, 0]);
  });

  it('the kill switch goes straight to 0 from any step', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 50 } });
    await boot(t);
    expect(flags(t).target('checkout', 'kill')).toBe(0);
    expect(await flags(t).apply('checkout', 0, { by: 'operator' })).toMatchObject({ ok: true, percent: 0 });
    expect(t.provider.sets()).toEqual([0]);
  });

  it('refuses flags without a ramp and values that are not percentages, without calling the provider', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 0 } });
    await boot(t);
    expect(flags(t).target('nope', 'up')).toBe('no ramp for flag "nope"');
    expect(await flags(t).apply('nope', 5, { by: 'operator' })).toMatchObject({ ok: false, reason: expect.stringContaining('no ramp for flag "nope"') });
    for (const bad of [101, -1, Number.NaN, Infinity]) expect((await flags(t).apply('checkout', bad, { by: 'operator' })).ok).toBe(false);
    expect(t.provider.sets()).toEqual([]);
  });

  it('reads every flag at start and shows what the backend has (a failed read is shown, not guessed)', async () => {
    const t = flagSetup({ ramps: `${RAMP}\n    search: [10, 100]\n    banner: [50, 100]` }, { initial: { checkout: 25 } });
    t.provider.failRead.set('search', 'connection refused');
    await boot(t, false);
    expect(t.provider.calls.filter((c) => c.op === 'read').map((c) => c.flag).sort()).toEqual(['banner', 'checkout', 'search']);
    expect(t.c.state.flags.checkout).toMatchObject({ percent: 25, status: 'steady' });
    expect(t.c.state.flags.search).toMatchObject({ status: 'failed', error: 'connection refused' });
    expect(t.c.state.flags.search.percent).toBeUndefined();
    expect(t.c.state.flags.banner).toMatchObject({ status: 'unknown' }); // the backend does not know it
    expect(t.c.state.flags.banner.percent).toBeUndefined();
  });
});

// ── guardrails ─────────────────────────────────────────────────────────────────────────────────

type Guarded = {
  readonly name: string;
  readonly triggers: readonly string[];
  readonly stages: string;
  readonly script: Scripted[];
  /** Seconds to advance after boot. */
  readonly advance: number;
  readonly reason: string;
  readonly maxErrors?: number;
};

const GUARDED: readonly Guarded[] = [
  {
    name: 'a trigger is PENDING',
    triggers: ['{ metric: error_rate, above: 1, for: 30s }'],
    stages: ARMED_MONITOR,
    script: window(2, 600),
    advance: 3,
    reason: 'refused: trigger error_rate>1% 30s is PENDING',
  },
  {
    name: 'a trigger has NO DATA',
    triggers: ['{ metric: error_rate, above: 1, for: 30s, maxErrors: 2, onNoData: hold }'],
    stages: ARMED_MONITOR,
    script: [0.2, ...constant('miss')],
    advance: 3,
    reason: 'refused: trigger error_rate>1% 30s has NO DATA',
  },
  {
    name: 'a metric is CRITICAL (no trigger needed: the stage is not even armed)',
    triggers: [],
    stages: UNARMED_MONITOR,
    script: window(1, 600, 7),
    advance: 1,
    reason: 'refused: metric error_rate is CRITICAL (7 %)',
  },
  {
    name: 'a metric has NO DATA',
    triggers: [],
    stages: UNARMED_MONITOR,
    script: [0.2, ...constant('miss')],
    advance: 2,
    reason: 'refused: metric error_rate has NO DATA (scripted miss)',
  },
];

describe('a step up is refused while the guardrails are not green; down and kill always work', () => {
  for (const g of GUARDED) {
    it(`refused while ${g.name}, recorded as flag.refused; stepping down and the kill switch go through`, async () => {
      const t = flagSetup({ ramps: RAMP, triggers: g.triggers, stages: g.stages, maxErrors: g.maxErrors }, { initial: { checkout: 25 }, script: { error_rate: g.script } });
      await boot(t, g.stages === ARMED_MONITOR);
      // green first: the same step up would have gone through
      expect(flags(t).target('checkout', 'up')).toBe(50);
      await t.clock.advance(g.advance * SEC);
      expect(t.c.state.rollback.status).toBe('idle');

      const r = await flags(t).apply('checkout', 50, { by: 'operator' });
      expect(r).toEqual({ ok: false, reason: g.reason, refused: true });
      const refused = ofType(t.journal.events, 'flag.refused');
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ flag: 'checkout', from: 25, to: 50, reason: g.reason.replace('refused: ', '') });
      expect(t.c.state.flags.checkout).toMatchObject({ percent: 25, status: 'steady', refused: refused[0].reason });
      expect(t.provider.sets()).toEqual([]);
      expect(ofType(t.journal.events, 'flag.applying')).toHaveLength(0);

      expect(await flags(t).apply('checkout', 5, { by: 'operator' })).toMatchObject({ ok: true, percent: 5 });
      expect(t.c.state.flags.checkout.refused).toBeUndefined(); // a new change clears the old refusal
      expect(await flags(t).apply('checkout', 0, { by: 'operator' })).toMatchObject({ ok: true, percent: 0 });
      expect(t.provider.sets()).toEqual([5, 0]);
      expect(ofType(t.journal.events, 'flag.refused')).toHaveLength(1);
    });
  }

  it('green again (the trigger reset) → the step up goes through', async () => {
    const t = flagSetup({ ramps: RAMP, triggers: ['{ metric: error_rate, above: 1, for: 30s }'] }, { initial: { checkout: 25 }, script: { error_rate: window(1, 3) } });
    await boot(t);
    await t.clock.advance(1 * SEC);
    expect((await flags(t).apply('checkout', 50, { by: 'operator' })).ok).toBe(false);
    await t.clock.advance(2 * SEC); // tick 3: good → reset
    expect(t.c.state.guard.triggers[Object.keys(t.c.state.guard.triggers)[0]].status).toBe('idle');
    expect(await flags(t).apply('checkout', 50, { by: 'operator' })).toMatchObject({ ok: true, percent: 50 });
  });

  it('refused while a trigger has FIRED (the rollback has taken the flag to its rollbackTo); the kill switch still works', async () => {
    const t = flagSetup(
      { ramps: '    checkout: { steps: [5, 25, 50, 100], rollbackTo: 5 }', triggers: ['{ metric: error_rate, above: 1, for: "0" }'] },
      { initial: { checkout: 50 }, script: { error_rate: window(1, 600) } },
    );
    t.runner.autoPass = true;
    await boot(t);
    await t.clock.advance(1 * SEC);
    expect(t.c.state.rollback.status).not.toBe('idle');
    expect(pct(t)).toBe(5);
    const r = await flags(t).apply('checkout', 25, { by: 'operator' });
    expect(r).toEqual({ ok: false, reason: 'refused: trigger error_rate>1% has FIRED', refused: true });
    expect(await flags(t).apply('checkout', 0, { by: 'operator' })).toMatchObject({ ok: true, percent: 0 });
    expect(t.provider.sets()).toEqual([5, 0]);
  });

  it('a forced step up goes through while a trigger is pending and is recorded forced: true', async () => {
    const t = flagSetup({ ramps: RAMP, triggers: ['{ metric: error_rate, above: 1, for: 30s }'] }, { initial: { checkout: 25 }, script: { error_rate: window(1, 600) } });
    await boot(t);
    await t.clock.advance(1 * SEC);
    expect((await flags(t).apply('checkout', 50, { by: 'operator' })).ok).toBe(false);
    expect(await flags(t).apply('checkout', 50, { forced: true, by: 'operator' })).toMatchObject({ ok: true, percent: 50 });
    expect(ofType(t.journal.events, 'flag.applying').at(-1)).toMatchObject({ flag: 'checkout', from: 25, to: 50, forced: true, by: 'operator' });
    expect(ofType(t.journal.events, 'flag.set').at(-1)).toMatchObject({ flag: 'checkout', percent: 50, requested: 50, forced: true, by: 'operator' });
    expect(t.c.state.flags.checkout).toMatchObject({ percent: 50, forced: true, status: 'steady' });
    // forcing a step down means nothing: it is not recorded as forced
    expect((await flags(t).apply('checkout', 25, { forced: true, by: 'operator' })).ok).toBe(true);
    expect(ofType(t.journal.events, 'flag.set').at(-1)).toMatchObject({ percent: 25, forced: false });
  });
});

// ── one change at a time, failures, confirmed values ───────────────────────────────────────────

describe('applying', () => {
  it('a second apply while one is applying is refused ("still applying"), even the kill switch; the provider is called once', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 5 } });
    await boot(t);
    t.provider.gate = true;
    const first = flags(t).apply('checkout', 25, { by: 'operator' });
    await settle();
    expect(flags(t).isApplying('checkout')).toBe(true);
    expect(t.c.state.flags.checkout).toMatchObject({ percent: 5, status: 'applying', requested: 25 });
    for (const to of [50, 0]) {
      const r = await flags(t).apply('checkout', to, { by: 'operator' });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(/still applying/);
    }
    expect(t.provider.sets()).toEqual([25]);
    expect(ofType(t.journal.events, 'flag.applying')).toHaveLength(1);
    t.provider.gate = false;
    t.provider.release();
    expect(await first).toMatchObject({ ok: true, percent: 25 });
    expect(flags(t).isApplying('checkout')).toBe(false);
    expect((await flags(t).apply('checkout', 0, { by: 'operator' })).ok).toBe(true);
  });

  it('another flag is not blocked by one still applying', async () => {
    const t = flagSetup({ ramps: `${RAMP}\n    search: [10, 100]` }, { initial: { checkout: 5, search: 0 } });
    await boot(t);
    t.provider.slowMs = 5 * SEC;
    const a = flags(t).apply('checkout', 25, { by: 'operator' });
    const b = flags(t).apply('search', 10, { by: 'operator' });
    await t.clock.advance(5 * SEC);
    expect(await a).toMatchObject({ ok: true, percent: 25 });
    expect(await b).toMatchObject({ ok: true, percent: 10 });
  });

  it('a failing provider leaves the confirmed percentage unchanged, records flag.failed with the error; a retry works', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 5 } });
    await boot(t);
    t.provider.failNext.set('checkout', 'flag service unavailable (503)');
    expect(await flags(t).apply('checkout', 25, { by: 'operator' })).toEqual({ ok: false, reason: 'flag service unavailable (503)' });
    expect(t.c.state.flags.checkout).toMatchObject({ percent: 5, status: 'failed', requested: 25, error: 'flag service unavailable (503)' });
    expect(ofType(t.journal.events, 'flag.failed')).toEqual([expect.objectContaining({ flag: 'checkout', requested: 25, error: 'flag service unavailable (503)', by: 'operator' })]);
    expect(ofType(t.journal.events, 'flag.set')).toHaveLength(0);
    expect(flags(t).isApplying('checkout')).toBe(false);
    // retry
    expect(flags(t).target('checkout', 'up')).toBe(25);
    expect(await flags(t).apply('checkout', 25, { by: 'operator' })).toMatchObject({ ok: true, percent: 25 });
    expect(t.c.state.flags.checkout).toMatchObject({ percent: 25, status: 'steady' });
    expect(t.c.state.flags.checkout.error).toBeUndefined();
  });

  it('a provider that throws synchronously (not even a promise) is a failure, not an exception', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 5 } });
    const throwing: FlagProvider = {
      kind: 'throws',
      read: async () => ({ percent: 5, says: 'read' }),
      set: () => {
        throw new Error('boom');
      },
    };
    const ramps = new FlagRamps({ runbook: t.c.runbook, provider: throwing, record: () => undefined, state: () => t.c.state, clock: t.clock, now: () => t.clock.now() });
    await boot(t);
    expect(await ramps.apply('checkout', 25, { by: 'operator' })).toEqual({ ok: false, reason: 'boom' });
    expect(ramps.isApplying('checkout')).toBe(false);
  });

  it('the shown percentage is the one the provider confirmed (asked 25, confirmed 24 → 24)', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 5 } });
    await boot(t);
    t.provider.confirm = (_flag, asked) => (asked === 25 ? 24 : asked);
    expect(await flags(t).apply('checkout', 25, { by: 'operator' })).toMatchObject({ ok: true, percent: 24 });
    expect(pct(t)).toBe(24);
    expect(ofType(t.journal.events, 'flag.set').at(-1)).toMatchObject({ percent: 24, requested: 25 });
    expect(flags(t).target('checkout', 'up')).toBe(25); // it did not reach 25
    expect(flags(t).target('checkout', 'down')).toBe(5);
  });
});

// ── auto-advance ───────────────────────────────────────────────────────────────────────────────

const AUTO = '    checkout: { steps: [5, 25, 50, 100], hold: 10s, auto: true }';

describe('auto-advance', () => {
  it('at 5 % steps to 25 % after 10 s of green, then on up the ramp, and stops at the top', async () => {
    const t = flagSetup({ ramps: AUTO }, { initial: { checkout: 5 } });
    await boot(t);
    await t.clock.advance(1 * SEC);
    const counting = ofType(t.journal.events, 'flag.auto');
    expect(counting).toEqual([expect.objectContaining({ flag: 'checkout', state: 'counting' })]);
    const since = counting[0].t;
    expect(t.c.state.flags.checkout.auto).toEqual({ state: 'counting', since, reason: undefined });

    await t.clock.advance(since + 10 * SEC - 1 - t.clock.now());
    expect(pct(t)).toBe(5); // 1 ms short of the hold
    await t.clock.advance(1 * SEC);
    expect(pct(t)).toBe(25);
    const step = ofType(t.journal.events, 'flag.set')[0];
    expect(step).toMatchObject({ percent: 25, requested: 25, by: 'auto', forced: false });
    expect(step.t - since).toBe(10 * SEC);

    await t.clock.advance(60 * SEC);
    expect(ofType(t.journal.events, 'flag.set').map((e) => `${e.percent}@${e.t / SEC}`)).toEqual(['25@11', '50@22', '100@33']);
    expect(pct(t)).toBe(100);
    // the hold between steps is never shorter than 10 s
    const sets = ofType(t.journal.events, 'flag.set');
    for (let i = 1; i < sets.length; i++) expect(sets[i].t - sets[i - 1].t).toBeGreaterThanOrEqual(10 * SEC);
  });

  it('pauses while users are not served what the backend holds (Unleash environment disabled): a ramp nobody sees is no evidence', async () => {
    const t = flagSetup({ ramps: AUTO }, { initial: { checkout: 5 } });
    t.provider.serves = () => 0;
    await boot(t);
    await t.clock.advance(30 * SEC);
    expect(t.provider.sets()).toEqual([]);
    expect(t.c.state.flags.checkout.auto).toMatchObject({ state: 'paused', reason: 'users are served 0 %, not 5 %' });
  });

  it('never starts from 0 % by itself (the first step is the operator\'s)', async () => {
    const t = flagSetup({ ramps: AUTO }, { initial: { checkout: 0 } });
    await boot(t);
    await t.clock.advance(30 * SEC);
    expect(t.provider.sets()).toEqual([]);
  });

  it('pauses (flag.auto paused, with the reason) while a trigger is pending, does not step, and counts the hold afresh after it resets', async () => {
    // good for ticks 0–3, breaching 4–19 (pending, never fires: for 30s), good again from 20
    const t = flagSetup({ ramps: AUTO, triggers: ['{ metric: error_rate, above: 1, for: 30s }'] }, { initial: { checkout: 5 }, script: { error_rate: window(4, 20) } });
    await boot(t);
    await t.clock.advance(19 * SEC + 500);
    // green until 4 s: without the pause it would have stepped at 11 s
    expect(pct(t)).toBe(5);
    expect(t.provider.sets()).toEqual([]);
    expect(ofType(t.journal.events, 'flag.applying')).toHaveLength(0);
    const autos = () => ofType(t.journal.events, 'flag.auto').map((e) => ({ state: e.state, reason: e.reason, t: e.t }));
    expect(autos()).toEqual([
      { state: 'counting', reason: undefined, t: 1 * SEC },
      { state: 'paused', reason: 'trigger error_rate>1% 30s is PENDING', t: expect.any(Number) },
    ]);
    expect(autos()[1].t).toBeGreaterThanOrEqual(4 * SEC);
    expect(autos()[1].t).toBeLessThanOrEqual(5 * SEC);
    expect(t.c.state.flags.checkout.auto).toMatchObject({ state: 'paused', reason: 'trigger error_rate>1% 30s is PENDING' });

    await t.clock.advance(20 * SEC);
    const reset = ofType(t.journal.events, 'trigger.reset')[0];
    expect(reset.t).toBe(20 * SEC);
    const resumed = autos()[2];
    expect(resumed.state).toBe('counting');
    expect(resumed.t).toBeGreaterThanOrEqual(reset.t);
    const step = ofType(t.journal.events, 'flag.set')[0];
    expect(step).toMatchObject({ percent: 25, by: 'auto' });
    expect(step.t - resumed.t).toBe(10 * SEC);
  });

  it('pauses while a metric is critical and while a trigger holds for lack of data', async () => {
    const t = flagSetup(
      { ramps: AUTO, triggers: ['{ metric: error_rate, above: 10, for: 30s, maxErrors: 2, onNoData: hold }'] },
      { initial: { checkout: 5 }, script: { error_rate: [0.2, 0.2, 7, 7, 0.2, 'miss', 'miss', 'miss', ...constant('miss')] } },
    );
    await boot(t);
    await t.clock.advance(3 * SEC);
    expect(t.c.state.flags.checkout.auto).toMatchObject({ state: 'paused', reason: 'metric error_rate is CRITICAL (7 %)' });
    await t.clock.advance(30 * SEC);
    expect(t.c.state.flags.checkout.auto).toMatchObject({ state: 'paused', reason: expect.stringMatching(/NO DATA/) });
    expect(t.provider.sets()).toEqual([]);
  });

  it('stops when the session is disposed and after a rollback', async () => {
    const t = flagSetup({ ramps: AUTO }, { initial: { checkout: 5 } });
    t.runner.autoPass = true;
    await boot(t);
    await t.clock.advance(2 * SEC);
    expect(t.c.rollback('operator', 'operator')).toEqual({ ok: true });
    await settle();
    await t.clock.advance(60 * SEC);
    expect(t.provider.sets()).toEqual([0]);
  });
});

// ── rollback: flags first ──────────────────────────────────────────────────────────────────────

const THREE = `${RAMP}\n    search: { steps: [5, 25, 50, 100], rollbackTo: 5 }\n    banner: [10, 100]`;

/** Every flag.set of the rollback comes before the first rollback step starts. */
function expectFlagsFirst(t: FlagSetup, n: number): void {
  const ev = t.journal.events;
  const sets = ev.map((e, i) => ({ e, i })).filter(({ e }) => e.type === 'flag.set' && e.by === 'rollback');
  expect(sets).toHaveLength(n);
  const firstStep = index(ev, (e) => e.type === 'step.started' && e.stage === 'rollback');
  expect(firstStep).toBeGreaterThan(-1);
  for (const s of sets) expect(s.i).toBeLessThan(firstStep);
  expect(index(ev, (e) => e.type === 'rollback.started')).toBeLessThan(sets[0].i);
  for (const c of t.provider.calls.filter((x) => x.op === 'set')) expect(c.rollbackStepsStarted).toBe(0);
}

describe('a rollback sets every ramped flag to 0 % (or rollbackTo) first', () => {
  it('trigger fired: flags to 0 / rollbackTo before any rollback step; a flag already there is left alone', async () => {
    const t = flagSetup({ ramps: THREE, triggers: ['{ metric: error_rate, above: 1, for: "0" }'] }, { initial: { checkout: 25, search: 50, banner: 0 }, script: { error_rate: window(2, 600) } });
    t.runner.autoPass = true;
    await boot(t);
    await t.clock.advance(2 * SEC);
    await t.c.idle();
    expect(ofType(t.journal.events, 'trigger.fired')).toHaveLength(1);
    expect(t.c.state.rollback.status).toBe('passed');
    expect(t.provider.calls.filter((c) => c.op === 'set').map((c) => `${c.flag}=${c.percent}`).sort()).toEqual(['checkout=0', 'search=5']);
    expect(pct(t, 'checkout')).toBe(0);
    expect(pct(t, 'search')).toBe(5);
    expect(pct(t, 'banner')).toBe(0);
    expectFlagsFirst(t, 2);
  });

  it('controller.rollback with a slow backend: no rollback step starts until the flags are confirmed', async () => {
    const t = flagSetup({ ramps: THREE }, { initial: { checkout: 25, search: 50, banner: 100 } });
    t.runner.autoPass = true;
    await boot(t, false);
    t.provider.gate = true;
    expect(t.c.rollback('bad deploy', 'operator')).toEqual({ ok: true });
    await settle();
    expect(t.provider.waitingSets).toBe(3);
    expect(t.runner.keys().filter((k) => k.startsWith('rollback.'))).toEqual([]);
    await t.clock.advance(60 * SEC);
    expect(t.runner.keys().filter((k) => k.startsWith('rollback.'))).toEqual([]);
    t.provider.release();
    await settle();
    await t.c.idle();
    expect(t.runner.keys().filter((k) => k.startsWith('rollback.')).length).toBeGreaterThan(0);
    expect({ checkout: pct(t, 'checkout'), search: pct(t, 'search'), banner: pct(t, 'banner') }).toEqual({ checkout: 0, search: 5, banner: 0 });
    expectFlagsFirst(t, 3);
    expect(ofType(t.journal.events, 'flag.set').every((e) => e.by === 'rollback' && e.forced === false)).toBe(true);
  });

  it('a step up still applying when the rollback starts is taken back down once it lands, before the rollback steps', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 0 } });
    t.runner.autoPass = true;
    await boot(t, false);
    t.provider.gate = true;
    const up = flags(t).apply('checkout', 5, { by: 'operator' });
    await settle();
    expect(t.c.rollback('bad deploy', 'operator')).toEqual({ ok: true });
    await settle();
    t.provider.gate = false;
    t.provider.release();
    expect(await up).toMatchObject({ ok: true, percent: 5 });
    await settle();
    await t.c.idle();
    expect(t.provider.sets()).toEqual([5, 0]);
    expect(pct(t)).toBe(0);
    expectFlagsFirst(t, 1);
  });

  it('a flag the backend cannot set is recorded as failed and the rollback steps still run', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 50 } });
    t.runner.autoPass = true;
    await boot(t, false);
    t.provider.failNext.set('checkout', 'flag service unavailable (503)');
    t.c.rollback('bad deploy', 'operator');
    await settle();
    await t.c.idle();
    expect(ofType(t.journal.events, 'flag.failed')).toEqual([expect.objectContaining({ flag: 'checkout', requested: 0, by: 'rollback' })]);
    expect(t.c.state.rollback.status).toBe('passed');
    expect(pct(t)).toBe(50); // shown as it is: still 50 %
  });
});

describe('a runbook flag step never lowers a flag', () => {
  const STEPS = `
  - id: ramp
    steps:
      - { id: to-5, flag: checkout, to: 5 }
      - { id: to-25, flag: checkout, to: 25 }
  - id: kill
    steps:
      - { id: to-0, flag: checkout, to: 0 }`;

  it('above the step: passes with a note naming who set it, nothing applied; at or below it: applied; to: 0 is a kill', async () => {
    const t = flagSetup({ ramps: RAMP, stages: STEPS }, { initial: { checkout: 0 } });
    await boot(t, false);
    expect((await flags(t).apply('checkout', 25, { by: 'operator' })).ok).toBe(true);
    expect(t.c.runNextStage().ok).toBe(true);
    await settle();
    const finished = ofType(t.journal.events, 'step.finished').filter((e) => e.stage !== 'preflight');
    expect(finished.map((e) => [e.step, e.ok, e.note])).toEqual([
      ['to-5', true, "checkout is at 25 % (set by the operator), above the step's 5 %: left as it is"],
      ['to-25', true, 'written by the fake backend'], // the provider's own words, no more
    ]);
    expect(t.c.state.stages[0].steps[0]).toMatchObject({ status: 'passed', note: "checkout is at 25 % (set by the operator), above the step's 5 %: left as it is" });
    expect(t.provider.sets()).toEqual([25, 25]);
    expect(t.c.runNextStage().ok).toBe(true);
    await settle();
    expect(t.provider.sets()).toEqual([25, 25, 0]);
    expect(pct(t)).toBe(0);
    expect(t.c.state.outcome).toBe('released');
  });

  it('a flag step before the start-up read landed reads the flag first (set elsewhere: "as its backend reported it")', async () => {
    const t = flagSetup({ ramps: RAMP, stages: STEPS }, { initial: { checkout: 50 }, opts: { mode: 'headless', autoAdvance: true } });
    void t.c.start();
    await settle();
    expect(ofType(t.journal.events, 'step.finished').filter((e) => e.stage !== 'preflight').slice(0, 2).map((e) => e.note)).toEqual([
      "checkout is at 50 % (as its backend reported it), above the step's 5 %: left as it is",
      "checkout is at 50 % (as its backend reported it), above the step's 25 %: left as it is",
    ]);
    expect(t.provider.sets()).toEqual([0]);
  });
});
