/**
 * Guardrails on a FakeClock (no real time): Prometheus-`for` triggers (pure and end to end through
 * the Controller), scheduled-tick windows, no-data policies, probes, monitor steps, criteria, time
 * to restore, escalation, baseline and bands. PRODUCT.md §3 is the contract.
 */
import { SELF_TEST_ID } from '../../src/guard/self-test.js';
import { describe, expect, it } from 'vitest';
import { countdown, idleTrigger, step, type TriggerState } from '../../src/guard/trigger.js';
import { probeBreach, probeSample } from '../../src/guard/probe-trigger.js';
import { bandOf, type BandDef } from '../../src/metrics/bands.js';
import { parseDuration } from '../../src/runbook/duration.js';
import type { Trigger } from '../../src/runbook/types.js';
import { foldEvents } from '../../src/session/follow.js';
import { FakeClock, settle } from '../../src/core/clock.js';
import type { SessionEvent } from '../../src/core/events.js';
import { buildRows } from '../../src/ui/rows.js';
import { pendingLevels } from '../../src/guard/escalation.js';
import { slackProblems } from '../helpers/notify-schema.js';
import { guardRunbook, guardSetup, ofType, runbookOf, ScriptedSource, scriptedProbe, type Scripted } from '../helpers/guard-harness.js';

type MetricTrigger = Extract<Trigger, { kind: 'metric' }>;
type NoData = 'hold' | 'rollback' | 'ignore';
const SEC = 1000;

// ── the scenario table ─────────────────────────────────────────────────────────────────────────

type Row = {
  readonly name: string;
  readonly trigger: { readonly op: 'above' | 'below'; readonly threshold: number; readonly for: string; readonly maxErrors?: number; readonly onNoData?: NoData };
  /** One sample per scheduled tick (tick k at k seconds): a number (NaN, ±Infinity included) or a miss. */
  readonly samples: readonly (number | 'miss')[];
  /** Tick of the first `pending` transition. */
  readonly pending: number | 'never';
  /** Tick at which it fires. */
  readonly fires: number | 'never';
  /** Every transition the guard reports, `kind@tick`, in order. */
  readonly events: readonly string[];
  /** Also run end to end through a Controller. */
  readonly e2e?: boolean;
};

const bad5 = Array<number>(61).fill(5);

const ROWS: readonly Row[] = [
  { name: 'PRODUCT.md: bad at 0,1,2 then good at 3 → never fires', trigger: { op: 'above', threshold: 1, for: '3s' }, samples: [2, 2, 2, 0.5], pending: 0, fires: 'never', events: ['pending@0', 'reset@3'], e2e: true },
  { name: 'PRODUCT.md: bad at 0,1,2,3 → fires at 3', trigger: { op: 'above', threshold: 1, for: '3s' }, samples: [2, 2, 2, 2], pending: 0, fires: 3, events: ['pending@0', 'fired@3'], e2e: true },
  { name: 'a value exactly at the threshold is not a breach (above: 1 needs > 1)', trigger: { op: 'above', threshold: 1, for: '0' }, samples: [1, 1, 1, 0.999], pending: 'never', fires: 'never', events: [], e2e: true },
  { name: 'for: 0 fires at the first breach (no pending first)', trigger: { op: 'above', threshold: 1, for: '0' }, samples: [0.5, 1, 1.01], pending: 'never', fires: 2, events: ['fired@2'], e2e: true },
  { name: 'flapping never fires: every good sample resets the window', trigger: { op: 'above', threshold: 1, for: '2s' }, samples: [2, 0, 2, 0, 2, 0, 2], pending: 0, fires: 'never', events: ['pending@0', 'reset@1', 'pending@2', 'reset@3', 'pending@4', 'reset@5', 'pending@6'], e2e: true },
  { name: 'a single good sample in the window resets it; the window restarts at the next breach', trigger: { op: 'above', threshold: 1, for: '3s' }, samples: [2, 2, 0, 2, 2, 2, 2], pending: 0, fires: 6, events: ['pending@0', 'reset@2', 'pending@3', 'fired@6'], e2e: true },
  { name: 'exactly at the window edge (elapsed == for) fires', trigger: { op: 'above', threshold: 1, for: '3s' }, samples: [0, 2, 2, 2, 2], pending: 1, fires: 4, events: ['pending@1', 'fired@4'] },
  { name: '1 ms short of the edge waits for the next tick', trigger: { op: 'above', threshold: 1, for: '3001ms' }, samples: [2, 2, 2, 2, 2], pending: 0, fires: 4, events: ['pending@0', 'fired@4'] },
  { name: 'a window that is not a multiple of the interval fires at the first tick past it', trigger: { op: 'above', threshold: 1, for: '2500ms' }, samples: [2, 2, 2, 2], pending: 0, fires: 3, events: ['pending@0', 'fired@3'] },
  { name: 'breach, misses shorter than maxErrors, breach after the window → fires (a flaky source does not postpone it)', trigger: { op: 'above', threshold: 1, for: '3s', maxErrors: 4 }, samples: [2, 'miss', 'miss', 'miss', 2], pending: 0, fires: 4, events: ['pending@0', 'fired@4'], e2e: true },
  { name: 'never fires on a miss, even long after the window elapsed', trigger: { op: 'above', threshold: 1, for: '2s', maxErrors: 10 }, samples: [2, 'miss', 'miss', 'miss', 'miss', 'miss', 'miss'], pending: 0, fires: 'never', events: ['pending@0'] },
  { name: 'a miss is not a recovery: breach, miss, breach fires once the window elapsed', trigger: { op: 'above', threshold: 1, for: '2s' }, samples: [2, 'miss', 2], pending: 0, fires: 2, events: ['pending@0', 'fired@2'] },
  { name: 'breach, a short gap, then a good sample → reset', trigger: { op: 'above', threshold: 1, for: '3s' }, samples: [2, 'miss', 0.5], pending: 0, fires: 'never', events: ['pending@0', 'reset@2'] },
  { name: 'misses reaching maxErrors, onNoData hold → NO DATA, then data back', trigger: { op: 'above', threshold: 1, for: '3s', maxErrors: 3, onNoData: 'hold' }, samples: [0, 'miss', 'miss', 'miss', 'miss', 0], pending: 'never', fires: 'never', events: ['nodata@3', 'data-back@5'], e2e: true },
  { name: 'misses reaching maxErrors, onNoData rollback → rollback for no data', trigger: { op: 'above', threshold: 1, for: '3s', maxErrors: 2, onNoData: 'rollback' }, samples: [0, 'miss', 'miss'], pending: 'never', fires: 'never', events: ['nodata@2'], e2e: true },
  { name: 'misses reaching maxErrors, onNoData ignore → only NO DATA shown', trigger: { op: 'above', threshold: 1, for: '3s', maxErrors: 2, onNoData: 'ignore' }, samples: [0, 'miss', 'miss', 'miss', 0.5], pending: 'never', fires: 'never', events: ['nodata@2', 'data-back@4'], e2e: true },
  { name: 'the no-data policy applies once per streak, and again on a new streak', trigger: { op: 'above', threshold: 1, for: '3s', maxErrors: 2 }, samples: ['miss', 'miss', 'miss', 'miss', 0, 'miss', 'miss'], pending: 'never', fires: 'never', events: ['nodata@1', 'data-back@4', 'nodata@6'] },
  { name: 'maxErrors: 1 → the first miss is NO DATA', trigger: { op: 'above', threshold: 1, for: '3s', maxErrors: 1 }, samples: ['miss'], pending: 'never', fires: 'never', events: ['nodata@0'] },
  { name: 'NaN is a miss: neither a breach nor a recovery', trigger: { op: 'above', threshold: 1, for: '2s' }, samples: [2, NaN, 2], pending: 0, fires: 2, events: ['pending@0', 'fired@2'] },
  { name: '+Infinity is a miss, never a breach (even with for: 0)', trigger: { op: 'above', threshold: 1, for: '0' }, samples: [Infinity, Infinity, 0.5], pending: 'never', fires: 'never', events: [], e2e: true },
  { name: '−Infinity is a miss for a below-trigger', trigger: { op: 'below', threshold: 10, for: '0' }, samples: [-Infinity, 20, -Infinity], pending: 'never', fires: 'never', events: [] },
  { name: 'below: fires when the value stays under the threshold for the window', trigger: { op: 'below', threshold: 100, for: '2s' }, samples: [150, 90, 80, 70], pending: 1, fires: 3, events: ['pending@1', 'fired@3'], e2e: true },
  { name: 'below: exactly at the threshold is not a breach', trigger: { op: 'below', threshold: 100, for: '0' }, samples: [100, 100, 100.5], pending: 'never', fires: 'never', events: [] },
  { name: 'below: one good sample resets the window', trigger: { op: 'below', threshold: 100, for: '2s' }, samples: [90, 110, 90, 90, 90], pending: 0, fires: 4, events: ['pending@0', 'reset@1', 'pending@2', 'fired@4'] },
  { name: 'NO DATA while pending keeps the window; data back breaching fires', trigger: { op: 'above', threshold: 1, for: '3s', maxErrors: 2, onNoData: 'hold' }, samples: [2, 'miss', 'miss', 2], pending: 0, fires: 3, events: ['pending@0', 'nodata@2', 'data-back@3', 'fired@3'], e2e: true },
  { name: 'NO DATA while pending, data back good → data back (hold released) and reset', trigger: { op: 'above', threshold: 1, for: '10s', maxErrors: 2, onNoData: 'hold' }, samples: [2, 'miss', 'miss', 0.5], pending: 0, fires: 'never', events: ['pending@0', 'nodata@2', 'data-back@3', 'reset@3'], e2e: true },
  { name: 'NO DATA, then data back breaching → data back (hold released), then pending', trigger: { op: 'above', threshold: 1, for: '5s', maxErrors: 2, onNoData: 'hold' }, samples: ['miss', 'miss', 2, 2], pending: 2, fires: 'never', events: ['nodata@1', 'data-back@2', 'pending@2'], e2e: true },
  { name: 'a long window (for: 1m) at 1 s ticks fires on the 61st breaching sample', trigger: { op: 'above', threshold: 1, for: '1m' }, samples: bad5, pending: 0, fires: 60, events: ['pending@0', 'fired@60'] },
  { name: 'values on the good side never go pending', trigger: { op: 'above', threshold: 1, for: '0' }, samples: [0, 0.5, 0.99, -5, 1], pending: 'never', fires: 'never', events: [] },
];

