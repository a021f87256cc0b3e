/**
 * End to end: the BUILT binary (bin/cockpit.js → dist/) run as a real child process, headless.
 * Build first: `node scripts/build.mjs`.
 *
 * Every test gets a fresh temp dir: COCKPIT_STATE_DIR points into it (nothing is written into the
 * repository), and fixture runbooks are copied into it because their scripts write marker files
 * (out/<name>, out/order) beside the runbook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** COCKPIT_E2E_BIN runs the suite against another build of the binary (default: this repo's). */
const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'headless');
const QUICKSTART = join(ROOT, 'examples', 'quickstart', 'cockpit.yml');

/** A spawned cockpit gets this long before it is SIGKILLed and the test fails. */
const PROCESS_TIMEOUT_MS = 20_000;
const STAMP = /^\d\d:\d\d:\d\d /;
const LOG_STAMP = /^\d\d:\d\d:\d\d\.\d{3} /;
const STACK_LINE = /^\s+at /;

// ── helpers ─────────────────────────────────────────────────────────────────────────────────

type Result = {
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

type Spawned = { readonly child: ChildProcess; readonly done: Promise<Result>; exited(): boolean; stdout(): string };

const tempPaths: string[] = [];

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

afterEach(() => {
  for (const p of tempPaths.splice(0)) {
    stopLeftoverSupervisors(p);
    rmSync(p, { recursive: true, force: true });
  }
});

beforeAll(() => {
  for (const f of [BIN, join(BIN, '..', '..', 'dist', 'cockpit.js'), join(BIN, '..', '..', 'dist', 'supervisor.js')])
    if (!existsSync(f)) throw new Error(`${f} is missing: build first (node scripts/build.mjs)`);
});

type Sandbox = { readonly root: string; readonly state: string; readonly fx: string; out(name: string): string };

/** A fresh temp dir with the state dir and a private copy of the fixtures. */
function sandbox(): Sandbox {
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

const linesOf = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

function start(args: string[], o: { state: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number }): Spawned {
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

/** Runs cockpit to the end. Every run is checked for stack traces on stdout and stderr. */
async function cockpit(args: string[], o: { state: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Result> {
  const r = await start(args, o).done;
  expectNoStackTrace(r);
  return r;
}

function expectNoStackTrace(r: Result): void {
  const traced = [...r.out, ...r.err].filter((l) => STACK_LINE.test(l));
  expect(traced, `stack-trace-like lines in the output:\n${r.stdout}\n${r.stderr}`).toEqual([]);
}

/** Shows the whole output when an exit code is not the expected one. */
function expectExit(r: Result, code: number): void {
  expect(r.code, `exit ${r.code} (signal ${r.signal}), expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(code);
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Gone: no such process, or a zombie (it has exited; this machine's init may be slow to reap). */
function processGone(pid: number): boolean {
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

async function expectAllGone(pids: number[], timeoutMs = 10_000): Promise<void> {
  expect(pids.length).toBeGreaterThan(0);
  await waitFor(`processes ${pids.join(', ')} to end (alive: ${pids.filter((p) => !processGone(p)).join(', ')})`, () => pids.every(processGone), timeoutMs);
}

const readPids = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(Number);

type Event = { type: string; at: number; t: number; [k: string]: unknown };

function sessionDirs(state: string): string[] {
  const dir = join(state, 'sessions');
  return existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d)) : [];
}

/** The one session the run created. */
function onlySession(state: string): string {
  const dirs = sessionDirs(state);
  expect(dirs).toHaveLength(1);
  return dirs[0];
}

/** The session's last lines: its outcome (■ …) and the end-of-release review printed after it. */
function ending(text: readonly string[]): string[] {
  const from = text.length - 1 - [...text].reverse().findIndex((l) => l.startsWith('■ '));
  return text.slice(from).filter((l) => !l.startsWith('journal: '));
}

/** The journal ends with one session.ended and, after it, the release's review (src/session/records.ts). */
function expectEnd(events: readonly Event[], outcome: string): void {
  const ended = events.filter((e) => e.type === 'session.ended');
  expect(ended).toEqual([expect.objectContaining({ outcome })]);
  expect(events.slice(events.indexOf(ended[0]) + 1).map((e) => e.type)).toEqual(['release.reviewed']);
  expect(events.at(-1)).toMatchObject({ type: 'release.reviewed', outcome });
}

function readJournalStrict(path: string): Event[] {
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
const order = (s: Sandbox) => (existsSync(s.out('order')) ? readFileSync(s.out('order'), 'utf8').split('\n').filter(Boolean) : []);

/** What incident.sh received: its arguments. */
function incidentArgs(s: Sandbox): string[] {
  const [count, ...args] = readFileSync(s.out('incident-args'), 'utf8').replace(/\n$/, '').split('\n');
  expect(args).toHaveLength(Number(count));
  return args;
}

// ── the quickstart ──────────────────────────────────────────────────────────────────────────

describe('quickstart', () => {
  test('--yes releases: every stage, the flaky smoke test passes on the automatic retry, journal and logs', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--yes'], { state: s.state });
    expectExit(r, 0);

    // every line but the last is stamped HH:MM:SS
    expect(r.out.slice(0, -1).filter((l) => !STAMP.test(l))).toEqual([]);
    expect(r.text).toContain('▶ stage build: Build (budget 0:30)');
    expect(r.text).toContain('▶ stage staging: Deploy to Staging (budget 0:30)');
    expect(r.text).toContain('▶ stage production: Deploy to Production (budget 1:00)');
    for (const stage of ['build', 'staging', 'production']) expect(r.text.some((l) => new RegExp(`^✓ stage ${stage} passed \\(`).test(l))).toBe(true);
    expect(r.text).toContain('  ✓ No active incidents (confirmed)');
    expect(r.text).toContain('  ✓ Team aware (confirmed)');
    expect(r.text).toContain('✓ pre-flight passed');
    expect(r.text).toContain('  │ packaging version 2.4.0');
    // the guardrail self-test: nothing to read, the rollback command exists; it passes before the first stage
    const selfTest = r.text.indexOf('  ▶ Guardrail self-test: read 0 series and 0 probes; check the rollback commands');
    expect(selfTest).toBeGreaterThan(0);
    expect(r.text[selfTest + 1]).toMatch(/^ {2}✓ Guardrail self-test \(\d+ms\)$/);
    expect(selfTest).toBeLessThan(r.text.indexOf('✓ pre-flight passed'));
    // no rollback triggers: every stage starts saying nothing rolls back on its own
    for (const stage of ['build: Build (budget 0:30)', 'staging: Deploy to Staging (budget 0:30)', 'production: Deploy to Production (budget 1:00)'])
      expect(r.text[r.text.indexOf(`▶ stage ${stage}`) + 1]).toBe('⚠ AUTO-ROLLBACK OFF: the runbook has no rollback triggers: nothing rolls back on its own (R or cockpit rollback only)');

    // the smoke test: fails, is retried automatically, passes
    const smoke = 'Smoke tests (flaky on a cold cache)';
    const failed = r.text.findIndex((l) => l.startsWith(`  ✗ ${smoke} FAILED: exit 1 (`));
    const retrying = r.text.indexOf(`  ↻ retrying ${smoke} (attempt 2, automatic)`);
    const second = r.text.indexOf(`  ▶ ${smoke} (attempt 2): ./scripts/smoke-test.sh staging`);
    const passed = r.text.findIndex((l) => l.startsWith(`  ✓ ${smoke} (`));
    expect(failed).toBeGreaterThan(0);
    expect(retrying).toBeGreaterThan(failed);
    expect(second).toBeGreaterThan(retrying);
    expect(passed).toBeGreaterThan(second);

    // the last lines
    const session = onlySession(s.state);
    const journalPath = join(session, 'journal.jsonl');
    // the outcome, then the seed's celebration checklist and the learnings (src/history/celebration.ts)
    expect(ending(r.text)).toEqual([
      '■ RELEASED',
      '★ When we ship successfully:',
      '  [ ] Update team in #releases with metrics',
      '  [ ] Thank everyone who contributed',
      '  [ ] Add learnings to knowledge base',
      '  [ ] Plan next improvement to this runbook',
      '★ learnings: 2.4.0 → production released: 3 of 3 stages passed, no trigger fired; passed on a retry: Deploy to Staging / Smoke tests (flaky on a cold cache) (attempt 2).',
    ]);
    expect(r.out.at(-1)).toBe(`journal: ${journalPath}`);
    expect(r.stderr).toBe('');

    // the journal: JSON lines, each with at and t, from session.started to session.ended released
    const events = readJournalStrict(journalPath);
    for (const e of events) {
      expect(typeof e.type).toBe('string');
      expect(Number.isFinite(e.at), JSON.stringify(e)).toBe(true);
      expect(Number.isFinite(e.t), JSON.stringify(e)).toBe(true);
    }
    expect(events[0]).toMatchObject({ type: 'session.started', sessionId: basename(session), runbook: 'quickstart-web', version: '2.4.0', environment: 'production', mode: 'headless' });
    expectEnd(events, 'released');
    expect(events.filter((e) => e.type === 'session.ended')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'stage.passed').map((e) => e.stage)).toEqual(['build', 'staging', 'production']);
    expect(events.filter((e) => e.type === 'step.finished' && e.step === 'smoke-tests').map((e) => e.ok)).toEqual([false, true]);
    expect(events.find((e) => e.type === 'step.retrying')).toMatchObject({ stage: 'staging', step: 'smoke-tests', attempt: 2, automatic: true });
    expect(events.find((e) => e.type === 'step.finished' && e.step === 'guardrail-self-test')).toMatchObject({ stage: 'preflight', ok: true });
    expect(events.some((e) => e.type === 'guard.unguarded')).toBe(false);
    // t is monotonic
    for (let i = 1; i < events.length; i++) expect(events[i].t).toBeGreaterThanOrEqual(events[i - 1].t);

    // one log per command step and the guardrail self-test's, every line stamped HH:MM:SS.mmm
    const logs = readdirSync(session).filter((f) => f.endsWith('.log')).sort();
    expect(logs).toEqual(
      [
        'preflight.all-tests-passing.log',
        'preflight.previous-version-available.log',
        'preflight.guardrail-self-test.log',
        'build.build.log',
        'build.package.log',
        'staging.deploy.log',
        'staging.smoke-tests.log',
        'production.deploy.log',
        'production.health-check.log',
      ].sort(),
    );
    const started = events.filter((e) => e.type === 'step.started' && e.logPath !== undefined);
    expect(new Set(started.map((e) => basename(e.logPath as string)))).toEqual(new Set(logs));
    for (const f of logs) {
      const lines = linesOf(readFileSync(join(session, f), 'utf8'));
      expect(lines.length, `${f} is empty`).toBeGreaterThan(0);
      expect(lines.filter((l) => !LOG_STAMP.test(l)), `unstamped lines in ${f}`).toEqual([]);
    }
    // a self-test that passed says what it checked in its log only
    expect(linesOf(readFileSync(join(session, 'preflight.guardrail-self-test.log'), 'utf8')).map((l) => l.replace(LOG_STAMP, ''))).toEqual([
      '✓ no metric series to read',
      '✓ no probes',
      '✓ every rollback command exists',
    ]);
    // the retried step's log keeps both attempts
    const smokeLog = readFileSync(join(session, 'staging.smoke-tests.log'), 'utf8');
    expect(smokeLog).toMatch(/^\d\d:\d\d:\d\d\.\d{3} GET \/checkout -> connection reset by peer$/m);
    expect(smokeLog).toMatch(/^\d\d:\d\d:\d\d\.\d{3} GET \/health 200, GET \/checkout 200$/m);
  });

  test('without --yes or --confirm the pre-flight fails naming both manual items; no stage starts', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART], { state: s.state });
    expectExit(r, 1);
    expect(r.text).toContain('✗ pre-flight FAILED (not confirmed: "No active incidents", "Team aware" (pass --confirm "<title>" or --yes))');
    expect(ending(r.text)[0]).toBe('■ FAILED');
    expect(r.text.some((l) => l.startsWith('▶ stage'))).toBe(false);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expect(events.find((e) => e.type === 'preflight.failed')).toMatchObject({ failed: [], unticked: ['No active incidents', 'Team aware'] });
    expect(events.some((e) => e.type === 'stage.started')).toBe(false);
  });

  test('one --confirm is not enough: the other item is named', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--confirm', 'No active incidents'], { state: s.state });
    expectExit(r, 1);
    expect(r.text).toContain('  ✓ No active incidents (confirmed)');
    expect(r.text).toContain('✗ pre-flight FAILED (not confirmed: "Team aware" (pass --confirm "<title>" or --yes))');
  });

  test('--confirm for both manual items releases', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--confirm', 'No active incidents', '--confirm', 'Team aware'], { state: s.state });
    expectExit(r, 0);
    expect(r.text).toContain('  ✓ No active incidents (confirmed)');
    expect(r.text).toContain('  ✓ Team aware (confirmed)');
    expect(ending(r.text)[0]).toBe('■ RELEASED');
  });

  test('--json: one JSON object a line, events and output lines', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--yes', '--json'], { state: s.state });
    expectExit(r, 0);
    const objs = r.out.map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${l}`);
      }
    });
    expect(objs[0]).toMatchObject({ type: 'session.started', runbook: 'quickstart-web', version: '2.4.0' });
    expect(objs.filter((o) => o.type === 'session.ended' || o.type === 'release.reviewed').map((o) => [o.type, o.outcome])).toEqual([
      ['session.ended', 'released'],
      ['release.reviewed', 'released'],
    ]);
    expect(objs.at(-1)).toMatchObject({ type: 'release.reviewed', checklist: 'shipped' });

    const started = objs.filter((o) => o.type === 'step.started');
    expect(started.length).toBeGreaterThan(0);
    // every command step has its argv; the monitor and the built-in guardrail self-test have none
    for (const o of started.filter((o) => o.step !== 'monitor-2s' && o.step !== 'guardrail-self-test')) expect(Array.isArray(o.argv), JSON.stringify(o)).toBe(true);
    const selfTest = started.find((o) => o.step === 'guardrail-self-test');
    expect(selfTest).toMatchObject({ stage: 'preflight', command: 'read 0 series and 0 probes; check the rollback commands' });
    expect(selfTest).not.toHaveProperty('argv');
    expect(started.find((o) => o.stage === 'build' && o.step === 'package')).toMatchObject({ argv: ['./scripts/package.sh', '2.4.0'] });
    expect(started.find((o) => o.stage === 'staging' && o.step === 'deploy')).toMatchObject({ argv: ['./scripts/deploy.sh', 'staging', '2.4.0'] });

    const lines = objs.filter((o) => o.type === 'step.line');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(typeof l.text).toBe('string');
    expect(lines.find((l) => l.text === 'packaging version 2.4.0')).toMatchObject({ stage: 'build', step: 'package', time: expect.stringMatching(/^\d\d:\d\d:\d\d$/) });

    expect(objs.filter((o) => o.type === 'step.finished').length).toBe(started.length);
    expect(objs.filter((o) => o.type === 'session.ended')).toHaveLength(1);
    expect(r.stdout).not.toContain('journal:');
  });

  test('--dry-run prints every step as its exact argv, placeholders resolved, and runs nothing', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--dry-run'], { state: s.state });
    expectExit(r, 0);
    expect(r.out[0]).toBe('dry run: quickstart-web 2.4.0 → production (nothing runs)');
    expect(r.out).toContain('  previous-version-available: ["./scripts/check-artifact.sh","2.3.9"]');
    expect(r.out).toContain('  no-active-incidents: manual: No active incidents (Check the monitoring dashboard)');
    expect(r.out).toContain('  package: ["./scripts/package.sh","2.4.0"]');
    expect(r.out).toContain('  deploy: ["./scripts/deploy.sh","staging","2.4.0"]');
    expect(r.out).toContain('  smoke-tests: ["./scripts/smoke-test.sh","staging"]  (retries 1)');
    expect(r.out).toContain('  deploy: ["./scripts/deploy.sh","production","2.4.0"]  (timeout 120s)');
    expect(r.out).toContain('  incident: ["./scripts/create-incident.sh","<reason>"]');
    expect(existsSync(s.state)).toBe(false);
  });
});

// ── failures, rollbacks ─────────────────────────────────────────────────────────────────────

describe('a failing stage', () => {
  test('stops the release: exit 1, stage FAILED, later steps and stages never start', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'release.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text.filter((l) => /^ {2}✗ Break things FAILED: exit 1 \(\d+ms\)$/.test(l))).toHaveLength(1);
    expect(r.text).toContain('✗ stage two FAILED at Break things: exit 1');
    expect(ending(r.text)[0]).toBe('■ FAILED');
    expect(r.text.some((l) => l.startsWith('▶ stage three'))).toBe(false);
    // no rollback ran (the runbook has no triggers: each stage's start says AUTO-ROLLBACK OFF, which is no rollback)
    expect(r.text.some((l) => l.includes('ROLL') && !l.startsWith('⚠ AUTO-ROLLBACK OFF:'))).toBe(false);
    expect(r.text.some((l) => l.startsWith('⚠ AUTO-ROLLBACK OFF: the runbook has no rollback triggers'))).toBe(true);
    expect(order(s)).toEqual(['one', 'pkg-1.2.3', 'two']);
    expect(existsSync(s.out('two-after'))).toBe(false);
    expect(existsSync(s.out('three'))).toBe(false);
    expect(existsSync(s.out('rb-first'))).toBe(false);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expect(events.filter((e) => e.type === 'stage.started').map((e) => e.stage)).toEqual(['one', 'two']);
    expectEnd(events, 'failed');
  });

  test('--on-failure rollback: exit 3, rollback steps in order, the incident gets the reason', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'release.yml', '--on-failure', 'rollback'], { state: s.state, cwd: s.fx });
    expectExit(r, 3);
    const reason = 'stage "Stage Two" failed at Break things: exit 1';
    expect(r.text).toContain('✗ stage two FAILED at Break things: exit 1');
    expect(r.text).toContain(`⟲ ROLLING BACK (on-failure): ${reason}`);
    expect(r.text.some((l) => /^⟲ ROLLED BACK \(/.test(l))).toBe(true);
    expect(ending(r.text)).toEqual([
      '■ ROLLED BACK',
      '★ When we roll back:',
      '  [ ] Celebrate fast recovery (no blame!)',
      '  [ ] Document what we learned',
      '  [ ] Improve guardrails to catch it next time',
      '  [ ] Share learnings with team',
      expect.stringMatching(/^★ learnings: 1\.2\.3 → production: rolled back after a failed stage: stage "Stage Two" failed at Break things: exit 1; restored in (\d+ms|\d+\.\ds) from the incident's start; failed: Stage Two \/ Break things \(exit 1\)\.$/),
    ]);
    expect(order(s)).toEqual(['one', 'pkg-1.2.3', 'two', 'rb-first', 'rb-second', 'rb-verify', 'incident']);
    expect(incidentArgs(s)).toEqual([reason]);
    expect(existsSync(s.out('three'))).toBe(false);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expect(events.filter((e) => e.type === 'step.started' && e.stage === 'rollback').map((e) => e.step)).toEqual(['rb-first', 'rb-second', 'rb-verify', 'incident']);
    expectEnd(events, 'rolled-back');
  });

  test('a rollback step that fails: ROLLBACK FAILED, exit 1, the steps after it do not run', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'rollback-fails.yml', '--on-failure', 'rollback'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text).toContain('✗ ROLLBACK FAILED at rb-broken: exit 1');
    expect(ending(r.text)[0]).toBe('■ ROLLBACK FAILED');
    // the steps after the failed one do not run, but the incident is opened anyway, saying so
    expect(order(s)).toEqual(['deploy', 'rb-broken', 'incident']);
    expect(incidentArgs(s)[0]).toMatch(/^ROLLBACK FAILED at rb-broken \(exit 1\); stage "/);
    expect(existsSync(s.out('rb-after'))).toBe(false);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expectEnd(events, 'rollback-failed');
  });

  test('cockpit rollback --reason: exit 0, the steps run, the incident gets the reason', async () => {
    const s = sandbox();
    const r = await cockpit(['rollback', 'release.yml', '--reason', 'db on fire'], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(r.text).toContain('⟲ ROLLING BACK (command): db on fire');
    expect(r.text).toContain("  ▶ create incident: ./scripts/incident.sh 'db on fire'");
    expect(ending(r.text)[0]).toBe('■ ROLLED BACK');
    expect(r.text.at(-1)).toMatch(/^journal: .*journal\.jsonl$/);
    expect(order(s)).toEqual(['rb-first', 'rb-second', 'rb-verify', 'incident']);
    expect(incidentArgs(s)).toEqual(['db on fire']);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expect(events[0]).toMatchObject({ type: 'session.started' });
    expect(events.find((e) => e.type === 'rollback.started')).toMatchObject({ reason: 'db on fire', source: 'command' });
    expectEnd(events, 'rolled-back');
  });
});

