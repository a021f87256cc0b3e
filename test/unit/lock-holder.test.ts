/**
 * The lock's holder is a process, not a pid (lock-holder.ts), and a refusal never advises removing
 * the lock of a holder that lives. Real processes stand in for the holders: a `sleep` child is a
 * live pid; its start time (/proc/<pid>/stat field 22) is what makes it the holder or someone
 * else. The CLI runs in-process through main(argv, io).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { takeLock } from '../../src/session/lock.js';
import { bootId, holderAlive, processStart } from '../../src/session/lock-holder.js';

const RUNBOOK = `
name: lock-release
version: "1.0.0"
environment: production
stages:
  - id: deploy
    steps:
      - id: ship
        run: [sh, -c, "echo shipped"]
rollback:
  steps:
    - [sh, -c, "echo rolled back"]
`;

let dir: string;
let state: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-lockholder-'));
  writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK);
  state = join(dir, '.cockpit');
  mkdirSync(state);
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A live process that is no cockpit: its pid and its real start time. */
function livePid(): { pid: number; start: string } {
  const c = spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(c);
  const start = processStart(c.pid!);
  expect(start).toMatch(/^\d+$/);
  return { pid: c.pid!, start: start! };
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const lockFile = () => join(state, 'lock');
const writeLock = (record: object) => writeFileSync(lockFile(), JSON.stringify(record));

/** A session journal for the holder: started on this runbook, and (rollingBack) its rollback running. */
function holderSession(id: string, rollingBack = false): void {
  const d = join(state, 'sessions', id);
  mkdirSync(d, { recursive: true });
  const at = Date.now() - 60_000;
  const events = [
    { type: 'session.started', sessionId: id, runbook: 'lock-release', file: join(dir, 'cockpit.yml'), version: '1.0.0', environment: 'production', mode: 'headless', at, t: 0 },
    ...(rollingBack ? [{ type: 'rollback.started', reason: 'error rate', source: 'trigger', at, t: 10 }] : []),
  ];
  writeFileSync(join(d, 'journal.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

describe('a lock naming a live pid that is another process (pid reuse) is stale', () => {
  it('another start time: takeLock takes it over and says why; its own record names pid, start time and boot', () => {
    const p = livePid();
    writeLock({ pid: p.pid, sessionId: '20260101-000000-before-reboot', startedAt: Date.now() - 5000, start: String(Number(p.start) + 4242), boot: bootId() });
    const lock = takeLock(state, 'new-session');
    expect(typeof lock, String(lock)).toBe('object');
    if (typeof lock === 'string') return;
    expect(lock.tookOver).toEqual({ pid: p.pid, sessionId: '20260101-000000-before-reboot', why: `pid ${p.pid} is alive but is another process (it started at another time): the pid was reused` });
    const mine = JSON.parse(readFileSync(lockFile(), 'utf8')) as Record<string, unknown>;
    expect(mine).toMatchObject({ pid: process.pid, sessionId: 'new-session', start: processStart(process.pid), boot: bootId() });
    lock.release();
  });

  it('another boot (same pid and start time): taken over', () => {
    const p = livePid();
    writeLock({ pid: p.pid, sessionId: 'x', startedAt: Date.now(), start: p.start, boot: '00000000-0000-0000-0000-000000000000' });
    expect(holderAlive({ pid: p.pid, start: p.start, boot: '00000000-0000-0000-0000-000000000000' })).toBe(false);
    const lock = takeLock(state, 'new-session');
    expect(typeof lock === 'object' && lock.tookOver?.why).toContain('it started in another boot');
  });

  it('an older record without a start time: a process started after the lock was taken is not its holder', () => {
    const p = livePid();
    expect(holderAlive({ pid: p.pid, startedAt: Date.now() - 3600_000 })).toBe(false);
    expect(holderAlive({ pid: p.pid, startedAt: Date.now() + 5000 })).toBe(true);
  });

  it('cockpit run --headless: runs the release and says it took the lock over (was refused forever)', async () => {
    const p = livePid();
    writeLock({ pid: p.pid, sessionId: '20260101-000000-before-reboot', startedAt: Date.now() - 5000, start: String(Number(p.start) + 1), boot: bootId() });
    const r = await cli(['run', join(dir, 'cockpit.yml'), '--headless']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(`↻ took over the lock: pid ${p.pid} is alive but is another process (it started at another time): the pid was reused`);
    const journal = readFileSync(r.out.match(/journal: (\S+)/)![1], 'utf8');
    expect(journal).toContain(`"lockTakenOver":{"pid":${p.pid},"why":"pid ${p.pid} is alive but is another process`);
  });
});

describe('while the holder lives, a refusal says who and what to do, never to remove the lock', () => {
  it('a release being driven: pid, session, since when, its command; watch it or wait', async () => {
    const p = livePid();
    holderSession('20261207-010000-held');
    writeLock({ pid: p.pid, sessionId: '20261207-010000-held', startedAt: Date.now() - 120_000, start: p.start, boot: bootId(), command: 'cockpit run cockpit.yml --headless' });
    const r = await cli(['run', join(dir, 'cockpit.yml'), '--headless']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^cockpit: another cockpit \\(pid ${p.pid}, session 20261207-010000-held\\) is driving a release here, since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(2 min ago\\): cockpit run cockpit\\.yml --headless\\. Follow it with cockpit watch \\S*cockpit\\.yml, or wait for it to end; nothing was started$`,
      ),
    );
    expect(r.err).not.toContain('remove');
    expect(readFileSync(lockFile(), 'utf8')).toContain(`"pid":${p.pid}`);
  });

  it('a rollback running: says so, to wait for it; cockpit rollback is refused the same way', async () => {
    const p = livePid();
    holderSession('20261207-010000-rb', true);
    writeLock({ pid: p.pid, sessionId: '20261207-010000-rb', startedAt: Date.now() - 30_000, start: p.start, boot: bootId(), command: 'cockpit rollback' });
    for (const args of [['run', join(dir, 'cockpit.yml'), '--headless'], ['rollback', join(dir, 'cockpit.yml')]]) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`another cockpit (pid ${p.pid}, session 20261207-010000-rb) is rolling back a release here now`);
      expect(r.err).toContain('Wait for its rollback to end (follow it with cockpit watch');
      expect(r.err).not.toContain('remove');
    }
  });

  it("the holder's command from the lock file reaches the terminal without its escapes", async () => {
    const p = livePid();
    writeLock({ pid: p.pid, sessionId: 'x', startedAt: Date.now(), start: p.start, boot: bootId(), command: 'cockpit run\u001b]52;c;cm0gLXJmIH4=\u0007 x' });
    const r = await cli(['run', join(dir, 'cockpit.yml'), '--headless']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(': cockpit run x.');
    expect(r.err).not.toContain('\u001b');
  });
});
