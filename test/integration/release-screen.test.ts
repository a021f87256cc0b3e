/**
 * The cockpit screen of test/fixtures/tui, driven by keys and read frame by frame (moved from
 * test/e2e/tui.test.ts: what it says needs no real terminal). The session is opened on disk as
 * `cockpit run` opens it and the fixture's scripts run for real (helpers/ink-session.ts), so the
 * files they write (out/order, out/incident-args) are read as before; the confirm guard's 300 ms
 * are the test's clock (`press(key, afterMs)`), not waited for. What only a terminal shows (the
 * screen filling it, the alternate screen, resize, the spinner turning, colours, signals and exit
 * codes) stays in test/e2e/tui.test.ts. In the integration tier: its scripts are real processes
 * (test:fast, unit + ui, stays under its minute).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { closeScreens, expectNothingLeft, fixtureSandbox, openScreen, type Sandbox, type ScreenRun } from '../helpers/ink-session.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/tui', import.meta.url));
/** Keys that must count as separate keypresses (and the rollback guard): this long after the previous key. */
const GUARD_GAP_MS = 350;

afterEach(closeScreens);

const sandbox = (): Sandbox => fixtureSandbox(FIXTURES, 'cockpit-ui-tui-');

const lineOf = (screen: string, i: number) => screen.split('\n')[i] ?? '';
const header = (screen: string) => lineOf(screen, 0);
/** The hint bar: the last line the cockpit draws. */
const hintBar = (screen: string, rows: number) => lineOf(screen, rows - 2);
const dialogOpen = (screen: string) => screen.includes('─ ROLLBACK ─');
/** Enter would run the next stage now: the hint bar offers it. */
const canRun = (screen: string) => / ⏎ run\/continue /.test(screen.split('\n').filter(Boolean).at(-1) ?? '');

/** The release fixture's pre-flight: the auto check passed, two items to tick. */
async function ready(s: ScreenRun): Promise<string> {
  return s.waitFor((x) => x.includes('R ROLLBACK') && x.includes('✓ Disk has room') && x.includes('[ ] On-call aware'));
}

async function tickBoth(s: ScreenRun): Promise<string> {
  await s.press('Space');
  await s.waitFor('[✓] Change approved');
  await s.press('Space');
  return s.waitFor((x) => x.includes('[✓] On-call aware') && canRun(x));
}