// ── usage and runbook errors ────────────────────────────────────────────────────────────────

describe('invalid usage or runbook: exit 2, a message, no stack trace, no session', () => {
  test('an invalid runbook is reported as file:line:col', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'invalid.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 2);
    expect(r.stdout).toBe('');
    expect(r.err).toContain('invalid.yml:7:5: unknown key "stepz" in stages[0] (did you mean "steps"?)');
    expect(r.err).toContain('invalid.yml:6:5: missing required key "steps" in stages[0]');
    expect(r.err.at(-1)).toBe('2 errors in invalid.yml');
    for (const l of r.err.slice(0, -1)) expect(l).toMatch(/^invalid\.yml:\d+:\d+: /);
    expect(existsSync(s.state)).toBe(false);
  });

  test('an unknown flag prints the usage', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--nope'], { state: s.state });
    expectExit(r, 2);
    expect(r.err[0]).toBe("cockpit: unknown option '--nope'");
    expect(r.stderr).toContain('usage: cockpit run [runbook]');
    expect(r.stdout).toBe('');
    expect(existsSync(s.state)).toBe(false);
  });

  test('an unknown flag to rollback prints its usage', async () => {
    const s = sandbox();
    const r = await cockpit(['rollback', 'release.yml', '--nope'], { state: s.state, cwd: s.fx });
    expectExit(r, 2);
    expect(r.err[0]).toBe("cockpit: unknown option '--nope'");
    expect(r.stderr).toContain('usage: cockpit rollback [runbook]');
    expect(existsSync(s.out('order'))).toBe(false);
  });

  test('--on-failure maybe', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--on-failure', 'maybe'], { state: s.state });
    expectExit(r, 2);
    expect(r.err).toEqual(['cockpit: --on-failure must be stop or rollback (got "maybe")']);
    expect(existsSync(s.state)).toBe(false);
  });

  test('--stage nope names the stages', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--stage', 'nope', '--yes'], { state: s.state });
    expectExit(r, 2);
    expect(r.err).toEqual(['cockpit: --stage: no stage "nope" (stages: build, staging, production)']);
    expect(r.stdout).toBe('');
    expect(existsSync(join(s.state, 'sessions'))).toBe(false);
  });

  test('a runbook path that does not exist', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'nothere.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 2);
    expect(r.err).toEqual(['cockpit: no such runbook: nothere.yml']);
    expect(existsSync(s.state)).toBe(false);
  });

  test('no runbook in the current directory', async () => {
    const s = sandbox();
    const empty = join(s.root, 'empty');
    mkdirSync(empty);
    const r = await cockpit(['run'], { state: s.state, cwd: empty });
    expectExit(r, 2);
    expect(r.err[0]).toBe(`cockpit: no runbook here: looked for cockpit.yml, cockpit.yaml, cockpit.json in ${empty} (give a path; "cockpit init" starts one here; "cockpit demo" runs a whole release against a demo service, nothing to set up)`);
  });
});

