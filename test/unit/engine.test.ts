import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import { FakeClock, settle } from '../../src/core/clock.js';
import { Controller, type ControllerOptions } from '../../src/session/controller.js';
import type { SessionEvent } from '../../src/core/events.js';
import { MemoryJournal, type Journal } from '../../src/session/journal.js';
import { FakeRunner } from '../helpers/fake-runner.js';

const RUNBOOK = `
name: web-app
version: "2.4.0"
preflight:
  - title: All tests passing
    run: ./scripts/verify-tests.sh
  - title: No active incidents
    manual: Check the monitoring dashboard
stages:
  - id: staging
    title: Deploy to Staging
    budget: 2m
    steps:
      - run: ./scripts/deploy-staging.sh
      - run: [./scripts/smoke.sh, "{version}"]
  - id: production
    title: Deploy to Production
    budget: 3m
    steps:
      - run: ./scripts/deploy-production.sh
      - monitor: 5m
rollback:
  steps: [./scripts/rollback-production.sh]
  verify: [./scripts/verify-rollback.sh]
  incident: [./scripts/create-incident.sh, "{reason}"]
troubleshooting:
  - match: Deployment stuck
    hint: check the deployment status
    run: ./scripts/check-deployment-status.sh
`;

function runbook(text = RUNBOOK): Runbook {
  const r = parseRunbook(text, '/srv/app/cockpit.yml');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.runbook;
}

function setup(opts: Partial<ControllerOptions> = {}, text = RUNBOOK) {
  const clock = new FakeClock();
  const runner = new FakeRunner();
  const journal = new MemoryJournal();
  const c = new Controller({
    runbook: runbook(text),
    runner,
    journal,
    clock,
    sessionId: 'test',
    sessionDir: '/tmp/cockpit-test-session',
    values: { version: '2.4.0' },
    mode: 'tui',
    ...opts,
  });
  const types = () => journal.events.map((e) => e.type);
  return { c, clock, runner, journal, types };
}

/** Starts the session and passes the pre-flight (auto check passes, manual item ticked). */
async function throughPreflight(t: ReturnType<typeof setup>) {
  void t.c.start();
  await settle();
  t.runner.finish('preflight.all-tests-passing');
  await settle();
  expect(t.c.tick('no-active-incidents').ok).toBe(true);
  await settle();
  expect(t.c.state.preflight.status).toBe('passed');
}

describe('pre-flight gates stage 1', () => {
  it('refuses to run a stage until every auto check passed and every manual item is ticked', async () => {
    const t = setup();
    void t.c.start();
    await settle();
    expect(t.runner.isRunning('preflight.all-tests-passing')).toBe(true);
    const r1 = t.c.runNextStage();
    expect(r1).toEqual({ ok: false, reason: 'pre-flight not complete (still running: All tests passing, Guardrail self-test; not ticked: No active incidents)' });
    t.runner.finish('preflight.all-tests-passing');
    await settle();
    expect(t.c.runNextStage()).toEqual({ ok: false, reason: 'pre-flight not complete (not ticked: No active incidents)' });
    t.c.tick('no-active-incidents');
    await settle();
    expect(t.c.state.preflight.status).toBe('passed');
    expect(t.c.runNextStage().ok).toBe(true);
    await settle();
    expect(t.runner.isRunning('staging.deploy-staging')).toBe(true);
  });

  it('a failed auto check blocks the stages until it is retried and passes', async () => {
    const t = setup();
    void t.c.start();
    await settle();
    t.runner.fail('preflight.all-tests-passing');
    t.c.tick('no-active-incidents');
    await settle();
    expect(t.c.runNextStage()).toEqual({ ok: false, reason: 'pre-flight not complete (failed: All tests passing)' });
    expect(t.c.retry().ok).toBe(true);
    await settle();
    expect(t.runner.started.filter((r) => r.key === 'preflight.all-tests-passing')).toHaveLength(2);
    t.runner.finish('preflight.all-tests-passing');
    await settle();
    expect(t.c.state.preflight.status).toBe('passed');
  });

  it('headless: unconfirmed manual items fail the pre-flight, naming them', async () => {
    const t = setup({ mode: 'headless', autoAdvance: true });
    void t.c.start();
    const outcome = await t.c.settled;
    expect(outcome).toBe('failed');
    const failed = t.journal.events.find((e) => e.type === 'preflight.failed');
    expect(failed).toMatchObject({ failed: [], unticked: ['No active incidents'] });
    expect(t.runner.keys()).toEqual([]); // fails at once: nothing runs that could not lead anywhere
  });

  it('--confirm ticks manual items by title, and headless runs every stage to release', async () => {
    const t = setup({ mode: 'headless', autoAdvance: true, confirm: ['No active incidents'] });
    t.runner.autoPass = true;
    void t.c.start();
    await settle();
    await t.clock.advance(5 * 60_000);
    expect(await t.c.settled).toBe('released');
    expect(t.runner.keys()).toEqual([
      'preflight.all-tests-passing',
      'staging.deploy-staging',
      'staging.smoke',
      'production.deploy-production',
    ]);
    expect(t.c.state.phase).toBe('passed');
  });
});

