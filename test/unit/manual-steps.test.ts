/**
 * Manual steps inside stages: the stage waits at one until it is ticked (space, --confirm, --yes),
 * skipped, interrupted or rolled back; headless fails at one nobody confirmed; a resumed session
 * waits again; triggers keep watching while it waits. Also the schema and rules for them.
 */
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import { FakeClock, settle } from '../../src/core/clock.js';
import { Controller, type ControllerOptions } from '../../src/session/controller.js';
import type { SessionEvent } from '../../src/core/events.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { ReadOnlySession } from '../../src/session/read-only-session.js';
import { commandPlan } from '../../src/session/plan.js';
import { manualTitle } from '../../src/runbook/normalize.js';
import { stageRows } from '../../src/wallboard/model-panels.js';
import { summaryLines } from '../../src/ui/summary.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { guardRunbook, guardSetup, ofType, ScriptedSource } from '../helpers/guard-harness.js';

const RUNBOOK = `
name: web-app
version: "2.4.0"
stages:
  - id: production
    title: Deploy to Production
    budget: 5m
    steps:
      - run: ./scripts/deploy-production.sh
      - title: Verify canary dashboard
        manual: |
          Open the canary dashboard and check that p95 latency
          stays under 500 ms for five minutes.
      - run: ./scripts/promote.sh
  - id: post-release
    title: Post-release
    steps:
      - manual: 'Announce the release in #releases'
rollback:
  steps: [./scripts/rollback-production.sh]
`;

const ALL_MANUAL = `
name: checklist-release
stages:
  - id: release
    budget: 10m
    steps:
      - manual: Tag the release in GitHub
      - manual: Publish the release notes
  - id: announce
    steps:
      - { id: tell, manual: 'Announce in #releases' }
`;

function runbook(text: string): Runbook {
  const r = parseRunbook(text, '/srv/app/cockpit.yml');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n'));
  return r.runbook;
}

function setup(opts: Partial<ControllerOptions> = {}, text = RUNBOOK) {
  const clock = new FakeClock();
  const runner = new FakeRunner();
  const journal = new MemoryJournal();
  const c = new Controller({ runbook: runbook(text), runner, journal, clock, sessionId: 'manual', sessionDir: '/tmp/cockpit-manual-test', values: { version: '2.4.0' }, mode: 'tui', ...opts });
  const step = (stage: string, id: string) => c.state.stages.find((s) => s.id === stage)!.steps.find((s) => s.id === id)!;
  return { c, clock, runner, journal, step };
}

/** Starts the session (no pre-flight) and runs production up to its manual step. */
async function atCanary(t: ReturnType<typeof setup>) {
  void t.c.start();
  await settle();
  expect(t.c.runNextStage().ok).toBe(true);
  await settle();
  t.runner.finish('production.deploy-production');
  await settle();
  expect(t.step('production', 'verify-canary-dashboard').status).toBe('waiting');
}

