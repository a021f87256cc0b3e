/**
 * The wallboard's pure parts: the view model (status word, charts with their levels, triggers,
 * stages, flags, incident and escalation, the session line, the output tail), the y scale, the
 * panel texts, the big status word and the layout at 80×24 and 200×60. A real runbook (parsed
 * from YAML) and real events folded by the session reducer; no terminal.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { EventBody, SessionEvent } from '../../src/core/events.js';
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import { foldEvents } from '../../src/session/follow.js';
import { initialState, type SessionState } from '../../src/session/reduce.js';
import { bigText, type BitmapFont } from '../../src/wallboard/big-text.js';
import { layout, tooSmall, type Rect } from '../../src/wallboard/layout.js';
import { chartModels, levelsOf, yScale } from '../../src/wallboard/model-charts.js';
import { outputSource, sanitize, tailLines } from '../../src/wallboard/model-output.js';
import { flagRows, incidentModel, percentBar, stageRows, triggerRows } from '../../src/wallboard/model-panels.js';
import { readOnlyMessage, sessionLine, sessionNow, statusWord, wallboardModel, type SessionView } from '../../src/wallboard/model.js';
import { clip, headerLines, incidentLines, painter, spread, stageLines, triggerLines } from '../../src/wallboard/panel-text.js';

const YAML = `
name: web-app
version: "2.4.0"
environment: production
preflight:
  - title: Tests pass
    run: ./scripts/test.sh
stages:
  - id: staging
    title: Deploy to Staging
    budget: 2m
    steps:
      - { id: deploy-staging, title: Deploy staging, run: ./scripts/deploy.sh }
  - id: production
    title: Deploy to Production
    budget: 1m
    steps:
      - { id: deploy-prod, title: Deploy production, run: ./scripts/deploy.sh }
      - { id: watch, title: Watch, monitor: 5m }
metrics:
  interval: 1s
  source: { type: prometheus, url: 'http://127.0.0.1:9' }
  series:
    latency_p95: { query: 'q1', unit: ms, warn: 500, critical: 1000, label: latency p95 }
    error_rate: { query: 'q2', unit: '%', warn: 0.1, critical: 0.5 }
    throughput: { query: 'q3', unit: rps, dropWarnPct: 20 }
rollback:
  steps: [./scripts/rollback.sh]
  verify: [./scripts/verify.sh]
  incident: [./scripts/incident.sh, "{reason}"]
  triggers:
    - { metric: error_rate, above: 1, for: 2m }
    - { metric: latency_p95, above: 2000, for: 3m }
escalation:
  - { after: 0m, title: "Level 1: alert #releases", run: [./scripts/alert.sh, "{reason}"] }
  - { after: 5m, title: "page on-call", run: ./scripts/page.sh }
flags:
  provider: { type: command, run: [./scripts/flag.sh, "{flag}", "{percent}"] }
  ramps:
    new-checkout: [5, 25, 50, 100]
`;

function runbook(): Runbook {
  const r = parseRunbook(YAML, '/srv/app/cockpit.yml');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.runbook;
}

const rb = runbook();
const WALL0 = Date.UTC(2026, 0, 1, 12, 0, 0);
/** Events at session times (ms): `at` is the wall clock, t the session time. */
const ev = (t: number, body: EventBody): SessionEvent => ({ ...body, at: WALL0 + t, t }) as SessionEvent;
const fold = (events: SessionEvent[]): SessionState => foldEvents(rb, events);

const started = ev(0, { type: 'session.started', sessionId: 's1', runbook: 'web-app', file: '/srv/app/cockpit.yml', version: '2.4.0', environment: 'production', mode: 'headless' });
const sample = (t: number, values: Record<string, number | null>, errors: Record<string, string> = {}) => ev(t, { type: 'metric.sampled', tick: t / 1000, time: t, values, errors });
const stepStarted = (t: number, stage: string, step: string, logPath = `/state/sessions/s1/${stage}.${step}.log`) =>
  ev(t, { type: 'step.started', stage, step, attempt: 1, command: step, logPath });
