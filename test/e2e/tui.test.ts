/**
 * End to end: the BUILT cockpit screen (bin/cockpit.js → dist/) in a real terminal — a detached
 * tmux session of a fixed size — driven by keys and read off the screen as a person would.
 * Build first: `node scripts/build.mjs`.
 *
 * Every test gets a fresh temp dir: a private copy of test/fixtures/tui (its scripts write
 * out/pids, out/order, out/incident-args beside the runbook), COCKPIT_STATE_DIR and
 * COCKPIT_CONFIG_DIR. Every wait is for screen content against a deadline; the only timed wait is
 * `gap(ms)` — "this long since the previous key" — which is the product's own confirm rule
 * (≥ 300 ms), or keeps a key whose effect is invisible from merging with the next one into one
 * read (a terminal delivers "\r " in one read as one event, which is neither key).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RUNNING_FRAMES } from '../../src/ui/components/RunningIcon.js';
import { hasTmux, shq, tmux, TmuxSession } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'tui');

/** Keys that must count as separate keypresses (and the rollback guard) wait this long. */
const GUARD_GAP_MS = 350;
/** Enough for the terminal to deliver a key in its own read. */
const KEY_GAP_MS = 120;

// ── sandboxes and sessions ───────────────────────────────────────────────────────────────────

type Sandbox = { readonly root: string; readonly fx: string; readonly state: string; readonly config: string; out(name: string): string };

const sandboxes: Sandbox[] = [];
const sessions: TmuxSession[] = [];

function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-tui-'));
  const fx = join(root, 'fx');
  cpSync(FIXTURES, fx, { recursive: true });
  for (const f of readdirSync(join(fx, 'scripts'))) chmodSync(join(fx, 'scripts', f), 0o755);
  const sb = { root, fx, state: join(root, 'state'), config: join(root, 'config'), out: (name: string) => join(fx, 'out', name) };
  mkdirSync(sb.config);
  sandboxes.push(sb);
  return sb;
}

type Launch = {
  readonly cols: number;
  readonly rows: number;
  readonly runbook?: string;
  readonly env?: Record<string, string>;
  /**
   * Run in a clean environment with no CI variable at all, like a person's terminal. Needed to
   * see colours: with CI=false (which Ink needs to draw at all when CI is set) chalk turns every
   * style off, colours, bold and inverse alike.
   */
  readonly userTerminal?: boolean;
  /** Shell text after the command (redirections, a pipe); the line then runs under bash. */
  readonly shellTail?: string;
};

function launch(sb: Sandbox, o: Launch): TmuxSession {
  const env = { COCKPIT_STATE_DIR: sb.state, COCKPIT_CONFIG_DIR: sb.config, ...o.env };
  let node = `${shq(process.execPath)} ${shq(BIN)} ${shq(o.runbook ?? 'release.yml')}`;
  if (o.shellTail) node = `bash -c ${shq(`${node} ${o.shellTail}`)}`;
  const command = o.userTerminal
    ? `env -i PATH=${shq(process.env.PATH ?? '/usr/bin:/bin')} HOME=${shq(sb.root)} LANG=C.UTF-8 TERM=xterm-256color ${Object.entries(env)
        .map(([k, v]) => `${k}=${shq(v)}`)
        .join(' ')} ${node}`
    : node;
  const s = TmuxSession.start(command, { cols: o.cols, rows: o.rows, cwd: sb.fx, env, name: 'cockpit-tui' });
  sessions.push(s);
  return s;
}

/** Whether a process runs (a zombie does not count: nothing may reap it in a container). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function pidsOf(sb: Sandbox, file = 'pids'): number[] {
  return existsSync(sb.out(file)) ? readFileSync(sb.out(file), 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

/** Processes whose command line mentions the sandbox (supervisors, the cockpit), minus the tmux server. */
function processesIn(sb: Sandbox): string[] {
  const r = spawnSync('pgrep', ['-af', sb.root], { encoding: 'utf8' });
  let server = -1;
  try {
    server = Number(tmux('display-message', '-p', '#{pid}').trim());
  } catch {
    // no server
  }
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .filter((l) => Number(l.split(' ')[0]) !== server);
}