function metricTrigger(r: Row['trigger']): MetricTrigger {
  return { kind: 'metric', id: 'error-rate', metric: 'error_rate', op: r.op, threshold: r.threshold, forMs: parseDuration(r.for)!, onNoData: r.onNoData ?? 'hold', maxErrors: r.maxErrors ?? 4 };
}

/** Drives the pure step() over a row; reports transitions as the guard does (data back when NO DATA ends). */
function runPure(row: Row): { events: string[]; state: TriggerState } {
  const t = metricTrigger(row.trigger);
  let s = idleTrigger;
  const events: string[] = [];
  row.samples.forEach((v, k) => {
    const sample = v === 'miss' ? { t: k * SEC, error: 'scripted miss' } : { t: k * SEC, value: v };
    const { state, transition } = step(t, s, sample);
    if (s.noData && !state.noData && transition.kind !== 'data-back') events.push(`data-back@${k}`);
    if (transition.kind !== 'none') events.push(`${transition.kind}@${k}`);
    s = state;
  });
  return { events, state: s };
}

const firstAt = (events: readonly string[], kind: string): number | 'never' => {
  const e = events.find((x) => x.startsWith(`${kind}@`));
  return e === undefined ? 'never' : Number(e.split('@')[1]);
};

/** Boots a Controller whose one armed stage is a 10-minute monitor, sampling `samples` each second. */
async function runEndToEnd(row: Row) {
  const tr = row.trigger;
  const yaml = `{ metric: error_rate, ${tr.op}: ${tr.threshold}, for: "${tr.for}"${tr.maxErrors ? `, maxErrors: ${tr.maxErrors}` : ''}${tr.onNoData ? `, onNoData: ${tr.onNoData}` : ''} }`;
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, SEC, { error_rate: row.samples as Scripted[] });
  const t = guardSetup(guardRunbook({ triggers: [yaml] }), { guard: { source } }, clock);
  t.runner.autoPass = true; // rollback steps pass by themselves
  void t.c.start();
  await settle();
  // the guardrail self-test read tick 0 before the release: a first sample that is no number fails
  // it, and the release goes on only as the operator's explicit decision (UNGUARDED)
  const first = row.samples[0];
  expect(t.c.state.preflight.steps.find((x) => x.id === SELF_TEST_ID)?.status).toBe(typeof first === 'number' && Number.isFinite(first) ? 'passed' : 'failed');
  if (t.c.state.preflight.status !== 'passed') expect(t.c.proceedUnguarded()).toEqual({ ok: true });
  expect(t.c.runNextStage()).toEqual({ ok: true });
  await settle();
  expect(t.c.state.guard.armed).toBe(true);
  source.calls.splice(0, 1); // the self-test's read
  for (let k = 0; k < row.samples.length; k++) await clock.advance(k === 0 ? 0 : SEC);
  return { t, source };
}

/** The guard's trigger, hold and rollback events as `kind@tick`. */
function guardTimeline(events: readonly SessionEvent[]): string[] {
  const out: string[] = [];
  const at = (ms: number) => {
    expect(ms % SEC).toBe(0); // instant fetches: processed at the tick's own time
    return ms / SEC;
  };
  for (const e of events) {
    if (e.type === 'trigger.pending') {
      expect(e.t).toBe(e.since);
      out.push(`pending@${at(e.since)}`);
    } else if (e.type === 'trigger.reset' || e.type === 'trigger.fired' || e.type === 'trigger.nodata' || e.type === 'trigger.data-back') out.push(`${e.type.slice('trigger.'.length)}@${at(e.t)}`);
    else if (e.type === 'guard.hold') out.push(`${e.holding ? 'hold' : 'unhold'}@${at(e.t)}`);
    else if (e.type === 'rollback.started') out.push(`rollback@${at(e.t)}`);
  }
  return out;
}

/** What the controller must show for a row: its transitions, plus hold/unhold and the rollback. */
function expectedTimeline(row: Row): string[] {
  const policy = row.trigger.onNoData ?? 'hold';
  const out: string[] = [];
  for (const ev of row.events) {
    out.push(ev);
    const [kind, tick] = ev.split('@');
    if (kind === 'fired') out.push(`rollback@${tick}`);
    if (kind === 'nodata' && policy === 'hold') out.push(`hold@${tick}`);
    if (kind === 'nodata' && policy === 'rollback') out.push(`rollback@${tick}`);
    if (kind === 'data-back' && policy === 'hold') out.push(`unhold@${tick}`);
  }
  return out;
}

describe('trigger scenarios (pure step)', () => {
  it('the table is big enough and consistent', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(24);
    expect(ROWS.filter((r) => r.e2e).length).toBeGreaterThanOrEqual(8);
    for (const r of ROWS) {
      expect(firstAt(r.events, 'pending'), r.name).toBe(r.pending);
      expect(firstAt(r.events, 'fired'), r.name).toBe(r.fires);
    }
  });

  it.each(ROWS)('$name', (row) => {
    const { events, state } = runPure(row);
    expect(events).toEqual(row.events);
    expect(firstAt(events, 'pending')).toBe(row.pending);
    expect(firstAt(events, 'fired')).toBe(row.fires);
    expect(state.status === 'fired').toBe(row.fires !== 'never');
  });

  it('a fired trigger stays fired: later samples change nothing', () => {
    const t = metricTrigger({ op: 'above', threshold: 1, for: '0' });
    const fired = step(t, idleTrigger, { t: 0, value: 5 }).state;
    expect(fired.status).toBe('fired');
    for (const sample of [{ t: 1000, value: 0 }, { t: 2000, error: 'x' }, { t: 3000, value: 9 }]) {
      const r = step(t, fired, sample);
      expect(r.transition).toEqual({ kind: 'none' });
      expect(r.state).toBe(fired);
    }
  });

  it('the fired window holds every sample since the first breach, misses included', () => {
    const t = metricTrigger({ op: 'above', threshold: 1, for: '3s' });
    let s = idleTrigger;
    const samples = [{ t: 0, value: 0.2 }, { t: 1000, value: 2 }, { t: 2000, error: 'timeout' }, { t: 3000, value: Number.NaN }, { t: 4000, value: 3 }];
    let last;
    for (const x of samples) ({ state: s, transition: last } = step(t, s, x));
    expect(last).toEqual({ kind: 'fired', since: 1000, value: 3, window: [{ t: 1000, value: 2 }, { t: 2000 }, { t: 3000 }, { t: 4000, value: 3 }] });
    expect(s.misses).toBe(0);
  });

  it('countdown: elapsed and what is left of the window while pending', () => {
    const t = metricTrigger({ op: 'above', threshold: 1, for: '3s' });
    const pending = step(t, idleTrigger, { t: 2000, value: 2 }).state;
    expect(countdown(t, pending, 3500)).toEqual({ elapsedMs: 1500, leftMs: 1500 });
    expect(countdown(t, pending, 9000)).toEqual({ elapsedMs: 7000, leftMs: 0 });
    expect(countdown(t, idleTrigger, 9000)).toBeUndefined();
  });
});