const stepFinished = (t: number, stage: string, step: string, ok: boolean, durationMs: number) =>
  ev(t, { type: 'step.finished', stage, step, ok, exitCode: ok ? 0 : 1, signal: null, timedOut: false, interrupted: false, durationMs });

/** A release up to production, the error rate climbing, the trigger firing, the rollback done. */
function badRelease(): SessionEvent[] {
  return [
    started,
    stepStarted(100, 'preflight', rb.preflight[0].id),
    stepFinished(900, 'preflight', rb.preflight[0].id, true, 800),
    ev(1000, { type: 'preflight.passed' }),
    ev(1000, { type: 'stage.started', stage: 'staging' }),
    stepStarted(1100, 'staging', 'deploy-staging'),
    stepFinished(3100, 'staging', 'deploy-staging', true, 2000),
    ev(3200, { type: 'stage.passed', stage: 'staging', durationMs: 2200 }),
    ev(4000, { type: 'stage.started', stage: 'production' }),
    ev(4000, { type: 'guard.armed', armed: true, why: 'production' }),
    stepStarted(4100, 'production', 'deploy-prod'),
    sample(5000, { latency_p95: 300, error_rate: 0.05, throughput: 100 }),
    ev(5001, { type: 'baseline.taken', stage: 'production', values: { throughput: 100 } }),
    sample(6000, { latency_p95: null, error_rate: 1.5, throughput: 90 }, { latency_p95: 'timeout' }),
    ev(6001, { type: 'trigger.pending', trigger: rb.rollback!.triggers[0].id, since: 6000, value: 1.5 }),
    sample(7000, { latency_p95: 600, error_rate: 2.5, throughput: 70 }),
  ];
}

const errorTrigger = rb.rollback!.triggers[0].id;

function rolledBack(): SessionEvent[] {
  return [
    ...badRelease(),
    ev(126_001, { type: 'trigger.fired', trigger: errorTrigger, since: 6000, value: 3.2, window: [], reason: 'error_rate 3.2 % for 2m' }),
    ev(126_002, { type: 'rollback.started', reason: 'trigger fired: error_rate > 1 % for 2m', source: 'trigger', incidentAt: 6000 }),
    ev(126_003, { type: 'guard.armed', armed: false, why: 'rollback' }),
    ev(126_004, { type: 'step.finished', stage: 'production', step: 'deploy-prod', ok: false, exitCode: null, signal: 'SIGTERM', timedOut: false, interrupted: true, durationMs: 121_900 }),
    ev(126_010, { type: 'escalation.started', level: 1, title: 'Level 1: alert #releases', action: './scripts/alert.sh' }),
    stepStarted(126_020, 'rollback', rb.rollback!.steps[0].id),
    ev(126_500, { type: 'escalation.finished', level: 1, ok: true, attempts: 1 }),
    stepFinished(127_000, 'rollback', rb.rollback!.steps[0].id, true, 980),
    ev(127_500, { type: 'rollback.verified', restoreMs: 121_500 }),
    ev(128_000, { type: 'rollback.finished', ok: true, durationMs: 1998 }),
  ];
}

const live: SessionView = { id: 's1', live: true };

