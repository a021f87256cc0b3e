/**
 * What a hostile user found (issue 12), end to end against the BUILT binary: secrets that are hard
 * to mask (a number, quotes and backslashes, one printed in two writes), a step that floods its
 * log, a journal that cannot be written. Build first: `node scripts/build.mjs`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { readJournal } from '../../src/session/journal.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';
import { runCockpit } from '../helpers/demo-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** COCKPIT_E2E_BIN runs the suite against another build of the binary (default: this repo's). */
const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'hostile');
const LOG_STAMP = /^\d\d:\d\d:\d\d\.\d{3} /;

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) {
    // a test that failed half-way: let a waiting step go, stop the supervisors it started
    try {
      mkdirSync(join(r, 'fx', 'out'), { recursive: true });
      writeFileSync(join(r, 'fx', 'out', 'go'), '');
    } catch {
      /* gone */
    }
    const sessions = join(r, 'state', 'sessions');
    for (const d of existsSync(sessions) ? readdirSync(sessions, { recursive: true, withFileTypes: true }) : []) {
      if (!d.isFile() || !d.name.endsWith('.status.json')) continue;
      try {
        const { supervisorPid } = JSON.parse(readFileSync(join(d.parentPath, d.name), 'utf8')) as { supervisorPid: number };
        if (readFileSync(`/proc/${supervisorPid}/cmdline`, 'utf8').includes('supervisor.js')) process.kill(supervisorPid, 'SIGTERM');
      } catch {
        /* gone, or not ours */
      }
    }
    rmSync(r, { recursive: true, force: true });
  }
});

type Box = { readonly root: string; readonly fx: string; readonly state: string };

function box(): Box {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-hostile-'));
  roots.push(root);
  const fx = join(root, 'fx');
  cpSync(FIXTURES, fx, { recursive: true });
  for (const f of readdirSync(join(fx, 'scripts'))) chmodSync(join(fx, 'scripts', f), 0o755);
  return { root, fx, state: join(root, 'state') };
}

type Result = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs the cockpit (argv, or a bash script that ends by exec'ing it as "$@") in the box (runCockpit). */
function cockpit(b: Box, args: string[], env: Record<string, string>, o: { bash?: string; timeoutMs?: number } = {}): Promise<Result> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('COCKPIT_') || k === 'MY_TOKEN' || k === 'DB_PORT_SECRET') delete base[k];
  const launch = o.bash === undefined ? undefined : (argv: string[]) => ['bash', '-c', `${o.bash}\nexec "$@"`, 'cockpit', ...argv];
  return runCockpit(args, { cwd: b.fx, env: { ...base, COCKPIT_STATE_DIR: b.state, COCKPIT_NO_CACHE: '1', ...env }, timeoutMs: o.timeoutMs, launch });
}

