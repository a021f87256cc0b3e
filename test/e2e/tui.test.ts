/**
 * End to end: the BUILT cockpit screen (bin/cockpit.js → dist/) in a real terminal — a detached
 * tmux session of a fixed size — driven by keys and read off the screen as a person would.
 * Build first: `node scripts/build.mjs`. Only what a real terminal shows is here: the screen
 * filling it and leaving it (alternate screen, scrollback), resize, the spinner turning, colour
 * sequences, Ctrl+C, processes and exit codes; and, as a plain child process, the not-a-TTY fallback. What the screen says through
 * a release (keys, dialogs, the ? overlay) is asserted in-process: test/integration/release-screen.test.ts.
 *
 * Every test gets a fresh temp dir: a private copy of test/fixtures/tui (its scripts write
 * out/pids, out/order, out/incident-args beside the runbook), COCKPIT_STATE_DIR and
 * COCKPIT_CONFIG_DIR. Every wait is for screen content against a deadline; the only timed wait is
 * `gap(ms)` — "this long since the previous key" — which is the product's own confirm rule
 * (≥ 300 ms), or keeps a key whose effect is invisible from merging with the next one into one
 * read (a terminal delivers "\r " in one read as one event, which is neither key).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RUNNING_FRAMES } from '../../src/ui/components/RunningIcon.js';
import { hasTmux, shq, tmux, TmuxSession } from '../helpers/tmux.js';
import { killProcessesUnder, tmuxServerPid } from '../helpers/demo-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'tui');

/** The rollback guard: the second R comes this long after the first. */
const GUARD_GAP_MS = 350;

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
    // the cockpit itself runs in the sandbox (its argv does not name it under env -i) and may
    // still be writing its journal after the pane's SIGHUP: end it too, and retry the removal
    const server = tmuxServerPid();
    killProcessesUnder(sb.root, server === undefined ? [] : [server]);
    rmSync(sb.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
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

// ── the tests ────────────────────────────────────────────────────────────────────────────────

describe.skipIf(!hasTmux())('the cockpit screen in a real terminal (tmux)', () => {
  // What the screen says through a whole release is asserted in the ui tier
  // (test/integration/release-screen.test.ts); here, what only a terminal shows: the screen fills it, the
  // alternate screen takes the screen away at exit and leaves the summary in the scrollback, and
  // the process's exit status.
  it('fills the terminal; R, R ≥ 300 ms later rolls back; q leaves with 3 and the summary in the scrollback, the screen gone', async () => {
    const cols = 80;
    const rows = 24;
    const sb = sandbox();
    const s = launch(sb, { cols, rows });
    let f = await ready(s);
    const lines = f.split('\n');
    expect(lines[0]).toMatch(/^ cockpit · tui-web 3\.1\.4 → production +⚠ AUTO-ROLLBACK OFF {2}READY {3}R ROLLBACK$/);
    expect(lines[2]).toHaveLength(cols);
    expect(lines).toHaveLength(rows);
    s.keys('R');
    await s.waitFor(dialogOpen);
    await s.gap(GUARD_GAP_MS);
    s.keys('R');
    f = await s.waitFor((x) => header(x).includes('ROLLED BACK'));
    expect(readFileSync(sb.out('incident-args'), 'utf8')).toBe('1\nmanual rollback by the operator (R)\n');
    s.keys('q');
    expect(await s.waitForExit()).toBe(3);
    const scrollback = s.screen({ history: 200 });
    expect(scrollback).toMatch(/^cockpit · tui-web 3\.1\.4 → production · ROLLED BACK · exit 3 · \d+:\d\d$/m);
    expect(scrollback).toMatch(new RegExp(`^  journal: ${sb.state}/sessions/.+/journal\\.jsonl$`, 'm'));
    expect(scrollback).not.toContain('R ROLLBACK'); // the screen itself went with the alternate screen
    await expectNothingLeft(sb);
  });

  it("while a step runs: re-lays out on resize, its icon turns (the stage strip and the header keep the static ◐); below 80×24 says so; back to normal when enlarged", async () => {
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

    // the running step's icon turns in a real terminal: the row's icon as drawn, read until every
    // frame of the spinner has been seen
    const icons = new Set<string>();
    f = await s.waitFor(
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

});

// Not a terminal at all: a plain child process, its stdin /dev/null and its stdout and stderr pipes.
describe('the cockpit without a terminal', () => {
  it('not a TTY: falls back to the headless runner (plain lines) with the same exit code', async () => {
    const sb = sandbox();
    const child = spawn(process.execPath, [BIN, 'release.yml', '--yes'], {
      cwd: sb.fx,
      env: { ...process.env, COCKPIT_STATE_DIR: sb.state, COCKPIT_CONFIG_DIR: sb.config },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // the flaky step fails on its first attempt and headless stops there: 1, a stage failed
    expect(code, out).toBe(1);
    expect(out).not.toContain('R ROLLBACK');
    expect(out).not.toContain('┌');
    expect(out).not.toContain('\x1b');
    expect(out).toMatch(/^\d\d:\d\d:\d\d cockpit · tui-web 3\.1\.4 → production · session \S+$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d {3}│ compile: line 4 of 4$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d {3}✗ Flaky tests FAILED: exit 1 \(\d+ms\)$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d ■ FAILED$/m);
    expect(out).toMatch(new RegExp(`^journal: ${sb.state}/sessions/.+/journal\\.jsonl$`, 'm'));
    await expectNothingLeft(sb);
  });
});