describe('status word', () => {
  it('RELEASING while it runs, then what happened, from the phase or (ended early) the outcome', () => {
    expect(statusWord(initialState(rb)).word).toBe('RELEASING');
    expect(statusWord(fold(badRelease()))).toEqual({ word: 'RELEASING', tone: 'running' });
    const rolling = rolledBack().slice(0, -1);
    expect(statusWord(fold(rolling))).toEqual({ word: 'ROLLING BACK', tone: 'danger' });
    expect(statusWord(fold(rolledBack()))).toEqual({ word: 'ROLLED BACK', tone: 'warn' });
    expect(statusWord(fold([...rolling, ev(128_000, { type: 'rollback.finished', ok: false, durationMs: 1 })])).word).toBe('ROLLBACK FAILED');
    expect(statusWord(fold([started, ev(1, { type: 'preflight.passed' }), ev(9, { type: 'session.ended', outcome: 'released' })]))).toEqual({ word: 'RELEASED', tone: 'ok' });
    expect(statusWord(fold([...badRelease(), ev(8000, { type: 'stage.failed', stage: 'production', step: 'deploy-prod', reason: 'exit 1' })])).word).toBe('FAILED');
    // a pre-flight that failed never started a stage: the outcome says it
    expect(statusWord(fold([started, ev(5, { type: 'preflight.failed', failed: ['Tests pass'], unticked: [] }), ev(6, { type: 'session.ended', outcome: 'failed' })])).word).toBe('FAILED');
    // aborted: the operator quit before the release went out (session/view/words.ts: one word for it everywhere)
    expect(statusWord(fold([started, ev(6, { type: 'session.ended', outcome: 'aborted' })])).word).toBe('QUIT BEFORE RELEASE');
    // its cockpit died mid-way: not RELEASING, not ROLLING BACK, but stopped; what had ended stays
    expect(statusWord(fold(badRelease()), false)).toEqual({ word: 'STOPPED', tone: 'warn' });
    expect(statusWord(fold(rolling), false)).toEqual({ word: 'ROLLBACK STOPPED', tone: 'danger' });
    // handed to a background guard that this view never saw take over (a remote wallboard: the
    // guard does not share): not stopped, the guard may roll back; once its take-over was seen, its
    // own death is a stop again
    const handed = [...badRelease(), ev(9000, { type: 'guard.handed-over', pid: 77, log: '/tmp/g.log', by: 'SIGTERM', watching: 'trigger errors>5% 4s is PENDING' })];
    expect(statusWord(fold(handed), false)).toEqual({ word: 'HANDED OVER', tone: 'warn' });
    expect(statusWord(fold(handed), true)).toEqual({ word: 'RELEASING', tone: 'running' });
    expect(statusWord(fold([...handed, ev(9100, { type: 'session.resumed', pid: 77, previousPid: 4242, mode: 'headless', running: [] })]), false)).toEqual({ word: 'STOPPED', tone: 'warn' });
    expect(statusWord(fold(rolledBack()), false).word).toBe('ROLLED BACK');
  });
});

