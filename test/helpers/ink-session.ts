/**
 * `cockpit run FILE` on a terminal, in the ui tier: the runbook loaded as run.ts loads it, its plan
 * review and input form first when it needs them (plan/prepare.tsx, drawn here), then the session
 * opened on disk as run-tui.tsx opens it (openSession: journal, lock, COCKPIT_STATE_DIR) and the
 * App on a terminal of the given size (ink-sized.ts). The steps run for real as child processes
 * (ink-child-runner.ts), or under the product's own supervisors (ScreenOptions.runner). The confirm guard's clock is the test's: `press(k, afterMs)` says how long
 * after the previous key a key comes, so no test sleeps for the guard's 300 ms.
 *
 * When the App exits (q, Ctrl+C twice …) the session is closed as run-tui.tsx closes it, and
 * `exit` resolves with the exit code and the summary lines it prints to the scrollback.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import chalk from 'chalk';
import { createElement, type ReactElement } from 'react';
import { loadForRun } from '../../src/cli/load-cached.js';
import { settle } from '../../src/core/clock.js';
import { EXIT_CODES } from '../../src/core/events.js';
import { ProcessRunner } from '../../src/exec/process-runner.js';
import type { Runbook } from '../../src/runbook/types.js';
import type { Controller } from '../../src/session/controller.js';
import { openSession } from '../../src/session/open.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { preparePlan, type Prepared, type ShowScreen } from '../../src/ui/plan/prepare.js';
import { summaryLines } from '../../src/ui/summary.js';
import { loadTheme, type Theme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { ChildRunner } from './ink-child-runner.js';
import { renderSized, type SizedApp } from './ink-sized.js';
import { plain } from './ink.js';

/** Keys as a terminal writes them to stdin (tmux key names on the left). */
export const KEY = { Enter: '\r', Escape: '\x1b', Space: ' ', PageDown: '\x1b[6~', PageUp: '\x1b[5~', Up: '\x1b[A', Down: '\x1b[B', Left: '\x1b[D', Right: '\x1b[C', Tab: '\t', 'C-c': '\x03' } as const;

export type Sandbox = { readonly root: string; readonly fx: string; readonly state: string; readonly config: string; out(name: string): string };

/**
 * A private copy of a fixture folder (none: an empty one), `files` written into it, its scripts
 * made executable, with state and config dirs beside it (not in it).
 */
export function fixtureSandbox(fixture: string | undefined, prefix = 'cockpit-ui-', files: Record<string, string> = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const fx = join(root, 'fx');
  if (fixture) cpSync(fixture, fx, { recursive: true });
  else mkdirSync(fx);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(fx, name)), { recursive: true });
    writeFileSync(join(fx, name), text);
  }
  if (existsSync(join(fx, 'scripts'))) for (const f of readdirSync(join(fx, 'scripts'))) chmodSync(join(fx, 'scripts', f), 0o755);
  const sb = { root, fx, state: join(root, 'state'), config: join(root, 'config'), out: (name: string) => join(fx, 'out', name) };
  mkdirSync(sb.config);
  return sb;
}

export type Probe = string | RegExp | ((frame: string) => boolean);
const matches = (f: string, p: Probe) => (typeof p === 'string' ? f.includes(p) : p instanceof RegExp ? p.test(f) : p(f));

export type ScreenRun = {
  /** The frame as drawn now, colours stripped (unless ScreenOptions.colours), the spinner read as ◐. */
  frame(): string;
  /** Waits until the frame satisfies the probe and returns it. */
  waitFor(p: Probe, timeoutMs?: number): Promise<string>;
  waitForGone(p: Probe, timeoutMs?: number): Promise<string>;
  /** Writes a key (a KEY name) or literal text, `afterMs` after the previous key on the guard's clock. */
  press(key: string, afterMs?: number): Promise<void>;
  /** Resolves when the App has exited and the session closed: the exit code and the summary. */
  readonly exit: Promise<{ code: number; summary: string }>;
};

export type ScreenOptions = {
  /** The runbook: in the sandbox's fx, or an absolute path. */
  readonly runbook: string;
  readonly cols: number;
  readonly rows: number;
  /** Variables the session's processes see, as if given to `cockpit` on its command line (undefined: unset). */
  readonly env?: Record<string, string | undefined>;
  /** `--learning`: the operator's learning, added to the end-of-release review. */
  readonly learning?: string;
  /**
   * Draw in colour, as on a person's xterm-256color terminal (chalk level 2; restored when the run
   * ends), and keep the SGR sequences in the frames that frame() and waitFor() return.
   */
  readonly colours?: boolean;
  /** `supervised`: the product's own runner (dist/supervisor.js, a build first), for what only it does: a step's live line. Default: ChildRunner. */
  readonly runner?: 'child' | 'supervised';
};