async function until(what: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** Nothing the session started is left: every recorded script pid and every sandbox process. */
async function expectNothingLeft(sb: Sandbox): Promise<void> {
  await until('every fixture process to end', () => pidsOf(sb).every((p) => !running(p)) && processesIn(sb).length === 0).catch(() => {
    throw new Error(`left running: pids ${pidsOf(sb).filter(running).join(' ')}; ${processesIn(sb).join(' | ')}`);
  });
}

afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  for (const sb of sandboxes.splice(0)) {
    // a test that failed half way may leave a step running (steps are supervised by a detached
    // process, by design: a dead cockpit must not kill a deploy); end ours, by pid
    for (const line of processesIn(sb)) kill(Number(line.split(' ')[0]));
    for (const pid of pidsOf(sb)) if (running(pid)) kill(pid);
    rmSync(sb.root, { recursive: true, force: true });
  }
});

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

beforeAll(() => {
  for (const f of [BIN, join(ROOT, 'dist', 'cockpit.js'), join(ROOT, 'dist', 'supervisor.js')])
    if (!existsSync(f)) throw new Error(`${f} is missing: build first (node scripts/build.mjs)`);
});

// ── screen helpers ───────────────────────────────────────────────────────────────────────────

const lineOf = (screen: string, i: number) => screen.split('\n')[i] ?? '';
const header = (screen: string) => lineOf(screen, 0);
/** The hint bar: the last line the cockpit draws (it leaves the terminal's last row empty). */
const hintBar = (screen: string, rows: number) => lineOf(screen, rows - 2);
const dialogOpen = (screen: string) => screen.includes('─ ROLLBACK ─');
/**
 * Enter would run the next stage now: the hint bar offers it. (The pre-flight loop may still be
 * winding down for a moment after its last check shows ✓; Enter is refused, silently, till then.)
 */
const canRun = (screen: string) => / ⏎ run\/continue /.test(screen.split('\n').filter(Boolean).at(-1) ?? '');

/** Every SGR colour (not bold/inverse/resets) in a `capture-pane -e` screen. */
function colourCodes(screen: string): string[] {
  const found: string[] = [];
  for (const m of screen.matchAll(/\x1b\[([0-9;:]*)m/g)) {
    const ps = m[1].split(/[;:]/).map(Number);
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      if (p === 38 || p === 48 || p === 58) {
        found.push(m[0]);
        i += ps[i + 1] === 5 ? 2 : 4;
      } else if ((p >= 30 && p <= 37) || (p >= 40 && p <= 47) || (p >= 90 && p <= 97) || (p >= 100 && p <= 107)) found.push(m[0]);
    }
  }
  return found;
}

/** Starts the release fixture and waits for the pre-flight: the auto check passed, two items to tick. */
async function ready(s: TmuxSession): Promise<string> {
  return s.waitFor((x) => x.includes('R ROLLBACK') && x.includes('✓ Disk has room') && x.includes('[ ] On-call aware'));
}

async function tickBoth(s: TmuxSession): Promise<string> {
  s.keys('Space');
  await s.waitFor('[✓] Change approved');
  s.keys('Space');
  return s.waitFor((x) => x.includes('[✓] On-call aware') && canRun(x));
}

// ── the tests ────────────────────────────────────────────────────────────────────────────────

