/**
 * The line a step is writing now, from a real step under the real runner and supervisor
 * (dist/supervisor.js): a `\r` progress bar's latest state and a half-written line are in the
 * sidecar beside the log (exec/live-line.ts) while the log has no line of them yet; once the line
 * ends, the log has it once and the sidecar is gone. The steps wait on a file gate, not on time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveFile, readLive } from '../../src/exec/live-line.js';
import { ProcessRunner, type StepHandle } from '../../src/exec/runner.js';
import { until } from '../helpers/demo-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
const running: StepHandle[] = [];

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/supervisor.js'))) throw new Error('dist/supervisor.js is missing: run `npm run build`');
});
afterEach(async () => {
  for (const h of running.splice(0)) {
    h.kill();
    await h.done;
  }
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `script` (bash) as a step; `gate` is a file it may wait for. */
function step(script: string, o: { env?: Record<string, string>; secretNames?: string[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-live-proc-'));
  dirs.push(dir);
  const logPath = join(dir, 'deploy.rollout.log');
  const handle = new ProcessRunner().start({
    key: 'deploy.rollout',
    invocation: { file: 'bash', args: ['-c', script], env: {} },
    cwd: dir,
    env: o.env,
    graceMs: 2000,
    logPath,
    secretNames: o.secretNames ?? [],
  });
  running.push(handle);
  const handed: string[] = [];
  handle.onLines((lines) => handed.push(...lines));
  const log = (): string[] => readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''));
  const open = (): void => writeFileSync(join(dir, 'gate'), '');
  const done = async () => {
    const r = await handle.done;
    running.splice(running.indexOf(handle), 1);
    return r;
  };
  return { logPath, handle, handed, log, open, done };
}

const GATE = 'while [ ! -e gate ]; do sleep 0.02; done';

describe('the line a real step is writing now', () => {
  it('a \\r progress bar: "progress 50%" live while the log has no line; after the gate, one line "progress 100%" and no sidecar', async () => {
    const s = step(`for i in $(seq 1 50); do printf '\\rprogress %d%%' $i; done; ${GATE}; for i in $(seq 51 100); do printf '\\rprogress %d%%' $i; done; echo`);
    const t0 = Date.now();
    await until('the live line "progress 50%"', () => readLive(s.logPath) === 'progress 50%', 10_000, () => JSON.stringify(readLive(s.logPath)));
    const seenMs = Date.now() - t0;
    expect(s.log()).toEqual([]);
    expect(s.handed).toEqual([]);
    s.open();
    expect(await s.done()).toMatchObject({ ok: true });
    expect(s.log()).toEqual(['progress 100%']);
    expect(s.handed.map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''))).toEqual(['progress 100%']);
    expect(existsSync(liveFile(s.logPath))).toBe(false);
    console.log(`live line seen ${seenMs} ms after the step was started`);
  });

  it('a line in two parts with a pause, a secret in it: the first part live (masked), then one log line, the sidecar gone at its newline', async () => {
    const s = step(`printf 'token %s, waiting for rollout... ' "$DEPLOY_TOKEN"; ${GATE}; echo done; while [ ! -e gate2 ]; do sleep 0.02; done`, {
      env: { DEPLOY_TOKEN: 'tok-9f8e7d6c5b' },
      secretNames: ['DEPLOY_TOKEN'],
    });
    await until('the live line', () => readLive(s.logPath) !== '', 10_000);
    expect(readLive(s.logPath)).toBe('token ••••, waiting for rollout... ');
    expect(s.log()).toEqual([]);
    s.open();
    // the line ended while the step still runs: in the log once, the sidecar gone
    await until('the log line', () => s.log().length === 1, 10_000);
    expect(s.log()).toEqual(['token ••••, waiting for rollout... done']);
    await until('the sidecar gone', () => !existsSync(liveFile(s.logPath)), 2000);
    writeFileSync(join(s.logPath, '..', 'gate2'), '');
    expect(await s.done()).toMatchObject({ ok: true });
    expect(readFileSync(s.logPath, 'utf8')).not.toContain('tok-9f8e7d6c5b');
  });
});
