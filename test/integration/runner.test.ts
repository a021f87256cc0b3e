/**
 * The step runner with real processes (no mocks): the supervisor (dist/supervisor.js) runs each
 * fixture script in its own process group; these tests check what reaches the log file and the
 * subscribers, the recorded results, and — by looking at /proc — that no process of a step
 * survives a timeout, an interrupt or a step that leaves something behind.
 *
 * Helper scripts live in test/fixtures/runner/. Processes are identified by a unique marker in
 * their argv (`sleep 1000.<marker>`), so a check cannot be fooled by a reused pid.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK, maskerFor, parseLogLine } from '../../src/exec/log-format.js';
import { BATCH_MS, ProcessRunner, supervisorPath, type StepHandle, type StepRequest, type StepResult } from '../../src/exec/runner.js';
import type { StepStatus, SupervisorSpec } from '../../src/exec/spec.js';
import { parseCommand } from '../../src/runbook/command.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { resolveInvocation, substitute, type Invocation } from '../../src/runbook/placeholders.js';
import { Controller } from '../../src/session/controller.js';
import type { SessionEvent } from '../../src/core/events.js';
import { FileJournal, readJournal } from '../../src/session/journal.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIX = join(ROOT, 'test/fixtures/runner');
const SECRET = 'hunter2-secret';
const SECRET_VAR = 'COCKPIT_TEST_SECRET';
const STAMPED = /^\d\d:\d\d:\d\d\.\d{3} /;

// ── helpers ─────────────────────────────────────────────────────────────────────────────────

const tmpDirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cockpit-runner-'));
  tmpDirs.push(d);
  return d;
}

let markerSeq = 0;
const markers: string[] = [];
/** Digits only, so `sleep 1000.<marker>` is a valid (and unique) sleep. */
function newMarker(): string {
  const m = `${process.pid}${Date.now() % 100_000}${++markerSeq}${Math.floor(Math.random() * 1000)}`;
  markers.push(m);
  return m;
}

/** The process state letter from /proc/<pid>/stat (R, S, D, Z, …), or undefined when there is no such process. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return undefined;
  }
}

/** Alive = exists and is not a zombie (an exited child nobody reaped yet runs nothing). */
function alive(pid: number): boolean {
  const s = procState(pid);
  return s !== undefined && s !== 'Z' && s !== 'X';
}

type Proc = { readonly pid: number; readonly argv: readonly string[] };

/** Every live process whose argv mentions the marker. */
function procsWith(marker: string): Proc[] {
  const out: Proc[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${e}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (cmdline.includes(marker) && alive(pid)) out.push({ pid, argv: cmdline.split('\0').filter(Boolean) });
  }
  return out;
}

const sleepsOf = (marker: string) => procsWith(marker).filter((p) => p.argv[0] === 'sleep' && p.argv[1] === `1000.${marker}`);

/** Polls until probe returns something truthy; fails (with what it waited for) after the deadline. */
async function waitFor<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Asserts none of the processes is alive. SIGKILL is asynchronous, so this allows the kernel a
 * moment (at most 1 s) to finish killing; a surviving `sleep 1000` still fails it.
 */
async function expectAllGone(procs: readonly Proc[], marker: string): Promise<void> {
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline && (procs.some((p) => alive(p.pid)) || procsWith(marker).length > 0)) await new Promise((r) => setTimeout(r, 20));
  expect(procs.filter((p) => alive(p.pid)).map((p) => `${p.pid} ${p.argv.join(' ')}`)).toEqual([]);
  expect(procsWith(marker).map((p) => `${p.pid} ${p.argv.join(' ')}`)).toEqual([]);
}

// one runner for the file, as a session has: its spare supervisors (spare-pool.ts) are its own
let shared: ProcessRunner | undefined;
const runner = () => (shared ??= new ProcessRunner());

type Run = {
  readonly handle: StepHandle;
  readonly logPath: string;
  readonly dir: string;
  /** Every batch a subscriber got, in order, with when it arrived. */
  readonly batches: { readonly at: number; readonly lines: readonly string[] }[];
  /** The texts (stamp removed) of all delivered lines. */
  texts(): string[];
  /** The stamped lines of the log file. */
  logLines(): string[];
};

