/**
 * The one leave policy (session/leave-policy.ts): every request (q, Ctrl+C once and again,
 * SIGTERM, SIGHUP) × every state (before production, production reached, a trigger pending, a
 * rollback running or abandoned, the session ended, a follower), on the screen and headless.
 */
import { describe, expect, it } from 'vitest';
import type { EventBody, SessionEvent } from '../../src/core/events.js';
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import { guardWatching, leaveDecision, leaveFacts, repeatOf, type LeaveFacts, type LeaveRequest } from '../../src/session/leave-policy.js';
import { initialState, reduce, type SessionState } from '../../src/session/reduce.js';

const RUNBOOK = `
name: web-app
version: "2.4.0"
stages:
  - id: staging
    steps: [./deploy-staging.sh]
  - id: production
    title: Deploy to Production
    steps:
      - ./deploy-production.sh
      - monitor: 60s
metrics:
  interval: 1s
  source: { type: command, run: ./metrics.sh }
  series:
    errors: { unit: '%' }
rollback:
  steps: [./rollback.sh]
  incident: [./incident.sh, "{reason}"]
  triggers:
    - { metric: errors, above: 5, for: 4s }
`;

function runbook(text = RUNBOOK): Runbook {
  const r = parseRunbook(text, '/srv/app/cockpit.yml');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.runbook;
}

const rb = runbook();
const TRIGGER = rb.rollback!.triggers[0].id;

function state(bodies: EventBody[], book = rb): SessionState {
  return bodies.reduce((s, b, i) => reduce(s, { ...b, at: i, t: i * 10 } as SessionEvent), initialState(book));
}

const started: EventBody[] = [{ type: 'session.started', sessionId: 's', runbook: 'web-app', file: rb.file, version: '2.4.0', environment: 'production', mode: 'tui' }, { type: 'preflight.passed' }];
const STATES = {
  'before production': state([...started, { type: 'stage.started', stage: 'staging' }]),
  'production reached': state([...started, { type: 'stage.passed', stage: 'staging', durationMs: 1 }, { type: 'stage.started', stage: 'production' }, { type: 'guard.armed', armed: true, why: 'stage:production' }]),
  'trigger pending': state([
    ...started,
    { type: 'stage.started', stage: 'production' },
    { type: 'guard.armed', armed: true, why: 'stage:production' },
    { type: 'trigger.pending', trigger: TRIGGER, since: 20, value: 9 },
  ]),
  'rolling back': state([...started, { type: 'stage.started', stage: 'production' }, { type: 'rollback.started', reason: 'errors', source: 'trigger' }]),
  ended: state([...started, { type: 'session.ended', outcome: 'released' }]),
};
type StateName = keyof typeof STATES;

const REQUESTS: readonly (readonly [string, LeaveRequest, number | undefined])[] = [
  ['q', 'q', undefined],
  ['Ctrl+C', 'ctrl-c', undefined],
  ['Ctrl+C again', 'ctrl-c', 500],
  ['Ctrl+C after 3 s', 'ctrl-c', 3000],
  ['SIGTERM', 'SIGTERM', undefined],
  ['SIGTERM again', 'SIGTERM', 500],
  ['SIGHUP', 'SIGHUP', undefined],
];

function table(surface: 'screen' | 'headless', busy: boolean, extra: Partial<LeaveFacts> = {}): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const name of Object.keys(STATES) as StateName[]) {
    out[name] = {};
    for (const [label, req, since] of REQUESTS) out[name][label] = leaveDecision(req, STATES[name], rb, { surface, busy, follower: false, abandoning: false, sinceLastMs: since, ...extra }).do;
  }
  return out;
}

describe('guardWatching', () => {
  it('says what watches once an armed stage has started or a trigger is pending; nothing before, during a rollback, or after the end', () => {
    expect(guardWatching(STATES['before production'], rb)).toBeUndefined();
    expect(guardWatching(STATES['production reached'], rb)).toBe('Deploy to Production has been reached: 1 trigger armed');
    expect(guardWatching(STATES['trigger pending'], rb)).toBe('trigger errors>5% 4s is PENDING');
    expect(guardWatching(STATES['rolling back'], rb)).toBeUndefined();
    expect(guardWatching(STATES.ended, rb)).toBeUndefined();
  });

  it('a runbook without triggers: nothing watches, production reached or not', () => {
    const bare = runbook(RUNBOOK.replace(/ {2}triggers:\n.*\n/, ''));
    expect(bare.rollback!.triggers).toHaveLength(0);
    const s = state([...started, { type: 'stage.started', stage: 'production' }], bare);
    expect(guardWatching(s, bare)).toBeUndefined();
  });
});

