/**
 * A runbook flag step never lowers a flag the operator raised (issue 13, item 3), on the screen:
 * moved from the tmux test of test/e2e/safety.test.ts. The same runbook
 * (test/fixtures/safety/flag-step.yml) with its real flagd provider writing flags.json in a temp
 * dir; the steps (none run but the flag steps) on a FakeRunner.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { EXIT_CODES } from '../../src/core/events.js';
import { FlagdProvider } from '../../src/flags/providers/flagd.js';
import { summaryLines } from '../../src/ui/summary.js';
import { guardSetup, ofType } from '../helpers/guard-harness.js';
import { waitFor } from '../helpers/ink.js';
import { advanceUntil, fixtureRunbook, renderApp, type RenderedApp } from '../helpers/ink-app.js';
import { canRun, header, lines } from '../helpers/frame-lines.js';

let rendered: RenderedApp | undefined;
let dir: string | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

// the flags pane's line (its bar), not the output pane's title of a flag step
const flagLine = (x: string) => lines(x).find((l) => /│new-checkout +[█░·]/.test(l)) ?? '';
const NOTE_25 = "new-checkout is at 25 % (set by the operator), above the step's 5 %: left as it is";

describe('a runbook flag step never lowers a flag (item 3)', () => {
  it('the operator raised new-checkout to 25 %: the 5 % step passes with a note (notice line, summary, journal); the 50 % step ramps on', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cockpit-flag-step-'));
    const clock = new FakeClock();
    const fx = fixtureRunbook('safety', 'flag-step.yml');
    const t = guardSetup(fx.text, { runbook: fx.runbook, flagProvider: new FlagdProvider('flags.json', dir) }, clock);
    const r = (rendered = renderApp(t.c, { columns: 100, rows: 30 }));
    const until = (pred: (f: string) => boolean, what: string) => advanceUntil(clock, r, pred, what, 30_000);
    const text = (s: string) => (f: string) => f.includes(s);
    void t.c.start();
    await until((f) => /new-checkout .* 0 % steady/.test(f), '0 % steady');
    await until(canRun, 'Enter can run');
    await r.press('+');
    await until((f) => /new-checkout .* 0 % → 5 %/.test(f), '0 % → 5 %');
    await r.press('\r');
    await until(text('new-checkout is at 5 % (written to flags.json; providers re-read it within their poll interval)'), 'at 5 %');
    await r.press('+');
    await until((f) => /new-checkout .* 5 % → 25 %/.test(f), '5 % → 25 %');
    await r.press('\r');
    await until(text('new-checkout is at 25 % (written to flags.json; providers re-read it within their poll interval)'), 'at 25 %');
    await until((x) => / 25 % /.test(flagLine(x)) && canRun(x), 'the flag at 25 % and Enter can run');
    await r.press('\r');
    // the step says why it left the flag where it is, under it in the checklist (the output pane
    // follows on to the 50 % step, which shows flagd's own words)
    let f = await until((x) => /│ {5}new-checkout is at 25 % \(set/.test(x), 'the note');
    await until(text('new-checkout → 50 %: written to flags.json; providers'), 'the 50 % step'); // wrapped in the output pane
    f = await until((x) => / RELEASED {3}R ROLLBACK$/.test(header(x)), 'RELEASED');
    expect(f).toMatch(/│ ✓ Enable new-checkout for 5.* \d:\d\d│/);
    expect(f).toMatch(/│ {5}new-checkout is at 25 % \(set/);
    await until((x) => / 50 % /.test(flagLine(x)), 'the flag at 50 %');
    await r.press('q');
    await waitFor(() => r.exited() && t.c.state.outcome, 'the cockpit to exit');
    // the exit code and the summary the cockpit prints on exit (src/ui/run-tui.tsx)
    expect(EXIT_CODES[t.c.state.outcome!]).toBe(0);
    const after = summaryLines(t.c.state, '/j').join('\n');
    expect(after).toContain(`  ✓ Deploy to Production / Enable new-checkout for 5 %: ${NOTE_25}`);
    const es = t.journal.events;
    // never lowered: the runbook set nothing but 50 %
    expect(ofType(es, 'flag.set').map((e) => [e.percent, e.by])).toEqual([
      [5, 'operator'],
      [25, 'operator'],
      [50, 'runbook'],
    ]);
    expect(ofType(es, 'step.finished').find((e) => e.step === 'flag-5')).toMatchObject({ ok: true, note: NOTE_25 });
  });
});
