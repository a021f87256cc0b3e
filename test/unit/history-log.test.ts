/**
 * Journals → releases → the report (src/history/log.ts, report.ts): which sessions are releases
 * and deployments, what counts as a change failure, the incident start in wall time, and the four
 * keys over hand-made journals.
 */
import { describe, expect, it } from 'vitest';
import type { EventBody, SessionEvent } from '../../src/core/events.js';
import { isChangeFailure, issuesOf, linkRollbacks, previousDeployment, readRelease, type Names, type Release } from '../../src/history/log.js';
import { report, type Changes } from '../../src/history/report.js';

const names: Names = {
  stage: (id) => ({ staging: 'Deploy to Staging', production: 'Deploy to Production', rollback: 'Rollback' })[id] ?? id,
  step: (_stage, id) => ({ smoke: 'Run smoke tests', deploy: 'Deploy', rb: 'Rollback to last known good' })[id] ?? id,
  isTarget: (stage, env) => stage === env,
};

const T0 = Date.parse('2024-05-06T10:00:00Z');

/** A journal: events at wall T0 + start + t. */
function journal(id: string, startMs: number, bodies: (EventBody & { t?: number })[]): { id: string; journal: string; events: SessionEvent[]; live: boolean } {
  const start: EventBody = { type: 'session.started', sessionId: id, runbook: 'web', file: '/x/cockpit.yml', version: '2.4.0', environment: 'production', mode: 'headless' };
  const events = [start, ...bodies].map((b, i) => {
    const t = (b as { t?: number }).t ?? i * 1000;
    return { ...b, t, at: T0 + startMs + t } as SessionEvent;
  });
  return { id, journal: `/state/sessions/${id}/journal.jsonl`, events, live: false };
}

const fin = (stage: string, step: string, ok: boolean, extra: object = {}): EventBody => ({
  type: 'step.finished',
  stage,
  step,
  ok,
  exitCode: ok ? 0 : 1,
  signal: null,
  timedOut: false,
  interrupted: false,
  durationMs: 5,
  reason: ok ? undefined : 'exit 1',
  ...extra,
});