describe.skipIf(!hasTmux())('the cockpit screen in a real terminal (tmux)', () => {
  describe.each([
    { cols: 80, rows: 24 },
    { cols: 160, rows: 48 },
  ])('a whole release at $cols×$rows', ({ cols, rows }) => {
    it('pre-flight, run, fail, retry, skip with a reason, pass, cancel a rollback, roll back, quit with 3', async () => {
      const sb = sandbox();
      const s = launch(sb, { cols, rows });
      let f = await ready(s);
      const lines = f.split('\n');
      // the fixture has no rollback triggers: nothing rolls back on its own, and the header says so
      expect(lines[0]).toMatch(/^ cockpit · tui-web 3\.1\.4 → production +⚠ AUTO-ROLLBACK OFF {2}READY {3}R ROLLBACK$/);
      expect(lines[1]).toBe(' ◐ Pre-flight  ○ Build  ○ Deploy  ○ Verify');
      expect(lines[2]).toMatch(/^┌ Checklist ─+┐┌ Output ─+┐$/);
      expect(lines[2]).toHaveLength(cols);
      expect(lines).toHaveLength(rows);
      expect(hintBar(f, rows)).toBe(' R rollback  space tick  e emergency  ? help  q quit');

      // Enter before the manual items are ticked is refused: nothing runs. (No visible effect:
      // the next key, after a gap, is the barrier that proves Enter was handled.)
      s.keys('Enter');
      await s.gap(KEY_GAP_MS);
      s.keys('Space');
      f = await s.waitFor('[✓] Change approved');
      expect(f).toContain('○ Build');
      expect(f).not.toContain('◐ Build');
      expect(readFileSync(sb.out('order'), 'utf8')).toBe('disk\n');

      s.keys('Space');
      f = await s.waitFor((x) => x.includes('[✓] On-call aware') && canRun(x));
      expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ○ Build  ○ Deploy  ○ Verify');
      expect(hintBar(f, rows)).toBe(' R rollback  ⏎ run/continue  e emergency  ? help  q quit');

      // stage 1: the output arrives in the output pane, line by line, stamped
      s.keys('Enter');
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
      s.keys('r');
      f = await s.waitFor((x) => /│ ✓ Flaky tests +2nd try│/.test(x) && x.includes('flaky: all 42 tests passed'));
      expect(f).toMatch(/┌ Flaky tests · \d:\d\d · attempt 2 · follow ─+┐$/m);
      expect(dialogOpen(f)).toBe(false);
      expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ✓ Build  ○ Deploy  ○ Verify');
      expect(readFileSync(sb.out('order'), 'utf8')).toBe('disk\ncompile\nflaky attempt 1\nflaky attempt 2\n');

      // stage 2: the migration fails; skip it with a reason
      s.keys('Enter');
      f = await s.waitFor(/│ ✗ Migrate DB +FAILED│/);
      expect(f).toMatch(/│ {5}exit 2 +│/);
      s.keys('s');
      f = await s.waitFor('Reason: ▏');
      expect(f).toContain('─ Skip step ─');
      expect(f).toContain('Skip "Migrate DB"? The reason is recorded in the journal.');
      expect(hintBar(f, rows)).toBe(' R rollback  ⏎ skip  Esc cancel');
      s.type('lock stale');
      await s.waitFor('Reason: lock stale▏');
      await s.gap(GUARD_GAP_MS);
      s.keys('Enter');
      f = await s.waitFor((x) => /│ ↷ Migrate DB +\d:\d\d│/.test(x) && /│ ✓ Ship it +\d:\d\d│/.test(x));
      expect(f).toMatch(/│ {5}skipped: lock stale +│/);
      expect(f).not.toContain('Skip step');

      // stage 3, and the release has passed
      s.keys('Enter');
      f = await s.waitFor((x) => /│ ✓ Smoke test +\d:\d\d│/.test(x) && header(x).includes('RELEASED'));
      expect(header(f)).toMatch(/^ cockpit · tui-web 3\.1\.4 → production +RELEASED {3}R ROLLBACK$/);
      // Deploy passed with its migrate step skipped: it says so
      expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ✓ Build  ✓ Deploy (1 skipped)  ✓ Verify');

      // R opens the dialog naming the rollback, focused on Cancel; Esc closes it, nothing ran
      s.keys('R');
      f = await s.waitFor(dialogOpen);
      expect(f).toContain('Roll back tui-web 3.1.4 in production');
      expect(f).toContain('1. Switch back  (./scripts/say.sh rb-switch 2)');
      expect(f).toContain('2. Purge caches  (./scripts/say.sh rb-purge 2)');
      expect(f).toContain('3. create incident  (./scripts/incident.sh {reason})');
      expect(f).toContain('[ Cancel ]     Roll back');
      expect(f).toContain('Press R again to roll back · Esc cancels');
      expect(header(f)).toMatch(/R ROLLBACK$/); // the dialog never covers the header
      expect(hintBar(f, rows)).toBe(' R confirm  ⏎ choose  Esc cancel');
      s.keys('Escape');
      f = await s.waitFor((x) => !dialogOpen(x));
      expect(header(f)).toMatch(/RELEASED {3}R ROLLBACK$/);
      expect(existsSync(sb.out('incident-args'))).toBe(false);
      expect(readFileSync(sb.out('order'), 'utf8')).not.toContain('rb-');

      // R, then R again ≥ 300 ms later, rolls back
      s.keys('R');
      await s.waitFor(dialogOpen);
      await s.gap(GUARD_GAP_MS);
      s.keys('R');
      f = await s.waitFor((x) => /ROLLING BACK|ROLLED BACK/.test(header(x)));
      expect(dialogOpen(f)).toBe(false);
      f = await s.waitFor((x) => header(x).includes('ROLLED BACK'));
      expect(header(f)).toMatch(/^ cockpit · tui-web 3\.1\.4 → production +ROLLED BACK {3}R ROLLBACK$/);
      expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ↺ Build  ↺ Deploy  ↺ Verify  ✓ Rollback');
      expect(f).toMatch(/│ ✓ create incident +\d:\d\d│/);
      expect(readFileSync(sb.out('incident-args'), 'utf8')).toBe('1\nmanual rollback by the operator (R)\n');
      expect(readFileSync(sb.out('order'), 'utf8')).toMatch(/smoke\nrb-switch\nrb-purge\nincident\n$/);

      // q leaves with 3 (rolled back); the summary stays in the scrollback
      s.keys('q');
      expect(await s.waitForExit()).toBe(3);
      const scrollback = s.screen({ history: 200 });
      expect(scrollback).toMatch(/^cockpit · tui-web 3\.1\.4 → production · ROLLED BACK · exit 3 · \d+:\d\d$/m);
      // the summary's strip is the screen's, item for item (session/view/stage-status.ts)
      expect(scrollback).toContain('  ✓ Pre-flight  ↺ Build  ↺ Deploy  ↺ Verify  ✓ Rollback\n');
      expect(scrollback).toContain('  ↷ Deploy / Migrate DB: skipped: lock stale\n');
      expect(scrollback).toMatch(/^ {2}↺ restored in .+ \(from the incident's start: the rollback request\): manual rollback by the operator \(R\)$/m);
      expect(scrollback).toMatch(/^ {4}rollback took .+ \(from its start to its last step\)$/m);
      expect(scrollback).toMatch(new RegExp(`^  journal: ${sb.state}/sessions/.+/journal\\.jsonl$`, 'm'));
      expect(scrollback).not.toContain('R ROLLBACK'); // the screen itself went with the alternate screen
      await expectNothingLeft(sb);
    });
  });

  it('a held R (five at once) opens the dialog at most, rolls nothing back, and says it ignored keys', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 80, rows: 24 });
    await ready(s);
    s.keys('R', 'R', 'R', 'R', 'R');
    const f = await s.waitFor((x) => dialogOpen(x) && /Ignored \d+ keys? that came within 300 ms/.test(x));
    expect(header(f)).toMatch(/READY {3}R ROLLBACK$/);
    expect(header(f)).not.toMatch(/ROLLING BACK|ROLLED BACK/);
    expect(f).toContain('[ Cancel ]     Roll back');
    expect(existsSync(sb.out('incident-args'))).toBe(false);
    expect(readFileSync(sb.out('order'), 'utf8')).toBe('disk\n');
    s.keys('Escape');
    const g = await s.waitFor((x) => !dialogOpen(x));
    expect(header(g)).toMatch(/READY {3}R ROLLBACK$/);
    expect(existsSync(sb.out('incident-args'))).toBe(false);
  });

  /**
   * `cockpit keys`: the keymap as the CLI prints it — scope titles, then `  KEYS  description`. A key
   * bound several times is one row there, its meanings joined by "; ", each `meaning — when`; the
   * ? overlay lists the key once too, each meaning on a line of its own: `parts` are those lines.
   */
  function keymapListing(): { titles: string[]; rows: { key: string; description: string; parts: string[] }[] } {
    const out = execFileSync(process.execPath, [BIN, 'keys'], { encoding: 'utf8' }).trimEnd().split('\n');
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

  it('? lists every key of the keymap, each with its description, when the terminal is tall enough; Esc closes it', async () => {
    const { titles, rows } = keymapListing();
    expect(rows.length).toBeGreaterThan(30);
    // the help is one dialog line per scope title and per binding, and a dialog keeps clear of
    // the header and the hint bar: it needs this many terminal rows to show everything
    const height = helpLineCount(titles, rows) + 5;
    const sb = sandbox();
    const s = launch(sb, { cols: 160, rows: Math.max(48, height) });
    await ready(s);
    s.keys('?');
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
    s.keys('Escape');
    const g = await s.waitForGone('Keys (Esc closes');
    expect(hintBar(g, Math.max(48, height))).toBe(' R rollback  space tick  e emergency  ? help  q quit');
  });

  // The help scrolls: what does not fit is announced, and paging down shows every key.
  describe.each([
    { cols: 80, rows: 24 },
    { cols: 160, rows: 48 },
  ])('? at $cols×$rows', ({ cols, rows }) => {
    it('keeps the header and the hint bar, says how many lines do not fit, and pages to every key', async () => {
      const { titles, rows: keys } = keymapListing();
      const total = helpLineCount(titles, keys);
      const fit = rows - 1 - 4; // dialog lines that fit: all rows but the header, hint bar and borders
      const sb = sandbox();
      const s = launch(sb, { cols, rows });
      await ready(s);
      s.keys('?');
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
        s.keys('PageDown');
        f = await s.waitFor((x) => x !== before);
      }
      expect(f).toContain('— end —');
      const all = [...seen].join('\n');
      for (const t of titles) expect(all).toContain(t);
      // descriptions may be cut at 80 columns: their first 30 characters are there
      // (each meaning of a key bound several times is a line of its own)
      for (const r of keys) for (const p of r.parts) expect(all).toContain(p.slice(0, Math.min(p.length, cols === 80 ? 30 : 60)));
      s.keys('Escape');
      await s.waitForGone('Keys (Esc closes');
    });
  });

  it('lowercase r never opens the rollback dialog: nothing to retry does nothing; after a failure it retries', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 80, rows: 24 });
    await ready(s);
    // nothing has failed: r does nothing (the tick after it is the barrier)
    s.keys('r');
    await s.gap(KEY_GAP_MS);
    s.keys('Space');
    let f = await s.waitFor('[✓] Change approved');
    expect(dialogOpen(f)).toBe(false);
    s.keys('r');
    await s.gap(KEY_GAP_MS);
    s.keys('Space');
    f = await s.waitFor((x) => x.includes('[✓] On-call aware') && canRun(x));
    expect(dialogOpen(f)).toBe(false);
    s.keys('Enter');
    f = await s.waitFor(/│ ✗ Flaky tests +FAILED│/);
    s.keys('r');
    f = await s.waitFor((x) => /│ ✓ Flaky tests +2nd try│/.test(x));
    expect(dialogOpen(f)).toBe(false);
    // passed, nothing failed: r again does nothing
    s.keys('r');
    await s.gap(KEY_GAP_MS);
    s.keys('?');
    f = await s.waitFor('Keys (Esc closes');
    expect(dialogOpen(f)).toBe(false);
    expect(existsSync(sb.out('incident-args'))).toBe(false);
    expect(readFileSync(sb.out('order'), 'utf8')).not.toContain('rb-');
  });

  // After a retry passes the header must not keep saying FAILED over a stage strip of ✓; the
  // step shows `2nd try` where its duration was.
  it('after a successful retry the header no longer says FAILED', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 80, rows: 24 });
    await ready(s);
    await tickBoth(s);
    s.keys('Enter');
    await s.waitFor(/│ ✗ Flaky tests +FAILED│/);
    s.keys('r');
    const f = await s.waitFor((x) => /│ ✓ Flaky tests +2nd try│/.test(x) && lineOf(x, 1).includes('✓ Build'));
    expect(header(f)).toMatch(/READY {3}R ROLLBACK$/);
  });

  it('re-lays out on resize while a step runs; below 80×24 says so; back to normal when enlarged', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 80, rows: 24, runbook: 'long.yml' });
    await s.waitFor(canRun);
    s.keys('Enter');
    let f = await s.waitFor('sleeper: waiting');
    expect(lineOf(f, 2)).toHaveLength(80);

    s.resize(100, 30);
    f = await s.waitFor((x) => lineOf(x, 2).length === 100 && x.split('\n').length === 30);
    const lines = f.split('\n');
    expect(lines[0]).toMatch(/^ cockpit · tui-long 1\.0\.0 → staging +◐ WAIT {2}\d:\d\d {2}⚠ AUTO-ROLLBACK OFF {2}RUNNING {3}R ROLLBACK$/);
    expect(lines[1]).toBe(' ✓ Pre-flight  ◐ Wait  ○ Later'); // the header is still one line
    expect(lines[2]).toMatch(/^┌ Checklist ─+┐┌ Long sleeper · \d:\d\d · follow ─+┐$/);
    expect(lines[26]).toMatch(/^└─+┘└─+┘$/);
    expect(lines[26]).toHaveLength(100);
    expect(lines[28]).toBe(' R rollback  e emergency  ? help  q quit');
    expect(lines[29]).toBe('');
    expect(f).toMatch(/│\d\d:\d\d:\d\d sleeper: waiting +│/);

    s.resize(70, 20);
    f = await s.waitFor('terminal too small (needs 80×24, have 70×20)');
    expect(f).not.toContain('┌ Checklist');

    s.resize(80, 24);
    f = await s.waitFor((x) => lineOf(x, 2).length === 80 && header(x).endsWith('R ROLLBACK'));
    expect(f).not.toContain('terminal too small');
    expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ◐ Wait  ○ Later');
    expect(lineOf(f, 20)).toMatch(/^└─+┘└─+┘$/);
    expect(lineOf(f, 20)).toHaveLength(80);
    expect(hintBar(f, 24)).toBe(' R rollback  e emergency  ? help  q quit');

    // leave: q asks while a step runs; y interrupts it and quits
    s.keys('q');
    await s.waitFor('Quit?');
    s.keys('y');
    expect(await s.waitForExit()).toBe(130);
    await expectNothingLeft(sb);
  });

  it("the running step's icon turns in a real terminal; the stage strip and the header keep the static ◐", async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 100, rows: 30, runbook: 'long.yml' });
    await s.waitFor(canRun);
    s.keys('Enter');
    await s.waitFor('sleeper: waiting');
    // the row's icon as drawn, read until every frame of the spinner has been seen
    const icons = new Set<string>();
    let f = await s.waitFor(
      (x) => {
        const icon = /│ (\S) Long sleeper /.exec(x)?.[1];
        if (icon) icons.add(icon);
        return icons.size === RUNNING_FRAMES.length;
      },
      { spinning: true, timeoutMs: 10_000 },
    );
    expect([...icons].sort()).toEqual([...RUNNING_FRAMES].sort());
    expect(lineOf(f, 1)).toBe(' ✓ Pre-flight  ◐ Wait  ○ Later');
    expect(header(f)).toMatch(/ ◐ WAIT {2}\d:\d\d {2}⚠ AUTO-ROLLBACK OFF {2}RUNNING {3}R ROLLBACK$/);
    expect(f).toMatch(/│◐ Wait +│/); // the stage's row in the checklist: a state, not a spinner
    // read as a person compares screens, the row shows the running icon
    f = await s.waitFor(/│ ◐ Long sleeper +\d:\d\d│/);
    s.keys('q');
    await s.waitFor('Quit?');
    s.keys('y');
    expect(await s.waitForExit()).toBe(130);
    await expectNothingLeft(sb);
  });

  describe('colour', () => {
    it('NO_COLOR=1: no colour sequences at all (bold and inverse allowed)', async () => {
      const sb = sandbox();
      const s = launch(sb, { cols: 80, rows: 24, userTerminal: true, env: { NO_COLOR: '1' } });
      await ready(s);
      const f = s.screen({ escapes: true });
      expect(colourCodes(f)).toEqual([]);
      expect(f).toMatch(/\x1b\[[0-9;]*\b1[;m]/); // still styled: bold is there, the capture is not vacuous
    });

    it('without NO_COLOR, in a terminal without CI set, the screen has colours', async () => {
      const sb = sandbox();
      const s = launch(sb, { cols: 80, rows: 24, userTerminal: true });
      await ready(s);
      const f = s.screen({ escapes: true });
      expect(colourCodes(f).length).toBeGreaterThan(5);
    });
  });

  it('Ctrl+C while a step runs asks; y interrupts it (grandchild gone); a second Ctrl+C within 2 s leaves with 130', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 80, rows: 24, runbook: 'long.yml' });
    await s.waitFor(canRun);
    s.keys('Enter');
    await s.waitFor('sleeper: waiting');
    await until('sleeper pids', () => pidsOf(sb, 'sleeper-pids').length === 2);
    const [script, sleep] = pidsOf(sb, 'sleeper-pids');
    expect(running(sleep)).toBe(true);

    s.keys('C-c');
    let f = await s.waitFor('─ Interrupt? ─');
    expect(f).toContain('Interrupt Long sleeper?');
    expect(hintBar(f, 24)).toBe(' R rollback  y interrupt  n keep running');
    s.keys('y');
    f = await s.waitFor(/│ {5}interrupted \(SIGTERM\) *│/);
    expect(f).toMatch(/│ ■ Long sleeper +\d:\d\d│/);
    expect(f).not.toContain('Interrupt?');
    await until('the interrupted step and its sleep to end', () => !running(script) && !running(sleep));

    // again: retry, then Ctrl+C twice — the second one leaves at once
    s.keys('r');
    await s.waitFor((x) => x.includes('attempt 2') && x.includes('sleeper: waiting'));
    await until('new sleeper pids', () => pidsOf(sb, 'sleeper-pids')[1] !== sleep && pidsOf(sb, 'sleeper-pids').length === 2);
    s.keys('C-c');
    await s.waitFor('─ Interrupt? ─');
    s.keys('C-c');
    expect(await s.waitForExit()).toBe(130);
    expect(s.screen({ history: 200 })).toMatch(/^cockpit · tui-long 1\.0\.0 → staging · INTERRUPTED · exit 130 · /m);
    await expectNothingLeft(sb);
  });

  it('not a TTY: falls back to the headless runner (plain lines) with the same exit code', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 100, rows: 30, shellTail: '--yes < /dev/null | cat; exit ${PIPESTATUS[0]}' });
    const code = await s.waitForExit({ timeoutMs: 20_000 });
    // the flaky step fails on its first attempt and headless stops there: 1, a stage failed
    expect(code).toBe(1);
    const out = s.screen({ history: 200 });
    expect(out).not.toContain('R ROLLBACK');
    expect(out).not.toContain('┌');
    expect(out).toMatch(/^\d\d:\d\d:\d\d cockpit · tui-web 3\.1\.4 → production · session \S+$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d {3}│ compile: line 4 of 4$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d {3}✗ Flaky tests FAILED: exit 1 \(\d+ms\)$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d ■ FAILED$/m);
    expect(out).toMatch(new RegExp(`^journal: ${sb.state}/sessions/.+/journal\\.jsonl$`, 'm'));
    await expectNothingLeft(sb);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