describe('a manual step in a stage (the screen)', () => {
  it('waits for the tick: nothing after it runs, Enter says why; the tick is journalled and the stage goes on', async () => {
    const t = setup();
    await atCanary(t);
    await t.clock.advance(42_000);
    await settle();
    expect(t.runner.isRunning('production.promote')).toBe(false);
    expect(t.c.state.stages[0].status).toBe('running');
    expect(t.c.runNextStage()).toEqual({ ok: false, reason: '"Verify canary dashboard" waits for you: space ticks it once done, s skips it' });
    expect(t.c.tickStep('production', 'promote')).toEqual({ ok: false, reason: '"promote" is not a manual step: it runs by itself' });
    expect(t.c.tickStep('production', 'verify-canary-dashboard')).toEqual({ ok: true });
    await settle();
    expect(t.step('production', 'verify-canary-dashboard')).toMatchObject({ status: 'passed', ticked: true, durationMs: 42_000 });
    const ticked = t.journal.events.find((e) => e.type === 'check.ticked');
    expect(ticked).toMatchObject({ stage: 'production', id: 'verify-canary-dashboard', by: 'operator', t: 42_000 });
    expect(typeof ticked!.at).toBe('number');
    expect(t.runner.isRunning('production.promote')).toBe(true);
    expect(t.c.tickStep('production', 'verify-canary-dashboard')).toEqual({ ok: false, reason: '"Verify canary dashboard" is already ticked' });
  });

  it('the post-release stage waits at its manual step too, then the release is released', async () => {
    const t = setup();
    await atCanary(t);
    t.c.tickStep('production', 'verify-canary-dashboard');
    await settle();
    t.runner.finish('production.promote');
    await settle();
    expect(t.c.runNextStage().ok).toBe(true);
    await settle();
    expect(t.step('post-release', 'announce-the-release-in-releases').status).toBe('waiting');
    expect(t.c.state.outcome).toBeUndefined();
    t.c.tickStep('post-release', 'announce-the-release-in-releases');
    await settle();
    expect(t.c.state.outcome).toBe('released');
  });

  it('s skips the waiting step with a reason (the stage goes on); a skip needs a reason', async () => {
    const t = setup();
    await atCanary(t);
    expect(t.c.skip(' ')).toEqual({ ok: false, reason: 'a skip needs a reason' });
    expect(t.c.skip('dashboard is down, checked the logs instead').ok).toBe(true);
    await settle();
    expect(t.step('production', 'verify-canary-dashboard')).toMatchObject({ status: 'skipped', skipReason: 'dashboard is down, checked the logs instead' });
    expect(t.runner.isRunning('production.promote')).toBe(true);
  });

  it('R during the wait rolls back as always: the wait ends interrupted, nothing after it runs', async () => {
    const t = setup();
    await atCanary(t);
    expect(t.c.rollback('manual rollback by the operator (R)', 'operator').ok).toBe(true);
    await settle();
    expect(t.step('production', 'verify-canary-dashboard').status).toBe('interrupted');
    t.runner.finish('rollback.rollback-production');
    await settle();
    expect(t.c.state.outcome).toBe('rolled-back');
    expect(t.runner.keys()).not.toContain('production.promote');
    expect(t.c.tickStep('production', 'verify-canary-dashboard').ok).toBe(false);
  });

  it('Ctrl+C on the waiting step fails the stage as interrupted; r waits again', async () => {
    const t = setup();
    await atCanary(t);
    await t.c.interruptStep();
    await settle();
    expect(t.c.state.stages[0].status).toBe('failed');
    expect(t.step('production', 'verify-canary-dashboard').status).toBe('interrupted');
    expect(t.c.retry().ok).toBe(true);
    await settle();
    expect(t.step('production', 'verify-canary-dashboard')).toMatchObject({ status: 'waiting', attempt: 2 });
    t.c.tickStep('production', 'verify-canary-dashboard');
    await settle();
    expect(t.runner.isRunning('production.promote')).toBe(true);
  });

  it('--confirm given to the screen ticks the step when the stage reaches it', async () => {
    const t = setup({ confirm: ['verify CANARY dashboard'] });
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    t.runner.finish('production.deploy-production');
    await settle();
    expect(t.step('production', 'verify-canary-dashboard')).toMatchObject({ status: 'passed', ticked: true });
    expect(t.journal.events.find((e) => e.type === 'check.ticked')).toMatchObject({ by: 'confirm', stage: 'production' });
    expect(t.runner.isRunning('production.promote')).toBe(true);
  });

  it('a follower cannot tick', async () => {
    const c = new ReadOnlySession({ runbook: runbook(RUNBOOK), sessionDir: '/tmp/cockpit-manual-test', how: 'watching: tick it on the cockpit that runs the release', clock: new FakeClock() });
    expect(c.tickStep('production', 'verify-canary-dashboard')).toEqual({ ok: false, reason: 'watching: tick it on the cockpit that runs the release' });
  });
});

