/**
 * What the cockpit screen says for the things a new user driving the demo found wrong (issue 13),
 * on test/fixtures/screen (moved from test/e2e/screen.test.ts, which is gone: none of it needs a real terminal, the colours included; in the integration tier because the fixture's scripts run as real processes):
 * the rollback dialog names the flags it takes to 0 % and the missing rollback script; a pending
 * trigger always shows on an 80-column trigger line; on a wide terminal the flags pane gets the
 * columns the metrics leave empty; the header says PRE-FLIGHT FAILED; a pre-flight with a skipped
 * check says so; "changed … ago" counts; a key that does nothing says so.
 *
 * The session is opened on disk as `cockpit run` opens it, the fixture's scripts (checks, steps,
 * the metrics command, the flag provider) run for real (helpers/ink-session.ts); the confirm
 * guard's 300 ms are the test's key clock. The sparklines' colours are read off the frames Ink
 * draws with colour on (chalk at level 2, as on an xterm-256color terminal): each cell's SGR.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { closeScreens, expectNothingLeft, fixtureSandbox, openScreen, type Sandbox, type ScreenRun } from '../helpers/ink-session.js';
import { cellsOf, type Cell } from '../helpers/sgr-cells.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/screen', import.meta.url));

afterEach(closeScreens);

/**
 * `rollbackScript`: writes the fixture's missing ./scripts/rollback.sh (executable), so the
 * guardrail self-test's pre-flight row passes; without it the pre-flight fails there (the script
 * is missing on purpose, for the rollback dialog's mark).
 */
function sandbox(o: { rollbackScript?: boolean } = {}): Sandbox {
  return fixtureSandbox(FIXTURE, 'cockpit-ui-screen-', o.rollbackScript ? { 'scripts/rollback.sh': '#!/bin/sh\necho "rolled back"\n' } : {});
}

const launch = (sb: Sandbox, o: { cols: number; rows: number; env?: Record<string, string>; colours?: boolean }): ScreenRun => openScreen(sb, { runbook: 'cockpit.yml', ...o });

const lines = (screen: string) => screen.split('\n');
const header = (screen: string) => lines(screen)[0] ?? '';
const strip = (screen: string) => lines(screen)[1] ?? '';
const triggerLine = (screen: string) => lines(screen).find((l) => l.startsWith(' triggers ')) ?? '';
/** The notice line: the one above the hint bar (the terminal's last row stays empty). */
const noticeLine = (screen: string, rows: number) => lines(screen)[rows - 3] ?? '';
/** The hint bar: the last line the cockpit draws. */
const hintBar = (screen: string) => lines(screen).filter(Boolean).at(-1) ?? '';
const canRun = (screen: string) => / ⏎ run\/continue /.test(hintBar(screen));

/** The pre-flight with its check passed and the manual item ticked: Enter runs the first stage. */
async function preflightPassed(s: ScreenRun): Promise<string> {
  // the hint bar offers space once the manual item is the selected one
  await s.waitFor((x) => x.includes('✓ Tests passing') && x.includes('[ ] No active incidents') && / space tick /.test(hintBar(x)), 20_000);
  await s.press('Space');
  return s.waitFor((x) => x.includes('[✓] No active incidents') && canRun(x), 20_000);
}

/**
 * Quits and waits for the cockpit to end: y when it asks (something runs, the pre-flight loop
 * winding down included); while the guardrails watch production it offers the leave dialog: u and
 * the typed word leave unguarded. Nothing of the sandbox may be left running.
 */
async function quit(s: ScreenRun, sb: Sandbox): Promise<void> {
  await s.press('q');
  const ended = s.exit.then(() => '');
  // a screen drawn in colour (ScreenOptions.colours) is read without its SGR here
  const f = stripVTControlCharacters(await Promise.race([ended, s.waitFor((x) => /Quit\?|Leave while guarded\?/.test(stripVTControlCharacters(x)), 15_000)]));
  if (f.includes('Quit?')) await s.press('y');
  if (f.includes('Leave while guarded?')) {
    await s.press('u');
    await s.waitFor('Type unguarded and Enter');
    await s.press('unguarded');
    await s.waitFor('unguarded▏');
    await s.press('Enter');
  }
  await s.exit;
  await expectNothingLeft(sb);
}

