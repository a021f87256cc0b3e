/**
 * The headless command line's test box (test/integration/headless-*.test.ts in-process through
 * main(argv, io), test/e2e/headless.test.ts as the built binary): a fresh temp dir per test whose
 * COCKPIT_STATE_DIR points into it (nothing is written into the repository), with a private copy
 * of test/fixtures/headless (their scripts write marker files, out/<name> and out/order, beside
 * the runbook), and readers of what a run printed and journalled.
 *
 * Call `cleanUp()` after each test: it stops a step supervisor a test that failed half-way left
 * running, and removes the test's temp dirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { cockpitInProcess } from './cli.js';
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** COCKPIT_E2E_BIN runs the suite against another build of the binary (default: this repo's). */
export const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'headless');
export const QUICKSTART = join(ROOT, 'examples', 'quickstart', 'cockpit.yml');

/** A spawned cockpit gets this long before it is SIGKILLed and the test fails. */
const PROCESS_TIMEOUT_MS = 20_000;
export const STAMP = /^\d\d:\d\d:\d\d /;
export const LOG_STAMP = /^\d\d:\d\d:\d\d\.\d{3} /;
const STACK_LINE = /^\s+at /;

export type Result = {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout lines (the trailing empty line dropped). */
  readonly out: string[];
  /** stderr lines. */
  readonly err: string[];
  /** stdout lines with the `HH:MM:SS ` stamp removed. */
  readonly text: string[];
};

export type Spawned = { readonly child: ChildProcess; readonly done: Promise<Result>; exited(): boolean; stdout(): string };

export const tempPaths: string[] = [];

/** A test that failed half-way may leave a step supervisor running: stop the ones this test started. */
function stopLeftoverSupervisors(root: string): void {
  const sessions = join(root, 'state', 'sessions');
  if (!existsSync(sessions)) return;
  for (const d of readdirSync(sessions, { recursive: true, withFileTypes: true })) {
    if (!d.isFile() || !d.name.endsWith('.status.json')) continue;
    try {
      const { supervisorPid } = JSON.parse(readFileSync(join(d.parentPath, d.name), 'utf8')) as { supervisorPid: number };
      if (!processGone(supervisorPid) && readFileSync(`/proc/${supervisorPid}/cmdline`, 'utf8').includes('supervisor.js')) process.kill(supervisorPid, 'SIGTERM');
    } catch {
      /* gone, or not ours */
    }
  }
}

/** After each test: the supervisors it left running stopped, its temp dirs removed. */
export function cleanUp(): void {
  for (const p of tempPaths.splice(0)) {
    stopLeftoverSupervisors(p);
    rmSync(p, { recursive: true, force: true });
  }
}

/** The built files a run needs (the binary, and dist/supervisor.js under which every step runs, in-process too). */
export function expectBuilt(o: { bin: boolean }): void {
  const dist = join(ROOT, 'dist');
  for (const f of [...(o.bin ? [BIN, join(BIN, '..', '..', 'dist', 'cockpit.js')] : []), join(dist, 'supervisor.js')])
    if (!existsSync(f)) throw new Error(`${f} is missing: build first (node scripts/build.mjs)`);
}

export type Sandbox = { readonly root: string; readonly state: string; readonly fx: string; out(name: string): string };

/** A fresh temp dir with the state dir and a private copy of the fixtures. */
export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-e2e-'));
  tempPaths.push(root);
  const state = join(root, 'state');
  const fx = join(root, 'fx');
  cpSync(FIXTURES, fx, { recursive: true });
  // the modes the tests rely on, whatever the checkout did to them
  for (const f of readdirSync(join(fx, 'scripts'))) chmodSync(join(fx, 'scripts', f), f === 'not-executable.sh' ? 0o644 : 0o755);
  return { root, state, fx, out: (name) => join(fx, 'out', name) };
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['COCKPIT_STATE_DIR', 'COCKPIT_DEBUG', 'MY_TOKEN', 'QUICKSTART_DEPLOY_TOKEN']) delete env[k];
  return { ...env, ...extra };
}

export const linesOf = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

export function start(args: string[], o: { state: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number }): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: o.cwd ?? ROOT,
    env: cleanEnv({ ...o.env, COCKPIT_STATE_DIR: o.state }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timeoutMs = o.timeoutMs ?? PROCESS_TIMEOUT_MS;
  const done = new Promise<Result>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cockpit ${args.join(' ')} did not finish within ${timeoutMs}ms\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      const out = linesOf(stdout);
      resolve({ code, signal, stdout, stderr, out, err: linesOf(stderr), text: out.map((l) => l.replace(STAMP, '')) });
    });
  });
  return { child, done, exited: () => exited, stdout: () => stdout };
}

