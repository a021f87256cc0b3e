/**
 * End to end: what only a real terminal shows of the BUILT cockpit screen (issue 13): sparklines
 * keep a flat series flat and draw the cells past warn/critical in their colours, read from tmux's
 * `capture-pane -e`. Everything else the screen says on this fixture (the rollback dialog, the
 * trigger line at 80 columns, the flags pane at 160×48, PRE-FLIGHT FAILED, a skipped check,
 * "changed … ago", keys that do nothing) is asserted in test/integration/screen-fixture.test.tsx. Build
 * first: `node scripts/build.mjs`.
 *
 * The test gets a private copy of test/fixtures/screen, COCKPIT_STATE_DIR and COCKPIT_CONFIG_DIR
 * in a temp dir. Every wait is for screen content against a deadline; the only timed wait is
 * `gap(ms)`, the product's own confirm rule (≥ 300 ms since the previous key).
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killProcessesUnder, processesUnder, tmuxServerPid } from '../helpers/demo-run.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'screen');
const GUARD_GAP_MS = 350;

type Sandbox = { readonly root: string; readonly fx: string; readonly state: string; readonly config: string };
const sandboxes: Sandbox[] = [];
const sessions: TmuxSession[] = [];

/**
 * `rollbackScript`: writes the fixture's missing ./scripts/rollback.sh (executable), so the
 * guardrail self-test's pre-flight row passes; without it the pre-flight fails there (the script
 * is missing on purpose, for the rollback dialog's mark).
 */
function sandbox(o: { rollbackScript?: boolean } = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-screen-'));
  const fx = join(root, 'fx');
  cpSync(FIXTURE, fx, { recursive: true });
  if (o.rollbackScript) writeFileSync(join(fx, 'scripts', 'rollback.sh'), '#!/bin/sh\necho "rolled back"\n');
  for (const f of readdirSync(join(fx, 'scripts'))) chmodSync(join(fx, 'scripts', f), 0o755);
  const sb = { root, fx, state: join(root, 'state'), config: join(root, 'config') };
  mkdirSync(sb.config);
  sandboxes.push(sb);
  return sb;
}

/**
 * Starts `cockpit cockpit.yml` in the sandbox. `userTerminal`: a clean environment without any CI
 * variable, like a person's terminal (with CI=false, which Ink needs when CI is set, chalk draws
 * no colours at all).
 */
function launch(sb: Sandbox, o: { cols: number; rows: number; env?: Record<string, string>; userTerminal?: boolean }): TmuxSession {
  const env = { COCKPIT_STATE_DIR: sb.state, COCKPIT_CONFIG_DIR: sb.config, ...o.env };
  const node = `${shq(process.execPath)} ${shq(BIN)} cockpit.yml`;
  const command = o.userTerminal
    ? `env -i PATH=${shq(process.env.PATH ?? '/usr/bin:/bin')} HOME=${shq(sb.root)} LANG=C.UTF-8 TERM=xterm-256color ${Object.entries(env)
        .map(([k, v]) => `${k}=${shq(v)}`)
        .join(' ')} ${node}`
    : node;
  const s = TmuxSession.start(command, { cols: o.cols, rows: o.rows, cwd: sb.fx, env, name: 'cockpit-screen' });
  sessions.push(s);
  return s;
}

/** Processes under the sandbox (the cockpit, step supervisors, their steps), the tmux server aside. */
function processesIn(sb: Sandbox): string[] {
  const server = tmuxServerPid();
  return processesUnder(sb.root, server === undefined ? [] : [server]);
}

async function nothingLeft(sb: Sandbox): Promise<string[]> {
  const end = Date.now() + 5000;
  let left = processesIn(sb);
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 40));
    left = processesIn(sb);
  }
  return left;
}

afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  for (const sb of sandboxes.splice(0)) {
    const server = tmuxServerPid();
    killProcessesUnder(sb.root, server === undefined ? [] : [server]);
    rmSync(sb.root, { recursive: true, force: true });
  }
});

beforeAll(() => {
  for (const f of [BIN, join(ROOT, 'dist', 'cockpit.js'), join(ROOT, 'dist', 'tui.cjs'), join(ROOT, 'dist', 'supervisor.js')])
    if (!existsSync(f)) throw new Error(`${f} is missing: build first (node scripts/build.mjs)`);
});