describe('what the screen says', () => {
  it('80×24: a pending trigger always shows on the trigger line, first and in full; the idle ones give way', async () => {
    const sb = sandbox({ rollbackScript: true });
    const s = launch(sb, { cols: 80, rows: 24 });
    let f = await preflightPassed(s);
    await s.press('Enter');
    f = await s.waitFor((x) => strip(x).includes('✓ Staging') && canRun(x), 15_000);
    await s.press('Enter');
    // after the switch memory breaches 85 % (the last trigger of three): it goes first, in full;
    // the idle ones give way to a short group
    f = await s.waitFor((x) => /memory>85% 5m ◐ PENDING/.test(triggerLine(x)), 15_000);
    expect(triggerLine(f)).toMatch(/^ triggers {2}memory>85% 5m ◐ PENDING 0:\d\d of 5:00 {3}○ idle: error_rate \+1 *$/);
    await quit(s, sb);
  }, 60_000);

  it('the rollback dialog names the flags it takes to 0 % and marks the missing rollback script', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 80, rows: 24 });
    // the flags as their provider read them: 25 % and 50 %
    await s.waitFor((x) => / 25 % /.test(x) && / 50 % /.test(x) && x.includes('[ ] No active incidents'), 20_000);
    await s.press('R');
    const f = await s.waitFor('─ ROLLBACK ─');
    // the dialog's inside, from where its top border is
    const top = lines(f).find((l) => l.includes('┌─ ROLLBACK'))!;
    const left = top.indexOf('┌─ ROLLBACK');
    const right = top.indexOf('┐', left);
    const dialog = lines(f).map((l) => l.slice(left + 2, right - 1).trimEnd());
    const from = dialog.indexOf('Runs, in order:');
    expect(from, f).toBeGreaterThan(0);
    expect(dialog.slice(from, from + 6)).toEqual([
      'Runs, in order:',
      '  flags to 0 %: new-checkout (25 %), checkout-v2-split (50 %)',
      '  1. Roll back  (./scripts/rollback.sh)',
      '     ✗ ./scripts/rollback.sh: missing',
      '  2. step  (./scripts/step.sh verify)',
      '',
    ]);
    await s.press('Escape');
    await s.waitForGone('─ ROLLBACK ─');
    await quit(s, sb);
  }, 60_000);

  it('160×48: the flags pane takes the columns the metrics leave empty, every flag name in full', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 160, rows: 48 });
    // a fresh sample on every metric line: none still waiting for its first ("— …") or missing its
    // latest (under load one fetch can overrun its interval: "— STALE" for a moment); the layout is
    // asserted on the screen with data
    const f = await s.waitFor((x) => / 25 % steady/.test(x) && / 50 % steady/.test(x) && /│latency p95 .* warn 500 crit 1000 │/.test(x) && !/ — +(…|STALE) /.test(x), 20_000);
    // the metrics pane as wide as its lines, the flags pane the rest
    const top = lines(f).find((l) => l.startsWith('┌ Metrics '))!;
    const flagsAt = top.indexOf('┌ Flags ');
    expect(flagsAt).toBeGreaterThan(60);
    expect(flagsAt).toBeLessThan(80);
    const rows = lines(f).slice(lines(f).indexOf(top) + 1, lines(f).indexOf(top) + 4);
    // the longest metrics line fills its pane
    expect(rows[0].slice(0, flagsAt)).toMatch(/^│latency p95 .* warn 500 crit 1000 │$/);
    expect(rows.map((r) => r.slice(flagsAt + 1).split('│')[0].trimEnd())).toEqual([
      'new-checkout      █████░░░░░░░░░░░░░░░  25 % steady',
      '  0 5 [25] 50 100',
      'checkout-v2-split ██████████░░░░░░░░░░  50 % steady',
    ]);
    await quit(s, sb);
  }, 60_000);

  it('the header says PRE-FLIGHT FAILED while a pre-flight check has failed, not READY', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 80, rows: 24, env: { FAIL_CHECK: '1' } });
    const f = await s.waitFor((x) => x.includes('✗ Tests passing') && / {2}r retry {2}s skip {2}/.test(x), 20_000);
    expect(header(f)).toMatch(/^ cockpit · screen-web 3\.1\.0 → production +PRE-FLIGHT FAILED {3}R ROLLBACK$/);
    expect(strip(f)).toBe(' ✗ Pre-flight  ○ Staging  ○ Production');
    expect(f).toContain('│✗ Pre-flight ');
    await quit(s, sb);
  }, 60_000);

  it('a pre-flight that passed with a skipped check says so: "✓ Pre-flight (1 skipped)"', async () => {
    const sb = sandbox({ rollbackScript: true });
    const s = launch(sb, { cols: 80, rows: 24, env: { FAIL_CHECK: '1' } });
    await s.waitFor((x) => x.includes('✗ Tests passing') && / {2}r retry {2}s skip {2}/.test(x), 20_000);
    await s.press('s');
    await s.waitFor('Skip step');
    await s.press('flaky suite');
    await s.waitFor('Reason: flaky suite');
    await s.press('Enter');
    let f = await s.waitFor('skipped: flaky suite');
    expect(header(f)).toMatch(/ READY {3}R ROLLBACK$/);
    await s.press('Space');
    f = await s.waitFor((x) => x.includes('[✓] No active incidents') && canRun(x));
    expect(strip(f)).toBe(' ✓ Pre-flight (1 skipped)  ○ Staging  ○ Production');
    expect(f).toContain('│✓ Pre-flight (1 skipped) ');
    await quit(s, sb);
  }, 60_000);

  it('a flag\'s "changed … ago" counts on while nothing runs', async () => {
    const sb = sandbox({ rollbackScript: true });
    const s = launch(sb, { cols: 100, rows: 30 });
    await preflightPassed(s);
    // a step down: always allowed (a step up waits for every metric to have data)
    await s.press('-');
    await s.waitFor('→ 5 %');
    await s.press('Enter');
    // the provider's set and read commands run first
    await s.waitFor('0 [5] 25 50 100 · changed 0:0', 20_000);
    // nothing runs now: the clock still moves the "ago" on
    const f = await s.waitFor(/0 \[5\] 25 50 100 · changed 0:0[3-9] ago/, 15_000);
    expect(f).not.toContain('◐');
    await quit(s, sb);
  }, 60_000);

  it('a key that does nothing here says so, and what it may have meant; navigation keys stay quiet', async () => {
    const sb = sandbox({ rollbackScript: true });
    const rows = 24;
    const s = launch(sb, { cols: 80, rows });
    await preflightPassed(s);
    // keys that move about say nothing where they do nothing
    for (const k of ['Left', 'Right', 'h', 'l', 'Escape']) await s.press(k, 120);
    await s.press('?');
    await s.waitFor('Keys (Esc closes');
    await s.press('Escape');
    let f = await s.waitForGone('Keys (Esc closes');
    expect(noticeLine(f, rows).trim()).toBe('');

    await s.press('P');
    f = await s.waitFor('no key "P"');
    expect(noticeLine(f, rows)).toBe(' no key "P" here: ? lists every key');
    await s.press('Q');
    f = await s.waitFor('no key "Q"');
    expect(noticeLine(f, rows)).toBe(' no key "Q" here: q quits');
    await s.press('x');
    f = await s.waitFor('no key "x"');
    expect(noticeLine(f, rows)).toBe(' no key "x" here: experiment works only when the runbook has experiments');
    await quit(s, sb);
  }, 60_000);
});


