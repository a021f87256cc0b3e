/**
 * The screen of a shadow trigger (ink-testing-library, 80×24): it sits after the real triggers on
 * the triggers line, says "would have fired" with its time, and the release is not rolled back.
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

const SERIES = `
    error_rate: { query: e, unit: '%' }
    throughput: { query: t, unit: rps, dropWarnPct: 20 }`;

describe('a shadow trigger on the screen', () => {
  it('is shown apart after the real trigger, with when it would have fired; nothing rolls back', async () => {
    const clock = new FakeClock();
    const source = new ScriptedSource(clock, 1000, { error_rate: [0, 2, 2, 2, 2], throughput: [100, 100, 100, 100, 100] });
    const t = guardSetup(
      guardRunbook({ series: SERIES, triggers: ['{ id: errors, metric: error_rate, above: 5, for: 2s }', '{ id: errors-new, metric: error_rate, above: 1, for: 2s, shadow: true }'] }),
      { guard: { source } },
      clock,
    );
    const app = render(
      <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
        <App controller={t.c} store={new OutputStore(t.c)} keyClock={() => 0} size={{ columns: 80, rows: 24 }} />
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
    for (let k = 0; k < 5; k++) await clock.advance(k === 0 ? 0 : 1000);
    const fired = ofType(t.journal.events, 'trigger.shadow-fired')[0];
    const hms = new Date(fired.at).toTimeString().slice(0, 8);
    const f = await waitForText(app.lastFrame, 'would have fired');
    const line = f.split('\n').find((l) => l.startsWith(' triggers'));
    // the idle real trigger folds into its group to make room for what the shadow one says
    expect(line).toBe(` triggers  ○ idle +1   ◌ shadow error_rate>1% 2s would have fired ${hms}`);
    // the source has no history: the metrics pane says where the baseline comes from
    expect(plain(app.lastFrame())).toContain('┌ Metrics · base: last 5 samples at each stage ');
    expect(t.c.state.rollback.status).toBe('idle');
    expect(t.c.state.stages[0].status).toBe('running');
  });
});
