/**
 * The emergency reference's "Stop the bleeding" is the rollback (issue 13, item 2), moved from
 * test/e2e/safety.test.ts: Enter on it opens the R dialog (Cancel focused; Enter cancels, nothing
 * runs); R confirms: a rollback by the operator, ROLLED BACK, and the summary says exit 3.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import type { SessionEvent } from '../../src/core/events.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { summaryLines } from '../../src/ui/summary.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { plain, waitFor, waitForGone, waitForText } from '../helpers/ink.js';

// the demo's emergency reference (src/demo/runbook.ts), its rollback item first
const RUNBOOK = `
name: demo-web-app
version: "2.4.0"
environment: production
preflight:
  - title: Rollback plan ready
    manual: The rollback script is tested
stages:
  - id: production
    title: Deploy to Production
    steps:
      - run: ./scripts/deploy-production.sh
rollback:
  steps: [./scripts/rollback-production.sh]
  verify: [./scripts/verify-rollback.sh]
emergency:
  - { title: "IMMEDIATE: Stop the bleeding (roll back the last release)", rollback: true }
  - { title: "ASSESS: Check system health", run: [./scripts/health-check.sh, emergency] }
  - { title: "COMMUNICATE: Alert the team", run: [./scripts/incident-alert.sh, "manual alert from the emergency reference"] }
`;

const DOWN = '\u001B[B';
const lines = (x: string) => x.split('\n');
const header = (x: string) => lines(x)[0] ?? '';
const ofType = <T extends SessionEvent['type']>(es: readonly SessionEvent[], t: T) => es.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === t);

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function setup() {
  const parsed = parseRunbook(RUNBOOK, '/srv/app/cockpit.yml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const runner = new FakeRunner();
  runner.autoPass = true;
  const journal = new MemoryJournal();
  const controller = new Controller({ runbook: parsed.runbook, runner, journal, clock: new FakeClock(), sessionId: 's', sessionDir: '/tmp/cockpit-ui-test', values: { version: '2.4.0' }, mode: 'tui' });
  let keyTime = 10_000;
  let exited = false;
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={controller} store={new OutputStore(controller)} keyClock={() => keyTime} size={{ columns: 100, rows: 30 }} onExit={() => (exited = true)} />
    </ThemeContext.Provider>,
  );
  cleanup = () => app.unmount();
  const press = async (k: string, afterMs = 1000) => {
    keyTime += afterMs;
    app.stdin.write(k);
    await settle();
  };
  return { app, runner, controller, journal, press, exited: () => exited };
}

describe('the emergency reference\'s "Stop the bleeding" is the rollback (item 2)', () => {
  it('Enter on it opens the R dialog (Cancel focused; Enter cancels, nothing runs); R confirms: ROLLED BACK, exit 3', async () => {
    const t = setup();
    void t.controller.start();
    await waitForText(t.app.lastFrame, '[ ] Rollback plan ready');
    await t.press(' ');
    await waitForText(t.app.lastFrame, '[✓] Rollback plan ready');
    await t.press('e');
    let f = await waitForText(t.app.lastFrame, 'Something broke? Start here.');
    // the item the runbook calls "IMMEDIATE: Stop the bleeding", wherever it is in the list
    const n = Number(/[› ] (\d)\. IMMEDIATE: Stop the bleeding/.exec(f)![1]);
    for (let i = 1; i < n; i++) {
      await t.press(DOWN);
      f = await waitForText(t.app.lastFrame, `› ${i + 1}.`);
    }
    expect(f).toMatch(/› \d\. IMMEDIATE: Stop the bleeding \(roll back the last release\)/);
    await t.press('\r');
    f = await waitForText(t.app.lastFrame, '─ ROLLBACK ─');
    expect(f).toContain('[ Cancel ]');
    expect(f).not.toContain('Something broke? Start here.');
    // Cancel is focused: Enter cancels, nothing rolled back, nothing ran as an emergency action
    await t.press('\r', 350);
    await waitForGone(t.app.lastFrame, '─ ROLLBACK ─');
    // the same confirmation as R: a second R, 300 ms after the dialog opened and after the previous key
    await t.press('e');
    await waitForText(t.app.lastFrame, 'Something broke? Start here.');
    for (let i = 1; i < n; i++) {
      await t.press(DOWN);
      await waitForText(t.app.lastFrame, `› ${i + 1}.`);
    }
    await t.press('\r');
    await waitForText(t.app.lastFrame, '─ ROLLBACK ─');
    await t.press('R', 350);
    await waitFor(() => / ROLLED BACK {3}R ROLLBACK$/.test(header(plain(t.app.lastFrame()))), 'ROLLED BACK in the header');
    await t.press('q');
    await waitFor(() => t.exited() && t.controller.state.outcome, 'the cockpit to exit');
    await t.controller.idle();
    // the summary the cockpit prints on exit (src/ui/run-tui.tsx)
    const after = summaryLines(t.controller.state, '/j').join('\n');
    expect(after).toMatch(/^cockpit · demo-web-app 2\.4\.0 → production · ROLLED BACK · exit 3 · /m);
    const es = t.journal.events;
    expect(ofType(es, 'rollback.started').map((e) => [e.source, e.reason])).toEqual([['operator', 'manual rollback by the operator (R)']]);
    expect(es.filter((e) => 'stage' in e && e.stage === 'emergency')).toEqual([]);
    expect(ofType(es, 'session.ended').map((e) => e.outcome)).toEqual(['rolled-back']);
  });
});