// ── dry run, --stage ────────────────────────────────────────────────────────────────────────

describe('--dry-run and --stage', () => {
  test('--dry-run shows every argv and runs nothing: no marker, no session', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'release.yml', '--dry-run'], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    const argvs = r.out
      .map((l) => /^ {2}([\w-]+): (\[.*\])$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], JSON.parse(m[2]) as string[]]);
    expect(argvs).toEqual([
      ['mark', ['./scripts/mark.sh', 'one']],
      ['package', ['./scripts/mark.sh', 'pkg-1.2.3']],
      ['break', ['./scripts/fail.sh', 'two']],
      ['after-break', ['./scripts/mark.sh', 'two-after']],
      ['mark', ['./scripts/mark.sh', 'three']],
      ['rb-first', ['./scripts/mark.sh', 'rb-first']],
      ['rb-second', ['./scripts/mark.sh', 'rb-second']],
      ['rb-verify', ['./scripts/mark.sh', 'rb-verify']],
      ['incident', ['./scripts/incident.sh', '<reason>']],
    ]);
    expect(r.out).toContain('stage two: Stage Two');
    expect(existsSync(join(s.fx, 'out'))).toBe(false);
    expect(existsSync(s.state)).toBe(false);
    expect(existsSync(join(s.fx, '.cockpit'))).toBe(false);
  });

  test('--dry-run resolves {stage} as the run does: the stage id, the environment for a rollback step', async () => {
    const s = sandbox();
    writeFileSync(
      join(s.fx, 'stage-value.yml'),
      'name: stage-value\nenvironment: production\nstages:\n  - id: canary\n    steps: [[./scripts/mark.sh, "in-{stage}"]]\nrollback:\n  steps: [[./scripts/mark.sh, "rb-{stage}"]]\n',
    );
    const dry = await cockpit(['run', 'stage-value.yml', '--dry-run'], { state: s.state, cwd: s.fx });
    expectExit(dry, 0);
    expect(dry.out).toContain('  mark: ["./scripts/mark.sh","in-canary"]');
    expect(dry.out).toContain('  mark: ["./scripts/mark.sh","rb-production"]');
    // the real rollback (cockpit rollback: 0 when it passed) gets the same argv
    const run = await cockpit(['rollback', 'stage-value.yml'], { state: s.state, cwd: s.fx });
    expectExit(run, 0);
    expect(existsSync(s.out('rb-production'))).toBe(true);
  });

  test('--dry-run flags a step that could not start', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'missing.yml', '--dry-run'], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(r.out).toContain(`  ghost: ["./scripts/no-such-script.sh"]  (missing: ./scripts/no-such-script.sh (no such file in ${s.fx}))`);
  });

  test('--stage two: stage one is skipped, two and three run', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'pass.yml', '--stage', 'two'], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(r.text).toContain('↷ stage one skipped: started at stage "two" (--stage)');
    expect(r.text.some((l) => l.startsWith('▶ stage one'))).toBe(false);
    expect(r.text).toContain('▶ stage two');
    expect(r.text).toContain('▶ stage three');
    expect(ending(r.text)[0]).toBe('■ RELEASED');
    expect(existsSync(s.out('one'))).toBe(false);
    expect(order(s)).toEqual(['two', 'three']);
  });
});

