/**
 * Keys ask the engine (lazygit's GetDisabledReason): for each state of a release and each key
 * that acts on it, the hint bar shows the key exactly when the engine would act, and a press
 * either acts or says the engine's reason (session/intents.ts) on the notice line, journalling
 * nothing. A follower (`cockpit watch`) is refused every acting key, saying how to act instead.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../../src/core/clock.js';
import type { MetricSource } from '../../src/metrics/sources/source.js';
import { ReadOnlySession } from '../../src/session/read-only-session.js';
import type { Session } from '../../src/session/session.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { guardRunbook, guardSetup, type GuardSetup } from '../helpers/guard-harness.js';
import { plain, waitFor, waitForText } from '../helpers/ink.js';

const RELEASE = `
name: web-app
version: "2.4.0"
environment: production
preflight:
  - title: All tests passing
    run: ./scripts/verify-tests.sh
  - title: No active incidents
    manual: Check the monitoring dashboard
stages:
  - id: staging
    title: Deploy to Staging
    steps:
      - run: ./scripts/deploy-staging.sh
rollback:
  steps: [./scripts/rollback-production.sh]
  verify: [./scripts/verify-rollback.sh]
  incident: [./scripts/create-incident.sh, "{reason}"]
`;

/** A metrics source that is down: the guardrail self-test fails, naming it. */
const DOWN: MetricSource = { kind: 'down', fetch: async (series) => Object.fromEntries(series.map((s) => [s.name, { error: 'prometheus: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' }])) };
const GUARDED = guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 3s }'] });
const FOLLOWING = 'read-only: act in the cockpit that runs the release';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

type Screen = GuardSetup & { readonly session: Session; readonly press: (k: string) => Promise<void>; readonly frame: () => string; readonly bar: () => string; readonly notice: () => string };

/** The App over `session` (the driving controller unless a follower's read-only session is given). */
function mount(g: GuardSetup, session: Session = g.c): Screen {
  const store = new OutputStore(session);
  let keyTime = 10_000;
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={session} store={store} keyClock={() => keyTime} size={{ columns: 160, rows: 30 }} onExit={() => undefined} />
    </ThemeContext.Provider>,
  );
  cleanup = () => app.unmount();
  const frame = () => plain(app.lastFrame());
  const press = async (k: string) => {
    keyTime += 1000;
    app.stdin.write(k);
    await settle();
  };
  return { ...g, session, press, frame, bar: () => frame().split('\n').at(-1) ?? '', notice: () => frame().split('\n').at(-2) ?? '' };
}

const release = () => mount(guardSetup(RELEASE));

async function preflightPassed(t: Screen): Promise<void> {
  void t.c.start();
  await waitForText(t.frame, '◐ All tests passing');
  t.runner.finish('preflight.all-tests-passing');
  await waitForText(t.frame, '✓ All tests passing');
  await t.press(' ');
  await waitForText(t.frame, '⏎ run/continue');
}

async function stageRuns(t: Screen): Promise<void> {
  await preflightPassed(t);
  await t.press('\r');
  await waitFor(() => t.runner.isRunning('staging.deploy-staging'), 'the deploy');
  await waitForText(t.frame, '◐ deploy-staging');
}

async function stageFailed(t: Screen): Promise<void> {
  await stageRuns(t);
  t.runner.fail('staging.deploy-staging', 'exit 3');
  await waitForText(t.frame, 'r retry');
}

async function rollbackRuns(t: Screen): Promise<void> {
  await stageFailed(t);
  await t.press('R');
  await waitForText(t.frame, 'ROLLBACK ─');
  await t.press('R');
  await waitFor(() => t.runner.isRunning('rollback.rollback-production'), 'the rollback step');
  await waitForText(t.frame, 'a acknowledge');
}