describe('stages', () => {
  it('placeholders reach argv elements of the step', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    t.runner.finish('staging.deploy-staging');
    await settle();
    const smoke = t.runner.started.find((r) => r.key === 'staging.smoke')!;
    expect(smoke.invocation).toMatchObject({ file: './scripts/smoke.sh', args: ['2.4.0'] });
    expect(smoke.invocation.env.COCKPIT_VERSION).toBe('2.4.0');
    expect(smoke.invocation.env.COCKPIT_STAGE).toBe('staging');
  });

  it('a failing step stops its stage and offers retry, which continues the stage', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    t.runner.fail('staging.deploy-staging', 'exit 3');
    await settle();
    const stage = t.c.state.stages[0];
    expect(stage.status).toBe('failed');
    expect(stage.steps.map((s) => s.status)).toEqual(['failed', 'pending']);
    expect(stage.steps[0].reason).toBe('exit 3');
    expect(t.runner.isRunning('staging.smoke')).toBe(false);
    expect(t.c.state.phase).toBe('failed');
    expect(t.c.runNextStage()).toEqual({ ok: false, reason: 'stage "Deploy to Staging" failed: retry (r), skip (s) or roll back (R)' });

    expect(t.c.retry().ok).toBe(true);
    await settle();
    expect(t.c.state.stages[0].steps[0]).toMatchObject({ status: 'running', attempt: 2 });
    t.runner.finish('staging.deploy-staging');
    await settle();
    expect(t.runner.isRunning('staging.smoke')).toBe(true);
    t.runner.finish('staging.smoke');
    await settle();
    expect(t.c.state.stages[0].status).toBe('passed');
    expect(t.c.state.stages[1].status).toBe('pending'); // the TUI waits for Enter
  });

  it('skip needs a reason, records it, and carries on', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    t.runner.fail('staging.deploy-staging');
    await settle();
    expect(t.c.skip('  ')).toEqual({ ok: false, reason: 'a skip needs a reason' });
    expect(t.c.skip('deployed by hand, see #4711').ok).toBe(true);
    await settle();
    expect(t.c.state.stages[0].steps[0]).toMatchObject({ status: 'skipped', skipReason: 'deployed by hand, see #4711' });
    expect(t.journal.events.find((e) => e.type === 'step.skipped')).toMatchObject({ stage: 'staging', step: 'deploy-staging', reason: 'deployed by hand, see #4711' });
    expect(t.runner.isRunning('staging.smoke')).toBe(true);
  });

  it('headless stop-on-failure ends the session failed; later stages never start', async () => {
    const t = setup({ mode: 'headless', autoAdvance: true, yes: true });
    void t.c.start();
    await settle();
    t.runner.finish('preflight.all-tests-passing');
    await settle();
    t.runner.fail('staging.deploy-staging');
    expect(await t.c.settled).toBe('failed');
    expect(t.runner.keys()).not.toContain('production.deploy-production');
  });

  it('automatic retries run before a step counts as failed', async () => {
    const text = RUNBOOK.replace('      - run: ./scripts/deploy-staging.sh', '      - run: ./scripts/deploy-staging.sh\n        retries: 2');
    const t = setup({}, text);
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    t.runner.fail('staging.deploy-staging');
    await settle();
    t.runner.fail('staging.deploy-staging');
    await settle();
    expect(t.c.state.stages[0].status).toBe('running');
    t.runner.finish('staging.deploy-staging');
    await settle();
    expect(t.journal.events.filter((e) => e.type === 'step.retrying').map((e) => (e as { attempt: number }).attempt)).toEqual([2, 3]);
    expect(t.runner.isRunning('staging.smoke')).toBe(true);
  });

  it('attaches the matching troubleshooting entry to a failure', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    t.runner.lines('staging.deploy-staging', ['12:00:00.000 waiting for rollout', '12:00:09.000 deployment stuck at 2/3 replicas']);
    t.runner.finish('staging.deploy-staging', { ok: false, timedOut: true, reason: 'timed out (SIGTERM)' });
    await settle();
    expect(t.c.state.stages[0].steps[0].troubleshooting).toEqual({
      title: 'Deployment stuck',
      hint: 'check the deployment status',
      commands: ['./scripts/check-deployment-status.sh'],
    });
  });

  it('emits over-budget once when a stage runs past its budget, not before', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    await t.clock.advance(119_000);
    expect(t.types()).not.toContain('stage.over-budget');
    await t.clock.advance(2_000);
    expect(t.journal.events.filter((e) => e.type === 'stage.over-budget')).toEqual([
      expect.objectContaining({ stage: 'staging', budgetMs: 120_000, elapsedMs: 120_000 }),
    ]);
    expect(t.c.state.stages[0].overBudget).toBe(true);
    await t.clock.advance(600_000);
    expect(t.journal.events.filter((e) => e.type === 'stage.over-budget')).toHaveLength(1);
  });

  it('a stage that finishes within budget never goes over', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    t.runner.finish('staging.deploy-staging');
    await settle();
    t.runner.finish('staging.smoke');
    await settle();
    await t.clock.advance(600_000);
    expect(t.types()).not.toContain('stage.over-budget');
  });

  it('a monitor step waits its window on the clock', async () => {
    const t = setup();
    await throughPreflight(t);
    t.runner.autoPass = true;
    t.c.runNextStage();
    await settle();
    t.c.runNextStage();
    await settle();
    const monitor = () => t.c.state.stages[1].steps[1];
    expect(monitor().status).toBe('running');
    await t.clock.advance(299_999);
    expect(monitor().status).toBe('running');
    await t.clock.advance(1);
    expect(monitor().status).toBe('passed');
    expect(t.c.state.outcome).toBe('released');
  });

  it('--stage runs from that stage, recording earlier ones as skipped', async () => {
    const t = setup({ fromStage: 'production' });
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    expect(t.c.state.stages[0]).toMatchObject({ status: 'skipped' });
    expect(t.runner.isRunning('production.deploy-production')).toBe(true);
    expect(t.runner.keys()).not.toContain('staging.deploy-staging');
  });
});