describe('readRelease', () => {
  it('a release that went to production, with a retried step, a trigger, a rollback measured from the first bad sample', () => {
    const r = readRelease(
      journal('s1', 0, [
        { type: 'preflight.passed' },
        { type: 'stage.started', stage: 'staging' },
        { type: 'step.started', stage: 'staging', step: 'smoke', attempt: 1, command: 'x' },
        fin('staging', 'smoke', false),
        { type: 'step.started', stage: 'staging', step: 'smoke', attempt: 2, command: 'x' },
        fin('staging', 'smoke', true),
        { type: 'stage.started', stage: 'production', t: 10_000 },
        { type: 'release.commit', sha: 'abc123' },
        { type: 'trigger.fired', trigger: 'error-rate-above', since: 20_000, value: 4, window: [], reason: 'error_rate 4 % > 1 %', t: 30_000 },
        { type: 'rollback.started', reason: 'trigger fired: error_rate 4 % > 1 %', source: 'trigger', incidentAt: 20_000, t: 30_000 },
        fin('production', 'monitor', false, { interrupted: true, reason: 'interrupted' }),
        { type: 'rollback.verified', restoreMs: 14_000, t: 34_000 },
        { type: 'rollback.finished', ok: true, durationMs: 4000, t: 35_000 },
        { type: 'session.ended', outcome: 'rolled-back', t: 35_000 },
        { type: 'release.reviewed', outcome: 'rolled-back', checklist: 'rolled-back', items: ['a'], learnings: 'it broke.', note: 'canary first', t: 35_001 },
      ]),
      names,
    )!;
    expect(r).toMatchObject({ session: 's1', kind: 'release', version: '2.4.0', outcome: 'rolled-back', sha: 'abc123', deployedAt: T0 + 10_000, endedAt: T0 + 35_000 });
    // the rollback interrupting the monitor is not a failure of its own; the retried step passed on attempt 2
    expect(r.failures).toEqual([{ where: 'Deploy to Staging / Run smoke tests', reason: 'exit 1', passedOnAttempt: 2 }]);
    // the incident began at the first breaching sample: 10 s of session time before the rollback started
    expect(r.rollback).toEqual({ source: 'trigger', reason: 'trigger fired: error_rate 4 % > 1 %', incidentAt: T0 + 20_000, restoreMs: 14_000, ok: true, failedAt: undefined, failReason: undefined });
    expect(r.review).toEqual({ outcome: 'rolled-back', checklist: 'rolled-back', items: ['a'], learnings: 'it broke.', note: 'canary first' });
    expect(issuesOf(r)).toEqual(['Deploy to Staging / Run smoke tests failed, passed on attempt 2', 'trigger error-rate-above fired: error_rate 4 % > 1 %', 'rolled back by trigger']);
    expect(isChangeFailure(r)).toBe(true);
  });

  it('a failed rollback says where; a session that only rolled back is kind rollback; a flag command is no release', () => {
    const failed = readRelease(
      journal('s2', 0, [
        { type: 'stage.started', stage: 'production' },
        { type: 'rollback.started', reason: 'manual', source: 'operator' },
        fin('rollback', 'rb', false, { reason: 'exit 2' }),
        { type: 'rollback.finished', ok: false, step: 'rb', reason: 'exit 2', durationMs: 10 },
        { type: 'session.ended', outcome: 'rollback-failed' },
      ]),
      names,
    )!;
    expect(failed.rollback).toMatchObject({ ok: false, failedAt: 'Rollback to last known good', failReason: 'exit 2' });
    expect(issuesOf(failed)).toEqual(['Rollback / Rollback to last known good failed: exit 2', 'ROLLBACK FAILED at Rollback to last known good: exit 2 (rolled back (operator): manual)']);
    const only = readRelease(journal('s3', 0, [{ type: 'rollback.started', reason: 'db on fire', source: 'command' }, { type: 'rollback.finished', ok: true, durationMs: 10 }, { type: 'session.ended', outcome: 'rolled-back' }]), names)!;
    expect(only.kind).toBe('rollback');
    expect(only.deployedAt).toBeUndefined();
    expect(readRelease(journal('s4', 0, [{ type: 'flag.set', flag: 'f', percent: 5, requested: 5, forced: false, by: 'command' }, { type: 'session.ended', outcome: 'aborted' }]), names)).toBeUndefined();
    // a screen opened, its pre-flight passed, quit before a stage: no release either
    expect(readRelease(journal('s5', 0, [{ type: 'preflight.passed' }, { type: 'session.ended', outcome: 'aborted' }]), names)).toBeUndefined();
    expect(readRelease({ id: 'e', journal: '/e', events: [], live: false }, names)).toBeUndefined();
  });

  it('a failed pre-flight is a release attempt that never deployed; a live session is in progress', () => {
    const pre = readRelease(journal('s6', 0, [{ type: 'preflight.failed', failed: [], unticked: ['Team aware'] }, { type: 'session.ended', outcome: 'failed' }]), names)!;
    expect(pre).toMatchObject({ kind: 'release', outcome: 'failed' });
    expect(pre.deployedAt).toBeUndefined();
    expect(issuesOf(pre)).toEqual(['pre-flight not confirmed: Team aware']);
    expect(isChangeFailure(pre)).toBe(true); // a failure, but not a deployment: the report never counts it
    const live = readRelease({ ...journal('s7', 0, [{ type: 'stage.started', stage: 'production' }]), live: true }, names)!;
    expect(issuesOf(live)).toEqual(['in progress']);
  });
});