describe('trigger scenarios end to end (Controller, scripted source, fake clock)', () => {
  it.each(ROWS.filter((r) => r.e2e))('$name', async (row) => {
    const { t, source } = await runEndToEnd(row);
    expect(source.calls.map((c) => c.tick)).toEqual(row.samples.map((_, k) => k));
    const timeline = guardTimeline(t.journal.events);
    expect(timeline).toEqual(expectedTimeline(row));
    // state = fold(journal): replaying the journal rebuilds everything, the triggers' machines too
    expect(foldEvents(t.c.runbook, t.journal.events)).toEqual(t.c.state);

    const fired = ofType(t.journal.events, 'trigger.fired');
    const started = ofType(t.journal.events, 'rollback.started');
    const policy = row.trigger.onNoData ?? 'hold';
    const noDataRollback = policy === 'rollback' && row.events.some((e) => e.startsWith('nodata@'));
    expect(started).toHaveLength(row.fires !== 'never' || noDataRollback ? 1 : 0);
    if (row.fires !== 'never') {
      // the window starts at the latest pending before it fired (a reset restarts it)
      const pendings = row.events.filter((e) => e.startsWith('pending@')).map((e) => Number(e.split('@')[1]));
      const pendingTick = pendings.length ? pendings[pendings.length - 1] : row.fires;
      expect(fired).toHaveLength(1);
      expect(fired[0].since).toBe(pendingTick * SEC);
      // the window is the samples on scheduled ticks from the first breach (misses as null)
      expect(fired[0].window).toEqual(
        row.samples.slice(pendingTick, row.fires + 1).map((v, i) => [(pendingTick + i) * SEC, typeof v === 'number' && Number.isFinite(v) ? v : null]),
      );
      expect(started[0]).toMatchObject({ source: 'trigger', incidentAt: pendingTick * SEC });
      expect(started[0].reason).toMatch(/^trigger fired: error_rate [<>] /);
      expect(t.c.state.guard.triggers['error-rate-above'] ?? t.c.state.guard.triggers['error-rate-below']).toMatchObject({ status: 'fired' });
    }
    if (noDataRollback) {
      const tick = firstAt(row.events, 'nodata') as number;
      expect(started[0]).toMatchObject({ source: 'trigger', incidentAt: tick * SEC });
      expect(started[0].reason).toBe(`no data: error_rate > 1 % for 3s had no data for ${row.trigger.maxErrors} samples (scripted miss)`);
    }
    if (started.length) {
      // the rollback runs once, and nothing is evaluated after it began (the guard is disarmed)
      await t.clock.advance(5 * SEC);
      expect(t.runner.keys().filter((k) => k.startsWith('rollback.'))).toEqual(['rollback.rollback', 'rollback.verify', 'rollback.incident']);
      expect(t.c.state.guard.armed).toBe(false);
      const after = t.journal.events.slice(t.journal.events.indexOf(started[0]) + 1);
      expect(after.filter((e) => e.type.startsWith('trigger.'))).toEqual([]);
    }
  });

  it('onNoData ignore: nothing happens, but the state shows NO DATA and the error', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: [0, 'miss', 'miss', 'miss'] });
    const t = guardSetup(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 3s, maxErrors: 2, onNoData: ignore }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    for (let k = 0; k < 4; k++) await clock.advance(k === 0 ? 0 : SEC);
    expect(t.c.state.guard.triggers['error-rate-above']).toMatchObject({ status: 'idle', noData: true });
    expect(t.c.state.guard.series.error_rate).toMatchObject({ misses: 3, error: 'scripted miss' });
    expect(t.c.state.guard.holding).toBe(false);
    expect(t.c.state.rollback.status).toBe('idle');
    expect(ofType(t.journal.events, 'trigger.nodata')).toEqual([expect.objectContaining({ trigger: 'error-rate-above', misses: 2, policy: 'ignore', error: 'scripted miss' })]);
    expect(t.types()).not.toContain('guard.hold');
  });

  it('NaN and ±Infinity from a source are recorded as missing samples, never as values', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: [NaN, Infinity, -Infinity, 0.5] });
    const t = guardSetup(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: "0" }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    for (let k = 0; k < 4; k++) await clock.advance(k === 0 ? 0 : SEC);
    expect(t.c.state.guard.series.error_rate.samples).toEqual([[0, null], [1000, null], [2000, null], [3000, 0.5]]);
    const sampled = ofType(t.journal.events, 'metric.sampled');
    expect(sampled.slice(0, 3).map((e) => typeof e.errors.error_rate)).toEqual(['string', 'string', 'string']);
    expect(t.types()).not.toContain('trigger.fired');
  });
});

// ── several triggers, probes, arming ────────────────────────────────────────────────────────────

const THREE_SERIES = `
    error_rate: { query: e, unit: '%' }
    latency_p95: { query: l, unit: ms }
    memory: { query: m, unit: '%' }`;

describe('several triggers at once', () => {
  it('only the first to fire starts the rollback; the rollback runs once; nothing is evaluated after it', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: Array(10).fill(4), latency_p95: Array(10).fill(2500), memory: Array(10).fill(95) });
    const t = guardSetup(
      guardRunbook({
        series: THREE_SERIES,
        triggers: ['{ id: errors, metric: error_rate, above: 1, for: "0" }', '{ id: latency, metric: latency_p95, above: 2000, for: "0" }', '{ id: memory, metric: memory, above: 85, for: 2s }'],
      }),
      { guard: { source } },
      clock,
    );
    t.runner.autoPass = true;
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(0);
    await clock.advance(5 * SEC);
    const trig = t.journal.events.filter((e) => e.type.startsWith('trigger.'));
    expect(trig.map((e) => [e.type, (e as { trigger: string }).trigger])).toEqual([['trigger.fired', 'errors']]);
    expect(ofType(t.journal.events, 'rollback.started')).toEqual([expect.objectContaining({ source: 'trigger', incidentAt: 0, reason: 'trigger fired: error_rate > 1 %: error_rate 4 % now, breaching since 0s (1 samples)' })]);
    expect(t.runner.keys().filter((k) => k.startsWith('rollback.'))).toEqual(['rollback.rollback', 'rollback.verify', 'rollback.incident']);
    expect(t.c.state.guard.triggers).toMatchObject({ errors: { status: 'fired' }, latency: { status: 'idle' }, memory: { status: 'idle' } });
    expect(t.c.guard!.triggerState('latency')!.status).toBe('idle');
    expect(t.c.guard!.triggerState('memory')!.status).toBe('idle');
    expect(t.c.state.outcome).toBe('rolled-back');
  });

  it('a trigger that goes pending later than another fires second and is refused: one rollback', async () => {
    const clock = new FakeClock();
    // latency breaches from tick 0 (for 3s → would fire at 3); errors from tick 1 (for 1s → fires at 2)
    const source = new ScriptedSource(clock, SEC, { error_rate: [0, 4, 4, 4, 4, 4], latency_p95: Array(6).fill(2500), memory: Array(6).fill(10) });
    const t = guardSetup(
      guardRunbook({ series: THREE_SERIES, triggers: ['{ id: latency, metric: latency_p95, above: 2000, for: 3s }', '{ id: errors, metric: error_rate, above: 1, for: 1s }'] }),
      { guard: { source } },
      clock,
    );
    t.runner.autoPass = true;
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    for (let k = 0; k < 6; k++) await clock.advance(k === 0 ? 0 : SEC);
    expect(guardTimeline(t.journal.events)).toEqual(['pending@0', 'pending@1', 'fired@2', 'rollback@2']);
    expect(ofType(t.journal.events, 'trigger.fired').map((e) => e.trigger)).toEqual(['errors']);
    expect(ofType(t.journal.events, 'rollback.started')).toHaveLength(1);
  });
});