function expectExit(r: Result, code: number): void {
  expect(r.code, `exit ${r.code} (signal ${r.signal}), expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(code);
}

function sessionDir(b: Box): string {
  const dirs = readdirSync(join(b.state, 'sessions'));
  expect(dirs).toHaveLength(1);
  return join(b.state, 'sessions', dirs[0]);
}

/** Every line of the journal, parsed (a line that does not parse fails the test). */
function journal(b: Box): SessionEvent[] {
  return readFileSync(join(sessionDir(b), 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SessionEvent);
}

/** Every string in a JSON value, keys included. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]);
  return [];
}

/**
 * Where a secret shows, read as the reader would: the raw text, and (a JSON line) every string
 * it holds once parsed: `a\"b` in the file is `a"b` to whoever reads it.
 */
function leaks(text: string, secret: string): string[] {
  const found: string[] = [];
  if (text.includes(secret)) found.push('raw text');
  for (const line of text.split('\n')) {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    for (const s of strings(v)) if (s.includes(secret)) found.push(`JSON string ${JSON.stringify(s)}`);
  }
  return found;
}

function expectNoSecretInSession(b: Box, secret: string): void {
  const dir = sessionDir(b);
  for (const f of readdirSync(dir)) expect(leaks(readFileSync(join(dir, f), 'utf8'), secret), f).toEqual([]);
}

/** A step log's lines, stamps removed. */
function logLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      expect(l).toMatch(LOG_STAMP);
      return l.replace(LOG_STAMP, '');
    });
}

// ── 1. secret masking ───────────────────────────────────────────────────────────────────────

describe('secrets that are hard to mask', () => {
  test('a numeric secret: the release runs to its rollback (exit 3), numbers stay numbers, every journal line parses', async () => {
    const b = box();
    const r = await cockpit(b, ['run', 'numeric.yml', '--on-failure', 'rollback'], { DB_PORT_SECRET: '100' });
    expectExit(r, 3);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('│ connecting on port ••••');
    expect(r.stdout).toContain('■ ROLLED BACK');
    const events = journal(b);
    const broke = events.find((e) => e.type === 'step.finished' && e.step === 'break');
    // the exit code is a number: never rewritten; the text around it is masked
    expect(broke).toMatchObject({ ok: false, exitCode: 100, reason: 'exit ••••' });
    expect(events.at(-1)?.type === 'session.ended' || events.some((e) => e.type === 'session.ended' && e.outcome === 'rolled-back')).toBe(true);
    expect(existsSync(join(b.fx, 'out', 'rb'))).toBe(true);
    expect(logLines(join(sessionDir(b), 'one.port.log'))).toEqual(['starting', 'connecting on port ••••']);
  });

  test('a numeric secret with --json: every stdout line is a JSON object, exit 3', async () => {
    const b = box();
    const r = await cockpit(b, ['run', 'numeric.yml', '--on-failure', 'rollback', '--json'], { DB_PORT_SECRET: '100' });
    expectExit(r, 3);
    const objs = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.find((o) => o.type === 'step.finished' && o.step === 'break')).toMatchObject({ exitCode: 100 });
    expect(objs.find((o) => o.type === 'step.line' && o.step === 'port' && String(o.text).startsWith('connecting'))).toMatchObject({ text: 'connecting on port ••••' });
    expect(objs.at(-1)).toMatchObject({ type: 'release.reviewed' });
  });

  test('a secret with quotes and backslashes: not in the journal, the --json output, the logs or the spec files', async () => {
    const b = box();
    const secret = 'pa"ss\\wo\'rd';
    const reason = `token ${secret} leaked`;
    const r = await cockpit(b, ['rollback', 'secrets.yml', '--json', '--reason', reason], { MY_TOKEN: secret });
    expectExit(r, 0);
    expect(leaks(r.stdout, secret)).toEqual([]);
    expect(leaks(r.stderr, secret)).toEqual([]);
    const started = journal(b).find((e) => e.type === 'rollback.started');
    expect(started).toMatchObject({ reason: 'token •••• leaked' });
    // the incident command got the masked reason (the state holds it masked)
    expect(readFileSync(join(b.fx, 'out', 'incident-args'), 'utf8')).toBe('1\ntoken •••• leaked\n');
    expect(readdirSync(sessionDir(b)).filter((f) => f.endsWith('.spec.json')).length).toBeGreaterThan(0);
    expectNoSecretInSession(b, secret);
  });

  test('a secret printed in two writes with a pause between is masked whole in the log and the output', async () => {
    const b = box();
    const secret = 'hunter2-"quoted"\\x';
    const r = await cockpit(b, ['run', 'secrets.yml'], { MY_TOKEN: secret, PAUSE: '0.6' });
    expectExit(r, 0);
    // the line written in two writes is one line (held until its newline, issue 19); the secret, whole, masked
    expect(r.stdout).toMatch(/│ key=••••;done$/m);
    expect(r.stdout).toMatch(/│ token=••••!$/m);
    const dir = sessionDir(b);
    expect(logLines(join(dir, 'deploy.split.log'))).toEqual(['key=••••;done']);
    // no half of it either
    const half = secret.slice(0, secret.length / 2);
    for (const f of readdirSync(dir)) expect(leaks(readFileSync(join(dir, f), 'utf8'), half), f).toEqual([]);
    expectNoSecretInSession(b, secret);
  });
});

// ── 2. a step that floods its log ───────────────────────────────────────────────────────────

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const MIB = 1024 * 1024;
const FLOOD_LINE = 'a line of output that goes on and on, 0123456789\n';

describe('a step that floods its log', () => {
  test('the log is capped (head, marker, the last part, the count dropped); the step runs to its end and its exit 7 is recorded', async () => {
    const b = box();
    const flood = 20_000_000;
    const r = await cockpit(b, ['run', 'flood.yml'], { COCKPIT_LOG_MAX_BYTES: String(MIB), FLOOD_BYTES: String(flood) });
    expectExit(r, 1);
    expect(r.stdout).toMatch(/ {2}✗ spew FAILED: exit 7 \(/);
    const log = join(sessionDir(b), 'flood.spew.log');
    expect(statSync(log).size).toBeLessThanOrEqual(MIB);
    const lines = logLines(log);
    const marker = 'cockpit: log capped at 1 MiB; the output is dropped from here but for its last 256 KiB, at the end of the log';
    const at = lines.indexOf(marker);
    expect(at).toBeGreaterThan(1000);
    // the head: the flood's first lines, as they came
    expect(lines.slice(0, at).every((l) => `${l}\n` === FLOOD_LINE)).toBe(true);
    // the end: whole lines of the flood's end, its last line, the count
    const end = lines.slice(at + 1);
    expect(end.length).toBeGreaterThan(1000);
    expect(end.slice(-3, -1)).toEqual([FLOOD_LINE.slice(0, flood % FLOOD_LINE.length), 'the last line']);
    expect(end.slice(0, -4).every((l) => `${l}\n` === FLOOD_LINE)).toBe(true);
    // the count is exact: every byte of output is in the log or counted dropped
    const total = flood + 1 + 'the last line\n'.length;
    const kept = lines.filter((l) => !l.startsWith('cockpit: ')).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(end.at(-1)).toBe(`cockpit: log capped at 1 MiB; ${total - kept} bytes dropped`);
    // said where the output is shown
    expect(r.stdout).toContain(`│ cockpit: log capped at 1 MiB; ${total - kept} bytes dropped`);
    const finished = journal(b).find((e) => e.type === 'step.finished' && e.step === 'spew');
    expect(finished).toMatchObject({ ok: false, exitCode: 7, reason: 'exit 7', lastLine: 'the last line' });
  });

  test('the step\'s scratch file (memory-backed) does not grow with the flood: what was read is let go', async () => {
    const b = box();
    const flood = 150_000_000;
    const run = cockpit(b, ['run', 'flood.yml'], { COCKPIT_LOG_MAX_BYTES: String(MIB), FLOOD_BYTES: String(flood), WAIT: '1' }, { timeoutMs: 60_000 });
    // the supervisor's scratch file (unlinked: through its /proc fd): all of the flood written into it, little of it on disk
    const scratch = (): { size: number; disk: number } | undefined => {
      try {
        const status = JSON.parse(readFileSync(join(sessionDir(b), 'flood.spew.status.json'), 'utf8')) as { supervisorPid: number };
        const fds = `/proc/${status.supervisorPid}/fd`;
        for (const fd of readdirSync(fds)) {
          if (!readlinkSync(join(fds, fd)).endsWith('.raw (deleted)')) continue;
          const st = statSync(join(fds, fd));
          return { size: st.size, disk: st.blocks * 512 };
        }
      } catch {
        /* not yet */
      }
      return undefined;
    };
    const seen = await waitFor('the flood written and its scratch file let go', () => {
      const s = scratch();
      return s && s.size >= flood && s.disk < 8 * MIB ? s : undefined;
    }, 40_000);
    expect(seen.size).toBeGreaterThanOrEqual(flood);
    writeFileSync(join(b.fx, 'out', 'go'), '');
    const r = await run;
    expectExit(r, 1);
    const log = join(sessionDir(b), 'flood.spew.log');
    expect(statSync(log).size).toBeLessThanOrEqual(MIB);
    expect(logLines(log).slice(-2, -1)).toEqual(['the last line']);
    expect(logLines(log).at(-1)).toMatch(/^cockpit: log capped at 1 MiB; \d+ bytes dropped$/);
  }, 60_000);
});

// ── 3. a journal (a disk) that cannot be written ────────────────────────────────────────────
// The stand-in for a full disk: a file size limit (RLIMIT_FSIZE, `ulimit -f`, prlimit) on the
// cockpit. Node ignores SIGXFSZ, so a write past it fails with EFBIG, as one on a full disk fails
// with ENOSPC; the cockpit's step supervisors inherit the limit.

const JOURNAL_WARNING = /^\d\d:\d\d:\d\d ⚠ journal cannot be written: EFBIG; the release goes on, events kept in memory$/;

function prlimitFsize(pid: number, limit: string): void {
  const r = spawnSync('prlimit', ['--pid', String(pid), `--fsize=${limit}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

/** Starts the cockpit through bash (for its ulimit), returns it running. */
function startCockpit(b: Box, args: string[], env: Record<string, string>, bash: string): { child: ChildProcess; out: () => string; done: Promise<Result> } {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('COCKPIT_')) delete base[k];
  const child = spawn('bash', ['-c', `${bash}\nexec "$@"`, 'cockpit', process.execPath, BIN, ...args], {
    cwd: b.fx,
    env: { ...base, COCKPIT_STATE_DIR: b.state, COCKPIT_NO_CACHE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Result>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cockpit ${args.join(' ')} did not finish\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    }, 45_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, out: () => stdout, done };
}

describe('a journal that cannot be written', () => {
  test('the journal fails early (EFBIG): said once, the trigger fires, the rollback runs and completes, exit 3; what was lost is said', async () => {
    const b = box();
    const r = await cockpit(b, ['run', 'guard.yml'], {}, { bash: 'ulimit -f 2' });
    expectExit(r, 3);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.includes('journal cannot be written'))).toHaveLength(1);
    expect(lines.some((l) => JOURNAL_WARNING.test(l))).toBe(true);
    const warnedAt = lines.findIndex((l) => JOURNAL_WARNING.test(l));
    const firedAt = lines.findIndex((l) => / ● trigger error-rate-above FIRED: /.test(l));
    expect(firedAt).toBeGreaterThan(warnedAt);
    expect(lines.findIndex((l) => / ⟲ ROLLING BACK \(trigger\): /.test(l))).toBeGreaterThan(firedAt);
    expect(lines.some((l) => / {2}✓ switch-back \(\d+ms\)$/.test(l))).toBe(true);
    expect(lines.filter((l) => /^\d\d:\d\d:\d\d ■ /.test(l)).map((l) => l.slice(9))).toEqual(['■ ROLLED BACK']);
    expect(existsSync(join(b.fx, 'out', 'rolled-back'))).toBe(true);
    // the journal has what could be written (a line cut where the limit came is skipped by its
    // readers), and says on stderr what it has not
    const events = readJournal(join(sessionDir(b), 'journal.jsonl'));
    expect(events.length).toBeGreaterThan(3);
    expect(events[0].type).toBe('session.started');
    expect(events.some((e) => e.type === 'rollback.started')).toBe(false);
    expect(r.stderr).toMatch(new RegExp(`^cockpit: journal cannot be written \\(EFBIG\\): the session's last \\d+ events are not in ${join(sessionDir(b), 'journal.jsonl').replaceAll('/', '\\/')}\\n$`));
  });

  test('once it can be written again, every event kept in memory reaches the journal, in order: nothing is lost', async () => {
    const b = box();
    const c = startCockpit(b, ['run', 'guard.yml', '--json'], { GATE: '1' }, 'ulimit -S -f 2');
    await waitFor('the journal to fail', () => c.out().includes('"type":"journal.unwritable"'));
    prlimitFsize(c.child.pid!, 'unlimited');
    writeFileSync(join(b.fx, 'out', 'go-switch'), '');
    const r = await c.done;
    expectExit(r, 3);
    expect(r.stderr).toBe('');
    const printed = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as (SessionEvent | { type: 'step.line' }) & { v?: number })
      .filter((e): e is SessionEvent & { v?: number } => e.type !== 'step.line')
      // --json lines carry the contract's version first (docs/events.md); the journal does not
      .map(({ v, ...e }) => (expect(v).toBe(1), e as SessionEvent));
    const events = journal(b);
    expect(events).toEqual(printed);
    expect(events.filter((e) => e.type === 'journal.unwritable')).toMatchObject([{ error: 'EFBIG' }]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['trigger.fired', 'rollback.started', 'rollback.finished', 'session.ended']));
  });

  test('nothing can be written at all (no journal, no spec, no log, no status file): the rollback still runs, its exit is known, exit 3', async () => {
    const b = box();
    // cold supervisors only: each inherits the cockpit's limit at its start
    const c = startCockpit(b, ['run', 'guard.yml'], { GATE: '1', COCKPIT_SPARE_SUPERVISOR: '0' }, '');
    await waitFor('the switch step to wait', () => c.out().includes('▶ switch: ./scripts/switch.sh'));
    prlimitFsize(c.child.pid!, '0');
    writeFileSync(join(b.fx, 'out', 'go-switch'), '');
    const r = await c.done;
    expectExit(r, 3);
    const lines = r.stdout.split('\n');
    expect(lines.some((l) => JOURNAL_WARNING.test(l))).toBe(true);
    expect(lines.some((l) => / ⟲ ROLLING BACK \(trigger\): /.test(l))).toBe(true);
    expect(lines.some((l) => / {2}✓ switch-back \(\d+ms\)$/.test(l))).toBe(true);
    expect(lines.filter((l) => /^\d\d:\d\d:\d\d ■ /.test(l)).map((l) => l.slice(9))).toEqual(['■ ROLLED BACK']);
    expect(existsSync(join(b.fx, 'out', 'rolled-back'))).toBe(true);
    // the rollback step left no file with anything in it: its supervisor had the spec handed over, told its status on stdout
    const dir = sessionDir(b);
    expect(existsSync(join(dir, 'rollback.switch-back.spec.json')) ? readFileSync(join(dir, 'rollback.switch-back.spec.json'), 'utf8') : '').toBe('');
    expect(existsSync(join(dir, 'rollback.switch-back.status.json')) ? readFileSync(join(dir, 'rollback.switch-back.status.json'), 'utf8') : '').toBe('');
    expect(r.stderr).toMatch(/^cockpit: journal cannot be written \(EFBIG\): the session's last \d+ events are not in /);
  });
});