async function rolledBack(t: Screen): Promise<void> {
  await rollbackRuns(t);
  // the rollback, verify and incident steps pass as they start
  await waitFor(() => {
    for (const k of t.runner.keys()) if (t.runner.isRunning(k)) t.runner.finish(k);
    return t.c.state.outcome === 'rolled-back' && !t.c.busy;
  }, 'the session rolled back');
  await waitForText(t.frame, '✓ Rollback');
}

async function selfTestFailed(): Promise<Screen> {
  const t = mount(guardSetup(GUARDED, { guard: { source: DOWN } }));
  void t.c.start();
  await waitForText(t.frame, 'U unguarded');
  return t;
}

/** A follower fed the journal of a release whose stage failed. */
async function followerOfFailedStage(): Promise<Screen> {
  const driver = release();
  await stageFailed(driver);
  const events = [...driver.journal.events];
  cleanup?.();
  const g = guardSetup(RELEASE);
  const follower = new ReadOnlySession({ runbook: g.c.runbook, sessionDir: '/tmp/cockpit-ui-key-enablement', how: FOLLOWING, clock: g.clock });
  const t = mount(g, follower);
  follower.applyExternal(events);
  await waitForText(t.frame, 'FAILED');
  return t;
}

type Key = { readonly press: string; readonly hint: string; readonly acted: (t: Screen, before: { started: number; events: number }) => boolean };

const KEYS: Record<'enter' | 'r' | 's' | 'a' | 'U', Key> = {
  enter: { press: '\r', hint: '⏎ run/continue', acted: (t, b) => t.runner.started.length > b.started },
  r: { press: 'r', hint: 'r retry', acted: (t, b) => t.journal.events.length > b.events && t.journal.events.slice(b.events).some((e) => e.type === 'step.started') },
  s: { press: 's', hint: 's skip', acted: (t) => t.frame().includes('Skip step') },
  a: { press: 'a', hint: 'a acknowledge', acted: (t) => t.session.state.guard.acknowledged && t.notice().includes('acknowledged: escalation runs until verify passes') },
  U: { press: 'U', hint: 'U unguarded', acted: (t) => t.frame().includes('PROCEED WITHOUT GUARDRAILS') },
};

/** true: the key acts (and shows in the bar); a string: the engine's reason it says (and it is not in the bar). */
type Row = { readonly state: string; readonly arrange: () => Promise<Screen>; readonly keys: Record<keyof typeof KEYS, true | string> };

const NO_INCIDENT = 'there is no incident to acknowledge';
const SELF_TEST_PASSED = 'the guardrail self-test has not failed';
const RUNNING = 'a step is running';

const TABLE: readonly Row[] = [
  {
    state: 'the pre-flight runs',
    arrange: async () => {
      const t = release();
      void t.c.start();
      await waitForText(t.frame, '◐ All tests passing');
      return t;
    },
    keys: { enter: 'pre-flight not complete (still running: All tests passing, Guardrail self-test; not ticked: No active incidents)', r: RUNNING, s: RUNNING, a: NO_INCIDENT, U: SELF_TEST_PASSED },
  },
  {
    state: 'the pre-flight passed',
    arrange: async () => {
      const t = release();
      await preflightPassed(t);
      return t;
    },
    keys: { enter: true, r: 'nothing to retry', s: 'nothing to skip', a: NO_INCIDENT, U: SELF_TEST_PASSED },
  },
  {
    state: 'a stage runs',
    arrange: async () => {
      const t = release();
      await stageRuns(t);
      return t;
    },
    keys: { enter: RUNNING, r: RUNNING, s: RUNNING, a: NO_INCIDENT, U: SELF_TEST_PASSED },
  },
  {
    state: 'a stage failed',
    arrange: async () => {
      const t = release();
      await stageFailed(t);
      return t;
    },
    keys: { enter: 'stage "Deploy to Staging" failed: retry (r), skip (s) or roll back (R)', r: true, s: true, a: NO_INCIDENT, U: SELF_TEST_PASSED },
  },
  {
    state: 'the rollback runs (the incident is open)',
    arrange: async () => {
      const t = release();
      await rollbackRuns(t);
      return t;
    },
    keys: { enter: RUNNING, r: RUNNING, s: RUNNING, a: true, U: SELF_TEST_PASSED },
  },
  {
    state: 'rolled back (verify passed)',
    arrange: async () => {
      const t = release();
      await rolledBack(t);
      return t;
    },
    keys: { enter: 'the session has ended', r: 'nothing to retry', s: 'nothing to skip', a: 'the incident is resolved (verify passed): nothing to acknowledge', U: 'the session has ended' },
  },
  {
    state: 'the guardrail self-test failed',
    arrange: selfTestFailed,
    keys: {
      enter: 'pre-flight not complete (failed: Guardrail self-test)',
      r: true,
      s: 'the guardrail self-test is not skipped: fix it and retry (r), or proceed unguarded (U, typed confirmation)',
      a: NO_INCIDENT,
      U: true,
    },
  },
  {
    state: 'a follower of a failed stage',
    arrange: followerOfFailedStage,
    keys: { enter: FOLLOWING, r: FOLLOWING, s: FOLLOWING, a: FOLLOWING, U: FOLLOWING },
  },
];

