/**
 * AUTO-ROLLBACK OFF on the screen (issue 18: "silently off"): the `cockpit init` starter has stages
 * and no triggers, so the header says AUTO-ROLLBACK OFF from the pre-flight on, the notice line
 * says why, and its `monitor: 5m` row says it watches nothing; a runbook whose production stage is
 * armed shows none of it; an unarmed production stage shows the badge until its monitor arms the
 * triggers.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import { FakeClock, settle } from '../../src/core/clock.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { STARTER } from '../../src/cli/init.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { ScriptedSource } from '../helpers/guard-harness.js';
import { plain, waitFor, waitForGone, waitForText } from '../helpers/ink.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function setup(text: string, opts: { source?: (clock: FakeClock) => ScriptedSource } = {}) {
  const parsed = parseRunbook(text, '/srv/app/cockpit.yml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const runner = new FakeRunner();
  const clock = new FakeClock();
  const controller = new Controller({
    runbook: parsed.runbook,
    runner,
    journal: new MemoryJournal(),
    clock,
    sessionId: 's',
    sessionDir: '/tmp/cockpit-ui-test',
    values: { version: '2.4.0' },
    mode: 'tui',
    ...(opts.source ? { guard: { source: opts.source(clock) } } : {}),
  });
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={controller} store={new OutputStore(controller)} keyClock={() => 10_000} size={{ columns: 80, rows: 24 }} />
    </ThemeContext.Provider>,
  );
  cleanup = () => app.unmount();
  return { app, runner, controller, clock };
}

const WHY = ' ⚠ AUTO-ROLLBACK OFF: the runbook has no rollback triggers: only R rolls back';

describe('AUTO-ROLLBACK OFF', () => {
  it('the cockpit init starter (stages, no triggers): the header badge and the notice line from the pre-flight on; its monitor row watches nothing', async () => {
    const t = setup(STARTER);
    void t.controller.start();
    const f = await waitForText(t.app.lastFrame, 'All tests passing');
    const lines = f.split('\n');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines[0]).toMatch(/^ cockpit · my-service .*… ⚠ AUTO-ROLLBACK OFF {2}[A-Z-]+ {3}R ROLLBACK$/);
    // the notice line says why
    expect(lines[21]).toBe(WHY);
    // the monitor step's row, then the warning under it
    const row = lines.findIndex((l) => l.includes('○ Watch the release'));
    expect(row).toBeGreaterThan(0);
    expect(lines[row + 1]).toMatch(/^│ {5}⚠ watches nothing {4}│/);
  });

  it('stays while a stage runs at 80 columns (the header never overflows); gone once the release ended', async () => {
    const t = setup(STARTER);
    void t.controller.start();
    await waitForText(t.app.lastFrame, 'All tests passing');
    t.runner.finish('preflight.all-tests-passing');
    await waitFor(() => t.controller.state.preflight.steps[0].status === 'passed', 'the check');
    t.controller.tick('no-active-incidents');
    await settle();
    expect(t.controller.runNextStage()).toEqual({ ok: true });
    await waitFor(() => t.runner.isRunning('staging.deploy'), 'the deploy');
    const f = await waitForText(t.app.lastFrame, '◐ DEPLOY TO STAGING');
    expect(f.split('\n')[0]).toContain('⚠ AUTO-ROLLBACK OFF');
    expect(f.split('\n').every((l) => l.length <= 80)).toBe(true);
    t.runner.autoPass = true;
    t.runner.finish('staging.deploy');
    await waitFor(() => t.controller.state.stages[0].status === 'passed', 'staging to pass');
    expect(t.controller.runNextStage()).toEqual({ ok: true });
    await waitFor(() => t.controller.state.stages[1].steps[2].status === 'running', 'the monitor');
    const p = await waitForText(t.app.lastFrame, '◐ DEPLOY TO PRODUCTION');
    // R ROLLBACK stays whole at the right edge: the title gives way
    expect(p.split('\n')[0]).toMatch(/⚠ AUTO-ROLLBACK OFF .*R ROLLBACK$/);
    expect(p.split('\n').every((l) => l.length <= 80)).toBe(true);
    await t.clock.advance(5 * 60_000);
    await waitFor(() => t.controller.state.outcome === 'released', 'the release to end');
    await waitForGone(t.app.lastFrame, 'AUTO-ROLLBACK OFF');
  });

  it('an armed production stage with a trigger: no badge, no warning under its monitor', async () => {
    const text = `
name: web-app
version: "2.4.0"
stages:
  - id: production
    steps:
      - run: ./deploy.sh
      - { title: Watch the release, monitor: 5m }
metrics:
  interval: 1s
  source: { type: prometheus, url: 'http://127.0.0.1:9' }
  series:
    error_rate: { query: 'sum(rate(errors[1m]))' }
rollback:
  steps: [./rollback.sh]
  triggers:
    - { metric: error_rate, above: 1, for: 2m }
`;
    const t = setup(text, { source: (clock) => new ScriptedSource(clock, 1000, { error_rate: Array(10).fill(0.1) }) });
    void t.controller.start();
    const f = await waitForText(t.app.lastFrame, 'Watch the release');
    expect(f).not.toContain('AUTO-ROLLBACK OFF');
    expect(f).not.toContain('watches nothing');
  });

  it('a production stage that is not armed: the badge while its deploy runs, gone while its monitor arms the triggers', async () => {
    const text = `
name: web-app
version: "2.4.0"
stages:
  - id: production
    armed: false
    steps:
      - run: ./deploy.sh
      - { title: Watch the release, monitor: 5m }
metrics:
  interval: 1s
  source: { type: prometheus, url: 'http://127.0.0.1:9' }
  series:
    error_rate: { query: 'sum(rate(errors[1m]))' }
rollback:
  steps: [./rollback.sh]
  triggers:
    - { metric: error_rate, above: 1, for: 2m }
`;
    const t = setup(text, { source: (clock) => new ScriptedSource(clock, 1000, { error_rate: Array(400).fill(0.1) }) });
    void t.controller.start();
    await settle();
    expect(t.controller.runNextStage()).toEqual({ ok: true });
    await waitFor(() => t.runner.isRunning('production.deploy'), 'the deploy');
    const f = await waitForText(t.app.lastFrame, '⚠ AUTO-ROLLBACK OFF');
    expect(f.split('\n')[21]).toContain(' ⚠ AUTO-ROLLBACK OFF: stage production deploys to production but is not armed');
    t.runner.finish('production.deploy');
    await waitFor(() => t.controller.state.guard.armed, 'the monitor to arm the triggers');
    const g = await waitForGone(t.app.lastFrame, 'AUTO-ROLLBACK OFF');
    expect(plain(g)).toContain('Watch the release');
  });
});