describe('leaveDecision', () => {
  it('the screen, a step running', () => {
    expect(table('screen', true)).toEqual({
      'before production': { q: 'ask-quit', 'Ctrl+C': 'ask-interrupt', 'Ctrl+C again': 'interrupt-and-leave', 'Ctrl+C after 3 s': 'ask-interrupt', SIGTERM: 'interrupt-and-leave', 'SIGTERM again': 'interrupt-and-leave', SIGHUP: 'detach' },
      'production reached': { q: 'ask-guarded', 'Ctrl+C': 'ask-interrupt', 'Ctrl+C again': 'ask-guarded', 'Ctrl+C after 3 s': 'ask-interrupt', SIGTERM: 'hand-over', 'SIGTERM again': 'hand-over', SIGHUP: 'hand-over' },
      'trigger pending': { q: 'ask-guarded', 'Ctrl+C': 'ask-interrupt', 'Ctrl+C again': 'ask-guarded', 'Ctrl+C after 3 s': 'ask-interrupt', SIGTERM: 'hand-over', 'SIGTERM again': 'hand-over', SIGHUP: 'hand-over' },
      'rolling back': { q: 'rollback-goes-on', 'Ctrl+C': 'rollback-goes-on', 'Ctrl+C again': 'abandon-rollback', 'Ctrl+C after 3 s': 'rollback-goes-on', SIGTERM: 'hand-over', 'SIGTERM again': 'hand-over', SIGHUP: 'hand-over' },
      ended: { q: 'ask-quit', 'Ctrl+C': 'ask-interrupt', 'Ctrl+C again': 'interrupt-and-leave', 'Ctrl+C after 3 s': 'ask-interrupt', SIGTERM: 'interrupt-and-leave', 'SIGTERM again': 'interrupt-and-leave', SIGHUP: 'leave' },
    });
  });

  it('the screen, nothing running', () => {
    const t = table('screen', false);
    expect(t['before production']).toMatchObject({ q: 'leave', 'Ctrl+C': 'leave', 'Ctrl+C again': 'interrupt-and-leave' });
    expect(t['production reached']).toMatchObject({ q: 'ask-guarded', 'Ctrl+C': 'ask-guarded', 'Ctrl+C again': 'ask-guarded', SIGTERM: 'hand-over', SIGHUP: 'hand-over' });
    expect(t['trigger pending']).toMatchObject({ q: 'ask-guarded', 'Ctrl+C': 'ask-guarded', SIGHUP: 'hand-over' });
    expect(t.ended).toMatchObject({ q: 'leave', 'Ctrl+C': 'leave' });
  });

  it('the screen, an escalation level due: q and Ctrl+C ask first', () => {
    const t = table('screen', false, { escalationDue: { level: 2, dueAt: 1000 } });
    expect(t.ended).toMatchObject({ q: 'ask-quit', 'Ctrl+C': 'ask-quit', 'Ctrl+C again': 'interrupt-and-leave' });
  });

  it('the screen where no background guard can take over: the dialog says why; a signal leaves unguarded (journalled), a rollback goes on', () => {
    const t = table('screen', false, { noHandOver: "the demo's service runs inside this cockpit" });
    expect(t['trigger pending']).toMatchObject({ q: 'ask-guarded', SIGTERM: 'leave-unguarded', SIGHUP: 'leave-unguarded' });
    expect(t['rolling back']).toMatchObject({ SIGTERM: 'rollback-goes-on', SIGHUP: 'rollback-goes-on' });
    const d = leaveDecision('q', STATES['trigger pending'], rb, { surface: 'screen', busy: false, follower: false, abandoning: false, noHandOver: 'why' });
    expect(d).toMatchObject({ do: 'ask-guarded', noHandOver: 'why' });
  });

  it('headless, a step running', () => {
    expect(table('headless', true)).toEqual({
      'before production': { q: 'ignore', 'Ctrl+C': 'interrupt', 'Ctrl+C again': 'exit-now', 'Ctrl+C after 3 s': 'exit-now', SIGTERM: 'interrupt', 'SIGTERM again': 'exit-now', SIGHUP: 'ignore' },
      'production reached': { q: 'ignore', 'Ctrl+C': 'keep-guarding', 'Ctrl+C again': 'leave-unguarded', 'Ctrl+C after 3 s': 'keep-guarding', SIGTERM: 'keep-guarding', 'SIGTERM again': 'leave-unguarded', SIGHUP: 'ignore' },
      'trigger pending': { q: 'ignore', 'Ctrl+C': 'keep-guarding', 'Ctrl+C again': 'leave-unguarded', 'Ctrl+C after 3 s': 'keep-guarding', SIGTERM: 'keep-guarding', 'SIGTERM again': 'leave-unguarded', SIGHUP: 'ignore' },
      'rolling back': { q: 'ignore', 'Ctrl+C': 'rollback-goes-on', 'Ctrl+C again': 'abandon-rollback', 'Ctrl+C after 3 s': 'rollback-goes-on', SIGTERM: 'rollback-goes-on', 'SIGTERM again': 'abandon-rollback', SIGHUP: 'ignore' },
      ended: { q: 'ignore', 'Ctrl+C': 'wait-records', 'Ctrl+C again': 'exit-now', 'Ctrl+C after 3 s': 'exit-now', SIGTERM: 'wait-records', 'SIGTERM again': 'exit-now', SIGHUP: 'ignore' },
    });
  });

  it('a rollback already abandoned: every further request waits for its incident step', () => {
    for (const surface of ['screen', 'headless'] as const)
      for (const [, req, since] of REQUESTS)
        expect(leaveDecision(req, STATES['rolling back'], rb, { surface, busy: true, follower: false, abandoning: true, sinceLastMs: since }).do).toBe('abandoning');
  });

  it('a follower (cockpit watch) always just leaves: the session it watches goes on', () => {
    for (const name of Object.keys(STATES) as StateName[])
      for (const [, req, since] of REQUESTS) expect(leaveDecision(req, STATES[name], rb, { surface: 'screen', busy: false, follower: true, abandoning: false, sinceLastMs: since }).do).toBe('leave');
  });

  it('the decisions that leave the guardrails carry what was watched, in words', () => {
    const d = leaveDecision('SIGTERM', STATES['trigger pending'], rb, { surface: 'screen', busy: true, follower: false, abandoning: false });
    expect(d).toEqual({ do: 'hand-over', watching: guardWatching(STATES['trigger pending'], rb) });
    const h = leaveDecision('ctrl-c', STATES['trigger pending'], rb, { surface: 'headless', busy: true, follower: false, abandoning: false, sinceLastMs: 100 });
    expect(h).toEqual({ do: 'leave-unguarded', watching: guardWatching(STATES['trigger pending'], rb) });
  });
});

