/**
 * Helpers for end-to-end tests of `cockpit demo` against the BUILT binary: run it headless as a
 * child process and collect what it printed, read the service URL from its stderr, and check what
 * it must leave behind — no process that mentions its workspace, nothing listening on its port.
 *
 * The demo's scripts record no pids, so "nothing left" is: no process under a test's temp dir, found
 * by scanning /proc — its command line mentions the dir (the cockpit's --dir, a supervisor's spec
 * file in the state dir) or its working directory is inside it (supervisors and the scripts run in
 * the workspace with relative paths: `./scripts/deploy-production.sh`, so their argv alone would
 * not show it).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { tmux } from './tmux.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');

export type DemoResult = {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
};

export type CockpitExit = DemoResult;

/**
 * Runs the built cockpit with `args` to its end, headless (stdout/stderr are pipes), and collects
 * what it printed. `env` is its whole environment (default: this process's); `launch` turns
 * `[node, bin/cockpit.js, ...args]` into what is spawned (a wrapper script, say). A run longer
 * than `timeoutMs` is killed (SIGKILL) and the promise rejects with what it printed so far: a
 * test fails, it does not hang.
 */
export function runCockpit(
  args: readonly string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; launch?: (argv: string[]) => string[] } = {},
): Promise<CockpitExit> {
  const started = Date.now();
  const timeoutMs = o.timeoutMs ?? 30_000;
  const [file, ...fileArgs] = (o.launch ?? ((a) => a))([process.execPath, BIN, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(file, fileArgs, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cockpit ${args.join(' ')} did not end within ${timeoutMs} ms\n--- stderr\n${stderr}\n--- stdout (end)\n${stdout.slice(-3000)}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/**
 * Runs `cockpit demo ARGS` headless with COCKPIT_STATE_DIR = `state`; resolves when it exits,
 * rejects after `timeoutMs` (runCockpit).
 */
export function runDemo(args: readonly string[], o: { state: string; env?: Record<string, string>; timeoutMs?: number }): Promise<DemoResult> {
  return runCockpit(['demo', ...args], { env: { ...process.env, COCKPIT_STATE_DIR: o.state, ...o.env }, timeoutMs: o.timeoutMs ?? 90_000 });
}

/** The service the demo started, from stderr `cockpit demo: workspace DIR · service URL · …`. */
export function serviceOf(stderr: string): { dir: string; url: string; port: number } {
  const m = /^cockpit demo: workspace (.+?) · service (http:\/\/127\.0\.0\.1:(\d+)) · /m.exec(stderr);
  if (!m) throw new Error(`no "cockpit demo: workspace … · service http://127.0.0.1:PORT · …" line in stderr:\n${stderr}`);
  return { dir: m[1], url: m[2], port: Number(m[3]) };
}

/** Resolves true when a TCP connection to 127.0.0.1:port is refused, false when it connects. */
export function connectionRefused(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connecting to 127.0.0.1:${port} neither succeeded nor failed within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ECONNREFUSED') resolve(true);
      else reject(e);
    });
  });
}

/**
 * Live processes (not zombies) under `dir`: the command line mentions it or the working directory
 * is inside it; as "pid cwd=… cmdline" lines. The test process itself and `exclude` pids are left out.
 */
export function processesUnder(dir: string, exclude: readonly number[] = []): string[] {
  const out: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || exclude.includes(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // another user's process, or gone
      }
      if (!cmdline.includes(dir) && cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      out.push(`${pid} cwd=${cwd} ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Polls `probe` until it is true; throws `what` (and `detail()`) after `timeoutMs`. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 5000, detail: () => string = () => ''): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail() ? `: ${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ends (SIGKILL) every process under `dir` — for cleanup after a failed test only. */
export function killProcessesUnder(dir: string, exclude: readonly number[] = []): void {
  for (const line of processesUnder(dir, exclude)) {
    try {
      process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** The percentage a flagd flag definition serves "on", from `fractional: [["on", p], ["off", 100 - p]]`. */
export function flagdFractional(flagsJson: string, flag: string): unknown {
  const doc = JSON.parse(flagsJson) as { flags?: Record<string, { targeting?: { fractional?: unknown } }> };
  return doc.flags?.[flag]?.targeting?.fractional;
}

/** The events of a journal (JSON lines). */
export function journalEvents(path: string): { type: string; [k: string]: unknown }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string });
}

export function tmuxServerPid(): number | undefined {
  try {
    return Number(tmux('display-message', '-p', '#{pid}').trim());
  } catch {
    return undefined;
  }
}

/**
 * A test file's temporary roots for demos and cockpits: the built binary (and `extra` dist files)
 * checked first; after the file, whatever still runs under a root is ended by pid (a test that
 * failed half way may leave a demo or a step running; the tmux server is spared) and the root goes.
 */
export function tempRoots(extra: readonly string[] = []): (prefix: string) => string {
  const roots: string[] = [];
  beforeAll(() => {
    for (const f of [BIN, ...['cockpit.js', 'supervisor.js', ...extra].map((n) => join(ROOT, 'dist', n))])
      if (!existsSync(f)) throw new Error(`${f} is missing: build first (node scripts/build.mjs)`);
  });
  afterAll(() => {
    const server = tmuxServerPid();
    for (const root of roots.splice(0)) {
      killProcessesUnder(root, server === undefined ? [] : [server]);
      rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    }
  });
  return (prefix) => {
    const root = mkdtempSync(join(tmpdir(), prefix));
    roots.push(root);
    return root;
  };
}

/**
 * A release another cockpit drives for the follower tests (watch, cockpit rollback asking it): one
 * step that runs 30 s ("shipping" first), a rollback step that echoes its reason.
 */
export const DRIVEN_RUNBOOK = `name: web
version: "1.0.0"
environment: production
stages:
  - id: deploy
    title: Deploy
    steps:
      - id: ship
        run: [sh, -c, 'echo shipping; sleep 30']
rollback:
  steps:
    - id: undo
      run: [sh, -c, 'echo "rolled back: $COCKPIT_REASON"']
`;