describe('charts', () => {
  it('one chart per series: the samples with data, flat warn/critical lines, the latest value and its band in the title', () => {
    const charts = chartModels(rb, fold(badRelease()));
    expect(charts.map((c) => c.name)).toEqual(['latency_p95', 'error_rate', 'throughput']);
    const [lat, err, thr] = charts;
    // the missing sample is not plotted (no data is neither a breach nor a recovery)
    expect(lat.x).toEqual(['0:05', '0:07']);
    expect(lat.missed).toBe(1);
    expect(lat.lines).toEqual([
      { title: 'latency p95', y: [300, 600], tone: 'value' },
      { title: 'warn 500', y: [500, 500], tone: 'warn' },
      { title: 'critical 1000', y: [1000, 1000], tone: 'critical' },
    ]);
    expect(lat.band).toBe('warn');
    expect(lat.title).toBe('latency p95 600 ms WARN · warn 500 crit 1000');
    expect(lat.titles).toEqual(['latency p95 600 ms WARN · warn 500 crit 1000', 'latency p95 600 ms WARN', 'latency p95 600 WARN', 'latency p95 600', 'latency p95']);
    expect(lat.peak).toBe(1000);
    expect(err.title).toBe('error rate 2.5 % CRITICAL · warn 0.1 crit 0.5');
    expect(err.peak).toBe(2.5);
    // a drop level once the baseline is taken: 20 % under 100
    expect(thr.lines.map((l) => [l.title, l.y[0]])).toEqual([
      ['throughput', 100],
      ['warn −20 %', 80],
    ]);
    expect(thr.band).toBe('warn');
  });

  it('a series whose latest sample is missing says no data (and why); one not sampled yet is waiting for it, with no points', () => {
    const s = fold([started, sample(1000, { latency_p95: 300 }), sample(2000, { latency_p95: null }, { latency_p95: 'connection refused' })]);
    const [lat, err] = chartModels(rb, s);
    expect(lat.band).toBe('no data');
    expect(lat.titles).toEqual(['latency p95 no data (connection refused)', 'latency p95 no data', 'latency p95']);
    expect(err.titles).toEqual(['error rate waiting for its first sample', 'error rate']);
    expect(err.band).toBe('no data'); // drawn as a series without data (no colour of a band)
    expect(err.x).toEqual([]);
    expect(err.lines[1].y).toEqual([]);
  });

  it('levels: warn and critical as written; drop and rise against the baseline only once it is known', () => {
    expect(levelsOf({ warn: 70, critical: 85 }, undefined)).toEqual([
      { title: 'warn 70', value: 70, tone: 'warn' },
      { title: 'critical 85', value: 85, tone: 'critical' },
    ]);
    expect(levelsOf({ dropWarnPct: 20 }, undefined)).toEqual([]);
    expect(levelsOf({ riseWarnPct: 50 }, 1200)).toEqual([{ title: 'warn +50 %', value: 1800, tone: 'warn' }]);
  });

  it('y scale: steps of 1, 2 or 5 × 10^k above the peak, so every label blessed-contrib rounds is exact', () => {
    expect(yScale(1000, 3)).toEqual({ max: 1500, step: 500 });
    expect(yScale(4.74, 3)).toEqual({ max: 6, step: 2 });
    expect(yScale(0.5, 2)).toEqual({ max: 1, step: 0.5 });
    expect(yScale(0, 4)).toEqual({ max: 2, step: 0.5 });
    expect(yScale(85, 5)).toEqual({ max: 100, step: 20 });
    for (const [peak, n] of [
      [3.7, 2],
      [117, 3],
      [58, 4],
      [2000, 5],
      [0.04, 3],
    ] as const) {
      const { max, step } = yScale(peak, n);
      expect(max, `${peak}/${n}`).toBeGreaterThan(peak);
      expect(max).toBeCloseTo(step * n, 9);
      const mantissa = step / Math.pow(10, Math.floor(Math.log10(step)));
      expect([1, 2, 5]).toContain(Math.round(mantissa * 1e6) / 1e6);
    }
  });
});