const PROBES = `
  - { name: checkout, url: 'http://127.0.0.1:8080/checkout', critical: true }
  - { name: search, url: 'http://127.0.0.1:8080/search' }`;
const PROBE_URLS = { checkout: 'http://127.0.0.1:8080/checkout', search: 'http://127.0.0.1:8080/search' };

async function probeScenario(checkout: readonly (number | { error: string })[], search: readonly (number | { error: string })[], trigger = '{ probe: critical, status: 5xx }') {
  const clock = new FakeClock();
  const n = checkout.length;
  const source = new ScriptedSource(clock, SEC, { error_rate: Array(n + 10).fill(0.1) });
  const { probe, calls } = scriptedProbe(clock, SEC, { checkout, search }, PROBE_URLS);
  const t = guardSetup(guardRunbook({ probes: PROBES, metricsExtra: '\n  maxErrors: 2', triggers: [trigger] }), { guard: { source, probe } }, clock);
  t.runner.autoPass = true;
  void t.c.start();
  await settle();
  t.c.runNextStage();
  await settle();
  for (let k = 0; k < n; k++) await clock.advance(k === 0 ? 0 : SEC);
  return { t, calls };
}

describe('probe triggers', () => {
  it('200 → 503 on a critical probe with status: 5xx fires on the first 5xx (zero tolerance)', async () => {
    const { t, calls } = await probeScenario([200, 200, 503], [500, 500, 500]);
    // the guardrail self-test's probe at tick 0, then one a tick
    expect(calls.filter((c) => c.url === PROBE_URLS.checkout).map((c) => c.tick)).toEqual([0, 0, 1, 2]);
    expect(guardTimeline(t.journal.events)).toEqual(['fired@2', 'rollback@2']);
    const started = ofType(t.journal.events, 'rollback.started')[0];
    expect(started).toMatchObject({ source: 'trigger', incidentAt: 2000, reason: 'trigger fired: critical probes 5xx: breaching now, breaching since 0s (1 samples)' });
    expect(t.c.state.guard.probes.checkout).toMatchObject({ status: 503 });
  });

  it('a non-critical probe failing does not fire the critical trigger', async () => {
    const { t } = await probeScenario([200, 200, 200], [503, 503, 503]);
    expect(t.types()).not.toContain('trigger.fired');
    expect(t.c.state.rollback.status).toBe('idle');
  });

  it('a connection error is a miss, not a breach, for a 5xx trigger (NO DATA after maxErrors, then fires on a real 5xx)', async () => {
    const refused = { error: 'ECONNREFUSED' };
    const { t } = await probeScenario([200, refused, refused, refused, 200, 503], [200, 200, 200, 200, 200, 200]);
    expect(guardTimeline(t.journal.events)).toEqual(['nodata@2', 'hold@2', 'data-back@4', 'unhold@4', 'fired@5', 'rollback@5']);
    expect(ofType(t.journal.events, 'trigger.nodata')[0]).toMatchObject({ trigger: 'probe-critical', misses: 2, policy: 'hold', error: 'checkout: ECONNREFUSED' });
  });

  it('status: error treats a connection error as a breach', async () => {
    const { t } = await probeScenario([200, { error: 'ECONNREFUSED' }], [200, 200], '{ probe: checkout, status: error }');
    expect(guardTimeline(t.journal.events)).toEqual(['fired@1', 'rollback@1']);
  });

  it('probeBreach / probeSample: each kind of probe trigger', () => {
    const p = (status: ProbeTrig['status'], latencyAbove?: number): ProbeTrig => ({ kind: 'probe', id: 'p', probe: 'critical', status, latencyAbove, forMs: 0, onNoData: 'hold' });
    const rows: [ProbeTrig, { status?: number; latencyMs?: number; error?: string }, boolean | undefined][] = [
      [p('5xx'), { status: 200 }, false],
      [p('5xx'), { status: 499 }, false],
      [p('5xx'), { status: 500 }, true],
      [p('5xx'), { status: 599 }, true],
      [p('5xx'), { error: 'ECONNREFUSED' }, undefined],
      [p('4xx'), { status: 404 }, true],
      [p('4xx'), { status: 503 }, false],
      [p(503), { status: 503 }, true],
      [p(503), { status: 502 }, false],
      [p('error'), { error: 'timed out after 500 ms' }, true],
      [p('error'), { status: 500 }, false],
      [p(undefined), { status: 502 }, true],
      [p(undefined, 300), { status: 200, latencyMs: 300 }, false],
      [p(undefined, 300), { status: 200, latencyMs: 301 }, true],
    ];
    for (const [trig, result, want] of rows) expect(probeBreach(trig, result), JSON.stringify([trig.status, trig.latencyAbove, result])).toBe(want);
    const defs = [{ name: 'a', critical: true }, { name: 'b', critical: true }, { name: 'c' }];
    const t5 = p('5xx');
    expect(probeSample(t5, defs, { a: { status: 200 }, b: { status: 503 }, c: { status: 200 } }, 7)).toEqual({ t: 7, value: 1 });
    expect(probeSample(t5, defs, { a: { status: 200 }, b: { error: 'x' }, c: { status: 503 } }, 7)).toEqual({ t: 7, value: 0 });
    expect(probeSample(t5, defs, { a: { error: 'x' }, b: { error: 'y' } }, 7)).toEqual({ t: 7, error: 'a: x; b: y' });
  });
});

type ProbeTrig = Extract<Trigger, { kind: 'probe' }>;


describe('arming', () => {
  const STAGES = `
  - id: staging
    armed: false
    steps:
      - run: ./scripts/deploy-staging.sh
  - id: production
    armed: true
    steps:
      - run: ./scripts/deploy-production.sh`;

  /** A guarded release with onFailure 'wait', the 3 s error-rate trigger and `source`: staging passed, production's deploy running. */
  async function productionRunning(clock: FakeClock, source: ScriptedSource) {
    const t = guardSetup(guardRunbook({ stages: STAGES, triggers: ['{ metric: error_rate, above: 1, for: 3s }'] }), { guard: { source }, onFailure: 'wait' }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    t.runner.finish('staging.deploy-staging');
    await settle();
    expect(t.c.runNextStage().ok).toBe(true);
    await settle();
    return t;
  }

  it('triggers are not evaluated outside armed stages and monitor steps; disarming resets them', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: Array(10).fill(5) });
    const t = guardSetup(guardRunbook({ stages: STAGES, triggers: ['{ metric: error_rate, above: 1, for: 10s }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(0);
    await clock.advance(2 * SEC); // ticks 0, 1, 2: breaching, disarmed
    expect(t.runner.isRunning('staging.deploy-staging')).toBe(true);
    expect(t.c.state.guard.armed).toBe(false);
    expect(ofType(t.journal.events, 'metric.sampled')).toHaveLength(3);
    expect(t.journal.events.filter((e) => e.type.startsWith('trigger.'))).toEqual([]);
    expect(t.c.state.guard.triggers['error-rate-above']).toMatchObject({ status: 'idle' });

    t.runner.finish('staging.deploy-staging');
    await settle();
    expect(t.c.runNextStage().ok).toBe(true);
    await settle();
    expect(t.c.state.guard.armed).toBe(true);
    await clock.advance(SEC); // tick 3: armed, pending from here (not from tick 0)
    expect(ofType(t.journal.events, 'trigger.pending')).toEqual([expect.objectContaining({ since: 3000, value: 5 })]);
    await clock.advance(SEC);
    expect(t.c.state.guard.triggers['error-rate-above']).toMatchObject({ status: 'pending', since: 3000 });

    t.runner.finish('production.deploy-production');
    await settle();
    expect(t.c.state.outcome).toBe('released');
    expect(t.c.state.guard.armed).toBe(false);
    expect(t.c.state.guard.triggers['error-rate-above']).toMatchObject({ status: 'idle' });
    expect(t.c.guard!.triggerState('error-rate-above')).toMatchObject({ status: 'idle', window: [] });
    const before = t.journal.events.length;
    await clock.advance(3 * SEC);
    expect(t.journal.events.slice(before).filter((e) => e.type.startsWith('trigger.'))).toEqual([]);
    expect(ofType(t.journal.events, 'guard.armed').map((e) => [e.armed, e.why])).toEqual([
      [true, 'stage:production'],
      [false, 'stage:production'],
    ]);
  });

  it('a failed stage waiting for the operator keeps its triggers armed: a trigger that fires meanwhile rolls back', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: [0.2, 0.2, ...Array(100).fill(5)] });
    const t = await productionRunning(clock, source);
    await clock.advance(0);
    t.runner.fail('production.deploy-production');
    await settle();
    expect(t.c.state.stages[1].status).toBe('failed');
    expect(t.c.state.guard.armed).toBe(true);
    expect(t.c.busy).toBe(false);
    // the metric breaches from tick 2; the window of 3 s ends at tick 5: it fires, the rollback runs
    await clock.advance(5 * SEC);
    expect(ofType(t.journal.events, 'trigger.fired')).toEqual([expect.objectContaining({ since: 2000 })]);
    expect(ofType(t.journal.events, 'rollback.started')).toEqual([expect.objectContaining({ source: 'trigger', incidentAt: 2000 })]);
  });

  it('q on a failed stage waiting for the operator disarms its triggers (retry re-arms them for its run)', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: Array(100).fill(0.2) });
    const t = await productionRunning(clock, source);
    t.runner.fail('production.deploy-production');
    await settle();
    expect(t.c.state.guard.armed).toBe(true);
    expect(t.c.retry().ok).toBe(true);
    await settle();
    t.runner.fail('production.deploy-production');
    await settle();
    expect(t.c.state.guard.armed).toBe(true);
    expect(t.c.quit().ok).toBe(true);
    expect(t.c.state.guard.armed).toBe(false);
    expect(t.c.state.outcome).toBe('failed');
    expect(ofType(t.journal.events, 'guard.armed').map((e) => [e.armed, e.why])).toEqual([
      [true, 'stage:production'],
      [false, 'stage:production'],
    ]);
  });
});