describe('linkRollbacks and previousDeployment', () => {
  it('a later `cockpit rollback` marks the deployment before it; changes count from the deployment before', () => {
    const a = readRelease(journal('a', 0, [{ type: 'stage.started', stage: 'production' }, { type: 'release.commit', sha: 'A' }, { type: 'session.ended', outcome: 'released' }]), names)!;
    const b = readRelease(journal('b', D(1), [{ type: 'stage.started', stage: 'staging' }, { type: 'release.commit', sha: 'B' }, fin('staging', 'smoke', false), { type: 'session.ended', outcome: 'failed' }]), names)!;
    const c = readRelease(journal('c', D(2), [{ type: 'stage.started', stage: 'production' }, { type: 'release.commit', sha: 'C' }, { type: 'session.ended', outcome: 'released' }]), names)!;
    const rb = readRelease(journal('r', D(3), [{ type: 'rollback.started', reason: 'db on fire', source: 'command' }, { type: 'rollback.verified', restoreMs: 2000 }, { type: 'rollback.finished', ok: true, durationMs: 10 }, { type: 'session.ended', outcome: 'rolled-back' }]), names)!;
    const all = linkRollbacks([rb, c, b, a]);
    expect(all.map((x) => x.session)).toEqual(['a', 'b', 'c', 'r']);
    expect(all[2].rolledBackBy).toEqual({ session: 'r', reason: 'db on fire' });
    expect(all[0].rolledBackBy).toBeUndefined();
    expect(issuesOf(all[2])).toEqual(['rolled back later (session r): db on fire']);
    // b failed at staging (not a deployment): c's changes still count from a
    expect(previousDeployment(all, all[2])?.session).toBe('a');
    expect(previousDeployment(all, all[1])?.session).toBe('a');
    expect(previousDeployment(all, all[0])).toBeUndefined();
  });
});

const D = (n: number) => n * 86_400_000;