const runs: (() => void)[] = [];

/** Ends every screen run and removes its sandbox: call from afterEach. */
export function closeScreens(): void {
  for (const c of runs.splice(0)) c();
}

/** Sets variables of this process (undefined: unset); returns the undo. */
function setEnv(vars: Record<string, string | undefined>): () => void {
  const before = Object.keys(vars).map((k) => [k, process.env[k]] as const);
  const put = (k: string, v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
  for (const [k, v] of Object.entries(vars)) put(k, v);
  return () => {
    for (const [k, v] of before) put(k, v);
  };
}

/**
 * What the run shows now and what it holds to close. `settled`: the engine is not between one
 * thing and the next (a step just ended, the loop still winding down: it refuses keys then, an
 * instant no person's key falls into, but a test's key written the moment a frame shows would).
 */
type Live = {
  app?: SizedApp;
  failure?: Error;
  keyTime: number;
  settled?: () => boolean;
  /** Every frame drawn, in order (plan review, input form, cockpit), and the first a wait may return. */
  readonly frames: string[];
  cursor: number;
  readonly cleanups: (() => void)[];
};

/** Whether the session waits for the operator or a step (or the rollback) runs: not in between. */
function settledOf(controller: Controller): () => boolean {
  return () => {
    const s = controller.state;
    if (!controller.busy || s.rollback.status === 'running') return true;
    return [s.preflight, ...s.stages, s.rollback].some((x) => x.steps.some((st) => st.status === 'running' || st.status === 'waiting'));
  };
}

export function openScreen(sb: Sandbox, o: ScreenOptions): ScreenRun {
  const live: Live = { keyTime: 10_000, frames: [], cursor: 0, cleanups: [] };
  live.cleanups.push(setEnv({ COCKPIT_STATE_DIR: sb.state, COCKPIT_CONFIG_DIR: sb.config, COCKPIT_CACHE_DIR: join(sb.root, 'cache'), ...o.env }));
  // started in the sandbox, as `cockpit` is started where the runbook is
  const cwd = process.cwd();
  process.chdir(sb.fx);
  live.cleanups.push(() => process.chdir(cwd));
  if (o.colours) {
    const level = chalk.level;
    chalk.level = 2;
    live.cleanups.push(() => (chalk.level = level));
  }
  runs.push(() => {
    for (const c of live.cleanups.splice(0).reverse()) c();
    for (const pid of pidsIn(sb)) kill(pid);
    rmSync(sb.root, { recursive: true, force: true });
  });
  const exit = run(sb, o, live);
  exit.catch((e: unknown) => (live.failure = e as Error));
  return driver(live, exit, o.rows, o.colours === true);
}

/** A screen drawn on the live run's terminal (the plan review's, the input form's, the App's). */
function mount(live: Live, o: ScreenOptions, tree: ReactElement, theme: Theme): SizedApp {
  const app = renderSized(createElement(ThemeContext.Provider, { value: theme }, tree), { columns: o.cols, rows: o.rows }, (f) => live.frames.push(f));
  live.app = app;
  live.cleanups.push(() => app.unmount());
  return app;
}

/** The plan review and the input form when the runbook needs them (run-tui.tsx's planNeeded). */
async function prepare(live: Live, o: ScreenOptions, loaded: Exclude<Awaited<ReturnType<typeof loadForRun>>, number>, theme: Theme): Promise<Prepared | undefined> {
  const rb = loaded.runbook;
  if (loaded.plan === undefined && rb.choices.length === 0 && rb.inputs.length === 0) return { runbook: rb };
  const show: ShowScreen = (t, make) =>
    new Promise((resolve) => {
      const app = mount(live, o, make((v) => (app.unmount(), resolve(v))), t);
    });
  return preparePlan(rb, { raw: loaded.raw, display: o.runbook, given: { choices: {}, inputs: {} }, review: loaded.plan }, theme, show);
}

async function run(sb: Sandbox, o: ScreenOptions, live: Live): Promise<{ code: number; summary: string }> {
  const said: string[] = [];
  const loaded = await loadForRun(isAbsolute(o.runbook) ? o.runbook : join(sb.fx, o.runbook), (l) => said.push(l));
  if (typeof loaded === 'number') throw new Error(`the runbook did not load (exit ${loaded}): ${said.join('\n')}`);
  const theme = loadTheme('default', { env: {} });
  const prepared = await prepare(live, o, loaded, theme);
  if (!prepared) return { code: 0, summary: 'cockpit: left before the run: nothing ran\n' };
  return session(live, o, prepared.runbook, prepared.event, theme);
}

async function session(live: Live, o: ScreenOptions, rb: Runbook, plan: Prepared['event'], theme: Theme): Promise<{ code: number; summary: string }> {
  const child = o.runner === 'supervised' ? undefined : new ChildRunner();
  const runner = child ?? new ProcessRunner();
  if (child) live.cleanups.push(() => child.endAll());
  const opened = openSession(rb, { mode: 'tui', onFailure: 'wait', resume: true, runner, ...(plan ? { plan } : {}), ...(o.learning ? { learning: o.learning } : {}) });
  if (typeof opened === 'string') throw new Error(opened);
  let closed = false;
  live.cleanups.push(() => void (closed || opened.close()));
  const { controller } = opened;
  live.settled = settledOf(controller);
  const store = new OutputStore(controller);
  live.cleanups.push(() => store.close());
  let exited!: () => void;
  const appExited = new Promise<void>((r) => (exited = r));
  const app = mount(live, o, createElement(App, { controller, store, keyClock: () => live.keyTime, onExit: () => exited() }), theme);
  // the first frame goes out before the pre-flight checks start their processes (run-tui.tsx)
  setTimeout(() => void controller.start().catch((e: unknown) => (live.failure = e as Error)), 0);
  await appExited;
  app.unmount();
  await controller.idle();
  await opened.drain();
  const summary = summaryLines(controller.state, opened.journalPath)
    .map((l) => `${l}\n`)
    .join('');
  opened.close();
  closed = true;
  return { code: EXIT_CODES[controller.state.outcome ?? 'aborted'], summary };
}

/**
 * Waits look at every frame drawn since the screen was last read (the frame a wait returned, or
 * the one showing when a key went): a frame a person saw counts even when the test's poll came
 * after the next one was drawn (real processes do not wait for the test).
 */
function driver(live: Live, exit: ScreenRun['exit'], rows: number, colours: boolean): ScreenRun {
  /** A frame as the terminal shows it: `rows` lines, the last one empty (Ink leaves the terminal's last row be); `colours`: its SGR kept. */
  const screen = (raw: string | undefined) => {
    const lines = (colours ? (raw ?? '') : plain(raw)).split('\n');
    while (lines.length < rows) lines.push('');
    return lines.join('\n');
  };
  const frame = () => screen(live.frames.at(-1));
  const waitFor = async (p: Probe, timeoutMs = 8000): Promise<string> => {
    // loading the runbook and the code a first screen needs is not what a wait is for
    await until('the first screen', () => live.frames.length > 0 || live.failure !== undefined, 60_000);
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (live.failure) throw live.failure;
      for (; live.cursor < live.frames.length; live.cursor++) {
        const f = screen(live.frames[live.cursor]);
        if (matches(f, p)) return f;
      }
      live.cursor = Math.max(0, live.frames.length - 1);
      if (Date.now() > end) throw new Error(`timed out waiting for ${typeof p === 'function' ? p.name || 'a condition' : String(p)}; the frame was:\n${frame()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    frame,
    waitFor,
    waitForGone: (p, timeoutMs) => waitFor((f) => !matches(f, p), timeoutMs),
    async press(key, afterMs = 1000) {
      live.keyTime += afterMs;
      await until('a screen', () => live.app !== undefined, 8000);
      // as a person's key: not in the instant the engine winds down from one thing to the next
      await until('the engine to settle', () => live.settled?.() ?? true, 3000).catch(() => undefined);
      live.cursor = Math.max(0, live.frames.length - 1);
      live.app!.stdin.write(key in KEY ? KEY[key as keyof typeof KEY] : key);
      await settle();
    },
    exit,
  };
}

/** Whether a process runs (a zombie does not count). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The pids the fixture's scripts recorded (out/pids, or another file of out/). */
export function pidsIn(sb: Sandbox, file = 'pids'): number[] {
  return existsSync(sb.out(file)) ? readFileSync(sb.out(file), 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

export async function until(what: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Nothing the session started is left: every recorded script pid, and no process names the sandbox. */
export async function expectNothingLeft(sb: Sandbox): Promise<void> {
  const inSandbox = () => spawnSync('pgrep', ['-af', sb.root], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  await until('every fixture process to end', () => pidsIn(sb).every((p) => !running(p)) && inSandbox().length === 0).catch(() => {
    throw new Error(`left running: pids ${pidsIn(sb).filter(running).join(' ')}; ${inSandbox().join(' | ')}`);
  });
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