describe.skipIf(!hasTmux())('a journal that cannot be written, on screen (tmux, 100×30)', () => {
  const sessions: TmuxSession[] = [];
  afterEach(() => {
    for (const s of sessions.splice(0)) s.kill();
  });

  test('the notice line says so; R rolls back all the same; q exits 3 and says what the journal lacks', async () => {
    const b = box();
    const s = TmuxSession.start(`bash -c 'ulimit -f 2; exec "$0" "$@"' ${shq(process.execPath)} ${shq(BIN)} run guard.yml`, {
      cols: 100,
      rows: 30,
      cwd: b.fx,
      env: { COCKPIT_STATE_DIR: b.state, COCKPIT_CACHE_DIR: join(b.root, 'cache'), GATE: '1' },
      name: 'cockpit-journal',
    });
    sessions.push(s);
    await s.waitFor('R ROLLBACK');
    // metrics are sampled from the start: the journal soon outgrows the limit
    await s.waitFor('journal cannot be written: EFBIG; the release goes on, events kept in memory');
    s.keys('R');
    await s.waitFor('Press R again to roll back');
    await s.gap(300);
    s.keys('R');
    const f = await s.waitFor((x) => x.split('\n')[0].includes('ROLLED BACK'));
    expect(f).toMatch(/│ ✓ switch-back +\d:\d\d│/);
    expect(existsSync(join(b.fx, 'out', 'rolled-back'))).toBe(true);
    s.keys('q');
    expect(await s.waitForExit()).toBe(3);
    expect(s.screen({ history: 200 })).toMatch(/^cockpit: journal cannot be written \(EFBIG\): the session's last \d+ events are not in .+\/journal\.jsonl$/m);
  });
});