const lines = (screen: string) => screen.split('\n');
/**
 * Quits and waits for the cockpit to end: y when it asks (something runs, the pre-flight loop
 * winding down included); while the guardrails watch production it offers the leave dialog: u and
 * the typed word leave unguarded. Nothing of the sandbox may be left running.
 */
async function quit(s: TmuxSession, sb: Sandbox): Promise<void> {
  s.keys('q');
  const f = await s.waitFor((x) => x.includes('Quit?') || x.includes('Leave while guarded?') || /\[exit \d+\]/.test(x), { timeoutMs: 15_000 });
  if (f.includes('Quit?')) s.keys('y');
  if (f.includes('Leave while guarded?')) {
    s.keys('u');
    await s.waitFor('Type unguarded and Enter');
    s.type('unguarded');
    await s.waitFor('unguarded▏');
    await s.gap(GUARD_GAP_MS);
    s.keys('Enter');
  }
  await s.waitForExit({ timeoutMs: 15_000 });
  expect(await nothingLeft(sb)).toEqual([]);
}

/** One cell of a `capture-pane -e` line: its character and its foreground colour (SGR 30–37, 90–97; undefined: default). */
type Cell = { readonly ch: string; readonly fg?: number; readonly bold: boolean };

function cellsOf(line: string): Cell[] {
  const out: Cell[] = [];
  let fg: number | undefined;
  let bold = false;
  for (const m of line.matchAll(/\x1b\[([0-9;:]*)m|([^\x1b])/gu)) {
    if (m[2] !== undefined) {
      out.push({ ch: m[2], fg, bold });
      continue;
    }
    const ps = m[1] === '' ? [0] : m[1].split(/[;:]/).map(Number);
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      if (p === 0) [fg, bold] = [undefined, false];
      else if (p === 1) bold = true;
      else if (p === 22) bold = false;
      else if (p === 39) fg = undefined;
      else if ((p >= 30 && p <= 37) || (p >= 90 && p <= 97)) fg = p;
      else if (p === 38 || p === 48 || p === 58) i += ps[i + 1] === 5 ? 2 : 4;
    }
  }
  return out;
}

const BARS = '▁▂▃▄▅▆▇█';
/** The sparkline cells of a metrics row (the bars after its label), with their colours. */
function sparkCells(screen: string, label: string): Cell[] {
  const row = lines(screen).find((l) => l.replace(/\x1b\[[0-9;:]*m/g, '').startsWith(`│${label} `));
  if (!row) return [];
  const cells = cellsOf(row);
  const text = cells.map((c) => c.ch).join('');
  const after = cells.slice(text.indexOf(label) + label.length);
  const end = after.findIndex((c) => c.ch !== ' ' && !BARS.includes(c.ch));
  return after.slice(0, end).filter((c) => BARS.includes(c.ch));
}

describe.skipIf(!hasTmux())('what the screen says (tmux)', () => {
  it('sparklines keep a nearly flat series flat and draw each cell past warn or critical in that band\'s colour', async () => {
    const sb = sandbox();
    const s = launch(sb, { cols: 160, rows: 48, userTerminal: true });
    // nearly flat series (a little jitter): each keeps one bar height, where its value is against its levels
    const flat = (x: string) => ['memory', 'error rate', 'latency p95'].every((l) => sparkCells(x, l).length >= 8);
    let f = await s.waitFor(flat, { timeoutMs: 15_000, escapes: true });
    expect(sparkCells(f, 'memory').map((c) => c.ch).join('')).toMatch(/^▆+$/); // ~55 % of 0 … 85 %
    expect(sparkCells(f, 'error rate').map((c) => c.ch).join('')).toMatch(/^▁+$/); // ~0.05 % of 0 … 0.5 %
    expect(sparkCells(f, 'latency p95').map((c) => c.ch).join('')).toMatch(/^▃+$/); // ~300 ms of 0 … 1000 ms
    expect(sparkCells(f, 'memory').every((c) => c.fg === 32)).toBe(true); // green: ok

    // the leak: memory alternates 75 % (warn) and 90 % (critical); each cell in its own band's colour
    writeFileSync(join(sb.fx, 'out', 'switched'), '');
    f = await s.waitFor((x) => sparkCells(x, 'memory').filter((c) => c.ch === '█').length >= 3, { timeoutMs: 15_000, escapes: true });
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