describe('panels', () => {
  it('triggers: idle, pending with its count against the window, fired, no data; described in words', () => {
    const s = fold(badRelease());
    const rows = triggerRows(rb, s, 36_000);
    expect(rows[0]).toEqual({ state: 'pending', icon: '◐', word: 'PENDING 0:30/2:00', text: 'error_rate > 1 % for 2m · error_rate 1.5 %', tone: 'warn' });
    expect(rows[1]).toEqual({ state: 'idle', icon: '○', word: 'idle', text: 'latency_p95 > 2000 ms for 3m', tone: 'ok' });
    // the count stops at the window
    expect(triggerRows(rb, s, 999_000)[0].word).toBe('PENDING 2:00/2:00');
    const fired = triggerRows(rb, fold(rolledBack()), 130_000);
    expect(fired[0]).toMatchObject({ state: 'fired', word: 'FIRED', text: 'error_rate > 1 % for 2m · error_rate 3.2 %', tone: 'danger' });
    // after the rollback the guard is disarmed: idle and muted
    expect(fired[1].tone).toBe('muted');
    const nodata = fold([...badRelease(), ev(9000, { type: 'trigger.nodata', trigger: rb.rollback!.triggers[1].id, misses: 4, policy: 'hold' })]);
    expect(triggerRows(rb, nodata, 9000)[1]).toMatchObject({ state: 'no data', icon: '?', word: 'NO DATA' });
  });

  it('stages: status word and elapsed (the clock runs for the running one), budget, over budget, the step it is on, then the rollback', () => {
    const s = fold(badRelease());
    const rows = stageRows(s, 70_000);
    expect(rows.map((r) => [r.icon, r.title, r.word, r.elapsed])).toEqual([
      ['✓', 'Pre-flight', 'passed', '0:01'],
      ['✓', 'Deploy to Staging', 'passed', '0:02 / 2:00'],
      ['◐', 'Deploy to Production', 'running', '1:06 / 1:00'],
    ]);
    expect(rows[2]).toMatchObject({ over: true, tone: 'warn', current: 'Deploy production' });
    expect(rows[1].over).toBe(false);
    const after = stageRows(fold(rolledBack()), 200_000);
    expect(after.map((r) => [r.icon, r.title, r.word, r.elapsed])).toEqual([
      // the screen's strip (session/view/stage-status.ts): what ran was undone; the rollback itself passed
      ['✓', 'Pre-flight', 'passed', '0:01'],
      ['↺', 'Deploy to Staging', 'rolled back', '0:02 / 2:00'],
      ['↺', 'Deploy to Production', 'rolled back', '2:02 / 1:00'],
      ['✓', 'Rollback', 'passed', '0:01'],
    ]);
  });

  it('flags: the percentage the provider confirmed, what is being applied, a bar', () => {
    expect(flagRows(rb, fold([started]))).toEqual([{ name: 'new-checkout', percent: undefined, text: '? %', note: 'not read yet', tone: 'muted' }]);
    const set = fold([started, ev(10, { type: 'flag.set', flag: 'new-checkout', percent: 25, requested: 25, forced: false, by: 'runbook' })]);
    expect(flagRows(rb, set)).toEqual([{ name: 'new-checkout', percent: 25, text: '25 %', note: '', tone: 'ok' }]);
    const applying = fold([started, ev(10, { type: 'flag.applying', flag: 'new-checkout', from: 25, to: 50, forced: false, by: 'operator' })]);
    expect(flagRows(rb, applying)[0]).toMatchObject({ note: 'applying → 50 %', tone: 'running' });
    expect(percentBar(25, 8)).toBe('██░░░░░░');
    expect(percentBar(undefined, 4)).toBe('░░░░');
    expect(percentBar(100, 3)).toBe('███');
  });

  it('incident: the timer from the first breaching sample, the escalation level reached of how many, the next one due', () => {
    expect(incidentModel(rb, fold(badRelease()), 7000, true)).toMatchObject({ active: false, levelText: 'no incident' });
    const s = fold(rolledBack().slice(0, badRelease().length + 7)); // up to the level 1 escalation, done
    const m = incidentModel(rb, s, 130_000, true);
    expect(m).toMatchObject({ active: true, timer: '2:04', level: 1, levels: 2, levelText: 'escalation L1/2' });
    expect(m.lines.map((l) => l.text)).toEqual([
      'why: trigger fired: error_rate > 1 % for 2m',
      '✓ Level 1: alert #releases (./scripts/alert.sh)',
      'next L2 page on-call in 2:56',
    ]);
    const done = incidentModel(rb, fold(rolledBack()), 130_000, false);
    // restored: the incident's clock stops at the verified restore (2:01), however long the screen stays up
    expect(done.timer).toBe('2:01');
    expect(incidentModel(rb, fold(rolledBack()), 999_000, false).timer).toBe('2:01');
    // not verified (the rollback failed): it stops when the session ended
    const failed = [...rolledBack().slice(0, -2), ev(128_000, { type: 'rollback.finished', ok: false, durationMs: 1998 }), ev(140_000, { type: 'session.ended', outcome: 'rollback-failed' })];
    expect(incidentModel(rb, fold(failed), 999_000, false).timer).toBe('2:14');
    expect(done.lines.map((l) => l.text)).toEqual([
      'restored in 2:01 (rollback verified)',
      'why: trigger fired: error_rate > 1 % for 2m',
      '✓ Level 1: alert #releases (./scripts/alert.sh)',
      'not reached: L2 page on-call (the session ended)',
    ]);
    const before = incidentModel(rb, fold(rolledBack().slice(0, badRelease().length + 2)), 126_002, true); // the rollback started
    expect(before.levelText).toBe('escalation L0/2');
  });
});

