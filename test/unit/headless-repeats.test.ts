/**
 * Headless plain output: the same error line on consecutive samples is printed once, then
 * "(same error ×N more)" when it changes, when another line comes, or at the end (issue 18: 604
 * identical lines during a hold). Pure collapseRepeats, then through attachPlain with a
 * Controller whose source keeps failing, --json still writing every event.
 */
import { describe, expect, it } from 'vitest';
import { collapseRepeats, flushRepeats, noRepeats, sampleKind, type PlainLine, type RepeatState } from '../../src/headless/repeats.js';
import { attachJson, attachPlain } from '../../src/headless/plain.js';
import { FakeClock, settle } from '../../src/core/clock.js';
import { guardRunbook, guardSetup, ScriptedSource, type Scripted } from '../helpers/guard-harness.js';

function feed(lines: readonly PlainLine[], end = true): string[] {
  let s: RepeatState = noRepeats;
  const out: string[] = [];
  for (const l of lines) {
    const r = collapseRepeats(s, l);
    s = r.state;
    out.push(...r.out);
  }
  if (end) out.push(...flushRepeats(s).out);
  return out;
}

const m = (stamp: string, text: string): PlainLine => ({ stamp, text, ...sampleKind('metric.sampled', text) });
const p = (stamp: string, text: string): PlainLine => ({ stamp, text, ...sampleKind('probe.sampled', text) });
const other = (stamp: string, text: string): PlainLine => ({ stamp, text });
const ERR = '  · metrics error_rate=∅(prometheus: ECONNREFUSED)';

describe('collapseRepeats (pure)', () => {
  it('an error line repeated on consecutive samples: once, then the count at the end', () => {
    expect(feed([m('12:00:00', ERR), m('12:00:05', ERR), m('12:00:10', ERR), m('12:00:15', ERR)])).toEqual([`12:00:00 ${ERR}`, '12:00:15   · metrics (same error ×3 more)']);
  });

  it('a different error ends the run: the count, then the new line', () => {
    const other2 = '  · metrics error_rate=∅(no data (empty result))';
    expect(feed([m('1', ERR), m('2', ERR), m('3', other2), m('4', other2)])).toEqual([`1 ${ERR}`, '2   · metrics (same error ×1 more)', `3 ${other2}`, '4   · metrics (same error ×1 more)']);
  });

  it('another line (a trigger, a step) comes after the count and restarts the run; a single line has no count', () => {
    expect(feed([m('1', ERR), m('2', ERR), other('3', '? trigger x NO DATA'), m('4', ERR)])).toEqual([`1 ${ERR}`, '2   · metrics (same error ×1 more)', '3 ? trigger x NO DATA', `4 ${ERR}`]);
  });

  it('value lines are always printed, identical or not; metrics and probes are counted apart', () => {
    const v = '  · metrics error_rate=0.2';
    const pe = '  · probes checkout=error(ECONNREFUSED)';
    expect(feed([m('1', v), m('2', v), p('1', pe), m('3', v), p('3', pe), m('4', v), p('4', pe)])).toEqual([`1 ${v}`, `2 ${v}`, `1 ${pe}`, `3 ${v}`, `4 ${v}`, '4   · probes (same error ×2 more)']);
  });
});

describe('attachPlain: a source that keeps failing', () => {
  async function run(attach: typeof attachPlain) {
    const clock = new FakeClock();
    const miss: Scripted = { error: 'prometheus: ECONNREFUSED' };
    // the first answer is good (the pre-flight's self-test reads it), then the source is down
    const source = new ScriptedSource(clock, 1000, { error_rate: [0.2, ...Array(30).fill(miss)] });
    const t = guardSetup(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 3s, maxErrors: 100 }'], stages: '\n  - id: production\n    armed: true\n    steps:\n      - monitor: 20s' }), { guard: { source }, mode: 'headless', autoAdvance: true }, clock);
    const out: string[] = [];
    const detach = attach(t.c, (l) => out.push(...l.split('\n')));
    void t.c.start();
    await settle();
    await clock.advance(0);
    for (let i = 0; i < 20; i++) await clock.advance(1000);
    await t.c.idle();
    detach();
    return { out, t };
  }

  it('prints the error line once and its count (20 more samples), not 21 lines; --json writes every sample', async () => {
    const plain = await run(attachPlain);
    const lines = plain.out.map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
    expect(lines.filter((l) => l.includes('error_rate=∅(prometheus: ECONNREFUSED)'))).toEqual(['  · metrics error_rate=∅(prometheus: ECONNREFUSED)']);
    // the count stands before the fact that ended the run (the monitor passing)
    const count = lines.findIndex((l) => l.includes('(same error ×'));
    expect(lines[count]).toMatch(/^ {2}· metrics \(same error ×\d+ more\)$/);
    expect(lines[count + 1]).toMatch(/✓ monitor 20s/);
    const failing = plain.t.events('metric.sampled').filter((e) => e.type === 'metric.sampled' && e.values.error_rate === null);
    expect(failing.length).toBeGreaterThan(15);
    expect(Number(/×(\d+)/.exec(lines[count])![1]) + 1).toBe(failing.length);
    const json = await run(attachJson);
    expect(json.out.filter((l) => l.includes('"type":"metric.sampled"'))).toHaveLength(json.t.events('metric.sampled').length);
  });
});