// ── windows on scheduled ticks ──────────────────────────────────────────────────────────────────

describe('windows are measured on scheduled ticks', () => {
  async function delayed(samples: readonly Scripted[], delays: readonly number[], trigger = '{ metric: error_rate, above: 1, for: 3s }') {
    const clock = new FakeClock();
    // the guardrail self-test's read (the first call) answers at once; the ticks' reads take their delays
    let selfTest = true;
    const source = new ScriptedSource(clock, SEC, { error_rate: samples }, (tick) => (selfTest ? ((selfTest = false), 0) : delays[tick]));
    const t = guardSetup(guardRunbook({ triggers: [trigger] }), { guard: { source } }, clock);
    t.runner.autoPass = true;
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(0);
    await clock.advance(samples.length * SEC);
    return { t, source };
  }

  it('late fetches (under the timeout) do not shift the decision: fires on the same tick, same window', async () => {
    const onTime = await delayed([2, 2, 2, 2], [0, 0, 0, 0]);
    // returned at 450, 1000, 2000, 3010: measured on return times, 3010 − 450 < 3 s would not fire yet
    const jitter = await delayed([2, 2, 2, 2], [450, 0, 0, 10]);
    const firedOnTime = ofType(onTime.t.journal.events, 'trigger.fired');
    const firedJitter = ofType(jitter.t.journal.events, 'trigger.fired');
    expect(firedJitter).toHaveLength(1);
    expect(firedJitter[0]).toMatchObject({ since: 0, t: 3010, window: [[0, 2], [1000, 2], [2000, 2], [3000, 2]] });
    expect({ since: firedJitter[0].since, window: firedJitter[0].window, reason: firedJitter[0].reason }).toEqual({ since: firedOnTime[0].since, window: firedOnTime[0].window, reason: firedOnTime[0].reason });
    expect(ofType(jitter.t.journal.events, 'trigger.pending')[0]).toMatchObject({ since: 0, t: 450 });
    expect(ofType(jitter.t.journal.events, 'rollback.started')[0]).toMatchObject({ incidentAt: 0 });
    expect(ofType(jitter.t.journal.events, 'metric.sampled').slice(0, 4).map((e) => e.time)).toEqual([0, 1000, 2000, 3000]);
  });

  it('a late good sample still resets on its own tick', async () => {
    const { t } = await delayed([2, 2, 2, 0.5, 2], [0, 300, 0, 480, 0]);
    expect(t.types()).not.toContain('trigger.fired');
    expect(ofType(t.journal.events, 'trigger.reset')[0]).toMatchObject({ t: 3480 });
  });

  it('a fetch still running at the next tick makes that tick a miss: no overlapping fetch, samples stay in tick order', async () => {
    const clock = new FakeClock();
    // tick 1's fetch hangs for 2.5 s (it ignores the abort); the timeout is interval/2 = 500 ms
    const source = new ScriptedSource(clock, SEC, { error_rate: [2, 2, 2, 2, 2, 2] }, (tick) => (tick === 1 ? 2500 : 0));
    const t = guardSetup(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 2s }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(0);
    await clock.advance(4 * SEC);
    expect(t.c.guard!.timeoutMs).toBe(500);
    // the guardrail self-test's read, then the ticks' reads
    expect(source.calls.map((c) => c.tick)).toEqual([0, 0, 1, 4]);
    expect(source.maxInFlight).toBe(1);
    expect(source.calls[2].signal.aborted).toBe(true);
    const sampled = ofType(t.journal.events, 'metric.sampled');
    expect(sampled.map((e) => [e.tick, e.time, e.values.error_rate])).toEqual([
      [0, 0, 2],
      [1, 1000, null],
      [2, 2000, null],
      [3, 3000, null],
      [4, 4000, 2],
    ]);
    expect(sampled.map((e) => e.errors.error_rate)).toEqual([undefined, 'timed out after 500 ms', 'previous fetch still running', 'previous fetch still running', undefined]);
    // misses inside the window: still pending, fires on the real breach at tick 4
    expect(ofType(t.journal.events, 'trigger.fired')).toEqual([expect.objectContaining({ since: 0, window: [[0, 2], [1000, null], [2000, null], [3000, null], [4000, 2]] })]);
  });

  it('a source that rejects is a miss for every series, not a crash', async () => {
    const clock = new FakeClock();
    let n = 0;
    const source = {
      kind: 'broken',
      fetch: async () => {
        // call 0 is the guardrail self-test's read; tick 1's read (call 2) throws
        if (n++ === 2) throw new Error('socket hang up');
        return { error_rate: { value: 0.2 } };
      },
    };
    const t = guardSetup(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 2s }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(0);
    await clock.advance(2 * SEC);
    const sampled = ofType(t.journal.events, 'metric.sampled');
    expect(sampled.map((e) => [e.tick, e.values.error_rate, e.errors.error_rate])).toEqual([
      [0, 0.2, undefined],
      [1, null, 'socket hang up'],
      [2, 0.2, undefined],
    ]);
  });
});

// ── monitor steps and criteria ──────────────────────────────────────────────────────────────────

