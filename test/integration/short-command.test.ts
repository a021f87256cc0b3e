/**
 * Short-lived commands with real scripts, through the one engine (node's spawn:
 * exec/spawn-command.ts, for the metrics source and the flag provider): a command that forks a daemon leaves nothing running (found in /proc by the
 * marker in its argv), after every interval of a metrics source too; a timeout and an output
 * flood end the whole group; every failure is one line saying why (exit code, signal, timeout,
 * the command's last stderr line).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ShortCommand, ShortResult } from '../../src/exec/short-command.js';
import { spawnShortCommand } from '../../src/exec/spawn-command.js';
import { CommandSource } from '../../src/metrics/sources/command.js';
import { parseCommand } from '../../src/runbook/command.js';
import { resolveInvocation } from '../../src/runbook/placeholders.js';
import { killProcessesUnder, processesUnder, until } from '../helpers/demo-run.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'integration');
const SERIES = [{ name: 'error_rate' }, { name: 'p95', pointer: '/latency/p95' }];
const signal = () => new AbortController().signal;

/** A marker unique to this test: the daemon's argv[0] carries it. */
let n = 0;
const marker = () => `${process.pid}-${++n}-${Date.now()}`;
const markers: string[] = [];
const daemon = (m: string, mode?: 'hang' | 'flood') => {
  markers.push(m);
  return new CommandSource(parseCommand(['./metrics-daemon.sh', m, ...(mode ? [mode] : [])]), FIXTURES);
};
/** Live processes whose command line carries the marker (the script, its daemon, its loop). */
const left = (m: string) => processesUnder(`cockpit-daemon-${m}`).concat(processesUnder(`metrics-daemon.sh ${m}`));

afterEach(() => {
  // never leave a sleeper behind, even when a test failed
  for (const m of markers.splice(0)) {
    killProcessesUnder(`cockpit-daemon-${m}`);
    killProcessesUnder(`metrics-daemon.sh ${m}`);
  }
});

describe('a metrics command that forks a daemon (`sleep 300 &`, holding its stdout)', () => {
  it('every interval reads its value at once and leaves no process behind', async () => {
    const m = marker();
    const source = daemon(m);
    for (let tick = 0; tick < 5; tick++) {
      const start = performance.now();
      const r = await source.fetch(SERIES, 10_000, signal());
      // not held until the timeout by the daemon's open stdout
      expect(performance.now() - start).toBeLessThan(3000);
      expect(r).toEqual({ error_rate: { value: 0.5 }, p95: { value: 212 } });
      await until(`tick ${tick}: the daemon and the script gone`, () => left(m).length === 0, 2000, () => left(m).join('; '));
    }
  });

  it('a timeout SIGKILLs a script that ignores SIGTERM after the grace, and its daemon with it', async () => {
    const m = marker();
    const start = performance.now();
    const r = await daemon(m, 'hang').fetch(SERIES, 400, signal());
    const took = performance.now() - start;
    expect(r).toEqual({ error_rate: { error: 'metrics command: timed out after 400 ms' }, p95: { error: 'metrics command: timed out after 400 ms' } });
    // SIGTERM at 400 ms is ignored, SIGKILL 250 ms later
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(3000);
    await until('the script, its loop and its daemon gone', () => left(m).length === 0, 2000, () => left(m).join('; '));
  });

  it("the guard's abort (its deadline) ends the command and its group, reported as the timeout", async () => {
    const m = marker();
    const abort = new AbortController();
    const pending = daemon(m, 'hang').fetch(SERIES, 10_000, abort.signal);
    await until('the daemon to start', () => processesUnder(`cockpit-daemon-${m}`).length === 1, 5000);
    abort.abort();
    expect((await pending).error_rate).toEqual({ error: 'metrics command: timed out after 10000 ms' });
    await until('the script, its loop and its daemon gone', () => left(m).length === 0, 2000, () => left(m).join('; '));
  });

  it('output without end is stopped at the bound (1 MiB), with the whole group', async () => {
    const m = marker();
    const r = await daemon(m, 'flood').fetch(SERIES, 10_000, signal());
    expect(r.error_rate).toMatchObject({ error: expect.stringMatching(/^metrics command: printed more than 1024 KiB: stopped/) });
    await until('the flooding script and its daemon gone', () => left(m).length === 0, 2000, () => left(m).join('; '));
  });
});

const ENGINES: [string, (c: ShortCommand) => Promise<ShortResult>][] = [["node's spawn", spawnShortCommand]];