function start(invocation: Invocation, opts: Partial<Omit<StepRequest, 'invocation'>> & { dir?: string } = {}): Run {
  const dir = opts.dir ?? tmp();
  const key = opts.key ?? 'stage.step';
  const logPath = opts.logPath ?? join(dir, `${key}.log`);
  const handle = runner().start({
    key,
    invocation,
    cwd: opts.cwd ?? FIX,
    env: opts.env,
    timeoutMs: opts.timeoutMs,
    graceMs: opts.graceMs ?? 5000,
    logPath,
    secretNames: opts.secretNames ?? [],
  });
  const batches: { at: number; lines: readonly string[] }[] = [];
  handle.onLines((lines) => batches.push({ at: Date.now(), lines: [...lines] }));
  return {
    handle,
    logPath,
    dir,
    batches,
    texts: () => batches.flatMap((b) => b.lines).map((l) => parseLogLine(l).text),
    logLines: () => readFileSync(logPath, 'utf8').split('\n').slice(0, -1),
  };
}

const script = (name: string, ...args: string[]): Invocation => ({ file: `./${name}`, args, env: {} });

// ── setup ───────────────────────────────────────────────────────────────────────────────────

beforeAll(() => {
  // The runner starts dist/supervisor.js, which `npm test` builds first (rebuilding here, while
  // other test files use dist/, would race them).
  if (!existsSync(join(ROOT, 'dist/supervisor.js'))) throw new Error('dist/supervisor.js is missing: run `npm run build` (npm test does)');
  for (const f of readdirSync(FIX)) if (f.endsWith('.sh')) chmodSync(join(FIX, f), 0o755);
});

