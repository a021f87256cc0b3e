/**
 * The screen after the cockpit was stopped (SIGSTOP, Ctrl+Z; a FakeClock jump here): the notice
 * line says it was paused and that nothing was sampled then, and the trigger that was PENDING
 * before the pause counts again from the samples after it (it does not fire on the pause).
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { plain, waitForText } from '../helpers/ink.js';
import { guardRunbook, guardSetup, ofType, ScriptedSource } from '../helpers/guard-harness.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('the screen after a pause', () => {
  it('says the cockpit was paused; the pending window starts again, nothing fires', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, 1000, { error_rate: Array.from({ length: 100 }, () => 5) });
    const t = guardSetup(guardRunbook({ triggers: ['{ id: errors, metric: error_rate, above: 1, for: 5s }'] }), { guard: { source } }, clock);
    const app = render(
      <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
        <App controller={t.c} store={new OutputStore(t.c)} keyClock={() => 0} size={{ columns: 100, rows: 30 }} />
      </ThemeContext.Provider>,
    );
    cleanup = () => {
      app.unmount();
      t.c.dispose();
    };
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    for (let k = 0; k < 3; k++) await clock.advance(k === 0 ? 0 : 1000);
    await clock.jump(42_000);
    const f = plain(await waitForText(app.lastFrame, 'the cockpit was paused for'));
    expect(f).toContain('⏸ the cockpit was paused for 41.0s (process stopped): no samples in that time');
    expect(ofType(t.journal.events, 'trigger.fired')).toEqual([]);
    expect(t.c.state.guard.triggers.errors).toMatchObject({ status: 'pending', since: 44_000 });
    expect(f).not.toContain('NO DATA');
    expect(f).not.toContain('HOLD');
  });
});

describe('a monitor step after a pause, on the screen', () => {
  it('its clock counts the time watched, and its pane says the pause is not counted', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, 1000, { error_rate: Array.from({ length: 100 }, () => 0.1) });
    const stages = `
  - id: production
    armed: true
    steps:
      - monitor: 1m`;
    const t = guardSetup(guardRunbook({ stages, triggers: ['{ id: errors, metric: error_rate, above: 1, for: 5s }'] }), { guard: { source } }, clock);
    const app = render(
      <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
        <App controller={t.c} store={new OutputStore(t.c)} keyClock={() => 0} size={{ columns: 100, rows: 30 }} />
      </ThemeContext.Provider>,
    );
    cleanup = () => {
      app.unmount();
      t.c.dispose();
    };
    void t.c.start();
    await settle();
    t.c.runNextStage();
    await settle();
    for (let k = 0; k < 3; k++) await clock.advance(k === 0 ? 0 : 1000);
    await clock.jump(30_000); // stopped from 3 s (the tick missed) to 32 s
    await clock.advance(1000);
    const f = plain(await waitForText(app.lastFrame, '0:04/1:00'));
    // 33 s since the step began, 29 s of it stopped: 4 s watched
    expect(f).toMatch(/◐ monitor 1m +0:04\/1:00│/);
    expect(f).toContain('│The cockpit was paused 29s: not watched, so not counted.');
  });
});