describe('rollback', () => {
  it('interrupts the running step, then runs steps, verify and incident with the reason, once', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    expect(t.c.rollback('error rate 4.2 % > 1 % for 2m', 'operator').ok).toBe(true);
    await settle();
    expect(t.c.state.stages[0].steps[0].status).toBe('interrupted');
    expect(t.c.state.stages[0].status).toBe('interrupted');
    expect(t.c.state.phase).toBe('rolling-back');
    t.runner.finish('rollback.rollback-production');
    await settle();
    t.runner.finish('rollback.verify-rollback');
    await settle();
    const incident = t.runner.started.find((r) => r.key === 'rollback.incident')!;
    expect(incident.invocation.args).toEqual(['error rate 4.2 % > 1 % for 2m']);
    t.runner.finish('rollback.incident');
    expect(await t.c.settled).toBe('rolled-back');
    expect(t.c.state.phase).toBe('rolled-back');
    expect(t.c.rollback('again', 'operator')).toEqual({ ok: false, reason: 'already rolled back (one rollback per incident)' });
    expect(t.runner.keys().filter((k) => k.startsWith('rollback.'))).toEqual(['rollback.rollback-production', 'rollback.verify-rollback', 'rollback.incident']);
    // nothing of the interrupted stage ran after the rollback began
    expect(t.runner.keys()).not.toContain('staging.smoke');
  });

  it('a second rollback request while one runs is refused', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.rollback('first', 'operator');
    await settle();
    expect(t.c.rollback('second', 'trigger')).toEqual({ ok: false, reason: 'a rollback is already running' });
    expect(t.journal.events.filter((e) => e.type === 'rollback.started')).toHaveLength(1);
  });

  it('a failed rollback step is loud and retryable; it never claims success', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.rollback('manual', 'operator');
    await settle();
    t.runner.fail('rollback.rollback-production', 'exit 2');
    await settle();
    // the incident is opened anyway, saying the rollback failed
    const incident = t.runner.started.find((r) => r.key === 'rollback.incident')!;
    expect(incident.invocation.args).toEqual(['ROLLBACK FAILED at rollback-production (exit 2); manual']);
    t.runner.finish('rollback.incident');
    await settle();
    expect(t.c.state.phase).toBe('rollback-failed');
    expect(t.c.state.rollback.status).toBe('failed');
    expect(t.runner.keys()).not.toContain('rollback.verify-rollback');
    expect(t.c.retry().ok).toBe(true);
    await settle();
    t.runner.finish('rollback.rollback-production');
    await settle();
    t.runner.finish('rollback.verify-rollback');
    await settle();
    expect(t.c.state.phase).toBe('rolled-back');
    expect(t.runner.started.filter((r) => r.key === 'rollback.incident')).toHaveLength(1);
  });

  it('headless --on-failure rollback rolls back a failed stage', async () => {
    const t = setup({ mode: 'headless', autoAdvance: true, yes: true, onFailure: 'rollback' });
    void t.c.start();
    await settle();
    t.runner.finish('preflight.all-tests-passing');
    await settle();
    t.runner.fail('staging.deploy-staging', 'exit 7');
    await settle();
    expect(t.c.state.rollback.reason).toBe('stage "Deploy to Staging" failed at deploy-staging: exit 7');
    t.runner.finish('rollback.rollback-production');
    await settle();
    t.runner.finish('rollback.verify-rollback');
    await settle();
    t.runner.finish('rollback.incident');
    expect(await t.c.settled).toBe('rolled-back');
  });
});

