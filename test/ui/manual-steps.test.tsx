/**
 * A stage's manual step on the screen: it shows waiting (an icon and words), the hint bar offers
 * space tick, the output pane shows its full text wrapped, space ticks it and the stage goes on; a
 * follower (`cockpit watch`) shows it read-only and cannot tick it.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import { FakeClock, settle } from '../../src/core/clock.js';
import { Controller, type ControllerOptions } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { ReadOnlySession } from '../../src/session/read-only-session.js';
import type { Session } from '../../src/session/session.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { plain, waitFor, waitForText } from '../helpers/ink.js';

const RUNBOOK = `
name: web-app
version: "2.4.0"
environment: production
stages:
  - id: production
    title: Deploy to Production
    steps:
      - run: ./scripts/deploy-production.sh
      - title: Verify canary dashboard
        manual: Open the canary dashboard and check that p95 latency stays under 500 ms and the error rate under 0.1 % for five whole minutes before promoting.
      - run: ./scripts/promote.sh
rollback:
  steps: [./scripts/rollback-production.sh]
`;

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function runbook() {
  const parsed = parseRunbook(RUNBOOK, '/srv/app/cockpit.yml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.runbook;
}

function setup(opts: Partial<ControllerOptions> = {}) {
  const runner = new FakeRunner();
  const journal = new MemoryJournal();
  const controller = new Controller({ runbook: runbook(), runner, journal, clock: new FakeClock(), sessionId: 's', sessionDir: '/tmp/cockpit-ui-manual', values: { version: '2.4.0' }, mode: 'tui', ...opts });
  return { ...mount(controller), runner, controller, journal };
}

/** The screen of a read-only follower (cockpit watch): a ReadOnlySession, fed by hand. */
function setupFollower(how: string) {
  const controller = new ReadOnlySession({ runbook: runbook(), sessionDir: '/tmp/cockpit-ui-manual', how, clock: new FakeClock() });
  return { ...mount(controller), controller };
}

function mount(controller: Session) {
  const store = new OutputStore(controller);
  let keyTime = 10_000;
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={controller} store={store} keyClock={() => keyTime} size={{ columns: 100, rows: 24 }} />
    </ThemeContext.Provider>,
  );
  cleanup = () => app.unmount();
  const press = async (k: string) => {
    keyTime += 1000;
    app.stdin.write(k);
    await settle();
  };
  const hintBar = () => plain(app.lastFrame()).split('\n').at(-1) ?? '';
  return { app, press, hintBar, frame: () => plain(app.lastFrame()) };
}

/** Runs the stage up to its manual step (the deploy passes). */
async function atCanary(t: ReturnType<typeof setup>) {
  void t.controller.start();
  await waitForText(t.app.lastFrame, '⏎ run/continue');
  await t.press('\r');
  await waitFor(() => t.runner.isRunning('production.deploy-production'), 'the deploy to start');
  t.runner.finish('production.deploy-production');
  return waitForText(t.app.lastFrame, 'waiting: space ticks');
}

describe('a manual step in a stage, on the screen', () => {
  it('waits with an icon and words, offers space tick, shows its whole text; space ticks it and the stage goes on', async () => {
    const t = setup();
    const f = await atCanary(t);
    expect(f).toContain('☐ Verify canary dashboard');
    expect(f.split('\n')[0]).toContain('WAITING FOR TICK');
    expect(t.hintBar()).toBe(' R rollback  space tick  s skip  e emergency  ? help  q quit');
    // the output pane: its title, and the text wrapped (its last words are not cut off)
    expect(f).toMatch(/┌ Verify canary dashboard · manual step ─+┐/);
    expect(f).toContain('☐ Verify canary dashboard: waiting for you');
    expect(f).toContain('before promoting.');
    expect(f).toContain('Space ticks it once done');
    expect(t.runner.isRunning('production.promote')).toBe(false);

    await t.press(' ');
    await waitFor(() => t.runner.isRunning('production.promote'), 'the stage to go on');
    const after = await waitForText(t.app.lastFrame, '✓ Verify canary dashboard');
    expect(after).not.toContain('waiting: space ticks');
    expect(t.hintBar()).not.toContain('space tick');
    expect(t.journal.events.find((e) => e.type === 'check.ticked')).toMatchObject({ stage: 'production', id: 'verify-canary-dashboard', by: 'operator' });
  });

  it('with another row selected, the first space selects the waiting step and the second ticks it', async () => {
    const t = setup();
    await atCanary(t);
    await t.press('\u001B[A'); // ↑: the deploy step
    await waitFor(() => !t.frame().includes('· manual step'), 'the deploy step selected');
    await t.press(' ');
    await waitForText(t.app.lastFrame, 'space again ticks it');
    expect(t.controller.state.stages[0].steps[1].status).toBe('waiting');
    await t.press(' ');
    await waitFor(() => t.runner.isRunning('production.promote'), 'the stage to go on');
  });
});

describe('cockpit watch (a follower)', () => {
  it('shows the waiting step read-only: no space tick, and space does not tick it', async () => {
    const driver = setup();
    await atCanary(driver);
    const events = [...driver.journal.events];
    cleanup?.();
    const t = setupFollower('read-only: tick it in the cockpit that runs the release');
    t.controller.applyExternal(events);
    const f = await waitForText(t.app.lastFrame, 'waiting for the operator');
    expect(f).toContain('☐ Verify canary dashboard');
    expect(f).toContain('The cockpit that runs the release ticks it');
    expect(t.hintBar()).not.toContain('space tick');
    await t.press(' ');
    await waitForText(t.app.lastFrame, 'read-only: tick it in the cockpit that runs the release');
    expect(t.controller.state.stages[0].steps[1].status).toBe('waiting');
  });
});