// ── processes: Ctrl+C, timeouts, programs that cannot start ─────────────────────────────────

describe('processes', () => {
  test('Ctrl+C interrupts the step, ends its grandchildren, exits 130', async () => {
    const s = sandbox();
    const run = start(['run', 'interrupt.yml'], { state: s.state, cwd: s.fx });
    const pidFile = s.out('pids');
    await waitFor('the step to record its pids', () => {
      if (run.exited()) throw new Error(`cockpit exited before the step started its sleepers:\n${run.stdout()}`);
      return existsSync(pidFile);
    });
    const pids = readPids(pidFile);
    expect(pids).toHaveLength(3);
    expect(pids.every((p) => !processGone(p))).toBe(true);

    run.child.kill('SIGINT');
    const r = await run.done;
    expectNoStackTrace(r);
    expectExit(r, 130);
    expect(r.text).toContain('■ Ctrl+C: interrupted wait/sleepers');
    expect(ending(r.text)[0]).toBe('■ INTERRUPTED');
    expect(r.err).toContain('cockpit: interrupting the running step (Ctrl+C again to leave at once)');
    const session = onlySession(s.state);
    const status = JSON.parse(readFileSync(join(session, 'wait.sleepers.status.json'), 'utf8')) as { supervisorPid: number; interrupted: boolean };
    expect(status.interrupted).toBe(true);
    await expectAllGone([...pids, status.supervisorPid]);
    expect(existsSync(s.out('later'))).toBe(false);
    expectEnd(readJournalStrict(join(session, 'journal.jsonl')), 'interrupted');
  });

  test('a step over its timeout fails with "timed out" and leaves no process', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'timeout.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text.some((l) => l.startsWith('  ✗ forever FAILED: timed out'))).toBe(true);
    expect(r.text.some((l) => l.startsWith('✗ stage slow FAILED at forever: timed out'))).toBe(true);
    expect(r.text).toContain("  │ cockpit: timeout after 1s, sending SIGTERM to the step's process group");
    expect(existsSync(s.out('later'))).toBe(false);
    const session = onlySession(s.state);
    const status = JSON.parse(readFileSync(join(session, 'slow.forever.status.json'), 'utf8')) as { supervisorPid: number; timedOut: boolean };
    expect(status.timedOut).toBe(true);
    await expectAllGone([...readPids(s.out('forever-pids')), status.supervisorPid]);
  });

  test('a missing script fails before spawning', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'missing.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text).toContain(`  ✗ ghost FAILED: missing: ./scripts/no-such-script.sh (no such file in ${s.fx})`);
    expect(r.text).toContain(`✗ stage broken FAILED at ghost: missing: ./scripts/no-such-script.sh (no such file in ${s.fx})`);
    expect(order(s)).toEqual(['ok']);
    const session = onlySession(s.state);
    expect(existsSync(join(session, 'broken.ghost.spec.json'))).toBe(false); // no supervisor was started
    expect(readJournalStrict(join(session, 'journal.jsonl')).find((e) => e.type === 'step.finished' && e.step === 'ghost')).toMatchObject({ ok: false, notStarted: true });
  });

  test('a non-executable script fails before spawning', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'not-executable.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text).toContain('  ✗ plain-file FAILED: not executable: ./scripts/not-executable.sh (chmod +x ./scripts/not-executable.sh)');
    expect(existsSync(s.out('not-executable-ran'))).toBe(false);
    expect(existsSync(s.out('after-plain-file'))).toBe(false);
  });
});