describe('session line, clock, R', () => {
  const inc = incidentModel(rb, fold(rolledBack()), 130_000, false);
  it('says live, or ended when and how, or stopped without an end; then the incident; the session id last', () => {
    const quiet = incidentModel(rb, fold(badRelease()), 7000, true);
    expect(sessionLine(live, quiet)).toBe('LIVE · session s1');
    const at = new Date(2026, 0, 1, 13, 4, 5).getTime();
    expect(sessionLine({ id: 's1', live: false, outcome: 'rolled-back', lastAt: at }, inc)).toBe('ENDED 13:04:05: rolled back · incident 2:01 · escalation L1/2 · session s1');
    expect(sessionLine({ id: 's1', live: false, lastAt: at, otherRunbook: 'api' }, quiet)).toBe('NOT LIVE: no cockpit drives it, it stopped at 13:04:05 without an end · session s1 (runbook "api")');
  });

  it('the session clock runs on for a live session, mapped through its last event; stands still otherwise', () => {
    const s = fold(badRelease());
    const last = { at: WALL0 + 7000, t: 7000 };
    expect(sessionNow(s, true, last, WALL0 + 10_500)).toBe(10_500);
    expect(sessionNow(s, false, last, WALL0 + 10_500)).toBe(7000);
    // a wall clock behind the journal never runs the session time backwards
    expect(sessionNow(s, true, last, WALL0 + 1000)).toBe(7000);
  });

  it('R says the wallboard is read-only and how to roll back', () => {
    expect(readOnlyMessage('cockpit rollback ops/cockpit.yml')).toEqual([
      'This wallboard is READ-ONLY: it never rolls back.',
      '',
      'To roll back, run:  cockpit rollback ops/cockpit.yml',
      'or press R in the cockpit that drives the release.',
    ]);
  });

  it('the whole model at once', () => {
    const m = wallboardModel(rb, fold(rolledBack()), { id: 's1', live: false, outcome: 'rolled-back', lastAt: WALL0 + 128_000 }, 128_000);
    expect(m.status.word).toBe('ROLLED BACK');
    expect(m.title).toBe('web-app 2.4.0 → production');
    expect(m.armed).toBe(false);
    expect(m.charts).toHaveLength(3);
    expect(m.output).toEqual({ title: 'rollback · Rollback', logPath: '/state/sessions/s1/rollback.rollback.log', status: 'passed 0:00', running: false });
  });
});

describe('output tail', () => {
  it('the running step (a rollback step first), else the one that started last', () => {
    const running = fold(badRelease());
    expect(outputSource(running, 9000)).toEqual({ title: 'Deploy production · Deploy to Production', logPath: '/state/sessions/s1/production.deploy-prod.log', status: 'running 0:04', running: true });
    const ended = fold([...badRelease().slice(0, 7)]);
    expect(outputSource(ended, 9000)).toEqual({ title: 'Deploy staging · Deploy to Staging', logPath: '/state/sessions/s1/staging.deploy-staging.log', status: 'passed 0:02', running: false });
    expect(outputSource(fold([started]), 0)).toBeUndefined();
  });

  it('log lines as shown: the stamp without milliseconds, control sequences removed, the last ones', () => {
    const raw = ['12:01:02.123 first', '12:01:03.456 \x1b[31mred\x1b[0m\tand a tab', 'not stamped \x07bell', '12:01:04.000 last'];
    expect(tailLines(raw, 3)).toEqual(['12:01:03 red  and a tab', 'not stamped bell', '12:01:04 last']);
    expect(tailLines(raw, 0)).toEqual([]);
    expect(sanitize('\x1b]0;title\x07ok\x1b[2J')).toBe('ok');
  });

  it('the line the running step is writing now (exec/live-line.ts): last, marked …, sanitised, within the lines asked for', () => {
    const raw = ['12:01:02.123 first', '12:01:03.456 second'];
    expect(tailLines(raw, 3, 'progress \x1b[32m50%\x1b]0;t\x07')).toEqual(['12:01:02 first', '12:01:03 second', '       … progress 50%']);
    expect(tailLines(raw, 2, 'progress 50%')).toEqual(['12:01:03 second', '       … progress 50%']);
    expect(tailLines(raw, 1, 'progress 50%')).toEqual(['       … progress 50%']);
    expect(tailLines(raw, 2, '')).toEqual(['12:01:02 first', '12:01:03 second']);
  });
});