describe('monitor steps', () => {
  const MONITOR = `
  - id: production
    armed: false
    steps:
      - monitor: 30s`;

  async function monitorScenario(samples: readonly Scripted[], trigger = '{ metric: error_rate, above: 1, for: 3s, maxErrors: 2 }', stages = MONITOR) {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: samples });
    const t = guardSetup(guardRunbook({ stages, triggers: [trigger] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    // a source that misses from the start fails the guardrail self-test: going on is the operator's explicit choice
    if (t.c.state.preflight.status !== 'passed') expect(t.c.proceedUnguarded()).toEqual({ ok: true });
    t.c.runNextStage();
    await settle();
    await clock.advance(0);
    return t;
  }
  const monitor = (t: Awaited<ReturnType<typeof monitorScenario>>) => t.c.state.stages[0].steps.find((s) => s.id.startsWith('monitor'))!;

  it('passes after its window when nothing fires; it arms the guard only while it runs', async () => {
    const t = await monitorScenario(Array(40).fill(0.2));
    await t.clock.advance(29_999);
    expect(monitor(t).status).toBe('running');
    expect(t.c.state.guard.armed).toBe(true);
    await t.clock.advance(1);
    expect(monitor(t)).toMatchObject({ status: 'passed', durationMs: 30_000 });
    expect(t.c.state.outcome).toBe('released');
    expect(ofType(t.journal.events, 'guard.armed').map((e) => [e.armed, e.why, e.t])).toEqual([
      [true, 'monitor:production/monitor-30s', 0],
      [false, 'monitor:production/monitor-30s', 30_000],
    ]);
  });

  it('a trigger firing during it interrupts it and rolls back', async () => {
    const t = await monitorScenario([0.2, 0.2, 0.2, 0.2, 0.2, ...Array(30).fill(2)]);
    await t.clock.advance(8 * SEC);
    expect(monitor(t)).toMatchObject({ status: 'interrupted' });
    expect(t.c.state.stages[0].status).toBe('interrupted');
    expect(t.c.state.rollback).toMatchObject({ status: 'running', source: 'trigger', reason: 'trigger fired: error_rate > 1 % for 3s: error_rate 2 % now, breaching since 3s (4 samples)' });
    expect(ofType(t.journal.events, 'rollback.started')[0]).toMatchObject({ t: 8000, incidentAt: 5000 });
    expect(t.runner.isRunning('rollback.rollback')).toBe(true);
    // the monitor's own timer never completes it afterwards
    t.runner.autoPass = true;
    t.runner.finish('rollback.rollback');
    await t.clock.advance(60 * SEC);
    expect(monitor(t).status).toBe('interrupted');
    expect(t.c.state.outcome).toBe('rolled-back');
  });

  it('onNoData hold pauses its countdown (guard.hold) and resumes it when data returns', async () => {
    const samples: Scripted[] = [...Array(10).fill(0.2), 'miss', 'miss', 'miss', 'miss', 'miss', ...Array(30).fill(0.2)];
    const t = await monitorScenario(samples);
    await t.clock.advance(11 * SEC); // misses at 10, 11 → NO DATA at 11 s: 19 s left
    expect(t.c.state.guard.holding).toBe(true);
    await t.clock.advance(4 * SEC); // data back at 15 s
    expect(t.c.state.guard.holding).toBe(false);
    expect(ofType(t.journal.events, 'guard.hold').map((e) => [e.holding, e.t, e.triggers])).toEqual([
      [true, 11_000, ['error-rate-above']],
      [false, 15_000, []],
    ]);
    await t.clock.advance(18_999); // 33 999
    expect(monitor(t).status).toBe('running');
    await t.clock.advance(1); // 34 000 = 30 s of watching + 4 s held
    expect(monitor(t)).toMatchObject({ status: 'passed', durationMs: 34_000 });
  });

  it('a monitor that starts while the guard holds waits for data before counting', async () => {
    const stages = `
  - id: production
    armed: true
    steps:
      - run: ./scripts/deploy.sh
      - monitor: 10s`;
    const t = await monitorScenario(['miss', 'miss', 'miss', 'miss', ...Array(20).fill(0.2)], undefined, stages);
    await t.clock.advance(SEC); // NO DATA at 1 s: hold
    expect(t.c.state.guard.holding).toBe(true);
    await t.clock.advance(1500);
    t.runner.finish('production.deploy');
    await settle();
    expect(monitor(t).status).toBe('running');
    await t.clock.advance(1500); // 4 s: data back, the 10 s start now
    expect(t.c.state.guard.holding).toBe(false);
    await t.clock.advance(9999);
    expect(monitor(t).status).toBe('running');
    await t.clock.advance(1);
    expect(monitor(t).status).toBe('passed');
  });
});

describe('criteria at stage end', () => {
  const CRITERIA = `
  - id: production
    armed: false
    steps:
      - run: ./scripts/deploy.sh
    criteria:
      - { metric: latency_p95, below: 500 }
      - { metric: error_rate, below: 1 }
      - { metric: throughput, above: 100 }`;
  const SERIES = `
    latency_p95: { query: l, unit: ms }
    error_rate: { query: e, unit: '%' }
    throughput: { query: t, unit: rps }`;

  async function criteriaScenario(script: Record<string, Scripted[]>) {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, script);
    const t = guardSetup(guardRunbook({ stages: CRITERIA, series: SERIES, triggers: ['{ metric: error_rate, above: 5, for: 1m }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(0);
    await clock.advance(2500); // ticks 0, 1, 2
    t.runner.finish('production.deploy');
    await settle();
    return t;
  }

  it('pass: the latest samples meet every criterion', async () => {
    const t = await criteriaScenario({ latency_p95: [900, 450, 310], error_rate: [3, 0.5, 0.3], throughput: [50, 120, 140] });
    expect(ofType(t.journal.events, 'criteria.checked')[0].results).toEqual([
      { metric: 'latency_p95', op: 'below', threshold: 500, value: 310, ok: true },
      { metric: 'error_rate', op: 'below', threshold: 1, value: 0.3, ok: true },
      { metric: 'throughput', op: 'above', threshold: 100, value: 140, ok: true },
    ]);
    expect(t.c.state.stages[0].status).toBe('passed');
  });

  it('fail: the reason names the values (exactly at a threshold does not meet it)', async () => {
    const t = await criteriaScenario({ latency_p95: [300, 320, 750], error_rate: [0.1, 0.2, 1], throughput: [150, 150, 150] });
    expect(t.c.state.stages[0].status).toBe('failed');
    expect(ofType(t.journal.events, 'stage.failed')[0].reason).toBe('latency_p95 750 ms (needs < 500 ms); error_rate 1 % (needs < 1 %)');
  });

  it('no data fails the criterion (the latest sample was a miss)', async () => {
    const t = await criteriaScenario({ latency_p95: [300, 300, 300], error_rate: [0.1, 0.2, 'miss'], throughput: [150, 150, NaN] });
    expect(t.c.state.stages[0].status).toBe('failed');
    expect(ofType(t.journal.events, 'stage.failed')[0].reason).toBe('error_rate: no data (needs < 1 %); throughput: no data (needs > 100 rps)');
  });
});

// ── time to restore ─────────────────────────────────────────────────────────────────────────────

describe('time to restore', () => {
  it('rollback.verified.restoreMs = verify passing time − first breaching sample time', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: [0.2, 0.2, ...Array(30).fill(2)] });
    const t = guardSetup(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 3s }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(0);
    await clock.advance(5 * SEC); // first breach at 2 s, fires at 5 s
    expect(ofType(t.journal.events, 'rollback.started')[0]).toMatchObject({ t: 5000, incidentAt: 2000 });
    await clock.advance(7000);
    t.runner.finish('rollback.rollback');
    await settle();
    await clock.advance(2500);
    expect(t.types()).not.toContain('rollback.verified');
    t.runner.finish('rollback.verify'); // at 14.5 s
    await settle();
    expect(ofType(t.journal.events, 'rollback.verified')).toEqual([expect.objectContaining({ restoreMs: 12_500, t: 14_500 })]);
    expect(t.c.state.guard.restoreMs).toBe(12_500);
    await clock.advance(3000);
    t.runner.finish('rollback.incident');
    await settle();
    expect(t.c.state.guard.restoreMs).toBe(12_500);
    expect(t.c.state.outcome).toBe('rolled-back');
  });

  it('an operator rollback measures from the request', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: Array(30).fill(0.2) });
    const t = guardSetup(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 3s }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    await clock.advance(4200);
    t.c.rollback('operator says so', 'operator');
    await settle();
    await clock.advance(1000);
    t.runner.finish('rollback.rollback');
    await settle();
    await clock.advance(800);
    t.runner.finish('rollback.verify');
    await settle();
    expect(ofType(t.journal.events, 'rollback.started')[0]).toMatchObject({ incidentAt: 4200 });
    expect(t.c.state.guard.restoreMs).toBe(1800);
  });
});

// ── escalation ──────────────────────────────────────────────────────────────────────────────────