type Expected = Row['keys'][keyof typeof KEYS];

/** The bar and a press agree with the engine: a refused key says the reason and changes nothing. */
async function pressRefused(t: Screen, key: keyof typeof KEYS, reason: string): Promise<void> {
  const k = KEYS[key];
  const before = { started: t.runner.started.length, events: t.journal.events.length };
  await t.press(k.press);
  await waitFor(() => t.notice().trim() === reason, `${key}: the notice "${reason}" (got "${t.notice().trim()}")`);
  // nothing ran, nothing was journalled, no dialog opened
  expect(k.acted(t, before), key).toBe(false);
  expect(t.journal.events.length, key).toBe(before.events);
  expect(t.runner.started.length, key).toBe(before.started);
  // another notice before the next key: this one is not taken for the next key's (the same reason)
  await t.press('P');
  await waitFor(() => t.notice().trim() === 'no key "P" here: ? lists every key', `${key}: another notice`);
}

async function pressEnabled(t: Screen, key: keyof typeof KEYS): Promise<void> {
  const k = KEYS[key];
  const before = { started: t.runner.started.length, events: t.journal.events.length };
  await t.press(k.press);
  await waitFor(() => k.acted(t, before), `${key} to act`);
}

describe('state × key: the hint bar and the press agree with the engine', () => {
  it.each(TABLE)('$state', async (row) => {
    const cells = Object.entries(row.keys) as [keyof typeof KEYS, Expected][];
    let t = await row.arrange();
    for (const [key, expected] of cells) {
      if (expected === true) expect(t.bar(), key).toContain(KEYS[key].hint);
      else expect(t.bar(), key).not.toContain(KEYS[key].hint);
    }
    // the refused keys first (each changes nothing), then each key that acts, on a screen of its own
    for (const [key, expected] of cells) if (expected !== true) await pressRefused(t, key, expected);
    const enabled = cells.filter(([, e]) => e === true);
    for (const [i, [key]] of enabled.entries()) {
      if (i > 0) {
        cleanup?.();
        t = await row.arrange();
      }
      await pressEnabled(t, key);
    }
  });
});

describe('a follower', () => {
  it('keeps the keys that look, scroll, open a view or leave; its bar offers nothing that acts', async () => {
    const t = await followerOfFailedStage();
    expect(t.bar()).toBe(' R rollback  e emergency  ? help  q quit');
    await t.press('?');
    await waitForText(t.frame, 'Keys (Esc closes');
    await t.press('\u001B');
    await waitFor(() => !t.frame().includes('Keys (Esc closes'), 'the help closed');
    await t.press('e');
    await waitForText(t.frame, 'EMERGENCY');
  });
});