describe('interrupt and quit', () => {
  it('interrupt kills the running step and ends the session as interrupted', async () => {
    const t = setup();
    await throughPreflight(t);
    t.c.runNextStage();
    await settle();
    expect(t.c.quit()).toEqual({ ok: false, reason: 'a step is running: interrupt it first (Ctrl+C) or wait' });
    await t.c.interrupt();
    expect(await t.c.settled).toBe('interrupted');
    expect(t.c.state.stages[0].steps[0].status).toBe('interrupted');
    expect(t.types().slice(-2)).toEqual(['session.interrupted', 'session.ended']);
  });

  it('quit when idle ends the session', async () => {
    const t = setup();
    await throughPreflight(t);
    expect(t.c.quit().ok).toBe(true);
    expect(await t.c.settled).toBe('aborted');
  });
});

describe('journal', () => {
  it('every event is journalled before it is applied, with wall and monotonic time', async () => {
    const seen: { type: string; applied: boolean }[] = [];
    let c!: Controller;
    const journal: Journal = {
      append(e: SessionEvent) {
        // at append time, the state must not yet reflect the event
        const applied = e.type === 'stage.started' ? c.state.stages[0].status === 'running' : e.type === 'check.ticked' ? c.state.preflight.steps[1].ticked : false;
        seen.push({ type: e.type, applied });
        expect(typeof e.at).toBe('number');
        expect(typeof e.t).toBe('number');
      },
      close() {},
    };
    const clock = new FakeClock();
    const runner = new FakeRunner();
    runner.autoPass = true;
    c = new Controller({ runbook: runbook(), runner, journal, clock, sessionId: 's', sessionDir: '/tmp/x', values: {}, mode: 'tui' });
    void c.start();
    await settle();
    c.tick('no-active-incidents');
    await settle();
    c.runNextStage();
    await settle();
    expect(seen.find((s) => s.type === 'check.ticked')).toEqual({ type: 'check.ticked', applied: false });
    expect(seen.find((s) => s.type === 'stage.started')).toEqual({ type: 'stage.started', applied: false });
    expect(c.state.stages[0].status).toBe('passed');
  });

  it('a journal that cannot be written stops the event from being applied', async () => {
    const clock = new FakeClock();
    const runner = new FakeRunner();
    const journal: Journal = {
      append() {
        throw new Error('disk full');
      },
      close() {},
    };
    const c = new Controller({ runbook: runbook(), runner, journal, clock, sessionId: 's', sessionDir: '/tmp/x', values: {}, mode: 'tui' });
    await expect(c.start()).rejects.toThrow('disk full');
    expect(c.state.sessionId).toBeUndefined();
  });
});
