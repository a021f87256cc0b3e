/**
 * A step's output whatever its shape and whatever the disk (issue 19, items 3 and 4), end to end
 * against the BUILT binary with real processes: a disk that fills during the release (a private
 * tmpfs as the state directory, root only), a 1 GB line (the supervisor's peak RSS from
 * /proc/<pid>/status), a `\r` progress bar, a line written in two writes with a pause.
 * Build first: `node scripts/build.mjs`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { journalEvents, ROOT, runCockpit, type CockpitExit } from '../helpers/demo-run.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'output');
const LOG_STAMP = /^\d\d:\d\d:\d\d\.\d{3} /;
const isRoot = process.getuid?.() === 0;

const roots: string[] = [];
const mounts: string[] = [];
// the tests run side by side (each its own box, its own tmpfs): unmounted and removed after all
afterAll(() => {
  for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function box(): { fx: string; state: string } {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-output-'));
  roots.push(root);
  const fx = join(root, 'fx');
  cpSync(FIXTURES, fx, { recursive: true });
  for (const f of readdirSync(join(fx, 'scripts'))) chmodSync(join(fx, 'scripts', f), 0o755);
  const state = join(root, 'state');
  mkdirSync(state);
  return { fx, state };
}

function cockpit(b: { fx: string; state: string }, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CockpitExit> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('COCKPIT_')) delete base[k];
  return runCockpit(args, { cwd: b.fx, env: { ...base, COCKPIT_STATE_DIR: b.state, COCKPIT_NO_CACHE: '1', ...env }, timeoutMs });
}

function expectExit(r: CockpitExit, code: number): void {
  expect(r.code, `exit ${r.code} (signal ${r.signal}), expected ${code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr}`).toBe(code);
}

function sessionDir(state: string): string {
  const dirs = readdirSync(join(state, 'sessions'));
  expect(dirs).toHaveLength(1);
  return join(state, 'sessions', dirs[0]);
}

function logLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      expect(l).toMatch(LOG_STAMP);
      return l.replace(LOG_STAMP, '');
    });
}

describe.skipIf(!isRoot)('a disk that fills during the release (a 4 MiB tmpfs as the state directory)', { concurrent: true }, () => {
  // the step's output through a scratch file on /dev/shm, and through a pipe (the scratch
  // directory the full tmpfs itself: no room there, so the supervisor falls back to the pipe)
  test.each([['a scratch file on /dev/shm', false], ['a pipe', true]])('through %s: a set -e script that echoes passes, the rollback passes, and the loss is said: "disk full: N bytes of output not kept"', async (_, pipe) => {
    const b = box();
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', b.state], { encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    mounts.push(b.state);
    const r = await cockpit(b, ['run', 'disk-full.yml', '--headless', '--yes', '--on-failure', 'rollback'], { FILL: join(b.state, 'fill'), ...(pipe ? { COCKPIT_SCRATCH_DIR: b.state } : {}) });
    const out = r.stdout.split('\n');
    // the step after the fill and the rollback step (both set -e, both echoing) passed
    expect(out.some((l) => / {2}✓ chatty \(\d+ms\)$/.test(l)), r.stdout).toBe(true);
    expect(out.some((l) => / {2}✓ rb \(\d+ms\)$/.test(l)), r.stdout).toBe(true);
    expect(out.some((l) => / {2}✗ fail FAILED: exit 1/.test(l)), r.stdout).toBe(true);
    expect(out.filter((l) => /^\d\d:\d\d:\d\d ■ /.test(l)).map((l) => l.slice(9))).toEqual(['■ ROLLED BACK']);
    expectExit(r, 3);
    // said where the output is shown, with the count: every byte of both steps' output was lost
    const chattyBytes = Array.from({ length: 2000 }, (_, i) => `step ${i + 1} of 2000: all good so far\n`).join('').length + 'chatty done\n'.length;
    const said = out.filter((l) => l.includes('disk full: '));
    expect(said.length, r.stdout).toBeGreaterThanOrEqual(2);
    for (const l of said) {
      const n = Number(/disk full: (\d+) bytes of output not kept \(ENOSPC writing the step's log\)$/.exec(l)?.[1]);
      expect(n, l).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(chattyBytes + 'exiting with 1\n'.length);
    }
    expect(said.some((l) => l.endsWith(`disk full: ${chattyBytes} bytes of output not kept (ENOSPC writing the step's log)`)), said.join('\n')).toBe(true);
    expect(existsSync(join(b.state, 'fill'))).toBe(true);
  }, 90_000);
});

/** Polls VmHWM (kB) of the step's supervisor (its pid from the step's status file) until `until` settles. */
async function supervisorPeak(state: string, statusName: string, until: Promise<unknown>): Promise<{ kb: number; reads: number }> {
  let done = false;
  void until.finally(() => (done = true));
  let pid: number | undefined;
  let kb = 0;
  let reads = 0;
  while (!done) {
    try {
      if (pid === undefined) {
        const dir = sessionDir(state);
        pid = (JSON.parse(readFileSync(join(dir, statusName), 'utf8')) as { supervisorPid: number }).supervisorPid;
      }
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) {
        kb = Math.max(kb, Number(m[1]));
        reads++;
      }
    } catch {
      /* not started yet, or gone */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { kb, reads };
}

// the first 1 GB line with the four short runs beside it (the disk-full ones above and the \r ones here)
describe('output in awkward shapes', { concurrent: true }, () => {
  test('a 1 GB line: the supervisor stays under 150 MB, the log keeps the output\'s end and says truly what it dropped, exit 0 is passed', async () => {
    const b = box();
    const size = 1024 * 1024 * 1024;
    // the default cap (64 MiB): the supervisor's memory at its worst
    const run = cockpit(b, ['run', 'shapes.yml', '--headless', '--yes', '--json'], { LINE_BYTES: String(size) }, 240_000);
    const peak = await supervisorPeak(b.state, 'out.shapes.status.json', run);
    const r = await run;
    expectExit(r, 0);
    expect(peak.reads).toBeGreaterThan(10);
    expect(peak.kb).toBeLessThan(150 * 1024);
    const finished = journalEvents(join(sessionDir(b.state), 'journal.jsonl')).find((e) => e.type === 'step.finished');
    expect(finished).toMatchObject({ ok: true, exitCode: 0 });
    const lines = logLines(join(sessionDir(b.state), 'out.shapes.log'));
    const marker = lines.indexOf('cockpit: log capped at 64 MiB; the output is dropped from here but for its last 1 MiB, at the end of the log');
    expect(marker).toBeGreaterThan(0);
    // the head: the line's start, let out in pieces; the end: the line's end (marked …: the tail
    // starts in its middle), then the count (booleans: a failure must not print megabytes)
    expect(lines.slice(0, marker).every((l) => /^a+$/.test(l))).toBe(true);
    expect(/^…a{100000,}<end of the long line>$/.test(lines.at(-2)!), `${lines.at(-2)!.slice(0, 40)}…${lines.at(-2)!.slice(-40)}`).toBe(true);
    const total = size + '<end of the long line>\n'.length;
    // every byte of output is in the log or counted dropped (the head's pieces are one line, not
    // ended by a newline of the output's; the … is the log's)
    const kept = lines.slice(0, marker).reduce((n, l) => n + l.length, 0) + Buffer.byteLength(lines.at(-2)!.replace(/^…/, '')) + 1;
    expect(lines.slice(0, marker).every((l) => l.length === 1024 * 1024)).toBe(true);
    expect(lines.at(-1)).toBe(`cockpit: log capped at 64 MiB; ${total - kept} bytes dropped`);
  }, 240_000);

  test.each([
    ['a scratch file on /dev/shm', {}, 'stdout: /dev/shm/cockpit-step-.raw (deleted)'],
    ['a pipe (no memory-backed filesystem)', { COCKPIT_SCRATCH_DIR: '/nonexistent' }, 'stdout: socket:[]'],
  ])('through %s: a \\r progress bar leaves its last state; a line written in two writes with a pause is one line', async (_, env, where) => {
    const b = box();
    const r = await cockpit(b, ['run', 'shapes.yml', '--headless', '--yes'], { ...env, SHOW_FD: '1' });
    expectExit(r, 0);
    expect(logLines(join(sessionDir(b.state), 'out.shapes.log'))).toEqual([where, 'progress 100%', 'first half, second half', 'doneloading 42 files']);
    // headless shows the same lines
    expect(r.stdout).toContain('│ progress 100%\n');
    expect(r.stdout).toContain('│ first half, second half\n');
    expect(r.stdout).not.toContain('progress  10%');
  });
});

// the second 1 GB line after the first (side by side, the two took longer than one after the other)
describe('output in awkward shapes', () => {
  test('a 1 GB line that is the last: its end is kept, marked "…"', async () => {
    const b = box();
    const size = 1024 * 1024 * 1024;
    const r = await cockpit(b, ['run', 'shapes.yml', '--headless', '--yes', '--json'], { LINE_BYTES: String(size), COCKPIT_LOG_MAX_BYTES: String(8 * 1024 * 1024), NO_END: '1' }, 240_000);
    expectExit(r, 0);
    const lines = logLines(join(sessionDir(b.state), 'out.shapes.log'));
    expect(/^…a{100000,}$/.test(lines.at(-2)!), `${lines.at(-2)!.slice(0, 40)}…${lines.at(-2)!.slice(-40)}`).toBe(true);
    expect(lines.at(-1)).toMatch(/^cockpit: log capped at 8 MiB; \d+ bytes dropped$/);
  }, 240_000);
});