afterAll(() => {
  // Whatever a failed test left running (only processes carrying one of our markers). After all
  // the tests, not after each: tests run side by side, and one's end must not kill another's steps.
  for (const m of markers.splice(0)) for (const p of procsWith(m)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

// ── output ──────────────────────────────────────────────────────────────────────────────────

describe('output', { concurrent: true }, () => {
  it('keeps the order of interleaved stdout/stderr lines and stamps every line in the log', async () => {
    const r = start(script('interleave.sh'));
    const result = await r.handle.done;
    expect(result.ok).toBe(true);

    const expected = Array.from({ length: 50 }, (_, i) => [`out ${i + 1}`, `err ${i + 1}`]).flat();
    expect(r.texts()).toEqual(expected);

    const log = r.logLines();
    expect(log).toHaveLength(100);
    for (const line of log) expect(line).toMatch(STAMPED);
    expect(log.map((l) => parseLogLine(l).text)).toEqual(expected);
    // subscribers get the lines exactly as the log has them, stamps included
    expect(r.batches.flatMap((b) => b.lines)).toEqual(log);
  });

  it('hands subscribers batches: 2000 quick lines arrive in order in far fewer than 2000 calls', async () => {
    const t0 = Date.now();
    const r = start(script('many-lines.sh'));
    const result = await r.handle.done;
    const elapsed = Date.now() - t0;
    expect(result.ok).toBe(true);

    expect(r.texts()).toEqual(Array.from({ length: 2000 }, (_, i) => `line ${i + 1}`));
    for (const b of r.batches) {
      expect(Array.isArray(b.lines)).toBe(true);
      expect(b.lines.length).toBeGreaterThan(0);
      for (const l of b.lines) expect(l).toMatch(STAMPED);
    }
    // batched: at most one call per tick (plus the final drain), never one per line
    expect(r.batches.length).toBeLessThan(100);
    expect(r.batches.length).toBeLessThanOrEqual(Math.floor(elapsed / BATCH_MS) + 2);
    expect(Math.max(...r.batches.map((b) => b.lines.length))).toBeGreaterThan(1);
    expect(r.logLines()).toHaveLength(2000);
  });

  it('a flooding step: the tail skips ahead (the note arrives with the lines after it), the last line arrives, the log keeps every line', async () => {
    const n = 300_000;
    const r = start({ file: 'awk', args: ['-v', `n=${n}`, 'BEGIN { for (i = 1; i <= n; i++) printf "flood line %07d padding padding padding\\n", i }'], env: {} });
    const result = await r.handle.done;
    expect(result.ok).toBe(true);
    const notes = r.batches.flatMap((b, i) => b.lines.map((l, j) => ({ i, j, text: parseLogLine(l).text }))).filter((x) => x.text.startsWith('cockpit: output too fast to show'));
    expect(notes.length).toBeGreaterThan(0);
    for (const note of notes) {
      expect(note.text).toMatch(new RegExp(`^cockpit: output too fast to show, skipped \\d+ KiB \\(all of it is in ${r.logPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
      // one batch per read: the note is never a batch of its own while lines follow it
      const batch = r.batches[note.i].lines;
      expect(note.j === batch.length - 1 && note.i < r.batches.length - 1).toBe(false);
    }
    const texts = r.texts().filter((t) => !t.startsWith('cockpit:'));
    expect(texts.length).toBeLessThan(n);
    expect(texts.at(-1)).toBe(`flood line ${String(n).padStart(7, '0')} padding padding padding`);
    // what was shown is in order, whole lines only
    const nums = texts.map((t) => Number(/^flood line (\d{7}) padding padding padding$/.exec(t)?.[1]));
    expect(nums.every((x, i) => Number.isInteger(x) && (i === 0 || x > nums[i - 1]))).toBe(true);
    const log = r.logLines();
    expect(log).toHaveLength(n);
    expect(parseLogLine(log[n - 1]).text).toBe(texts.at(-1));
  });

  it('delivers a last line that has no newline', async () => {
    const r = start(script('partial.sh'));
    const result = await r.handle.done;
    expect(result.ok).toBe(true);
    expect(r.texts()).toEqual(['first line', 'last line without newline']);
    const log = r.logLines();
    expect(log.map((l) => parseLogLine(l).text)).toEqual(['first line', 'last line without newline']);
    expect(log[1]).toMatch(STAMPED);
  });
});

// ── results ─────────────────────────────────────────────────────────────────────────────────

describe('results', { concurrent: true }, () => {
  it.each([
    [0, true, undefined],
    [1, false, 'exit 1'],
    [42, false, 'exit 42'],
  ])('records exit code %i', async (code, ok, reason) => {
    const r = start(script('exit-code.sh', String(code)));
    const result = await r.handle.done;
    expect(result).toMatchObject({ ok, exitCode: code, signal: null, timedOut: false, interrupted: false, reason });
    expect(result.notStarted).toBeUndefined();
    expect(r.texts()).toEqual([`exiting with ${code}`]);
  });

  it('records a step killed by a signal', async () => {
    const r = start(script('self-kill.sh'));
    const result = await r.handle.done;
    expect(result).toMatchObject({ ok: false, exitCode: null, signal: 'SIGKILL', timedOut: false, interrupted: false, reason: 'killed by SIGKILL' });
    expect(r.texts()).toEqual(['about to kill myself']);
  });

  it('writes a status file the cockpit can read back', async () => {
    const r = start(script('exit-code.sh', '3'));
    await r.handle.done;
    const status = JSON.parse(readFileSync(r.logPath.replace(/\.log$/, '.status.json'), 'utf8')) as StepStatus;
    expect(status).toMatchObject({ state: 'exited', exitCode: 3, signal: null, timedOut: false, interrupted: false });
  });
});

// ── timeouts, interrupts, leftovers ─────────────────────────────────────────────────────────

describe('process groups', () => {
  // one at a time: these assert how promptly a step ends; side by side they measured each other (6.9 s, not < 5 s)
  it('times out a step and ends all of its grandchildren (SIGTERM is enough: well before the grace period)', async () => {
    const marker = newMarker();
    const r = start(script('grandchildren.sh', marker), { timeoutMs: 2500, graceMs: 20_000 });
    // background, background subshell, subshell with its own background, nested bash, foreground
    await waitFor('5 sleeps of the step', () => sleepsOf(marker).length === 5);
    const procs = procsWith(marker);
    expect(procs.length).toBeGreaterThanOrEqual(9); // the script, 2 subshells, the nested bash, 5 sleeps

    const result = await r.handle.done;
    expect(result).toMatchObject({ ok: false, timedOut: true, interrupted: false, signal: 'SIGTERM', reason: 'timed out (SIGTERM)' });
    expect(result.durationMs).toBeGreaterThanOrEqual(2400);
    expect(result.durationMs).toBeLessThan(20_000);
    expect(r.texts()).toContain('ready');
    expect(r.texts().some((t) => t.startsWith("cockpit: timeout after 3s, sending SIGTERM to the step's process group"))).toBe(true);
    expect(r.texts().filter((t) => t.includes('never'))).toEqual([]);
    await expectAllGone(procs, marker);
  });

  it('SIGKILLs a step that ignores SIGTERM once the grace period is over', async () => {
    const marker = newMarker();
    const r = start(script('grandchildren.sh', marker, 'ignore-term'), { timeoutMs: 1000, graceMs: 1500 });
    await waitFor('5 sleeps of the step', () => sleepsOf(marker).length === 5);
    const procs = procsWith(marker);

    // SIGTERM went out and was ignored: everything is still running after it
    await waitFor('the timeout notice', () => existsSync(r.logPath) && readFileSync(r.logPath, 'utf8').includes('cockpit: timeout after'));
    expect(procs.filter((p) => !alive(p.pid))).toEqual([]);

    const result = await r.handle.done;
    expect(result).toMatchObject({ ok: false, timedOut: true, interrupted: false, signal: 'SIGKILL', reason: 'timed out (SIGKILL)' });
    expect(result.durationMs).toBeGreaterThanOrEqual(1000 + 1500 - 100);
    await expectAllGone(procs, marker);
  });

  it('kill() interrupts a running step and its grandchildren', async () => {
    const marker = newMarker();
    const r = start(script('grandchildren.sh', marker), { graceMs: 20_000 });
    await waitFor('5 sleeps of the step', () => sleepsOf(marker).length === 5);
    const procs = procsWith(marker);
    await waitFor('"ready"', () => r.texts().includes('ready'));

    r.handle.kill();
    const result = await r.handle.done;
    expect(result).toMatchObject({ ok: false, timedOut: false, interrupted: true, signal: 'SIGTERM', reason: 'interrupted (SIGTERM)' });
    expect(result.durationMs).toBeLessThan(20_000);
    await expectAllGone(procs, marker);
  });

  it('kill() settles an interrupted step from /proc when its supervisor cannot run (SIGSTOPped): exit status from the zombie, the log completed later', async () => {
    const marker = newMarker();
    const r = start(script('grandchildren.sh', marker), { graceMs: 20_000 });
    await waitFor('5 sleeps of the step', () => sleepsOf(marker).length === 5);
    await waitFor('"ready"', () => r.texts().includes('ready'));
    const procs = procsWith(marker);
    const status = JSON.parse(readFileSync(r.logPath.replace(/\.log$/, '.status.json'), 'utf8')) as StepStatus;
    expect(status.state).toBe('running');
    process.kill(status.supervisorPid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      r.handle.kill();
      const result = await r.handle.done;
      expect(result).toMatchObject({ ok: false, timedOut: false, interrupted: true, signal: 'SIGTERM', reason: 'interrupted (SIGTERM)' });
      expect(Date.now() - t0).toBeLessThan(2000);
      // the supervisor never ran meanwhile: the status file still says running
      expect((JSON.parse(readFileSync(r.logPath.replace(/\.log$/, '.status.json'), 'utf8')) as StepStatus).state).toBe('running');
      // nothing of the step runs (its main process a zombie its stopped supervisor has not reaped)
      expect(procsWith(marker).filter((p) => p.argv[0] === 'sleep')).toEqual([]);
    } finally {
      process.kill(status.supervisorPid, 'SIGCONT');
    }
    // the supervisor, running again, records the exit and leaves nothing behind
    await waitFor('the supervisor to record the exit', () => (JSON.parse(readFileSync(r.logPath.replace(/\.log$/, '.status.json'), 'utf8')) as StepStatus).state === 'exited');
    await waitFor('the supervisor to exit', () => !alive(status.supervisorPid));
    await expectAllGone(procs, marker);
  });

  it('kill() SIGKILLs a step that ignores SIGTERM after the grace period', async () => {
    const marker = newMarker();
    const r = start(script('grandchildren.sh', marker, 'ignore-term'), { graceMs: 500 });
    await waitFor('5 sleeps of the step', () => sleepsOf(marker).length === 5);
    const procs = procsWith(marker);

    const t0 = Date.now();
    r.handle.kill();
    const result = await r.handle.done;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(result).toMatchObject({ ok: false, timedOut: false, interrupted: true, signal: 'SIGKILL', reason: 'interrupted (SIGKILL)' });
    await expectAllGone(procs, marker);
  });

  it('kill() right after start leaves nothing running', async () => {
    const marker = newMarker();
    const r = start(script('grandchildren.sh', marker), { graceMs: 1000 });
    r.handle.kill();
    const result = await r.handle.done;
    // the supervisor is a node process: a kill() this early lands before it takes signals
    expect(result).toMatchObject({ ok: false, interrupted: true, timedOut: false });
    expect(['interrupted before it started', 'interrupted (SIGTERM)']).toContain(result.reason);
    // whether the step got to start or not, nothing of it may be running now
    await expectAllGone([], marker);
  });

  it('a step that exits 0 but leaves a sleep holding the pipe finishes promptly, and the sleep is ended', async () => {
    const marker = newMarker();
    const t0 = Date.now();
    const r = start(script('leftover.sh', marker));
    const result = await r.handle.done;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(result).toMatchObject({ ok: true, exitCode: 0, signal: null, timedOut: false, interrupted: false });
    expect(r.texts()).toEqual(['left a sleep behind']);
    await expectAllGone([], marker);
  });

  it('a leftover that ignores SIGTERM is SIGKILLed, and done still resolves promptly', async () => {
    const marker = newMarker();
    const t0 = Date.now();
    const r = start(script('leftover.sh', marker, 'ignore-term'), { graceMs: 60_000 });
    const result = await r.handle.done;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(result).toMatchObject({ ok: true, exitCode: 0 });
    expect(r.texts()).toEqual(['left a sleep behind']);
    await expectAllGone([], marker);
  });
});

// ── placeholders ────────────────────────────────────────────────────────────────────────────

describe('hostile placeholder values', { concurrent: true }, () => {
  /** Values that would create dir/<name> if any shell parsed them. */
  const hostile = (dir: string) => [
    { file: join(dir, 'pwned-1'), value: `$(touch ${join(dir, 'pwned-1')})` },
    { file: join(dir, 'pwned-2'), value: `; touch ${join(dir, 'pwned-2')}` },
    { file: join(dir, 'pwned-3'), value: `\`touch ${join(dir, 'pwned-3')}\`` },
    { file: join(dir, 'pwned-4'), value: `"; touch ${join(dir, 'pwned-4')}; echo "` },
    { file: join(dir, 'pwned-5'), value: `'; touch ${join(dir, 'pwned-5')}; echo '` },
    { file: join(dir, 'pwned-6'), value: `x && touch ${join(dir, 'pwned-6')} | cat` },
    // no splitting, globbing or second expansion either
    { file: join(dir, 'pwned-7'), value: '  two  spaces * $HOME ${PATH} {version}' },
  ];

  const forms: { name: string; run: string | string[]; kind: 'argv' | 'shell'; expectLines: (v: string) => string[] }[] = [
    { name: 'argv list', run: ['./show-args.sh', '--reason', '{reason}'], kind: 'argv', expectLines: (v) => ['argc=2', 'arg=[--reason]', `arg=[${v}]`, `env=[${v}]`] },
    { name: 'plain string', run: './show-args.sh --reason {reason}', kind: 'argv', expectLines: (v) => ['argc=2', 'arg=[--reason]', `arg=[${v}]`, `env=[${v}]`] },
    { name: 'plain string, quoted', run: './show-args.sh "reason: {reason}"', kind: 'argv', expectLines: (v) => ['argc=1', `arg=[reason: ${v}]`, `env=[${v}]`] },
    { name: 'shell string with a pipe', run: 'echo "reason: {reason}" | cat', kind: 'shell', expectLines: (v) => [`reason: ${v}`] },
    { name: 'shell string, single-quoted', run: "echo 'reason: {reason}' | cat", kind: 'shell', expectLines: (v) => [`reason: ${v}`] },
    { name: 'shell string, unquoted', run: "printf '[%s]\\n' {reason} | cat", kind: 'shell', expectLines: (v) => [`[${v}]`] },
    { name: 'shell string running a script', run: './show-args.sh "{reason}" && echo "env: $COCKPIT_REASON"', kind: 'shell', expectLines: (v) => ['argc=1', `arg=[${v}]`, `env=[${v}]`, `env: ${v}`] },
  ];

  it.each(forms)('$name: the value is never executed and arrives literally', async (form) => {
    const cmd = parseCommand(form.run);
    expect(cmd.kind).toBe(form.kind);
    const dir = tmp();
    const cases = hostile(dir);
    await Promise.all(
      cases.map(async ({ file, value }, i) => {
        const r = start(resolveInvocation(cmd, { reason: value }), { dir, key: `case${i}` });
        const result = await r.handle.done;
        expect({ result, lines: r.texts(), log: readFileSync(r.logPath, 'utf8') }).toMatchObject({ result: { ok: true } });
        expect(existsSync(file)).toBe(false);
        expect(r.texts()).toEqual(form.expectLines(value));
      }),
    );
    expect(readdirSync(dir).filter((f) => f.startsWith('pwned'))).toEqual([]);
  });

  it('(control) the same values substituted into a shell string do run: the check above can fail', async () => {
    const dir = tmp();
    const [dollar, semicolon, backtick] = hostile(dir);
    for (const c of [dollar, semicolon, backtick]) {
      const unsafe: Invocation = { file: 'bash', args: ['-c', substitute('echo {reason}', { reason: c.value })], env: {} };
      await start(unsafe, { dir }).handle.done;
      expect(existsSync(c.file)).toBe(true);
    }
  });
});

// ── secrets ─────────────────────────────────────────────────────────────────────────────────

describe('secret masking', () => {
  const expectedTexts = [`token is ${MASK} here`, MASK, `stderr: ${MASK}${MASK}`];

  function withSecretInProcessEnv<T>(fn: () => Promise<T>): Promise<T> {
    const before = process.env[SECRET_VAR];
    process.env[SECRET_VAR] = SECRET;
    return fn().finally(() => {
      if (before === undefined) delete process.env[SECRET_VAR];
      else process.env[SECRET_VAR] = before;
    });
  }

  it('masks a secret from the environment in the log file and in the lines subscribers get', async () => {
    await withSecretInProcessEnv(async () => {
      const r = start(script('print-secret.sh'), { secretNames: [SECRET_VAR] });
      expect((await r.handle.done).ok).toBe(true);
      expect(r.texts()).toEqual(expectedTexts);
      const log = readFileSync(r.logPath, 'utf8');
      expect(log).not.toContain(SECRET);
      expect(log.split('\n').slice(0, -1).map((l) => parseLogLine(l).text)).toEqual(expectedTexts);
      expect(r.batches.flatMap((b) => b.lines).join('\n')).not.toContain(SECRET);
    });
  });

  it('masks a secret the step gets through its own env', async () => {
    expect(process.env[SECRET_VAR]).toBeUndefined();
    const r = start(script('print-secret.sh'), { secretNames: [SECRET_VAR], env: { [SECRET_VAR]: SECRET } });
    expect((await r.handle.done).ok).toBe(true);
    expect(r.texts()).toEqual(expectedTexts);
    expect(readFileSync(r.logPath, 'utf8')).not.toContain(SECRET);
  });

  it('(control) without secretNames the value is printed as is', async () => {
    const r = start(script('print-secret.sh'), { env: { [SECRET_VAR]: SECRET } });
    await r.handle.done;
    expect(r.texts()).toContain(SECRET);
  });

  it('through a Controller: the journal, the logs and the output never contain the secret', async () => {
    await withSecretInProcessEnv(async () => {
      const sessionDir = tmp();
      const journalPath = join(sessionDir, 'journal.jsonl');
      const yaml = [
        'name: masking',
        'version: "1.0.0"',
        'environment: production',
        'stages:',
        '  - id: deploy',
        '    title: Deploy',
        '    steps:',
        '      - run: ./print-secret.sh',
        `      - id: missing`,
        `        run: [./no-such-${SECRET}.sh]`,
        'rollback:',
        '  steps:',
        '    - [./print-secret.sh]',
        '  incident: [./record-args.sh, "{reason}"]',
        `secrets: [${SECRET_VAR}]`,
      ].join('\n');
      // the runbook "lives" in the fixtures dir, so its ./scripts are the fixtures; every write goes to sessionDir
      const loaded = parseRunbook(yaml, join(FIX, 'cockpit.yml'));
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
      // no masker on the journal itself: what it gets must already be masked by the Controller
      const journal = new FileJournal(journalPath);
      const c = new Controller({
        runbook: loaded.runbook,
        runner: new ProcessRunner(),
        journal,
        sessionId: 'masking-test',
        sessionDir,
        values: {},
        mode: 'headless',
        autoAdvance: true,
        onFailure: 'wait',
      });
      const output: string[] = [];
      c.onOutput((_stage, _step, lines) => output.push(...lines));
      try {
        await c.start();
        await c.idle();
        expect(c.state.stages[0].status).toBe('failed');

        const reason = `operator pasted ${SECRET} by mistake`;
        expect(c.rollback(reason, 'operator')).toEqual({ ok: true });
        expect(await c.settled).toBe('rolled-back');
        await c.idle();
      } finally {
        journal.close();
      }

      // the reason is masked when it is recorded, so even the incident command gets it masked
      expect(readFileSync(join(sessionDir, 'incident.args'), 'utf8')).toBe(`operator pasted ${MASK} by mistake\n`);

      const text = readFileSync(journalPath, 'utf8');
      expect(text).not.toContain(SECRET);
      const events = readJournal(journalPath);
      const find = <T extends SessionEvent['type']>(type: T, pred: (e: Extract<SessionEvent, { type: T }>) => boolean = () => true) =>
        events.find((e): e is Extract<SessionEvent, { type: T }> => e.type === type && pred(e as Extract<SessionEvent, { type: T }>));
      expect(find('rollback.started')?.reason).toBe(`operator pasted ${MASK} by mistake`);
      expect(find('step.finished', (e) => e.step === 'missing')?.reason).toBe(`missing: ./no-such-${MASK}.sh (no such file in ${FIX})`);
      expect(find('stage.failed')?.reason).toContain(MASK);
      expect(find('step.started', (e) => e.stage === 'rollback' && e.step === 'incident')?.argv).toEqual(['./record-args.sh', `operator pasted ${MASK} by mistake`]);

      const logs = readdirSync(sessionDir).filter((f) => f.endsWith('.log'));
      expect(logs.length).toBeGreaterThanOrEqual(2);
      for (const f of logs) expect(readFileSync(join(sessionDir, f), 'utf8')).not.toContain(SECRET);
      expect(output.length).toBeGreaterThanOrEqual(6); // print-secret ran twice (deploy, rollback)
      expect(output.join('\n')).not.toContain(SECRET);
      expect(output.join('\n')).toContain(MASK);
    });
  });

  it('never writes a secret into the spec file: a secret env or argument is masked there, the step gets the real one', async () => {
    const dir = tmp();
    const record = join(tmp(), 'got'); // what the step got: not the session's
    const r = start(script('record-secret.sh', `arg with ${SECRET} in it`, 'plain'), {
      dir,
      secretNames: [SECRET_VAR],
      env: { [SECRET_VAR]: SECRET, OTHER: `x${SECRET}y`, RECORD_TO: record },
    });
    expect((await r.handle.done).ok).toBe(true);
    const specText = readFileSync(join(dir, 'stage.step.spec.json'), 'utf8');
    expect(specText).not.toContain(SECRET);
    const spec = JSON.parse(specText) as SupervisorSpec;
    expect(spec.env).toMatchObject({ [SECRET_VAR]: MASK, OTHER: MASK, RECORD_TO: record });
    expect(spec.args).toEqual([`arg with ${MASK} in it`, 'plain']);
    // the step got the values themselves, and no hand-over variable
    expect(readFileSync(record, 'utf8')).toBe(`${SECRET}\nx${SECRET}y\n<no hand-over>\narg with ${SECRET} in it\nplain\n`);
    expect(r.logLines().map((l) => parseLogLine(l).text)).toEqual([`the secret is ${MASK}`]);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8'), f).not.toContain(SECRET);
  });

  describe('the hand-over beside the spec file', () => {
    function specIn(dir: string): SupervisorSpec {
      return {
        file: './record-secret.sh',
        args: [MASK],
        cwd: FIX,
        env: { [SECRET_VAR]: MASK, RECORD_TO: join(dir, 'got') },
        logPath: join(dir, 'step.log'),
        statusPath: join(dir, 'step.status.json'),
        graceMs: 1000,
        secretNames: [SECRET_VAR],
      };
    }
    const handover = { env: { [SECRET_VAR]: SECRET }, args: [`arg ${SECRET}`] };
    async function expectRan(dir: string, sup: ReturnType<typeof spawn>): Promise<void> {
      await new Promise((r) => sup.on('close', r));
      expect(JSON.parse(readFileSync(join(dir, 'step.status.json'), 'utf8'))).toMatchObject({ state: 'exited', exitCode: 0 });
      expect(readFileSync(join(dir, 'got'), 'utf8')).toBe(`${SECRET}\n<unset>\n<no hand-over>\narg ${SECRET}\n`);
      expect(readFileSync(join(dir, 'step.log'), 'utf8')).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} the secret is ${MASK}\n$`));
    }

    it('a cold supervisor takes it from its environment (and the step does not see it)', async () => {
      const dir = tmp();
      const specPath = join(dir, 'step.spec.json');
      writeFileSync(specPath, JSON.stringify(specIn(dir)));
      const sup = spawn(process.execPath, [supervisorPath(), specPath], { stdio: 'ignore', env: { ...process.env, COCKPIT_SUPERVISOR_HANDOVER: JSON.stringify(handover) } });
      await expectRan(dir, sup);
    });

    it('a spare takes it over its stdin, and the whole spec when its file could not be written', async () => {
      const dir = tmp();
      const sup = spawn(process.execPath, [supervisorPath(), '--standby'], { stdio: ['pipe', 'pipe', 'ignore'] });
      await new Promise((r) => sup.stdout!.once('data', r));
      sup.stdin!.end(`${JSON.stringify({ spec: join(dir, 'never-written.json'), env: process.env, handover: { ...handover, spec: specIn(dir) } })}\n`);
      await expectRan(dir, sup);
    });
  });

  it('a FileJournal with a masker masks what it writes', () => {
    const path = join(tmp(), 'journal.jsonl');
    const j = new FileJournal(path, maskerFor([SECRET]));
    j.append({ type: 'rollback.started', reason: `because ${SECRET}`, source: 'operator', at: 0, t: 0 });
    j.close();
    expect(readFileSync(path, 'utf8')).not.toContain(SECRET);
    expect(readJournal(path)).toMatchObject([{ type: 'rollback.started', reason: `because ${MASK}` }]);
  });
});

// ── programs that cannot start ──────────────────────────────────────────────────────────────

describe('programs that cannot start', () => {
  async function expectNotStarted(invocation: Invocation, cwd: string, reason: string | RegExp): Promise<void> {
    const dir = tmp();
    const r = start(invocation, { cwd, dir });
    const result: StepResult = await r.handle.done;
    expect(result).toMatchObject({ ok: false, notStarted: true, exitCode: null, signal: null, timedOut: false, interrupted: false });
    if (typeof reason === 'string') expect(result.reason).toBe(reason);
    else expect(result.reason).toMatch(reason);
    // nothing was spawned: no spec, no status, an empty log, no lines
    expect(readdirSync(dir).sort()).toEqual(['stage.step.log']);
    expect(readFileSync(r.logPath, 'utf8')).toBe('');
    expect(r.batches).toEqual([]);
    r.handle.kill(); // harmless
  }

  it('a missing script', async () => {
    const cwd = tmp();
    await expectNotStarted(script('nope.sh'), cwd, `missing: ./nope.sh (no such file in ${cwd})`);
  });

  it('a script that is not executable', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'noexec.sh'), '#!/bin/sh\ntouch ran\n', { mode: 0o644 });
    chmodSync(join(cwd, 'noexec.sh'), 0o644);
    await expectNotStarted(script('noexec.sh'), cwd, 'not executable: ./noexec.sh (chmod +x ./noexec.sh)');
    expect(existsSync(join(cwd, 'ran'))).toBe(false);
  });

  it('a directory', async () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'sub'));
    await expectNotStarted(script('sub'), cwd, 'not a program: ./sub is a directory');
  });

  it('an unknown bare command', async () => {
    await expectNotStarted({ file: 'cockpit-no-such-command-xyz', args: [], env: {} }, tmp(), 'command not found: cockpit-no-such-command-xyz (not on PATH)');
  });
});

// ── the deploy outlives the cockpit ─────────────────────────────────────────────────────────

describe('a dead cockpit', () => {
  it('does not stop the step: the supervisor finishes it and records its exit', async () => {
    const dir = tmp();
    const go = join(dir, 'go');
    const spec: SupervisorSpec = {
      file: join(FIX, 'wait-for-file.sh'),
      args: [go, '7'],
      cwd: dir,
      env: {},
      logPath: join(dir, 'step.log'),
      statusPath: join(dir, 'step.status.json'),
      graceMs: 1000,
      secretNames: [],
    };
    const specPath = join(dir, 'step.spec.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const readStatus = (): StepStatus | undefined => {
      try {
        return JSON.parse(readFileSync(spec.statusPath, 'utf8')) as StepStatus;
      } catch {
        return undefined;
      }
    };

    // a stand-in cockpit, in its own process group, that starts the supervisor like ProcessRunner does
    const cockpit = spawn(process.execPath, [join(FIX, 'launcher.mjs'), supervisorPath(), specPath], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    cockpit.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => cockpit.on('exit', (_code, sig) => r(sig)));
    const supPid = Number(await waitFor('the supervisor pid', () => /^(\d+)\n/.exec(out)?.[1]));
    const running = await waitFor('the step running', () => {
      const s = readStatus();
      return s?.state === 'running' && existsSync(spec.logPath) && readFileSync(spec.logPath, 'utf8').includes('waiting for') ? s : undefined;
    });
    expect(running.supervisorPid).toBe(supPid);

    // the cockpit dies hard, its whole process group with it
    process.kill(-cockpit.pid!, 'SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(alive(supPid)).toBe(true);
    expect(alive(running.pid!)).toBe(true);
    expect(readStatus()?.state).toBe('running');

    writeFileSync(go, '');
    const status = await waitFor('the exit status', () => {
      const s = readStatus();
      return s?.state === 'exited' ? s : undefined;
    });
    expect(status).toMatchObject({ state: 'exited', supervisorPid: supPid, exitCode: 7, signal: null, timedOut: false, interrupted: false });
    expect(readFileSync(spec.logPath, 'utf8')).toContain(`saw ${go}, exiting 7`);
    await waitFor('the supervisor to exit', () => !alive(supPid));
    expect(alive(running.pid!)).toBe(false);
  });
});
