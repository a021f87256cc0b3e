/**
 * Shadow triggers (`shadow: true`): the same engine as every trigger, on a FakeClock with a scripted
 * source; what they decide is journalled as trigger.shadow-fired and acts on nothing: no rollback, no
 * hold for lack of data, no refused ramp.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import { describeEvent } from '../../src/headless/plain.js';
import { stepUpRefusal } from '../../src/flags/guardrail.js';
import { foldEvents } from '../../src/session/follow.js';
import { triggerViews, whyLines } from '../../src/ui/view-model.js';
import { triggerItems } from '../../src/ui/components/TriggersBar.js';
import { triggerRows } from '../../src/wallboard/model-panels.js';
import { readRelease, issuesOf } from '../../src/history/log.js';
import { summary, shadowLines } from '../../src/cli/validate.js';
import { learningsOf } from '../../src/history/celebration.js';
import { factsOf } from '../../src/session/records.js';
import { guardRunbook, guardSetup, ofType, runbookOf, ScriptedSource, type Scripted } from '../helpers/guard-harness.js';

const SEC = 1000;
const SHADOW = '{ id: errors-shadow, metric: error_rate, above: 1, for: 2s, shadow: true }';
const REAL = '{ id: errors-real, metric: error_rate, above: 5, for: 2s }';

async function run(samples: readonly Scripted[], triggers: readonly string[], ticks = samples.length) {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, SEC, { error_rate: samples });
  const t = guardSetup(guardRunbook({ triggers }), { guard: { source } }, clock);
  void t.c.start();
  await settle();
  t.c.runNextStage();
  await settle();
  for (let k = 0; k < ticks; k++) await clock.advance(k === 0 ? 0 : SEC);
  return t;
}

describe('shadow triggers', () => {
  it('are kept apart from the rollback triggers, with their ids', () => {
    const rb = runbookOf(guardRunbook({ triggers: [REAL, SHADOW] }));
    expect(rb.rollback?.triggers.map((t) => t.id)).toEqual(['errors-real']);
    expect(rb.rollback?.shadows?.map((t) => t.id)).toEqual(['errors-shadow']);
    expect(summary(rb)).toContain('2 triggers (1 shadow)');
    expect(shadowLines(rb)).toEqual([
      'shadow trigger errors-shadow: error_rate > 1 % for 2s (evaluated and journalled as "would have fired"; never rolls back, holds the release or refuses a ramp)',
    ]);
  });

  it('fires like a trigger (Prometheus `for`), is journalled as would-have-fired, and never rolls back; it fires again after a reset', async () => {
    const t = await run([0, 2, 2, 2, 2, 0, 3, 3, 3], [REAL, SHADOW]);
    const shadow = ofType(t.journal.events, 'trigger.shadow-fired');
    expect(shadow).toHaveLength(2);
    expect(shadow[0]).toMatchObject({ trigger: 'errors-shadow', since: 1 * SEC, value: 2, window: [[1000, 2], [2000, 2], [3000, 2]], t: 3 * SEC });
    expect(shadow[0].reason).toBe('error_rate > 1 % for 2s: error_rate 2 % now, breaching since 2s (3 samples)');
    expect(shadow[1]).toMatchObject({ since: 6 * SEC, value: 3, t: 8 * SEC });
    // nothing acted on it: no trigger.* event that a rollback or a hold reads, no rollback
    expect(t.types().filter((x) => x.startsWith('trigger.') && x !== 'trigger.shadow-fired')).toEqual([]);
    expect(t.types()).not.toContain('rollback.started');
    expect(t.c.state.rollback.status).toBe('idle');
    expect(t.c.state.guard.armed).toBe(true);
    expect(Object.keys(t.c.state.guard.triggers)).toEqual(['errors-real']);
    expect(t.c.state.guard.shadows['errors-shadow'].fired.map((f) => f.since)).toEqual([1 * SEC, 6 * SEC]);
    // replaying the journal gives the same state (a follower, cockpit watch)
    expect(foldEvents(t.c.runbook, t.journal.events)).toEqual(t.c.state);
    // a ramp is not refused for it
    expect(stepUpRefusal(t.c.runbook, t.c.state)).toBeUndefined();
    // the learnings say what it would have done, apart from what fired
    expect(learningsOf(factsOf(t.c.state))).toContain('shadow trigger errors-shadow would have fired 2 times (no action taken)');
    t.c.dispose();
  });

  it('a real trigger beside it still fires and rolls back', async () => {
    const t = await run([0, 6, 6, 6], [REAL, SHADOW]);
    expect(ofType(t.journal.events, 'trigger.fired').map((e) => e.trigger)).toEqual(['errors-real']);
    expect(ofType(t.journal.events, 'rollback.started')).toHaveLength(1);
    t.c.dispose();
  });

  it('no data never holds the release, whatever its onNoData says, and never rolls back', async () => {
    const hold = await run([0, 'miss', 'miss', 'miss', 'miss', 'miss'], ['{ metric: error_rate, above: 1, for: 2s, shadow: true, onNoData: hold, maxErrors: 2 }']);
    expect(hold.types()).not.toContain('guard.hold');
    expect(hold.types()).not.toContain('trigger.nodata');
    expect(hold.c.state.guard.holding).toBe(false);
    expect(triggerViews(hold.c.runbook, hold.c.state).map((v) => [v.state, v.shadow])).toEqual([['nodata', true]]);
    hold.c.dispose();
    const rollback = await run([0, 'miss', 'miss', 'miss'], ['{ metric: error_rate, above: 1, for: 2s, shadow: true, onNoData: rollback, maxErrors: 2 }']);
    expect(rollback.types()).not.toContain('rollback.started');
    rollback.c.dispose();
  });

  it('is shown apart: dimmed after the real triggers on the screen, muted on the wallboard, in the why view, headless and history', async () => {
    const t = await run([0, 2, 2, 2], [REAL, SHADOW]);
    const fired = ofType(t.journal.events, 'trigger.shadow-fired')[0];
    const hms = new Date(fired.at).toTimeString().slice(0, 8);
    const items = triggerItems(triggerViews(t.c.runbook, t.c.state), 120);
    expect(items.map((i) => [i.text, i.slot])).toEqual([
      ['error_rate>5% 2s ○', 'metric.ok'],
      [`◌ shadow error_rate>1% 2s would have fired ${hms}`, 'dim'],
    ]);
    const rows = triggerRows(t.c.runbook, t.c.state, t.c.state.now);
    expect(rows[1]).toMatchObject({ icon: '◌', word: `shadow would have fired ${hms}`, text: 'error_rate > 1 % for 2s · error_rate 2 %', tone: 'muted', shadow: true });
    expect(whyLines(t.c.runbook, t.c.state, 'errors-shadow')[0]).toBe(`error_rate > 1 % for 2s — WOULD HAVE FIRED (shadow: never rolls back; would have fired ${hms})`);
    expect(describeEvent(t.c.state, fired)).toBe(`◌ shadow trigger errors-shadow would have fired at ${hms}: ${fired.reason} (shadow: no rollback)`);
    const release = readRelease({ id: 'j', journal: 'j', live: false, events: t.journal.events }, { isTarget: () => true, stage: (s) => s, step: (_s, x) => x });
    expect(issuesOf(release!)).toContain(`shadow trigger errors-shadow would have fired (no rollback): ${fired.reason}`);
    t.c.dispose();
  });

  it('pending: its countdown, dimmed', async () => {
    const t = await run([0, 2, 2], [SHADOW]);
    expect(triggerItems(triggerViews(t.c.runbook, t.c.state), 80).map((i) => i.text)).toEqual(['◌ shadow error_rate>1% 2s ◐ 0:01 of 0:02']);
    t.c.dispose();
  });
});