describe('panel text', () => {
  const plain = painter(false, 'ok');
  const esc = (s: string) => s.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));

  it('clip and spread fit the width', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
    expect(spread('left side', 'right', 12)).toEqual({ left: 'left …', gap: 1, right: 'right' });
    expect(spread('ab', 'cd', 10)).toEqual({ left: 'ab', gap: 6, right: 'cd' });
  });

  it('colour tags only with colour: the status chip is inverse without', () => {
    expect(painter(true, 'danger')('chip', ' X ')).toBe('{bold}{white-fg}{red-bg} X {/}');
    expect(plain('chip', ' X ')).toBe('{inverse} X {/inverse}');
    expect(painter(true, 'ok')('warn', 'w')).toBe('{yellow-fg}w{/yellow-fg}');
    expect(plain('warn', 'w')).toBe('w');
  });

  it('each panel fits its box: header, stages (the latest rows), triggers (the most severe kept), incident and flags', () => {
    const m = wallboardModel(rb, fold(rolledBack()), { id: 's1', live: false, outcome: 'rolled-back', lastAt: WALL0 }, 128_000);
    const header = headerLines(m, 80, plain, esc);
    expect(header[0]).toMatch(/^\{inverse\} ROLLED BACK \{\/inverse\} {2}web-app 2\.4\.0 → production +read-only · q quit$/);
    expect(header[0].replace(/\{\/?inverse\}/g, '')).toHaveLength(80);
    expect(header[1]).toMatch(/^ ENDED \d\d:\d\d:\d\d: rolled back · incident 2:01 · escalation L1\/2 · session s1$/);
    const stages = stageLines(m, 40, 3, plain, esc);
    expect(stages).toEqual(['↺ Deploy to Sta… rolled back 0:02 / 2:00', '↺ Deploy to Pro… rolled back 2:02 / 1:00', `✓ Rollback${' '.repeat(19)}passed 0:01`]);
    for (const l of stages) expect([...l]).toHaveLength(40);
    expect(triggerLines(m, 40, 1, plain, esc)).toEqual(['● FIRED error_rate > 1 % for 2m · error…']);
    for (const l of triggerLines(m, 40, 2, plain, esc)) expect([...l].length).toBeLessThanOrEqual(40);
    // one row for two triggers: the one that says something (no data) over the idle one
    const quiet = fold([...badRelease(), ev(8000, { type: 'trigger.reset', trigger: errorTrigger, value: 0.2 }), ev(9000, { type: 'trigger.nodata', trigger: rb.rollback!.triggers[1].id, misses: 4, policy: 'hold' })]);
    const qm = wallboardModel(rb, quiet, live, 9000);
    expect(triggerLines(qm, 60, 1, plain, esc)).toEqual(['? NO DATA latency_p95 > 2000 ms for 3m']);
    expect(triggerLines(qm, 60, 2, plain, esc)).toEqual(['○ idle error_rate > 1 % for 2m · error_rate 0.2 %', '? NO DATA latency_p95 > 2000 ms for 3m']);
    expect(incidentLines(m, 40, 3, plain, esc)).toEqual(['incident 2:01 · escalation L1/2', 'new-checkout   ? % not read yet', 'restored in 2:01 (rollback verified)']);
  });
});

