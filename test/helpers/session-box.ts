/**
 * A sandbox for end-to-end tests of sessions: a private copy of a fixture folder, its own state
 * dir, the built binary spawned in it, its journal read back, waits on files and events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { TmuxSession } from './tmux.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'cockpit.js');

export type Box = { readonly root: string; readonly fx: string; readonly state: string };
const boxes: Box[] = [];
const children: ChildProcess[] = [];
export const panes: TmuxSession[] = [];

export function box(fixtures: string, into: Box[] = boxes): Box {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-resume-'));
  const fx = join(root, 'fx');
  cpSync(fixtures, fx, { recursive: true });
  for (const f of readdirSync(join(fx, 'scripts'))) chmodSync(join(fx, 'scripts', f), 0o755);
  const b = { root, fx, state: join(root, 'state') };
  if (into === boxes) cleanUpWhenTestEnds();
  into.push(b);
  return b;
}

let armed = false;
/**
 * The shared lists (boxes, children, panes) are cleaned up when the test that filled them finishes.
 * Not by an afterEach at this module's top level: files share their worker's modules
 * (isolate: false), so that hook was registered for the first file of a worker only, and later
 * files left their boxes behind (seen: 14 resume boxes in /tmp after a run).
 */
function cleanUpWhenTestEnds(): void {
  if (armed) return;
  armed = true;
  onTestFinished(() => {
    armed = false;
    cleanUp(panes, children, boxes);
  });
}

/** Ends the screens and children, releases the steps, ends the supervisors and removes the boxes (emptying the lists). */
function cleanUp(panes: TmuxSession[], children: ChildProcess[], boxes: Box[]): void {
  for (const p of panes.splice(0)) p.kill();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const b of boxes.splice(0)) {
    // release any step still waiting for its go file, then remove everything
    for (const name of ['slow', 'rb']) if (existsSync(join(b.fx, 'out'))) writeFileSync(join(b.fx, 'out', `go-${name}`), '0');
    for (const pid of supervisors(b)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    // a step the go file did not reach in time (its folder is removed next): its whole group
    for (const pgid of stepGroups(b)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* the group is gone */
      }
    }
    rmSync(b.root, { recursive: true, force: true });
  }
}

/** What one test made: cleaned up when that test finishes, apart from the shared lists. */
export type Scope = { box(fixtures: string): Box; run(b: Box, args: string[]): Run; readonly panes: TmuxSession[] };

/**
 * For tests that run concurrently (describe.concurrent): the shared clean-up would end another
 * running test's screens and processes, so each test keeps its own lists, cleaned up by the test
 * context's onTestFinished (the same clean-up).
 */
export function scope(onTestFinished: (fn: () => void) => void): Scope {
  const mine = { panes: [] as TmuxSession[], children: [] as ChildProcess[], boxes: [] as Box[] };
  onTestFinished(() => cleanUp(mine.panes, mine.children, mine.boxes));
  return { box: (fixtures) => box(fixtures, mine.boxes), run: (b, args) => run(b, args, mine.children), panes: mine.panes };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sessionDirs(b: Box): string[] {
  const dir = join(b.state, 'sessions');
  return existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d)) : [];
}

export function supervisors(b: Box): number[] {
  return sessionDirs(b).flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.status.json'))
      .flatMap((f) => {
        try {
          return [(JSON.parse(readFileSync(join(d, f), 'utf8')) as { supervisorPid: number }).supervisorPid];
        } catch {
          return [];
        }
      }),
  );
}

/** The process groups of the steps whose status files say they still run. */
function stepGroups(b: Box): number[] {
  return sessionDirs(b).flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.status.json'))
      .flatMap((f) => {
        try {
          const st = JSON.parse(readFileSync(join(d, f), 'utf8')) as { state: string; pid: number | null };
          return st.state === 'running' && st.pid ? [st.pid] : [];
        } catch {
          return [];
        }
      }),
  );
}

export function journal(b: Box): SessionEvent[] {
  const dirs = sessionDirs(b);
  expect(dirs).toHaveLength(1);
  return readFileSync(join(dirs[0], 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SessionEvent);
}
export const ofType = <T extends SessionEvent['type']>(es: SessionEvent[], t: T) => es.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === t);

export const order = (b: Box): string[] => (existsSync(join(b.fx, 'out', 'order')) ? readFileSync(join(b.fx, 'out', 'order'), 'utf8').trim().split('\n') : []);
/**
 * Writes `text` to `file` whole: beside it, then renamed into place. A fixture script that reads a
 * file the test writes (scripts/wait-go.sh exits with what out/go-NAME holds; a metrics command
 * reads out/errors) never sees it created and still empty: "exit: Illegal number", exit 2, was
 * seen on a loaded machine.
 */
export function writeWhole(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Lets the fixture step `name` (scripts/wait-go.sh) finish with `code`. */
export function go(b: Box, name: string, code = 0): void {
  writeWhole(join(b.fx, 'out', `go-${name}`), String(code));
}

export async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let v: T | undefined | false;
    try {
      v = f();
    } catch {
      v = undefined;
    }
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export type Run = { readonly child: ChildProcess; out(): string; readonly done: Promise<{ code: number | null; signal: string | null; out: string; err: string }> };

export function run(b: Box, args: string[], into: ChildProcess[] = children): Run {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: b.fx, env: { ...process.env, COCKPIT_STATE_DIR: b.state }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (into === children) cleanUpWhenTestEnds();
  into.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
  return { child, out: () => out, done };
}

/** The pid the lock names (the driving cockpit). */
export const lockPid = (b: Box): number => (JSON.parse(readFileSync(join(b.state, 'lock'), 'utf8')) as { pid: number }).pid;

export async function killNine(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await until(`pid ${pid} gone`, () => !alive(pid) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z'));
}

