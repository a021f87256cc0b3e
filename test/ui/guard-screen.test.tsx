/**
 * The guardrails on the screen (ink-testing-library, FakeClock), moved from the tmux tests of
 * test/e2e/guard.test.ts and test/e2e/hold-limit.test.ts: the same runbooks (test/fixtures/guard,
 * test/fixtures/hold/screen.yml), their metrics scripts replaced by a source answering as the
 * scripts do, the steps by a FakeRunner whose steps pass.
 *
 * - a bad release: the pending countdown, then FIRED and ROLLED BACK; q: exit 3; the incident
 *   step gets the reason.
 * - a hold for lack of data: the trigger line counts the time left down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { EXIT_CODES } from '../../src/core/events.js';
import { summaryLines } from '../../src/ui/summary.js';
import { guardSetup } from '../helpers/guard-harness.js';
import { waitFor } from '../helpers/ink.js';
import { advanceUntil, fixtureRunbook, LiveSource, renderApp, type RenderedApp } from '../helpers/ink-app.js';

let rendered: RenderedApp | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

describe('guardrails on screen (100×30)', () => {
  it('shows the pending countdown, then FIRED and ROLLED BACK; q exits 3', async () => {
    const clock = new FakeClock();
    let t!: ReturnType<typeof guardSetup>;
    // metrics.sh with BAD=1: errors climb once production switched, until the rollback ran
    const started = (prefix: string) => t.runner.started.some((r) => r.key.startsWith(prefix));
    const source = new LiveSource(() => (started('production.') && !started('rollback.') ? { error_rate: 4.2, latency_p95: 640 } : { error_rate: 0.08, latency_p95: 310 }));
    const fx = fixtureRunbook('guard', 'cockpit.yml');
    t = guardSetup(fx.text, { runbook: fx.runbook, guard: { source } }, clock);
    t.runner.autoPass = true;
    const r = (rendered = renderApp(t.c, { columns: 100, rows: 30 }));
    void t.c.start();
    // (and the metrics sampled once at least: staging's criterion reads the samples, as after the seconds an operator takes)
    await advanceUntil(clock, r, (f) => f.includes('R ROLLBACK') && /⏎ run\/continue/.test(f) && t.events('metric.sampled').length > 0, 'R ROLLBACK and ⏎ run/continue', 5000);
    await r.press('\r');
    await advanceUntil(clock, r, (f) => f.includes('✓ staging') && /⏎ run\/continue/.test(f), '✓ staging and ⏎ run/continue', 5000);
    await r.press('\r');
    const pending = await advanceUntil(clock, r, (f) => /error_rate>1% 3s ◐ PENDING 0:0[0-2] of 0:03/.test(f), 'the pending countdown', 10_000);
    expect(pending).toMatch(/error rate .* 4\.20 % CRIT/);
    const fired = await advanceUntil(clock, r, (f) => f.includes('ROLLED BACK'), 'ROLLED BACK', 15_000);
    expect(fired).toContain('error_rate>1% 3s ● FIRED');
    expect(fired.split('\n')[0]).toMatch(/ROLLED BACK {3}R ROLLBACK$/);
    await r.press('q');
    await waitFor(() => r.exited() && t.c.state.outcome, 'the cockpit to exit');
    // the exit code the cockpit returns (src/ui/run-tui.tsx), as its summary says it
    expect(`[exit ${EXIT_CODES[t.c.state.outcome!]}]`).toContain('[exit 3]');
    expect(summaryLines(t.c.state, '/j')[0]).toContain(' · exit 3 · ');
    // the incident step (incident.sh "{reason}") was given the trigger's reason
    const incident = t.runner.started.find((x) => x.key.startsWith('rollback.') && x.invocation.args.some((a) => a.startsWith('trigger fired')));
    expect(incident!.invocation.args.at(-1)).toMatch(/^trigger fired: error_rate > 1 % for 3s/);
  });
});

describe('a metric before its first sample (100×30)', () => {
  it('reads "— …" (not read yet), never STALE, until its first sample; then its value and band', async () => {
    const clock = new FakeClock();
    const source = new LiveSource(() => ({ error_rate: 0.08, latency_p95: 310 }));
    const fx = fixtureRunbook('guard', 'cockpit.yml');
    const t = guardSetup(fx.text, { runbook: fx.runbook, guard: { source } }, clock);
    t.runner.autoPass = true;
    const r = (rendered = renderApp(t.c, { columns: 100, rows: 30 }));
    // the first frame, before the clock has moved: nothing sampled yet
    const first = await waitFor(() => (r.frame().includes('R ROLLBACK') ? r.frame() : undefined), 'the first frame');
    expect(t.events('metric.sampled')).toHaveLength(0);
    expect(first).toMatch(/│error rate +— +… +warn /);
    expect(first).toMatch(/│latency p95 +— +… +warn /);
    expect(first).not.toContain('STALE');
    void t.c.start();
    const sampled = await advanceUntil(clock, r, (f) => t.events('metric.sampled').length > 0 && /│error rate .*0\.08 % ok /.test(f), 'the first sample on screen', 5000);
    expect(sampled).toMatch(/│latency p95 .*310 ms ok /);
    expect(sampled).not.toMatch(/ … +warn /);
  });
});

describe('the hold limit on the screen (160×32)', () => {
  it('the trigger line counts the time left down', async () => {
    const clock = new FakeClock();
    // the self-test reads the source while it answers; then it dies, before the stage starts
    let down = false;
    const source = new LiveSource(() => (down ? 'metrics command: exit 1: connection refused' : { error_rate: 0.5 }));
    const fx = fixtureRunbook('hold', 'screen.yml');
    const t = guardSetup(fx.text, { runbook: fx.runbook, guard: { source } }, clock);
    t.runner.autoPass = true;
    const r = (rendered = renderApp(t.c, { columns: 160, rows: 32 }));
    void t.c.start();
    await advanceUntil(clock, r, (s) => s.includes('✓ Guardrail self-test') && s.includes('Enter'), 'the self-test passed', 10_000);
    down = true;
    await advanceUntil(clock, r, (s) => s.includes('STALE metrics command: exit 1: connection refused'), 'STALE', 10_000);
    await r.press('\r');
    const left = (screen: string) => {
      const m = /NO DATA · HOLD fails in 0:(\d\d)/.exec(screen);
      return m ? Number(m[1]) : undefined;
    };
    const first = left(await advanceUntil(clock, r, (s) => left(s) !== undefined, 'the hold countdown', 20_000, 200))!;
    expect(first).toBeLessThanOrEqual(30);
    const later = left(await advanceUntil(clock, r, (s) => (left(s) ?? 99) <= first - 2, 'two seconds less', 20_000, 200))!;
    expect(later).toBeLessThanOrEqual(first - 2);
    expect(r.frame()).toContain('HOLD: a trigger has no data; the countdown is paused until data is back (the stage fails in 0:');
  });
});
