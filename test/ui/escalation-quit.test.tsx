/**
 * Escalation on the screen when the rollback failed (issue 13, item 4), moved from the tmux test of
 * test/e2e/safety.test.ts: the same runbook (test/fixtures/safety/escalation.yml), its metrics
 * script replaced by a source answering as it does, its steps by a FakeRunner. q asks while level 3
 * is due ("quit anyway? the levels will not run"); n stays; y quits, and the summary and the journal
 * say the level did not run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { EXIT_CODES } from '../../src/core/events.js';
import { summaryLines } from '../../src/ui/summary.js';
import { guardSetup, ofType } from '../helpers/guard-harness.js';
import { plain, waitFor, waitForGone, waitForText } from '../helpers/ink.js';
import { advanceUntil, fixtureRunbook, LiveSource, renderApp, type RenderedApp } from '../helpers/ink-app.js';
import { canRun, header } from '../helpers/frame-lines.js';

let rendered: RenderedApp | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});


describe('escalation on the screen (item 4)', () => {
  it('a failed rollback: q asks while level 3 is due ("quit anyway? the levels will not run"); n stays; y quits, the summary and the journal say it did not run', async () => {
    const clock = new FakeClock();
    let t!: ReturnType<typeof guardSetup>;
    // metrics.sh: the error rate is bad once the new version serves (the rollback fails: it stays bad)
    const source = new LiveSource(() => ({ error_rate: t.runner.started.some((r) => r.key.startsWith('production.')) ? 4.2 : 0.08 }));
    const fx = fixtureRunbook('safety', 'escalation.yml');
    t = guardSetup(fx.text, { runbook: fx.runbook, guard: { source } }, clock);
    // the switch and the escalation levels pass at once; the rollback step is failed below (ROLLBACK_FAILS=1)
    const passRunning = (prefix: string) => {
      for (const k of t.runner.keys()) if (k.startsWith(prefix) && t.runner.isRunning(k)) t.runner.finish(k);
    };
    const r = (rendered = renderApp(t.c, { columns: 100, rows: 30 }));
    void t.c.start();
    await advanceUntil(clock, r, canRun, 'Enter can run', 5000);
    await r.press('\r');
    const levels = () => new Map(ofType(t.journal.events, 'escalation.started').map((e) => [e.level, e.t]));
    for (let i = 0; i < 200 && !(t.c.state.rollback.status === 'running' && levels().has(2)); i++) {
      passRunning('production.');
      passRunning('escalation.');
      await clock.advance(250);
    }
    // rollback.sh waits until level 2 has run, then fails
    passRunning('escalation.');
    const rollback = t.runner.keys().find((k) => k.startsWith('rollback.') && t.runner.isRunning(k))!;
    t.runner.fail(rollback);
    await advanceUntil(clock, r, (x) => / ROLLBACK FAILED {3}R ROLLBACK$/.test(header(x)), 'ROLLBACK FAILED', 5000);
    await r.press('q');
    await waitForText(r.app.lastFrame, 'quit anyway?');
    // the screen's session time ticks once a (real) second over the FakeClock's time: the next tick shows it
    let f = await waitFor(() => {
      const x = plain(r.app.lastFrame());
      return /escalation level 3 is due in 9:[0-5]\d: quit anyway\? the levels will not run/.test(x) ? x : false;
    }, 'the quit dialog with the time left to level 3');
    expect(f).toMatch(/escalation level 3 is due in 9:[0-5]\d: quit anyway\? the levels will not run/);
    expect(f).toContain('y quit · n / Esc stay');
    await r.press('n');
    f = await waitForGone(r.app.lastFrame, 'quit anyway?');
    expect(r.exited()).toBe(false);
    await r.press('q');
    await waitForText(r.app.lastFrame, 'quit anyway?');
    await r.press('y');
    await waitFor(() => r.exited() && t.c.state.outcome, 'the cockpit to exit');
    // the exit code and the summary the cockpit prints on exit (src/ui/run-tui.tsx)
    expect(EXIT_CODES[t.c.state.outcome!]).toBe(1);
    const after = summaryLines(t.c.state, '/j').join('\n');
    expect(after).toMatch(/^ {2}✗ escalation level 3 \(Level 3: tell leadership\) did not run: the operator quit the cockpit 9:[0-5]\d before it was due$/m);
    const es = t.journal.events;
    expect(ofType(es, 'escalation.dropped')).toEqual([expect.objectContaining({ why: 'the operator quit the cockpit', levels: [expect.objectContaining({ level: 3, title: 'Level 3: tell leadership' })] })]);
    expect([...levels().keys()]).toEqual([1, 2]);
  });
});
