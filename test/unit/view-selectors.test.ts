/**
 * The one vocabulary's selectors (src/session/view/), on real events folded by the session
 * reducer: what a stage looks like before and after a rollback, a trigger's state (pending
 * clamped to its window, no data with the hold's time left, not armed), the outcome's word.
 */
import { describe, expect, it } from 'vitest';
import type { EventBody, SessionEvent } from '../../src/core/events.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { foldEvents } from '../../src/session/follow.js';
import type { SessionState } from '../../src/session/reduce.js';
import { preflightStatus, rollbackDisplayStatus, stageDisplayStatus, stripItems } from '../../src/session/view/stage-status.js';
import { heldFor, triggerState } from '../../src/session/view/trigger-state.js';
import { phaseWord } from '../../src/session/view/phase-words.js';
import { ICON, outcomeWord, WORD } from '../../src/session/view/words.js';

const parsed = parseRunbook(
  `
name: web-app
version: "2.4.0"
environment: production
preflight:
  - { title: Tests pass, run: ./t.sh }
stages:
  - { id: build, title: Build, steps: [{ id: b, run: ./b.sh }] }
  - { id: deploy, title: Deploy, steps: [{ id: d, run: ./d.sh }, { id: w, title: Watch, monitor: 5m }] }
  - { id: verify, title: Verify, steps: [{ id: v, run: ./v.sh }] }
metrics:
  interval: 1s
  source: { type: prometheus, url: 'http://127.0.0.1:9' }
  series: { error_rate: { query: q } }
rollback:
  steps: [./rollback.sh]
  triggers:
    - { metric: error_rate, above: 1, for: 2m }
`,
  '/srv/app/cockpit.yml',
);
if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
const rb = parsed.runbook;
const trigger = { id: rb.rollback!.triggers[0].id, forMs: 120_000 };
const ev = (t: number, body: EventBody): SessionEvent => ({ ...body, at: 1_700_000_000_000 + t, t }) as SessionEvent;
const fold = (events: SessionEvent[]): SessionState => foldEvents(rb, events);
const finished = (t: number, stage: string, step: string, ok: boolean, interrupted = false) =>
  ev(t, { type: 'step.finished', stage, step, ok, exitCode: ok ? 0 : 1, signal: null, timedOut: false, interrupted, durationMs: 10 });

const started = ev(0, { type: 'session.started', sessionId: 's', runbook: 'web-app', file: '/srv/app/cockpit.yml', version: '2.4.0', environment: 'production', mode: 'headless' });
const deploying = [
  started,
  ev(1, { type: 'step.started', stage: 'preflight', step: rb.preflight[0].id, attempt: 1, command: './t.sh' }),
  finished(2, 'preflight', rb.preflight[0].id, true),
  ev(3, { type: 'preflight.passed' }),
  ev(4, { type: 'stage.started', stage: 'build' }),
  ev(5, { type: 'stage.passed', stage: 'build', durationMs: 1 }),
  ev(6, { type: 'stage.started', stage: 'deploy' }),
  ev(7, { type: 'guard.armed', armed: true, why: 'deploy' }),
];
const rolling = [...deploying, ev(10, { type: 'rollback.started', reason: 'manual', source: 'operator' })];
const strip = (s: SessionState) => stripItems(s).map((x) => `${ICON[x.status]} ${x.title}`).join('  ');

describe('stageDisplayStatus and the strip', () => {
  it('a stage reads its own status until a rollback passes; then each stage that ran reads rolled back', () => {
    expect(strip(fold(deploying))).toBe('✓ Pre-flight  ✓ Build  ◐ Deploy  ○ Verify');
    expect(strip(fold(rolling))).toBe('✓ Pre-flight  ✓ Build  ■ Deploy  ○ Verify  ◐ Rollback');
    const done = fold([...rolling, ev(20, { type: 'rollback.finished', ok: true, durationMs: 10 })]);
    expect(strip(done)).toBe('✓ Pre-flight  ↺ Build  ↺ Deploy  ○ Verify  ✓ Rollback');
    expect(done.stages.map((st) => WORD[stageDisplayStatus(done, st)])).toEqual(['rolled back', 'rolled back', 'pending']);
    const failed = fold([...rolling, ev(20, { type: 'rollback.finished', ok: false, step: 'r', reason: 'exit 1', durationMs: 10 })]);
    // a rollback that failed undid nothing for sure: the stages keep their own status
    expect(strip(failed)).toBe('✓ Pre-flight  ✓ Build  ■ Deploy  ○ Verify  ✗ Rollback');
    expect(rollbackDisplayStatus(fold(deploying))).toBeUndefined();
  });

  it('the pre-flight reads FAILED while one of its checks failed', () => {
    const s = fold([started, ev(1, { type: 'step.started', stage: 'preflight', step: rb.preflight[0].id, attempt: 1, command: './t.sh' }), finished(2, 'preflight', rb.preflight[0].id, false)]);
    expect(preflightStatus(s)).toBe('failed');
    expect(strip(s)).toBe('✗ Pre-flight  ○ Build  ○ Deploy  ○ Verify');
  });
});

describe('triggerState', () => {
  it('pending for how long its condition held, clamped to its window; then fired', () => {
    const pending = fold([...deploying, ev(1000, { type: 'trigger.pending', trigger: trigger.id, since: 1000, value: 2 })]);
    expect(triggerState(pending, trigger, 31_000)).toEqual({ state: 'pending', pendingMs: 30_000 });
    expect(triggerState(pending, trigger, 500_000)).toEqual({ state: 'pending', pendingMs: 120_000 });
    expect(triggerState(pending, trigger, 0)).toEqual({ state: 'pending', pendingMs: 0 });
    const fired = fold([...deploying, ev(121_000, { type: 'trigger.fired', trigger: trigger.id, since: 1000, value: 3, window: [], reason: 'error_rate 3' })]);
    expect(triggerState(fired, trigger, 121_000)).toEqual({ state: 'fired' });
  });

  it('no data, idle while armed, off while not', () => {
    const nodata = fold([...deploying, ev(9000, { type: 'trigger.nodata', trigger: trigger.id, misses: 4, policy: 'hold' })]);
    expect(triggerState(nodata, trigger, 9000).state).toBe('nodata');
    expect(triggerState(fold(deploying), trigger, 9000)).toEqual({ state: 'idle' });
    expect(triggerState(fold([started]), trigger, 9000)).toEqual({ state: 'disarmed' });
    expect(heldFor(undefined, 1000, 5000)).toBe(0);
  });
});

describe('outcome and phase words', () => {
  it('an ended phase reads as its outcome; aborted says the operator quit before the release', () => {
    expect(phaseWord('rolled-back', false)).toBe(outcomeWord('rolled-back'));
    expect(phaseWord('passed', false)).toBe('RELEASED');
    expect(phaseWord('running', true)).toBe('READY');
    expect(outcomeWord('aborted')).toBe('QUIT BEFORE RELEASE');
    expect(outcomeWord('aborted', 'inline')).toBe('quit before release');
    expect(outcomeWord('rollback-failed', 'inline')).toBe('ROLLBACK FAILED');
  });
});