describe('the other views of a waiting manual step', () => {
  it('the wallboard names the step its stage waits at; the summary lists a skipped one', async () => {
    const t = setup();
    await atCanary(t);
    expect(stageRows(t.c.state, t.c.state.now)[1]).toMatchObject({ title: 'Deploy to Production', word: 'running', current: '☐ Verify canary dashboard (waiting for a tick)' });
    t.c.skip('checked by phone');
    await settle();
    expect(summaryLines(t.c.state, '/j')).toContain('  ↷ Deploy to Production / Verify canary dashboard: skipped: checked by phone');
  });
});

describe('resume at a waiting manual step', () => {
  it('replays the journal and waits again (no new wait event); the tick carries the stage on', async () => {
    const first = setup();
    await atCanary(first);
    const journal: SessionEvent[] = [...first.journal.events];
    const t = setup({ resume: journal });
    expect(t.step('production', 'verify-canary-dashboard').status).toBe('waiting');
    void t.c.start();
    await settle();
    expect(t.c.busy).toBe(true);
    expect(t.journal.events.filter((e) => e.type === 'step.waiting')).toEqual([]);
    expect(t.c.tickStep('production', 'verify-canary-dashboard').ok).toBe(true);
    await settle();
    expect(t.runner.isRunning('production.promote')).toBe(true);
  });
});

describe('headless', () => {
  it('fails the stage at a manual step nobody confirmed, naming it and the flag to pass', async () => {
    const t = setup({ mode: 'headless', autoAdvance: true });
    t.runner.autoPass = true;
    void t.c.start();
    expect(await t.c.settled).toBe('failed');
    const failed = t.journal.events.find((e) => e.type === 'stage.failed');
    expect(failed).toMatchObject({ stage: 'production', step: 'verify-canary-dashboard', reason: 'not confirmed: a headless run cannot wait for a tick; pass --confirm "Verify canary dashboard" (or --yes)' });
    expect(t.runner.keys()).toEqual(['production.deploy-production']);
  });

  it('--confirm by title or id (any case) ticks each step; the release runs to the end', async () => {
    const t = setup({ mode: 'headless', autoAdvance: true, confirm: ['VERIFY CANARY DASHBOARD', 'announce-the-release-in-releases'] });
    t.runner.autoPass = true;
    void t.c.start();
    expect(await t.c.settled).toBe('released');
    expect(ofType(t.journal.events, 'check.ticked').map((e) => [e.stage, e.id, e.by])).toEqual([
      ['production', 'verify-canary-dashboard', 'confirm'],
      ['post-release', 'announce-the-release-in-releases', 'confirm'],
    ]);
  });

  it('--yes ticks every manual step', async () => {
    const t = setup({ mode: 'headless', autoAdvance: true, yes: true });
    t.runner.autoPass = true;
    void t.c.start();
    expect(await t.c.settled).toBe('released');
  });
});

describe('an all-manual runbook (a checklist release)', () => {
  it('is valid and releases tick by tick; budgets and durations count the waits', async () => {
    const t = setup({}, ALL_MANUAL);
    void t.c.start();
    await settle();
    expect(t.c.state.preflight.status).toBe('passed');
    t.c.runNextStage();
    await settle();
    await t.clock.advance(11 * 60_000);
    expect(t.journal.events.some((e) => e.type === 'stage.over-budget')).toBe(true);
    t.c.tickStep('release', 'tag-the-release-in-github');
    await settle();
    t.c.tickStep('release', 'publish-the-release-notes');
    await settle();
    expect(t.journal.events.find((e) => e.type === 'stage.passed')).toMatchObject({ stage: 'release', durationMs: 11 * 60_000 });
    t.c.runNextStage();
    await settle();
    t.c.tickStep('announce', 'tell');
    await settle();
    expect(t.c.state.outcome).toBe('released');
    expect(t.runner.keys()).toEqual([]);
  });

  it('the dry-run plan lists manual steps as "manual: <text>"', () => {
    const plan = commandPlan(runbook(RUNBOOK));
    const production = plan.find((s) => s.stage === 'production')!;
    expect(production.items[1]).toEqual({ kind: 'note', id: 'verify-canary-dashboard', text: 'manual: Open the canary dashboard and check that p95 latency stays under 500 ms for five minutes.' });
  });
});