describe.each([
  { cols: 80, rows: 24 },
  { cols: 160, rows: 48 },
])('a whole release at $cols×$rows', ({ cols, rows }) => {
  it('pre-flight, run, fail, retry, skip with a reason, pass, cancel a rollback, roll back, quit with 3', async () => {
    const sb = sandbox();
    const s = openScreen(sb, { runbook: 'release.yml', cols, rows });
    let f = await ready(s);
    const lines = f.split('\n');
    // the fixture has no rollback triggers: nothing rolls back on its own, and the header says so
    expect(lines[0]).toMatch(/^ cockpit · tui-web 3\.1\.4 → production +⚠ AUTO-ROLLBACK OFF {2}READY {3}R ROLLBACK$/);
    expect(lines[1]).toBe(' ◐ Pre-flight  ○ Build  ○ Deploy  ○ Verify');
    expect(lines[2]).toMatch(/^┌ Checklist ─+┐┌ Output ─+┐$/);
    expect(lines[2]).toHaveLength(cols);
    expect(hintBar(f, rows)).toBe(' R rollback  space tick  e emergency  ? help  q quit');

    // Enter before the manual items are ticked is refused: nothing runs
    await s.press('Enter');
    await s.press('Space');
    f = await s.waitFor('[✓] Change approved');
    expect(f).toContain('○ Build');
    expect(f).not.toContain('◐ Build');
    expect(readFileSync(sb.out('order'), 'utf8')).toBe('disk\n');

    await s.press('Space');
    f = await s.waitFor((x) => x.includes('[✓] On-call aware') && canRun(x));
    expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ○ Build  ○ Deploy  ○ Verify');
    expect(hintBar(f, rows)).toBe(' R rollback  ⏎ run/continue  e emergency  ? help  q quit');

    // stage 1: the output arrives in the output pane, line by line, stamped
    await s.press('Enter');
    f = await s.waitFor(/│\d\d:\d\d:\d\d compile: line 1 of 4 +│/);
    expect(header(f)).toMatch(/◐ BUILD {2}\d:\d\d {2}⚠ AUTO-ROLLBACK OFF {2}RUNNING {3}R ROLLBACK$/);
    expect(f).toMatch(/┌ Compile · \d:\d\d · follow ─+┐$/m);

    // the flaky step fails on its first attempt: FAILED and the reason in the checklist
    f = await s.waitFor(/│ ✗ Flaky tests +FAILED│/);
    expect(f).toMatch(/│ {5}exit 1 +│/);
    expect(f).toMatch(/│\d\d:\d\d:\d\d flaky: cold cache, 3 tests failed +│/);
    expect(header(f)).toMatch(/✗ BUILD {2}\d:\d\d {2}⚠ AUTO-ROLLBACK OFF {2}FAILED {3}R ROLLBACK$/);
    expect(hintBar(f, rows)).toBe(' R rollback  r retry  s skip  e emergency  ? help  q quit');

    // r retries (attempt 2 passes); never a rollback
    await s.press('r');
    f = await s.waitFor((x) => /│ ✓ Flaky tests +2nd try│/.test(x) && x.includes('flaky: all 42 tests passed'));
    expect(f).toMatch(/┌ Flaky tests · \d:\d\d · attempt 2 · follow ─+┐$/m);
    expect(dialogOpen(f)).toBe(false);
    expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ✓ Build  ○ Deploy  ○ Verify');
    expect(readFileSync(sb.out('order'), 'utf8')).toBe('disk\ncompile\nflaky attempt 1\nflaky attempt 2\n');

    // stage 2: the migration fails; skip it with a reason
    await s.press('Enter');
    f = await s.waitFor(/│ ✗ Migrate DB +FAILED│/);
    expect(f).toMatch(/│ {5}exit 2 +│/);
    await s.press('s');
    f = await s.waitFor('Reason: ▏');
    expect(f).toContain('─ Skip step ─');
    expect(f).toContain('Skip "Migrate DB"? The reason is recorded in the journal.');
    expect(hintBar(f, rows)).toBe(' R rollback  ⏎ skip  Esc cancel');
    await s.press('lock stale');
    await s.waitFor('Reason: lock stale▏');
    await s.press('Enter', GUARD_GAP_MS);
    f = await s.waitFor((x) => /│ ↷ Migrate DB +\d:\d\d│/.test(x) && /│ ✓ Ship it +\d:\d\d│/.test(x));
    expect(f).toMatch(/│ {5}skipped: lock stale +│/);
    expect(f).not.toContain('Skip step');

    // stage 3, and the release has passed
    await s.press('Enter');
    f = await s.waitFor((x) => /│ ✓ Smoke test +\d:\d\d│/.test(x) && header(x).includes('RELEASED'));
    expect(header(f)).toMatch(/^ cockpit · tui-web 3\.1\.4 → production +RELEASED {3}R ROLLBACK$/);
    // Deploy passed with its migrate step skipped: it says so
    expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ✓ Build  ✓ Deploy (1 skipped)  ✓ Verify');

    // R opens the dialog naming the rollback, focused on Cancel; Esc closes it, nothing ran
    await s.press('R');
    f = await s.waitFor(dialogOpen);
    expect(f).toContain('Roll back tui-web 3.1.4 in production');
    expect(f).toContain('1. Switch back  (./scripts/say.sh rb-switch 2)');
    expect(f).toContain('2. Purge caches  (./scripts/say.sh rb-purge 2)');
    expect(f).toContain('3. create incident  (./scripts/incident.sh {reason})');
    expect(f).toContain('[ Cancel ]     Roll back');
    expect(f).toContain('Press R again to roll back · Esc cancels');
    expect(header(f)).toMatch(/R ROLLBACK$/); // the dialog never covers the header
    expect(hintBar(f, rows)).toBe(' R confirm  ⏎ choose  Esc cancel');
    await s.press('Escape');
    f = await s.waitFor((x) => !dialogOpen(x));
    expect(header(f)).toMatch(/RELEASED {3}R ROLLBACK$/);
    expect(existsSync(sb.out('incident-args'))).toBe(false);
    expect(readFileSync(sb.out('order'), 'utf8')).not.toContain('rb-');

    // R, then R again ≥ 300 ms later, rolls back
    await s.press('R');
    await s.waitFor(dialogOpen);
    await s.press('R', GUARD_GAP_MS);
    f = await s.waitFor((x) => /ROLLING BACK|ROLLED BACK/.test(header(x)));
    expect(dialogOpen(f)).toBe(false);
    f = await s.waitFor((x) => header(x).includes('ROLLED BACK'));
    expect(header(f)).toMatch(/^ cockpit · tui-web 3\.1\.4 → production +ROLLED BACK {3}R ROLLBACK$/);
    expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ↺ Build  ↺ Deploy  ↺ Verify  ✓ Rollback');
    expect(f).toMatch(/│ ✓ create incident +\d:\d\d│/);
    expect(readFileSync(sb.out('incident-args'), 'utf8')).toBe('1\nmanual rollback by the operator (R)\n');
    expect(readFileSync(sb.out('order'), 'utf8')).toMatch(/smoke\nrb-switch\nrb-purge\nincident\n$/);

    // q leaves with 3 (rolled back); the summary it prints to the scrollback
    await s.press('q');
    const { code, summary: scrollback } = await s.exit;
    expect(code).toBe(3);
    expect(scrollback).toMatch(/^cockpit · tui-web 3\.1\.4 → production · ROLLED BACK · exit 3 · \d+:\d\d$/m);
    expect(scrollback).toContain('  ✓ Pre-flight  ↺ Build  ↺ Deploy  ↺ Verify  ✓ Rollback\n');
    expect(scrollback).toContain('  ↷ Deploy / Migrate DB: skipped: lock stale\n');
    expect(scrollback).toMatch(/^ {2}↺ restored in .+ \(from the incident's start: the rollback request\): manual rollback by the operator \(R\)$/m);
    expect(scrollback).toMatch(/^ {4}rollback took .+ \(from its start to its last step\)$/m);
    expect(scrollback).toMatch(new RegExp(`^  journal: ${sb.state}/sessions/.+/journal\\.jsonl$`, 'm'));
    await expectNothingLeft(sb);
  }, 60_000);
});

it('a held R (five at once) opens the dialog at most, rolls nothing back, and says it ignored keys', async () => {
  const sb = sandbox();
  const s = openScreen(sb, { runbook: 'release.yml', cols: 80, rows: 24 });
  await ready(s);
  // as a terminal delivers a held key: in one read
  await s.press('RRRRR');
  const f = await s.waitFor((x) => dialogOpen(x) && /Ignored \d+ keys? that came within 300 ms/.test(x));
  expect(header(f)).toMatch(/READY {3}R ROLLBACK$/);
  expect(header(f)).not.toMatch(/ROLLING BACK|ROLLED BACK/);
  expect(f).toContain('[ Cancel ]     Roll back');
  expect(existsSync(sb.out('incident-args'))).toBe(false);
  expect(readFileSync(sb.out('order'), 'utf8')).toBe('disk\n');
  await s.press('Escape');
  const g = await s.waitFor((x) => !dialogOpen(x));
  expect(header(g)).toMatch(/READY {3}R ROLLBACK$/);
  expect(existsSync(sb.out('incident-args'))).toBe(false);
});

/**
 * `cockpit keys` (in-process): the keymap as the CLI prints it — scope titles, then `  KEYS
 * description`. A key bound several times is one row there, its meanings joined by "; ", each
 * `meaning — when`; the ? overlay lists the key once too, each meaning on a line of its own: `parts`.
 */
async function keymapListing(): Promise<{ titles: string[]; rows: { key: string; description: string; parts: string[] }[] }> {
  const printed: string[] = [];
  expect(await main(['keys'], { out: (l) => printed.push(l), err: (l) => printed.push(l) })).toBe(0);
  const out = printed.join('\n').trimEnd().split('\n');
  const rows = out.filter((l) => l.startsWith('  ')).map((l) => /^ {2}(\S.*?) {2,}(\S.*)$/.exec(l)!);
  return { titles: out.filter((l) => !l.startsWith(' ')), rows: rows.map(([, key, description]) => ({ key, description, parts: meanings(description) })) };
}

/** The meanings of a row: split at "; " after a part's ` — when` (a meaning itself may hold "; "). */
function meanings(description: string): string[] {
  if (!description.includes(' — ')) return [description];
  const parts: string[] = [];
  let current: string[] = [];
  for (const piece of description.split('; ')) {
    current.push(piece);
    if (piece.includes(' — ')) {
      parts.push(current.join('; '));
      current = [];
    }
  }
  if (current.length) parts.push(current.join('; '));
  return parts;
}

/** Overlay lines of the keymap: a title each, and a line per meaning of each key. */
const helpLineCount = (titles: string[], rows: { parts: string[] }[]) => titles.length + rows.reduce((n, r) => n + r.parts.length, 0);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

it('? lists every key of the keymap, each with its description, when the terminal is tall enough; Esc closes it', async () => {
  const { titles, rows } = await keymapListing();
  expect(rows.length).toBeGreaterThan(30);
  // the help is one dialog line per scope title and per binding, and a dialog keeps clear of
  // the header and the hint bar: it needs this many terminal rows to show everything
  const height = helpLineCount(titles, rows) + 5;
  const sb = sandbox();
  const s = openScreen(sb, { runbook: 'release.yml', cols: 160, rows: Math.max(48, height) });
  await ready(s);
  await s.press('?');
  const f = await s.waitFor('Keys (Esc closes');
  expect(header(f)).toMatch(/READY {3}R ROLLBACK$/);
  expect(hintBar(f, Math.max(48, height))).toBe(' R rollback  Esc close  ↓ scroll');
  expect(f).not.toContain('more line');
  for (const t of titles) expect(f).toMatch(new RegExp(`│ ${escapeRe(t)} +│`));
  for (const r of rows) {
    if (r.parts.length === 1) {
      expect(f).toMatch(new RegExp(`│ {3}${escapeRe(r.key)} +${escapeRe(r.description)} +│`));
      continue;
    }
    // a key bound several times: the key once, on its first meaning's line; each later meaning
    // on a line of its own under it (a long one may be cut at the box: its first 60 characters)
    const [first, ...more] = r.parts;
    const cut = (x: string) => escapeRe(x.slice(0, 60));
    expect(f).toMatch(new RegExp(`│ {3}${escapeRe(r.key)} +${cut(first)}`));
    for (const p of more) expect(f).toMatch(new RegExp(`│ {3} +${cut(p)}`));
  }
  await s.press('Escape');
  const g = await s.waitForGone('Keys (Esc closes');
  expect(hintBar(g, Math.max(48, height))).toBe(' R rollback  space tick  e emergency  ? help  q quit');
});

// The help scrolls: what does not fit is announced, and paging down shows every key.
describe.each([
  { cols: 80, rows: 24 },
  { cols: 160, rows: 48 },
])('? at $cols×$rows', ({ cols, rows }) => {
  it('keeps the header and the hint bar, says how many lines do not fit, and pages to every key', async () => {
    const { titles, rows: keys } = await keymapListing();
    const total = helpLineCount(titles, keys);
    const fit = rows - 1 - 4; // dialog lines that fit: all rows but the header, hint bar and borders
    const sb = sandbox();
    const s = openScreen(sb, { runbook: 'release.yml', cols, rows });
    await ready(s);
    await s.press('?');
    let f = await s.waitFor('Keys (Esc closes');
    expect(header(f)).toMatch(/READY {3}R ROLLBACK$/);
    expect(hintBar(f, rows)).toBe(' R rollback  Esc close  ↓ scroll');
    expect(total).toBeGreaterThan(fit);
    expect(f).toMatch(new RegExp(`│ ↓ ${total - (fit - 1)} more lines \\(↓ PgDn scroll\\) +│`));
    const seen = new Set<string>();
    for (let page = 0; page < 20; page++) {
      for (const line of f.split('\n')) seen.add(line);
      if (f.includes('— end —')) break;
      const before = f;
      await s.press('PageDown');
      f = await s.waitFor((x) => x !== before);
    }
    expect(f).toContain('— end —');
    const all = [...seen].join('\n');
    for (const t of titles) expect(all).toContain(t);
    // descriptions may be cut at 80 columns: their first 30 characters are there
    // (each meaning of a key bound several times is a line of its own)
    for (const r of keys) for (const p of r.parts) expect(all).toContain(p.slice(0, Math.min(p.length, cols === 80 ? 30 : 60)));
    await s.press('Escape');
    await s.waitForGone('Keys (Esc closes');
  });
});

it('lowercase r never opens the rollback dialog: nothing to retry does nothing; after a failure it retries', async () => {
  const sb = sandbox();
  const s = openScreen(sb, { runbook: 'release.yml', cols: 80, rows: 24 });
  await ready(s);
  // nothing has failed: r does nothing (the tick after it is the barrier)
  await s.press('r');
  await s.press('Space');
  let f = await s.waitFor('[✓] Change approved');
  expect(dialogOpen(f)).toBe(false);
  await s.press('r');
  await s.press('Space');
  f = await s.waitFor((x) => x.includes('[✓] On-call aware') && canRun(x));
  expect(dialogOpen(f)).toBe(false);
  await s.press('Enter');
  f = await s.waitFor(/│ ✗ Flaky tests +FAILED│/);
  await s.press('r');
  f = await s.waitFor((x) => /│ ✓ Flaky tests +2nd try│/.test(x));
  expect(dialogOpen(f)).toBe(false);
  // passed, nothing failed: r again does nothing
  await s.press('r');
  await s.press('?');
  f = await s.waitFor('Keys (Esc closes');
  expect(dialogOpen(f)).toBe(false);
  expect(existsSync(sb.out('incident-args'))).toBe(false);
  expect(readFileSync(sb.out('order'), 'utf8')).not.toContain('rb-');
});

// After a retry passes the header must not keep saying FAILED over a stage strip of ✓; the
// step shows `2nd try` where its duration was.
it('after a successful retry the header no longer says FAILED', async () => {
  const sb = sandbox();
  const s = openScreen(sb, { runbook: 'release.yml', cols: 80, rows: 24 });
  await ready(s);
  await tickBoth(s);
  await s.press('Enter');
  await s.waitFor(/│ ✗ Flaky tests +FAILED│/);
  await s.press('r');
  const f = await s.waitFor((x) => /│ ✓ Flaky tests +2nd try│/.test(x) && lineOf(x, 1).includes('✓ Build'));
  expect(header(f)).toMatch(/READY {3}R ROLLBACK$/);
});