describe('escalation', () => {
  const ESCALATION = `
  - { after: 0m, run: [./scripts/incident-alert.sh, "--level={level}", "{reason}"] }
  - { after: 5m, title: Notify the channel, notify: { slack: { webhookEnv: SLACK_WEBHOOK_URL } } }
  - { after: 15m, run: [./scripts/escalate-leadership.sh, "{level}"] }`;
  const HOOK = 'https://hooks.slack.test/services/T0/B0/XYZ';
  const REASON = 'trigger fired: error_rate > 1 % for 3s: error_rate 2 % now, breaching since 3s (4 samples)';

  type Post = (url: string, body: unknown, timeoutMs: number) => Promise<{ ok: boolean; status?: number; error?: string }>;

  /** Breaches from 2 s, fires at 5 s (incident at 2 s); rollback and escalation commands pass at once. */
  async function incident(mode: 'tui' | 'headless', post: Post, env: NodeJS.ProcessEnv = { SLACK_WEBHOOK_URL: HOOK }, instantRollback = true, escalation = ESCALATION) {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: [0.2, 0.2, ...Array(2000).fill(2)] });
    const t = guardSetup(
      guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 3s }'], escalation }),
      { guard: { source }, escalation: { post, retryDelayMs: 1000 }, env, mode, autoAdvance: mode === 'headless' },
      clock,
    );
    if (instantRollback) t.runner.autoPass = true;
    else for (const k of ['escalation.escalation-1', 'escalation.escalation-2', 'escalation.escalation-3']) t.runner.auto.set(k, {});
    void t.c.start();
    await settle();
    if (mode === 'tui') t.c.runNextStage();
    await settle();
    await clock.advance(0);
    await clock.advance(5 * SEC);
    return t;
  }
  const okPost = () => {
    const calls: { url: string; body: Record<string, unknown>; t: number; timeoutMs: number }[] = [];
    let clock: FakeClock | undefined;
    const post: Post = async (url, body, timeoutMs) => {
      calls.push({ url, body: body as Record<string, unknown>, t: clock?.now() ?? -1, timeoutMs });
      return { ok: true, status: 200 };
    };
    return { calls, post, bind: (c: FakeClock) => (clock = c) };
  };
  const started = (t: { journal: { events: SessionEvent[] } }) => ofType(t.journal.events, 'escalation.started').map((e) => [e.level, e.t]);

  it('levels run in order from the incident start, in both modes moved later as a whole when the rollback starts after the first level\'s time: never at once', async () => {
    for (const mode of ['tui', 'headless'] as const) {
      const p = okPost();
      // incident at 2 s (the first breaching sample), fired at 5 s; the rollback is still running
      const t = await incident(mode, p.post, undefined, false);
      p.bind(t.clock);
      expect(ofType(t.journal.events, 'rollback.started')[0]).toMatchObject({ t: 5000, incidentAt: 2000 });
      expect(started(t)).toEqual([[1, 5000]]); // 0m: at the rollback's start
      const alert = t.runner.started.find((r) => r.key === 'escalation.escalation-1')!;
      expect(alert.invocation).toMatchObject({ file: './scripts/incident-alert.sh', args: ['--level=1', REASON] });
      // on screen: the levels to come, due 5 and 15 minutes after the first (not 5 m after 2 s: 3 s late already)
      const rows = () => buildRows(t.c.state, t.c.runbook.escalation).filter((r) => r.kind === 'escalation').map((r) => [r.title, r.status, r.dueAt]);
      expect(rows()).toEqual([
        ['Level 1', 'passed', undefined],
        ['L2 Notify the channel', 'pending', 305_000],
        ['Level 3', 'pending', 905_000],
      ]);

      await t.clock.advance(305_000 - 5000 - 1);
      expect(started(t)).toEqual([[1, 5000]]);
      await t.clock.advance(1);
      expect(started(t)).toEqual([[1, 5000], [2, 305_000]]);
      expect(p.calls).toEqual([
        {
          url: HOOK,
          t: 305_000,
          timeoutMs: expect.any(Number),
          body: { text: expect.any(String), blocks: expect.any(Array) },
        },
      ]);
      // Slack's documented body, escaped, carrying the reason and the decision record of the trigger
      expect(slackProblems(p.calls[0].body)).toEqual([]);
      expect(String(p.calls[0].body.text)).toBe(`:rotating_light: web-app 2.4.0 in production: Notify the channel (level 2): ${REASON.replace('>', '&gt;')}`);
      expect(JSON.stringify(p.calls[0].body.blocks)).toContain('error_rate 2 % &gt; 1 % for 3s\\nquery: sum(rate(errors[1m]))\\nwindow 4 samples over 3s: 2 2 2 2');

      await t.clock.advance(905_000 - 305_000);
      expect(started(t)).toEqual([[1, 5000], [2, 305_000], [3, 905_000]]);
      expect(t.runner.started.find((r) => r.key === 'escalation.escalation-3')!.invocation.args).toEqual(['3']);
      expect(ofType(t.journal.events, 'escalation.finished').map((e) => [e.level, e.ok, e.attempts])).toEqual([
        [1, true, 1],
        [2, true, 1],
        [3, true, 1],
      ]);
      expect(t.types()).not.toContain('incident.resolved');
    }
  });

  it('a first level due after the rollback started runs at the incident start + after (the schedule is not moved)', async () => {
    const t = await incident('tui', okPost().post, undefined, false, `
  - { after: 5m, title: Page on-call engineer }
  - { after: 15m, title: Tell leadership }`);
    await t.clock.advance(3_600_000);
    expect(started(t)).toEqual([[1, 302_000], [2, 902_000]]);
  });

  it('a level with only a title is a reminder: journalled at its time, nothing run or posted; the screen rows show it', async () => {
    const p = okPost();
    const t = await incident('tui', p.post, {}, false, `
  - { after: 0m, title: Automated alerts to releases }
  - { after: 5m, title: Page on-call engineer }`);
    const clock = t.clock;
    expect(ofType(t.journal.events, 'escalation.started').map((e) => [e.level, e.title, e.action, e.t])).toEqual([[1, 'Automated alerts to releases', 'reminder', 5000]]);
    // on screen: level 1 done, level 2 due 5 min after it
    const rows = () => buildRows(t.c.state, t.c.runbook.escalation).filter((r) => r.stageId === 'escalation');
    expect(rows().map((r) => [r.title, r.status, r.dueAt, r.detail])).toEqual([
      ['Escalation', 'running', undefined, undefined],
      ['L1 Automated alerts to releases', 'passed', undefined, 'reminder'],
      ['L2 Page on-call engineer', 'pending', 305_000, undefined],
    ]);
    await clock.advance(305_000 - 5000);
    expect(ofType(t.journal.events, 'escalation.started').map((e) => [e.level, e.action, e.t])).toEqual([
      [1, 'reminder', 5000],
      [2, 'reminder', 305_000],
    ]);
    expect(ofType(t.journal.events, 'escalation.finished').map((e) => [e.level, e.ok])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(p.calls).toEqual([]);
    expect(t.runner.keys().filter((k) => k.startsWith('escalation.') && !k.startsWith('escalation.escalation-'))).toEqual([]);
    expect(rows().map((r) => [r.title, r.status])).toEqual([
      ['Escalation', 'passed'],
      ['L1 Automated alerts to releases', 'passed'],
      ['L2 Page on-call engineer', 'passed'],
    ]);
  });

  it('tui: verify passing resolves the incident, as headless: no level runs after it; nothing left to acknowledge', async () => {
    const p = okPost();
    const t = await incident('tui', p.post);
    expect(ofType(t.journal.events, 'rollback.verified')[0]).toMatchObject({ t: 5000, restoreMs: 3000 });
    expect(t.types()).toContain('incident.resolved');
    expect(t.c.state.guard.resolved).toBe(true);
    await t.clock.advance(3_600_000);
    expect(started(t)).toEqual([[1, 5000]]);
    expect(t.c.acknowledge()).toEqual({ ok: false, reason: 'the incident is resolved (verify passed): nothing to acknowledge' });
    expect(t.types()).not.toContain('incident.acknowledged');
    expect(t.types().filter((x) => x === 'incident.resolved')).toHaveLength(1);
  });

  it('levels still due when the operator quits or the cockpit ends are journalled as not run (escalation.dropped), never run after', async () => {
    for (const how of ['quit', 'dispose'] as const) {
      const t = await incident('tui', okPost().post, undefined, false);
      expect(pendingLevels(t.c.runbook.escalation, t.c.state.guard, t.c.state.rollback).map((l) => [l.level, l.dueAt])).toEqual([[2, 305_000], [3, 905_000]]);
      await t.clock.advance(10_000);
      if (how === 'quit') {
        expect(t.c.busy).toBe(true); // the rollback runs: q is refused
        t.runner.fail('rollback.rollback');
        await settle();
        t.runner.finish('rollback.incident');
        await settle();
        expect(t.c.quit().ok).toBe(true);
      } else t.c.dispose();
      const dropped = ofType(t.journal.events, 'escalation.dropped');
      expect(dropped).toEqual([
        expect.objectContaining({
          levels: [
            { level: 2, title: 'Notify the channel', dueAt: 305_000 },
            { level: 3, title: 'Level 3', dueAt: 905_000 },
          ],
          why: how === 'quit' ? 'the operator quit the cockpit' : 'the cockpit ended',
        }),
      ]);
      expect(pendingLevels(t.c.runbook.escalation, t.c.state.guard, t.c.state.rollback)).toEqual([]);
      await t.clock.advance(3_600_000);
      expect(started(t)).toEqual([[1, 5000]]);
    }
  });

  it('tui: acknowledged before verify passes → resolved when it passes', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: Array(2000).fill(2) });
    const t = guardSetup(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: "0" }'], escalation: ESCALATION }), { guard: { source }, env: { SLACK_WEBHOOK_URL: HOOK }, escalation: { post: okPost().post } }, clock);
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    await clock.advance(0);
    t.runner.finish('escalation.escalation-1');
    expect(t.c.acknowledge().ok).toBe(true);
    await clock.advance(60_000);
    expect(t.types()).not.toContain('incident.resolved');
    t.runner.finish('rollback.rollback');
    await settle();
    t.runner.finish('rollback.verify');
    await settle();
    expect(t.types()).toContain('incident.resolved');
    await clock.advance(3_600_000);
    expect(started(t)).toEqual([[1, 0]]);
  });

  it('headless: escalation stops when verify passes', async () => {
    const p = okPost();
    const t = await incident('headless', p.post, undefined, false);
    expect(started(t)).toEqual([[1, 5000]]);
    await t.clock.advance(20_000);
    t.runner.finish('rollback.rollback');
    await settle();
    await t.clock.advance(20_000);
    expect(t.types()).not.toContain('incident.resolved');
    t.runner.finish('rollback.verify'); // at 45 s
    await settle();
    expect(ofType(t.journal.events, 'rollback.verified')[0]).toMatchObject({ restoreMs: 43_000 });
    t.runner.finish('rollback.incident');
    expect(await t.c.settled).toBe('rolled-back');
    expect(t.types()).toContain('incident.resolved');
    await t.clock.advance(3_600_000);
    expect(started(t)).toEqual([[1, 5000]]);
    expect(p.calls).toEqual([]);
  });

  it('a failing post is retried, then reported (ok: false, attempts) without throwing; later levels still run', async () => {
    const times: number[] = [];
    let clock!: FakeClock;
    const post: Post = async () => {
      times.push(clock.now());
      return { ok: false, status: 500, error: 'HTTP 500' };
    };
    const t = await incident('tui', (...a) => post(...a), undefined, false);
    clock = t.clock;
    await t.clock.advance(310_000 - 5000);
    expect(times).toEqual([305_000, 306_000, 308_000]);
    const finished = ofType(t.journal.events, 'escalation.finished').find((e) => e.level === 2)!;
    expect(finished).toMatchObject({ ok: false, attempts: 3, error: 'webhook: HTTP 500', t: 308_000 });
    expect(t.c.state.guard.escalation.find((e) => e.level === 2)).toMatchObject({ status: 'failed', attempts: 3 });
    await t.clock.advance(905_000 - 310_000);
    expect(started(t).map(([l]) => l)).toEqual([1, 2, 3]);
  });

  it('a post that throws is a failure like any other (retried and reported)', async () => {
    let n = 0;
    const t = await incident('tui', async () => {
      n++;
      throw new Error('ECONNRESET');
    }, undefined, false);
    await t.clock.advance(310_000 - 5000);
    expect(n).toBe(3);
    expect(ofType(t.journal.events, 'escalation.finished').find((e) => e.level === 2)).toMatchObject({ ok: false, attempts: 3, error: 'webhook: ECONNRESET' });
  });

  it('a post that fails once then succeeds reports 2 attempts', async () => {
    let n = 0;
    const t = await incident('tui', async () => (n++ === 0 ? { ok: false, error: 'HTTP 502' } : { ok: true, status: 200 }), undefined, false);
    await t.clock.advance(310_000 - 5000);
    expect(ofType(t.journal.events, 'escalation.finished').find((e) => e.level === 2)).toMatchObject({ ok: true, attempts: 2 });
  });

  it('an unset webhook variable is reported, with no attempt', async () => {
    const p = okPost();
    const t = await incident('tui', p.post, {}, false);
    await t.clock.advance(310_000 - 5000);
    expect(ofType(t.journal.events, 'escalation.finished').find((e) => e.level === 2)).toMatchObject({ ok: false, attempts: 0, error: '$SLACK_WEBHOOK_URL is not set: no Slack message sent' });
    expect(p.calls).toEqual([]);
  });
});