// ── secrets and hostile values ──────────────────────────────────────────────────────────────

describe('secrets and hostile values', () => {
  const SECRET = 'hunter2-xyz';

  /** Every file of the session, as text. */
  const sessionFiles = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));

  test('a secret a step prints is masked on stdout, in the step log and everywhere in the session', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'secrets.yml'], { state: s.state, cwd: s.fx, env: { MY_TOKEN: SECRET } });
    expectExit(r, 0);
    expect(r.text).toContain('  │ deploying with token ••••');
    expect(r.text).toContain('  │ token=••••!');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const session = onlySession(s.state);
    const log = readFileSync(join(session, 'deploy.leak.log'), 'utf8');
    expect(log).toMatch(/^\d\d:\d\d:\d\d\.\d{3} deploying with token ••••$/m);
    expect(log).not.toContain(SECRET);
    for (const f of sessionFiles(session)) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET);
  });

  test('a secret in a rollback reason is masked in the journal and the JSON output', async () => {
    const s = sandbox();
    const r = await cockpit(['rollback', 'secrets.yml', '--json', '--reason', `token ${SECRET} leaked`], { state: s.state, cwd: s.fx, env: { MY_TOKEN: SECRET } });
    expectExit(r, 0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const objs = r.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.find((o) => o.type === 'rollback.started')).toMatchObject({ reason: 'token •••• leaked' });
    const session = onlySession(s.state);
    const journal = readFileSync(join(session, 'journal.jsonl'), 'utf8');
    expect(journal).toContain('token •••• leaked');
    for (const f of sessionFiles(session)) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET);
  });

  test('a hostile reason reaches the incident script as literal text, never through a shell', async () => {
    const s = sandbox();
    const pwned = join(tmpdir(), `pwned-${randomUUID()}`);
    tempPaths.push(pwned);
    const reason = `$(touch ${pwned})`;
    const r = await cockpit(['rollback', 'release.yml', '--reason', reason], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(incidentArgs(s)).toEqual([reason]);
    expect(existsSync(pwned)).toBe(false);
  });

  test('a hostile reason stays literal when the incident command is a shell string', async () => {
    const s = sandbox();
    const pwned = join(tmpdir(), `pwned-${randomUUID()}`);
    tempPaths.push(pwned);
    const reason = `$(touch ${pwned}) \`touch ${pwned}\`; touch ${pwned} "'`;
    const r = await cockpit(['rollback', 'hostile-shell.yml', '--reason', reason], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(incidentArgs(s)).toEqual([reason]);
    expect(r.text).toContain('  │ incident filed');
    expect(existsSync(pwned)).toBe(false);
  });
});
