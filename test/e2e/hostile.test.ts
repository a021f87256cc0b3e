/**
 * What a hostile user found (issue 12), end to end against the BUILT binary: secrets that are hard
 * to mask (a number, quotes and backslashes, one printed in two writes), a step that floods its
 * log, a journal that cannot be written. Build first: `node scripts/build.mjs`.
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'cockpit.js');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'hostile');
const LOG_STAMP = /^\d\d:\d\d:\d\d\.\d{3} /;

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
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

/** Runs the cockpit (argv, or a bash script that ends by exec'ing it as "$@") in the box. */
function cockpit(b: Box, args: string[], env: Record<string, string>, o: { bash?: string; timeoutMs?: number } = {}): Promise<Result> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('COCKPIT_') || k === 'MY_TOKEN' || k === 'DB_PORT_SECRET') delete base[k];
  const argv = [process.execPath, BIN, ...args];
  const [file, fileArgs] = o.bash ? ['bash', ['-c', `${o.bash}\nexec "$@"`, 'cockpit', ...argv]] : [argv[0], argv.slice(1)];
  const child = spawn(file, fileArgs as string[], { cwd: b.fx, env: { ...base, COCKPIT_STATE_DIR: b.state, COCKPIT_NO_CACHE: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cockpit ${args.join(' ')} did not finish\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    }, o.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
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
    // the prompt before the pause is shown as it is (a partial line, after 250 ms); the secret, whole, masked
    expect(r.stdout).toMatch(/│ key=\n.*│ ••••;done$/m);
    expect(r.stdout).toMatch(/│ token=••••!$/m);
    const dir = sessionDir(b);
    expect(logLines(join(dir, 'deploy.split.log'))).toEqual(['key=', '••••;done']);
    // no half of it either
    const half = secret.slice(0, secret.length / 2);
    for (const f of readdirSync(dir)) expect(leaks(readFileSync(join(dir, f), 'utf8'), half), f).toEqual([]);
    expectNoSecretInSession(b, secret);
  });
});
