/**
 * A broken query on the screen (issue 18): the monitor fails at once with Prometheus's message
 * under its row, and the trigger line says BROKEN QUERY (not NO DATA) while the failed stage keeps
 * its triggers armed for the operator's decision.
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
import { FakeRunner } from '../helpers/fake-runner.js';
import { ScriptedSource } from '../helpers/guard-harness.js';
import { waitFor, waitForText } from '../helpers/ink.js';

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

const RUNBOOK = `
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
    error_rate: { query: 'sum(rate(errors[1m])' }
rollback:
  steps: [./rollback.sh]
  triggers:
    - { metric: error_rate, above: 1, for: 2m }
`;

describe('a broken query on the screen', () => {
  it('the monitor row fails with the message at once; the trigger line says BROKEN QUERY', async () => {
    const broken = { error: 'bad_data: 1:23: parse error: unclosed left parenthesis', config: true as const };
    const t = setup(RUNBOOK, { source: (clock) => new ScriptedSource(clock, 1000, { error_rate: [0.1, 0.1, broken, broken, broken] }) });
    void t.controller.start();
    await settle();
    expect(t.controller.runNextStage()).toEqual({ ok: true });
    await waitFor(() => t.runner.isRunning('production.deploy'), 'the deploy');
    t.runner.finish('production.deploy');
    await waitFor(() => t.controller.state.stages[0].steps[1].status === 'running', 'the monitor');
    await t.clock.advance(2000);
    const f = await waitForText(t.app.lastFrame, 'BROKEN QUERY');
    const lines = f.split('\n');
    expect(lines.find((l) => l.startsWith(' triggers'))).toMatch(/^ triggers {2}error_rate>1 2m ✗ BROKEN QUERY/);
    const row = lines.findIndex((l) => /│ ✗ Watch the relea… FAILED│/.test(l));
    expect(row).toBeGreaterThan(0);
    // the reason under the row and in the output pane: wrapped, every word of it (issue 20)
    const reason = 'trigger error-rate-above: query "sum(rate(errors[1m])" is broken: bad_data: 1:23: parse error: unclosed left parenthesis';
    expect(lines[row + 1]).toMatch(/^│ {5}trigger {10,}│/);
    const end = lines.findIndex((l, i) => i > row && l.startsWith('└'));
    const under = lines.slice(row + 1, end).map((l) => /^│(.*?)│/.exec(l)?.[1] ?? '').join('');
    // as much of it as the pane's height holds at 80×24, each line whole (no …)
    expect(under).not.toContain('…');
    expect(under.replace(/ /g, '')).toContain('triggererror-rate-above:query"sum(rate(errors[1m])"isbroken:bad_data:1:23');
    const pane = lines.map((l) => /^│.*?││(.*?)│$/.exec(l)?.[1]?.trim() ?? '').join(' ');
    expect(pane).toContain(`Watch the release FAILED: ${reason}`);
    expect(t.controller.state.stages[0].steps[1].reason).toBe('trigger error-rate-above: query "sum(rate(errors[1m])" is broken: bad_data: 1:23: parse error: unclosed left parenthesis');
    expect(t.controller.state.guard.holding).toBe(false);
  });
});