describe('big status word', () => {
  const font = createRequire(import.meta.url)('blessed/usr/fonts/ter-u14b.json') as BitmapFont;

  it('5 rows of half blocks, 8 cells a letter, the last letter without its spacing column', () => {
    const rows = bigText('ROLLING BACK', font);
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(r).toMatch(/^[ ▀▄█]+$/);
    const widths = new Set(rows.map((r) => r.length));
    expect(widths.size).toBe(1);
    expect(rows[0].length).toBeGreaterThan(11 * 8 - 8);
    expect(rows[0].length).toBeLessThanOrEqual(11 * 8 + 4);
    // an I is one column block in the middle of its cell, on every row
    const i = bigText('I', font);
    expect(i.every((r) => /█/.test(r))).toBe(true);
    expect(bigText('', font)).toEqual([]);
  });
});

describe('layout', () => {
  const needs = { series: 4, panelRows: 6, bigWidth: 92, bigRows: 5 };
  const inside = (r: Rect, cols: number, rows: number) => r.top >= 0 && r.left >= 0 && r.left + r.width <= cols && r.top + r.height <= rows && r.width > 0 && r.height > 0;
  const overlap = (a: Rect, b: Rect) => a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;

  it('under 80×24 there is no layout, a message', () => {
    expect(tooSmall(80, 24)).toBeUndefined();
    expect(tooSmall(79, 24)).toEqual(['cockpit wallboard needs at least 80×24; this terminal is 79×24.', 'Enlarge the window or make the font smaller (q quits).']);
    expect(tooSmall(200, 23)?.[0]).toMatch(/this terminal is 200×23\.$/);
  });

  for (const [cols, rows] of [
    [80, 24],
    [200, 60],
    [120, 24],
    [100, 30],
  ] as const) {
    it(`${cols}×${rows}: every panel inside the screen, none overlapping, the screen filled, charts big enough`, () => {
      const l = layout(cols, rows, needs);
      const all = [l.header, ...l.charts, l.stages, l.triggers, l.incident, l.output];
      for (const r of all) expect(inside(r, cols, rows), JSON.stringify(r)).toBe(true);
      for (let a = 0; a < all.length; a++) for (let b = a + 1; b < all.length; b++) expect(overlap(all[a], all[b]), `${JSON.stringify(all[a])} ${JSON.stringify(all[b])}`).toBe(false);
      expect(all.reduce((n, r) => n + r.width * r.height, 0)).toBe(cols * rows);
      expect(l.charts).toHaveLength(4);
      expect(l.hiddenCharts).toBe(0);
      for (const c of l.charts) expect(c.height).toBeGreaterThanOrEqual(9);
      for (const c of l.charts) expect(c.width).toBeGreaterThanOrEqual(20);
      expect(l.output.height).toBeGreaterThanOrEqual(4);
    });
  }

  it('the big word only on a big screen; the panels on one row when wide', () => {
    expect(layout(80, 24, needs)).toMatchObject({ big: false, wide: false, header: { height: 2 } });
    expect(layout(200, 60, needs)).toMatchObject({ big: true, wide: true, header: { height: 7 } });
    expect(layout(200, 60, { ...needs, bigWidth: 199 }).big).toBe(false);
  });

  it('more series than fit: a second row of charts when there is height, else the rest counted as hidden', () => {
    expect(layout(80, 24, { ...needs, series: 6 })).toMatchObject({ hiddenCharts: 2 });
    const tall = layout(200, 60, { ...needs, series: 12 });
    expect(tall.charts).toHaveLength(12);
    expect(layout(80, 24, { ...needs, series: 0 }).charts).toEqual([{ top: 2, left: 0, width: 80, height: 3 }]);
  });
});