describe.each(ENGINES)('a command that forks a daemon, run through %s', (_name, run) => {
  const daemonRun = (m: string, o: { mode?: 'hang' | 'flood'; timeoutMs?: number; signal?: AbortSignal } = {}) => {
    markers.push(m);
    return run({ invocation: resolveInvocation(parseCommand(['./metrics-daemon.sh', m, ...(o.mode ? [o.mode] : [])]), {}), cwd: FIXTURES, timeoutMs: o.timeoutMs ?? 10_000, signal: o.signal, graceMs: 250 });
  };

  it('is read as soon as it exits, and its daemon is gone with it', async () => {
    const m = marker();
    const start = performance.now();
    const r = await daemonRun(m);
    expect(performance.now() - start).toBeLessThan(3000);
    expect(r).toEqual({ ok: true, stdout: '{"error_rate": 0.5, "latency": {"p95": 212}}' });
    await until('the daemon and the script gone', () => left(m).length === 0, 2000, () => left(m).join('; '));
  });

  it('a timeout ends a script that ignores SIGTERM (SIGKILL after the grace), and its daemon', async () => {
    const m = marker();
    const start = performance.now();
    expect(await daemonRun(m, { mode: 'hang', timeoutMs: 400 })).toEqual({ ok: false, error: 'timed out after 400 ms' });
    const took = performance.now() - start;
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(3000);
    await until('the script, its loop and its daemon gone', () => left(m).length === 0, 2000, () => left(m).join('; '));
  });

  it('output without end is stopped at the bound (1 MiB), with the whole group', async () => {
    const m = marker();
    const r = await daemonRun(m, { mode: 'flood' });
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^printed more than 1024 KiB: stopped/) });
    await until('the flooding script and its daemon gone', () => left(m).length === 0, 2000, () => left(m).join('; '));
  });
});

describe.each(ENGINES)('%s: one line saying why', (_name, engine) => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cockpit-short-'));
    writeFileSync(join(dir, 'not-executable.sh'), '#!/bin/sh\necho hi\n');
    writeFileSync(join(dir, 'fail.sh'), '#!/bin/sh\necho "progress on stdout"\necho "connecting..." >&2\necho "error: backend unreachable (503)" >&2\nexit 4\n');
    writeFileSync(join(dir, 'fail-stdout.sh'), '#!/bin/sh\necho "error: only on stdout"\nexit 2\n');
    writeFileSync(join(dir, 'killed.sh'), '#!/bin/sh\necho "about to die" >&2\nkill -KILL $$\n');
    writeFileSync(join(dir, 'env.sh'), '#!/bin/sh\nprintf "%s|%s" "$1" "$COCKPIT_TEST_VALUE"\n');
    for (const f of ['fail.sh', 'fail-stdout.sh', 'killed.sh', 'env.sh']) chmodSync(join(dir, f), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (argv: string[], o: { lastLine?: 'stderr' | 'stderr-or-stdout'; cwd?: string; timeoutMs?: number } = {}) =>
    engine({ invocation: resolveInvocation(parseCommand(argv), {}), cwd: o.cwd ?? dir, timeoutMs: o.timeoutMs ?? 10_000, lastLine: o.lastLine });

  it('exit 0: its stdout (argv elements and env arrive as given)', async () => {
    const r = await engine({ invocation: { file: './env.sh', args: ['a b; $(touch x)'], env: {} }, cwd: dir, env: { COCKPIT_TEST_VALUE: 'v "q"' }, timeoutMs: 10_000 });
    expect(r).toEqual({ ok: true, stdout: 'a b; $(touch x)|v "q"' });
  });

  it('a non-zero exit: the code and the last stderr line (stdout only when asked and stderr is empty)', async () => {
    expect(await run(['./fail.sh'])).toEqual({ ok: false, error: 'exit 4: error: backend unreachable (503)' });
    expect(await run(['./fail.sh'], { lastLine: 'stderr-or-stdout' })).toEqual({ ok: false, error: 'exit 4: error: backend unreachable (503)' });
    expect(await run(['./fail-stdout.sh'])).toEqual({ ok: false, error: 'exit 2' });
    expect(await run(['./fail-stdout.sh'], { lastLine: 'stderr-or-stdout' })).toEqual({ ok: false, error: 'exit 2: error: only on stdout' });
  });

  it('killed by a signal, timed out, not found, not executable, no such working directory', async () => {
    expect(await run(['./killed.sh'])).toEqual({ ok: false, error: 'killed by SIGKILL: about to die' });
    expect(await run(['sleep', '30'], { timeoutMs: 200 })).toEqual({ ok: false, error: 'timed out after 200 ms' });
    expect(await run(['./no-such-command.sh'])).toEqual({ ok: false, error: 'command not found: ./no-such-command.sh' });
    expect(await run(['./not-executable.sh'])).toEqual({ ok: false, error: 'not executable: ./not-executable.sh' });
    expect(await run(['true'], { cwd: join(dir, 'gone') })).toEqual({ ok: false, error: `working directory not found: ${join(dir, 'gone')}` });
  });
});