/** Runs the built cockpit to its end. Every run is checked for stack traces on stdout and stderr. */
export async function cockpitProcess(args: string[], o: { state: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Result> {
  const r = await start(args, o).done;
  expectNoStackTrace(r);
  return r;
}

/**
 * Runs cockpit in-process (main(argv, io)) to its end, in `cwd` (default: the repository) with
 * the environment the process would get (cleanEnv), its output as the process would print it.
 * Every run is checked for stack traces on stdout and stderr.
 */
export async function cockpit(args: string[], o: { state: string; cwd?: string; env?: Record<string, string> }): Promise<Result> {
  const env: Record<string, string | undefined> = { ...o.env, COCKPIT_STATE_DIR: o.state };
  for (const k of ['COCKPIT_DEBUG', 'MY_TOKEN', 'QUICKSTART_DEPLOY_TOKEN']) if (!(k in env)) env[k] = undefined;
  const r = await cockpitInProcess(args, { cwd: o.cwd ?? ROOT, env });
  const out = linesOf(r.stdout);
  const result: Result = { code: r.code, signal: null, stdout: r.stdout, stderr: r.stderr, out, err: linesOf(r.stderr), text: out.map((l) => l.replace(STAMP, '')) };
  expectNoStackTrace(result);
  return result;
}

export function expectNoStackTrace(r: Result): void {
  const traced = [...r.out, ...r.err].filter((l) => STACK_LINE.test(l));
  expect(traced, `stack-trace-like lines in the output:\n${r.stdout}\n${r.stderr}`).toEqual([]);
}

/** Shows the whole output when an exit code is not the expected one. */
export function expectExit(r: Result, code: number): void {
  expect(r.code, `exit ${r.code} (signal ${r.signal}), expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(code);
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Gone: no such process, or a zombie (it has exited; this machine's init may be slow to reap). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw e;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true; // vanished between the two looks
  }
}

export async function expectAllGone(pids: number[], timeoutMs = 10_000): Promise<void> {
  expect(pids.length).toBeGreaterThan(0);
  await waitFor(`processes ${pids.join(', ')} to end (alive: ${pids.filter((p) => !processGone(p)).join(', ')})`, () => pids.every(processGone), timeoutMs);
}

export const readPids = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(Number);

export type Event = { type: string; at: number; t: number; [k: string]: unknown };

export function sessionDirs(state: string): string[] {
  const dir = join(state, 'sessions');
  return existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d)) : [];
}

/** The one session the run created. */
export function onlySession(state: string): string {
  const dirs = sessionDirs(state);
  expect(dirs).toHaveLength(1);
  return dirs[0];
}

/** The session's last lines: its outcome (■ …) and the end-of-release review printed after it. */
export function ending(text: readonly string[]): string[] {
  const from = text.length - 1 - [...text].reverse().findIndex((l) => l.startsWith('■ '));
  return text.slice(from).filter((l) => !l.startsWith('journal: '));
}

/** The journal ends with one session.ended and, after it, the release's review (src/session/records.ts). */
export function expectEnd(events: readonly Event[], outcome: string): void {
  const ended = events.filter((e) => e.type === 'session.ended');
  expect(ended).toEqual([expect.objectContaining({ outcome })]);
  expect(events.slice(events.indexOf(ended[0]) + 1).map((e) => e.type)).toEqual(['release.reviewed']);
  expect(events.at(-1)).toMatchObject({ type: 'release.reviewed', outcome });
}

export function readJournalStrict(path: string): Event[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as Event;
      } catch {
        throw new Error(`${path} line ${i + 1} is not JSON: ${l}`);
      }
    });
}

/** The order the fixture scripts recorded. */
export const order = (s: Sandbox) => (existsSync(s.out('order')) ? readFileSync(s.out('order'), 'utf8').split('\n').filter(Boolean) : []);

/** What incident.sh received: its arguments. */
export function incidentArgs(s: Sandbox): string[] {
  const [count, ...args] = readFileSync(s.out('incident-args'), 'utf8').replace(/\n$/, '').split('\n');
  expect(args).toHaveLength(Number(count));
  return args;
}