// ── baseline and bands ──────────────────────────────────────────────────────────────────────────

describe('bands', () => {
  const above: BandDef = { warn: 500, critical: 1000 };
  const below: BandDef = { warn: 20, critical: 10, direction: 'below' };
  const drop: BandDef = { dropWarnPct: 20 };
  const rise: BandDef = { riseWarnPct: 50 };
  const rows: [string, BandDef, number, number | undefined, 'ok' | 'warn' | 'critical'][] = [
    ['above: under warn', above, 499, undefined, 'ok'],
    ['above: exactly at warn is not past it', above, 500, undefined, 'ok'],
    ['above: past warn', above, 500.1, undefined, 'warn'],
    ['above: exactly at critical is warn', above, 1000, undefined, 'warn'],
    ['above: past critical', above, 1000.1, undefined, 'critical'],
    ['below: over warn', below, 21, undefined, 'ok'],
    ['below: exactly at warn', below, 20, undefined, 'ok'],
    ['below: under warn', below, 19.9, undefined, 'warn'],
    ['below: exactly at critical', below, 10, undefined, 'warn'],
    ['below: under critical', below, 9.9, undefined, 'critical'],
    ['drop: exactly 20 % under baseline is not past it', drop, 1000, 1250, 'ok'],
    ['drop: more than 20 % under baseline', drop, 999.9, 1250, 'warn'],
    ['drop: above baseline', drop, 1300, 1250, 'ok'],
    ['drop: no baseline yet', drop, 1, undefined, 'ok'],
    ['drop: a zero baseline never warns', drop, 0, 0, 'ok'],
    ['rise: exactly 50 % over baseline', rise, 150, 100, 'ok'],
    ['rise: more than 50 % over baseline', rise, 150.1, 100, 'warn'],
    ['critical wins over a drop', { critical: 10, direction: 'below', dropWarnPct: 20 }, 5, 1000, 'critical'],
  ];
  it.each(rows)('%s', (_name, def, value, baseline, want) => {
    expect(bandOf(def, value, baseline)).toBe(want);
  });
});

describe('takeBaseline', () => {
  it('averages the last N samples of each series before a stage starts (misses skipped, none → null)', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, {
      throughput: [1000, 1100, 1200, 1300, 1400, 1500, 9999],
      latency_p95: [100, 'miss', 200, 300, 'miss', 400, 9999],
      memory: ['miss', 'miss', 'miss', 'miss', 'miss', 'miss', 9999],
    });
    const series = `
    throughput: { query: t, unit: rps, dropWarnPct: 20, baselineSamples: 3 }
    latency_p95: { query: l, unit: ms }
    memory: { query: m, unit: '%' }`;
    const stages = `
  - id: production
    armed: false
    steps:
      - run: ./scripts/deploy.sh`;
    const t = guardSetup(guardRunbook({ stages, series, triggers: ['{ metric: memory, above: 85, for: 5m, onNoData: ignore }'] }), { guard: { source } }, clock);
    void t.c.start();
    await settle();
    await clock.advance(0);
    await clock.advance(5 * SEC); // ticks 0..5
    t.c.runNextStage();
    await settle();
    const taken = ofType(t.journal.events, 'baseline.taken');
    expect(taken).toEqual([expect.objectContaining({ stage: 'production', values: { throughput: 1400, latency_p95: 300, memory: null } })]);
    expect(t.types().indexOf('baseline.taken')).toBeLessThan(t.types().indexOf('stage.started'));
    expect(t.c.state.guard.baseline).toEqual({ throughput: 1400, latency_p95: 300, memory: null });
    // the throughput band against it: 20 % under 1400 is 1120
    const def = runbookOf(guardRunbook({ series, triggers: ['{ metric: memory, above: 85 }'] })).metrics!.series.throughput;
    expect(bandOf(def, 1120, t.c.state.guard.baseline.throughput!)).toBe('ok');
    expect(bandOf(def, 1119, t.c.state.guard.baseline.throughput!)).toBe('warn');
  });
});