describe('triggers keep watching while a manual step waits', () => {
  it('a trigger that fires during the wait rolls back', async () => {
    const clock = new FakeClock();
    const SEC = 1000;
    const source = new ScriptedSource(clock, SEC, { error_rate: [0.2, 0.2, ...Array(100).fill(5)] });
    const text = guardRunbook({
      triggers: ['{ metric: error_rate, above: 1, for: 3s }'],
      stages: `
  - id: production
    armed: true
    steps:
      - manual: Check the canary by hand`,
    });
    const t = guardSetup(text, { guard: { source } }, clock);
    t.runner.autoPass = true;
    void t.c.start();
    await settle();
    expect(t.c.runNextStage().ok).toBe(true);
    await settle();
    expect(t.c.state.stages[0].steps[0].status).toBe('waiting');
    await clock.advance(6 * SEC);
    await settle();
    expect(ofType(t.journal.events, 'trigger.fired')).toHaveLength(1);
    expect(ofType(t.journal.events, 'rollback.started')).toEqual([expect.objectContaining({ source: 'trigger' })]);
    expect(t.c.state.stages[0].steps[0].status).toBe('interrupted');
  });
});

describe('schema and rules', () => {
  const base = (steps: string, rollback = '[./rollback.sh]') => `name: x\nstages:\n  - id: s\n    steps:\n${steps}\nrollback:\n  steps: ${rollback}\n`;

  it('a manual step takes its title from its text (shortened) and its id from the title', () => {
    const rb = runbook(base('      - manual: Check that the checkout conversion on the canary dashboard is within 2 % of yesterday\n      - { manual: x, title: Announce, id: tell }'));
    expect(rb.stages[0].steps[0]).toEqual({ kind: 'manual', id: 'check-that-the-checkout-conversion-on-th', title: 'Check that the checkout conversion on the…', text: 'Check that the checkout conversion on the canary dashboard is within 2 % of yesterday' });
    expect(rb.stages[0].steps[1]).toEqual({ kind: 'manual', id: 'tell', title: 'Announce', text: 'x' });
    expect(manualTitle('- [ ] Verify canary\nmore')).toBe('Verify canary');
  });

  it('refuses a manual step in a rollback, with a located error', () => {
    const r = parseRunbook(base('      - ./deploy.sh', '\n    - ./rollback.sh\n    - manual: Check by hand'), '/srv/app/cockpit.yml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([expect.objectContaining({ line: 9, message: expect.stringContaining('a rollback cannot contain a manual step: a rollback runs without waiting for a tick') })]);
  });

  it('refuses a manual step in rollback.verify and inside a choice option, and an empty one', () => {
    const verify = parseRunbook(`${base('      - ./deploy.sh')}  verify:\n    - manual: Look at it\n`, '/srv/app/cockpit.yml');
    expect(!verify.ok && verify.errors.map((e) => e.message)).toEqual([expect.stringContaining('a rollback cannot contain a manual step')]);
    const choice = parseRunbook(base('      - choose:\n          title: How\n          options:\n            - { title: A, steps: [{ manual: do it }] }\n            - { title: B, steps: [./b.sh] }'), '/srv/app/cockpit.yml');
    expect(choice.ok).toBe(false);
    const empty = parseRunbook(base('      - manual: "  "'), '/srv/app/cockpit.yml');
    expect(!empty.ok && empty.errors.map((e) => e.message).join('\n')).toContain('a manual step needs its text');
  });
});