const BARS = '▁▂▃▄▅▆▇█';
/** The sparkline cells of a metrics row (the bars after its label), with their colours. */
function sparkCells(screen: string, label: string): Cell[] {
  const row = lines(screen).find((l) => stripVTControlCharacters(l).startsWith(`│${label} `));
  if (!row) return [];
  const cells = cellsOf(row);
  const text = cells.map((c) => c.ch).join('');
  const after = cells.slice(text.indexOf(label) + label.length);
  const end = after.findIndex((c) => c.ch !== ' ' && !BARS.includes(c.ch));
  return after.slice(0, end).filter((c) => BARS.includes(c.ch));
}

describe('what the screen draws in colour', () => {
  it("sparklines keep a nearly flat series flat and draw each cell past warn or critical in that band's colour", async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 160, rows: 48, colours: true });
    // nearly flat series (a little jitter): each keeps one bar height, where its value is against its levels
    const flat = (x: string) => ['memory', 'error rate', 'latency p95'].every((l) => sparkCells(x, l).length >= 8);
    let f = await s.waitFor(flat, 15_000);
    expect(sparkCells(f, 'memory').map((c) => c.ch).join('')).toMatch(/^▆+$/); // ~55 % of 0 … 85 %
    expect(sparkCells(f, 'error rate').map((c) => c.ch).join('')).toMatch(/^▁+$/); // ~0.05 % of 0 … 0.5 %
    expect(sparkCells(f, 'latency p95').map((c) => c.ch).join('')).toMatch(/^▃+$/); // ~300 ms of 0 … 1000 ms
    expect(sparkCells(f, 'memory').every((c) => c.fg === 32)).toBe(true); // green: ok

    // the leak: memory alternates 75 % (warn) and 90 % (critical); each cell in its own band's colour
    writeFileSync(join(sb.fx, 'out', 'switched'), '');
    f = await s.waitFor((x) => sparkCells(x, 'memory').filter((c) => c.ch === '█').length >= 3, 15_000);
    const memory = sparkCells(f, 'memory');
    for (const c of memory) {
      if (c.ch === '█') expect(c, 'a cell at 90 % (critical)').toMatchObject({ fg: 31, bold: true });
      else if (c.ch === '▇') expect(c, 'a cell at 75 % (warn)').toMatchObject({ fg: 33 });
      else expect(c, 'a cell at ~55 % (ok)').toMatchObject({ ch: '▅', fg: 32 });
    }
    expect(memory.some((c) => c.ch === '▇')).toBe(true);
    expect(memory.some((c) => c.ch === '▅')).toBe(true);
    await quit(s, sb);
  }, 60_000);
});
