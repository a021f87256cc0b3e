/**
 * Configuration errors are not no data (issue 18): each source classifies an answer once (value /
 * no data / configuration error); a trigger whose series answers with a configuration error is
 * BROKEN at once and fails the running step with the message, never holds for holdLimit; no data
 * keeps its hold. Pure classification, the pure trigger step, then end to end through the
 * Controller on a FakeClock with a scripted source (a real Prometheus: test/integration).
 */
import { describe, expect, it } from 'vitest';
import { interpret } from '../../src/metrics/sources/prometheus.js';
import { pick, pickOne } from '../../src/metrics/sources/http-json.js';
import { isConfigError, isConfigStatus } from '../../src/metrics/sources/source.js';
import { idleTrigger, step } from '../../src/guard/trigger.js';
import type { Trigger } from '../../src/runbook/types.js';
import { FakeClock, settle } from '../../src/core/clock.js';
import { foldEvents } from '../../src/session/follow.js';
import { describeEvent } from '../../src/headless/plain.js';
import { guardRunbook, guardSetup, ofType, ScriptedSource, type Scripted } from '../helpers/guard-harness.js';

const SEC = 1000;

describe('classification: Prometheus answers', () => {
  it('bad_data (a syntax error) and execution errors are configuration errors with Prometheus\'s own message', () => {
    const bad = interpret({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' }, 400);
    expect(bad).toEqual({ error: 'bad_data: 1:5: parse error: unclosed left parenthesis', config: true });
    expect(isConfigError(interpret({ status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' }, 422))).toBe(true);
  });

  it('several series, a range vector (matrix) and a string are configuration errors', () => {
    const two = interpret({ status: 'success', data: { resultType: 'vector', result: [{ value: [1, '1'] }, { value: [1, '2'] }] } });
    expect(two).toEqual({ error: 'query returned 2 series: aggregate it to one (sum, avg, max…)', config: true });
    expect(interpret({ status: 'success', data: { resultType: 'matrix', result: [] } })).toEqual({ error: 'query returned a range vector (matrix): use an instant vector or scalar', config: true });
    expect(isConfigError(interpret({ status: 'success', data: { resultType: 'string', result: [1, 'x'] } }))).toBe(true);
  });

  it('an empty vector, NaN and a source that fails (timeout, unavailable, 5xx) are no data, never configuration errors', () => {
    expect(interpret({ status: 'success', data: { resultType: 'vector', result: [] } })).toEqual({ error: 'no data (empty result)', noData: true });
    expect(interpret({ status: 'success', data: { resultType: 'scalar', result: [1, 'NaN'] } })).toEqual({ error: 'no data (NaN or Inf)', noData: true });
    for (const [errorType, status] of [['timeout', 503], ['unavailable', 503], ['internal', 500], ['canceled', 499]] as const) {
      const r = interpret({ status: 'error', errorType, error: 'x' }, status);
      expect(isConfigError(r)).toBe(false);
      expect(r).toEqual({ error: `prometheus: ${errorType}: x` });
    }
  });

  it('HTTP statuses: the request\'s fault (400, 404, 405, 422) is configuration; credentials, throttling and 5xx are not', () => {
    expect([400, 404, 405, 422].every(isConfigStatus)).toBe(true);
    expect([401, 403, 408, 429, 500, 502, 503, 504].some(isConfigStatus)).toBe(false);
  });
});

describe('classification: a value at a JSON pointer', () => {
  const doc = { a: 1.5, s: '2.5', none: null, nan: 'NaN', inf: '+Inf', obj: { x: 1 }, list: [1, 2], word: 'high' };
  it('a number is a value; absent, null, NaN and Inf are no data', () => {
    expect(pickOne(doc, '/a', 'response')).toEqual({ value: 1.5 });
    expect(pickOne(doc, '/s', 'response')).toEqual({ value: 2.5 });
    expect(pickOne(doc, '/missing', 'response')).toEqual({ error: 'no /missing in the response', noData: true });
    expect(pickOne(doc, '/none', 'response')).toMatchObject({ noData: true });
    expect(pickOne(doc, '/nan', 'response')).toEqual({ error: 'no data at /nan (NaN)', noData: true });
    expect(pickOne(doc, '/inf', 'response')).toMatchObject({ noData: true });
  });
  it('an object, a list or a word where a number should be is a configuration error', () => {
    expect(pickOne(doc, '/obj', 'response')).toEqual({ error: 'not a number at /obj: {"x":1}', config: true });
    expect(isConfigError(pickOne(doc, '/list', 'response'))).toBe(true);
    expect(isConfigError(pickOne(doc, '/word', 'response'))).toBe(true);
    expect(pick(doc, [{ name: 'a' }, { name: 'obj' }], 'response')).toEqual({ a: { value: 1.5 }, obj: { error: 'not a number at /obj: {"x":1}', config: true } });
  });
});

describe('trigger step: a configuration error is BROKEN, not a miss', () => {
  const trig: Extract<Trigger, { kind: 'metric' }> = { kind: 'metric', id: 'err', metric: 'error_rate', op: 'above', threshold: 1, forMs: 3000, onNoData: 'hold', maxErrors: 1 };
  it('reported once per distinct error; it neither counts toward NO DATA nor moves a pending window; a value ends it', () => {
    let s = step(trig, idleTrigger, { t: 0, value: 2 }).state; // pending since 0
    const a = step(trig, s, { t: 1000, error: 'bad_data: x', config: true });
    expect(a.transition).toEqual({ kind: 'broken', error: 'bad_data: x' });
    expect(a.state).toMatchObject({ status: 'pending', pendingSince: 0, misses: 0, noData: false, broken: 'bad_data: x' });
    expect(a.state.window).toEqual(s.window);
    s = a.state;
    const same = step(trig, s, { t: 2000, error: 'bad_data: x', config: true });
    expect(same.transition).toEqual({ kind: 'none' });
    const other = step(trig, same.state, { t: 3000, error: 'query returned 2 series', config: true });
    expect(other.transition).toEqual({ kind: 'broken', error: 'query returned 2 series' });
    const back = step(trig, other.state, { t: 4000, value: 0.5 });
    expect(back.state.broken).toBeUndefined();
    expect(back.transition).toEqual({ kind: 'reset', value: 0.5 });
  });
  it('the same error without the configuration mark is a miss (maxErrors: 1 → NO DATA)', () => {
    expect(step(trig, idleTrigger, { t: 0, error: 'bad_data: x' }).transition).toMatchObject({ kind: 'nodata' });
  });
});

describe('end to end: a broken query fails the step at once; no data holds', () => {
  const BROKEN: Scripted = { error: 'bad_data: 1:5: parse error: unclosed left parenthesis', config: true };
  const STAGES = `
  - id: production
    armed: true
    steps:
      - run: ./scripts/deploy.sh
      - monitor: 5m`;

  async function scenario(samples: readonly Scripted[], mode: 'tui' | 'headless' = 'headless') {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, SEC, { error_rate: samples });
    const t = guardSetup(guardRunbook({ stages: STAGES, triggers: ['{ metric: error_rate, above: 1, for: 3s }'] }), { guard: { source }, mode, autoAdvance: mode === 'headless' }, clock);
    void t.c.start();
    await settle();
    if (mode === 'tui') t.c.runNextStage();
    await settle();
    await clock.advance(0);
    return t;
  }
  const REASON = 'trigger error-rate-above: query "sum(rate(errors[1m]))" is broken: bad_data: 1:5: parse error: unclosed left parenthesis';

  it('during the monitor: the step fails on the first broken sample with the message, journalled as trigger.broken; no hold', async () => {
    const t = await scenario([0.2, 0.2, 0.2, BROKEN, BROKEN, BROKEN, BROKEN, BROKEN]);
    t.runner.finish('production.deploy');
    await settle();
    await t.clock.advance(3 * SEC);
    const broken = ofType(t.journal.events, 'trigger.broken');
    expect(broken).toEqual([expect.objectContaining({ trigger: 'error-rate-above', metric: 'error_rate', query: 'sum(rate(errors[1m]))', error: BROKEN.error, reason: REASON, t: 3000 })]);
    const monitor = ofType(t.journal.events, 'step.finished').find((e) => e.step === 'monitor-5m');
    expect(monitor).toMatchObject({ ok: false, interrupted: false, reason: REASON, t: 3000 });
    expect(ofType(t.journal.events, 'stage.failed')).toEqual([expect.objectContaining({ stage: 'production', step: 'monitor-5m', reason: REASON })]);
    expect(t.c.state.outcome).toBe('failed');
    expect(ofType(t.journal.events, 'guard.hold')).toEqual([]);
    expect(ofType(t.journal.events, 'trigger.nodata')).toEqual([]);
    // the headless line, and the metric.sampled event says which series is a configuration error
    expect(describeEvent(t.c.state, broken[0])).toBe(`✗ ${REASON}: the step fails now (a configuration error, not no data)`);
    expect(ofType(t.journal.events, 'metric.sampled')[3]).toMatchObject({ values: { error_rate: null }, config: ['error_rate'] });
    // a follower folding the journal up to that event sees the trigger broken (disarming at the stage's end clears it)
    const upTo = t.journal.events.indexOf(broken[0]) + 1;
    expect(foldEvents(t.c.runbook, t.journal.events.slice(0, upTo)).guard.triggers['error-rate-above']?.broken).toBe(REASON);
    expect(foldEvents(t.c.runbook, t.journal.events).guard.triggers['error-rate-above']?.broken).toBeUndefined();
  });

  it('while a command step runs: the command is let finish, then the stage fails before its next step (not started)', async () => {
    // the first answer is good (the pre-flight's self-test reads it), then the query breaks
    const t = await scenario([0.2, BROKEN, BROKEN, BROKEN, BROKEN, BROKEN]);
    await t.clock.advance(2 * SEC);
    expect(t.runner.isRunning('production.deploy')).toBe(true);
    t.runner.finish('production.deploy');
    await settle();
    const monitor = ofType(t.journal.events, 'step.finished').find((e) => e.step === 'monitor-5m');
    expect(monitor).toMatchObject({ ok: false, notStarted: true, reason: REASON });
    expect(t.c.state.outcome).toBe('failed');
  });

  it('tui: a retry of the failed monitor fails again at once while the query is broken (no 5 minute wait)', async () => {
    const t = await scenario([0.2, BROKEN, BROKEN, BROKEN, BROKEN, BROKEN], 'tui');
    t.runner.finish('production.deploy');
    await settle();
    await t.clock.advance(SEC);
    expect(t.c.state.stages[0].steps[1]).toMatchObject({ status: 'failed', reason: REASON });
    expect(t.c.retry()).toEqual({ ok: true });
    await settle();
    expect(t.c.state.stages[0].steps[1]).toMatchObject({ status: 'failed', reason: REASON, attempt: 2 });
    expect(ofType(t.journal.events, 'trigger.broken')).toHaveLength(1);
  });

  it('an empty answer (no data) still holds, as before: no trigger.broken, guard.hold after maxErrors', async () => {
    const EMPTY: Scripted = { error: 'no data (empty result)', noData: true };
    // the first answer is good (the pre-flight's self-test reads it), then the answers are empty
    const t = await scenario([0.2, ...Array(10).fill(EMPTY)]);
    t.runner.finish('production.deploy');
    await settle();
    await t.clock.advance(5 * SEC);
    expect(ofType(t.journal.events, 'trigger.broken')).toEqual([]);
    expect(ofType(t.journal.events, 'guard.hold')).toEqual([expect.objectContaining({ holding: true })]);
    expect(t.c.state.stages[0].steps[1].status).toBe('running');
  });
});