describe('report', () => {
  it('counts deployments, change failures, restores and rollbacks as docs/history.md defines them', () => {
    const dep = (id: string, day: number, extra: (EventBody & { t?: number })[], outcome: 'released' | 'rolled-back' | 'failed' | 'interrupted') =>
      readRelease(journal(id, D(day), [{ type: 'stage.started', stage: 'production' }, { type: 'release.commit', sha: id.toUpperCase() }, ...extra, { type: 'session.ended', outcome }]), names)!;
    const releases: Release[] = linkRollbacks([
      dep('a', 0, [], 'released'),
      dep('b', 1, [{ type: 'rollback.started', reason: 'x', source: 'trigger', incidentAt: 0 }, { type: 'rollback.verified', restoreMs: 60_000 }, { type: 'rollback.finished', ok: true, durationMs: 1 }], 'rolled-back'),
      dep('c', 2, [fin('production', 'deploy', false)], 'failed'),
      dep('d', 3, [], 'interrupted'),
      dep('e', 4, [], 'released'),
      readRelease(journal('f', D(5), [{ type: 'stage.started', stage: 'staging' }, { type: 'session.ended', outcome: 'failed' }]), names)!,
      { ...readRelease(journal('g', D(8), [{ type: 'stage.started', stage: 'production' }]), names)!, live: true },
      readRelease(journal('h', D(7), [{ type: 'rollback.started', reason: 'later', source: 'command' }, { type: 'rollback.verified', restoreMs: 180_000 }, { type: 'rollback.finished', ok: true, durationMs: 1 }, { type: 'session.ended', outcome: 'rolled-back' }]), names)!,
    ]);
    const commit = (sha: string, hoursBefore: number, day: number) => ({ sha, at: T0 + D(day) - hoursBefore * 3_600_000, subject: sha });
    const changes = new Map<string, Changes>([
      ['a', { why: 'first deployment in the log' }],
      ['b', { commits: [commit('b1', 2, 1), commit('b2', 4, 1)] }],
      ['c', { commits: [commit('c1', 8, 2)] }],
      ['d', { commits: [] }],
      ['e', { commits: [commit('e1', 30, 4)] }],
    ]);
    const rep = report({ releases, changes, since: T0 - D(1), now: T0 + D(8) + 3_600_000, targets: { changeFailureRate: 0.15, timeToRestoreMs: 3_600_000, rollbackRate: 0.5, leadTimeMs: 24 * 3_600_000, deploymentFrequency: 'weekly' } });
    expect(rep.rows.map((r) => r.release.session)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'h', 'g']);
    const d = rep.dora;
    // deployments: a b c d e (f never reached production, g is still running, h only rolled back)
    expect(d.deployments).toBe(5);
    // failures: b (rolled back), c (failed after deploying), e (rolled back later by h); d was interrupted: no incident
    expect(d.changeFailureRate).toMatchObject({ figures: { rate: 3 / 5, count: 3, of: 5 }, bucket: '46-60%', level: 'low', verdict: 'missed' });
    expect(d.rollbackRate).toMatchObject({ figures: { rate: 2 / 5, count: 2, of: 5 }, verdict: 'met' });
    // restores: b's 1 min and h's 3 min → median 2 min
    expect(d.timeToRestore).toMatchObject({ figures: { medianMs: 120_000, count: 2, level: 'elite' }, verdict: 'met' });
    // lead time: 2 h, 4 h, 8 h, 30 h before a stage.started 1 s into its session → median 6 h 1 s
    expect(d.leadTime).toMatchObject({ figures: { medianMs: 6 * 3_600_000 + 1000, count: 4, bucket: 'one day' }, level: 'elite', verdict: 'met' });
    // Mon May 6 .. Tue May 14 (the window starts before the first session: the data's first day): deployments Mon-Fri of the first week, days [5, 0]
    expect(d).toMatchObject({ fromDay: '2024-05-06', toDay: '2024-05-14' });
    expect(d.deploymentFrequency).toMatchObject({ bucket: 'monthly', deployDays: 5, weeks: 2, medianDaysPerWeek: 2.5, verdict: 'missed', target: 'weekly' });
    expect(rep.rows.find((r) => r.release.session === 'b')).toMatchObject({ recovery: '1m00s', recoveryMs: 60_000 });
    // --since all: the same calendar, from the first session
    const all = report({ releases, changes, since: -Infinity, now: T0 + D(8) + 3_600_000 });
    expect(all.dora).toMatchObject({ fromDay: '2024-05-06', toDay: '2024-05-14', deployments: 5 });
    expect(report({ releases: [], changes, since: -Infinity, now: T0 }).dora).toMatchObject({ fromDay: '2024-05-06', toDay: '2024-05-06', deployments: 0 });
    expect(rep.rows.find((r) => r.release.session === 'e')).toMatchObject({ recovery: 'see its rollback', recoveryMs: null });
    expect(rep.rows.find((r) => r.release.session === 'a')).toMatchObject({ recovery: 'N/A', learnings: '—' });
  });
});

describe('a rollback during which the cockpit was stopped', () => {
  it('history keeps the restore time without the pause and says the pause beside it', () => {
    const rb = readRelease(
      journal('p', 0, [
        { type: 'rollback.started', reason: 'by hand', source: 'command' },
        { type: 'session.paused', from: 2000, to: 32_000, ms: 30_000 },
        { type: 'rollback.verified', restoreMs: 4000, pausedMs: 30_000 },
        { type: 'rollback.finished', ok: true, durationMs: 34_000 },
        { type: 'session.ended', outcome: 'rolled-back' },
      ]),
      names,
    )!;
    expect(rb.rollback).toMatchObject({ restoreMs: 4000, pausedMs: 30_000 });
    const rep = report({ releases: [rb], changes: new Map(), since: -Infinity, now: T0 + D(1) });
    expect(rep.rows[0]).toMatchObject({ recoveryMs: 4000, recovery: '4.0s (+30.0s cockpit paused, not counted)' });
  });
});