describe('again: a second Ctrl+C (or SIGTERM) within 2 s', () => {
  it('Ctrl+C and SIGTERM count toward it, q and SIGHUP do not; within 2 s is again, after it is not', () => {
    const first = repeatOf('ctrl-c', undefined, 10_000);
    expect(first).toEqual({ sinceLastMs: undefined, lastAt: 10_000 });
    const second = repeatOf('ctrl-c', first.lastAt, 11_500);
    expect(second).toEqual({ sinceLastMs: 1500, lastAt: 11_500 });
    expect(repeatOf('q', 11_500, 12_000)).toEqual({ lastAt: 11_500 });
    expect(repeatOf('SIGHUP', 11_500, 12_000)).toEqual({ lastAt: 11_500 });
    expect(repeatOf('SIGTERM', 11_500, 14_000)).toEqual({ sinceLastMs: 2500, lastAt: 14_000 });
    // on the screen, a step running before production: the first asks, again within 2 s leaves, later asks again
    const decide = (sinceLastMs?: number) => leaveDecision('ctrl-c', STATES['before production'], rb, { surface: 'screen', busy: true, follower: false, abandoning: false, sinceLastMs }).do;
    expect(decide(first.sinceLastMs)).toBe('ask-interrupt');
    expect(decide(second.sinceLastMs)).toBe('interrupt-and-leave');
    expect(decide(2000)).toBe('interrupt-and-leave');
    expect(decide(2001)).toBe('ask-interrupt');
  });
});

describe('leaveFacts: what every surface tells the policy', () => {
  const book = runbook(`${RUNBOOK}escalation:\n  - { after: 0m, run: [./alert.sh] }\n  - { after: 5m, run: [./page.sh] }\n`);
  const rolling = state([...started, { type: 'stage.started', stage: 'production' }, { type: 'rollback.started', reason: 'errors', source: 'trigger' }], book);

  it('busy, abandoning and the follower from the cockpit; the escalation level still due from the state and the runbook', () => {
    expect(leaveFacts({ state: rolling, runbook: book, busy: true, abandoned: false }, 'screen', { sinceLastMs: 300 })).toEqual({
      surface: 'screen',
      busy: true,
      follower: false,
      abandoning: false,
      sinceLastMs: 300,
      escalationDue: { level: 1, dueAt: 30 },
      noHandOver: undefined,
    });
    expect(leaveFacts({ state: STATES['before production'], runbook: book, busy: false, abandoned: false }, 'headless').escalationDue).toBeUndefined();
  });

  it('a follower: no escalation level is its to drop, so q just leaves', () => {
    const f = leaveFacts({ state: rolling, runbook: book, busy: false, readOnly: 'read-only', abandoned: false }, 'screen');
    expect(f).toMatchObject({ follower: true, escalationDue: undefined });
    expect(leaveDecision('q', rolling, book, f).do).toBe('leave');
  });
});
