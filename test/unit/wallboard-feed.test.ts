/**
 * The wallboard's input on real files: which session it shows (the one a live cockpit drives, else
 * the latest, ended or stopped), the journal folded as it grows, a session a cockpit starts later
 * taking over through the lock, a driver that dies; and the log tail it reads. No terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBody, SessionEvent } from '../../src/core/events.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { SessionFeed } from '../../src/wallboard/feed.js';
import { LogTail } from '../../src/wallboard/log-tail.js';

const r = parseRunbook('name: web-app\nversion: "1.0"\nstages:\n  - id: prod\n    steps: [./deploy.sh]\n', '/srv/app/cockpit.yml');
if (!r.ok) throw new Error('fixture runbook');
const rb = r.runbook;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cockpit-feed-'));
  dirs.push(d);
  return d;
}

const line = (t: number, body: EventBody) => `${JSON.stringify({ ...body, at: 1_700_000_000_000 + t, t } as SessionEvent)}\n`;
const start = (id: string, runbook = 'web-app') => line(0, { type: 'session.started', sessionId: id, runbook, file: '/srv/app/cockpit.yml', version: '1.0', environment: 'production', mode: 'headless' });

function session(root: string, id: string, text: string): string {
  mkdirSync(join(root, 'sessions', id), { recursive: true });
  const path = join(root, 'sessions', id, 'journal.jsonl');
  writeFileSync(path, text);
  return path;
}

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

async function until(what: string, probe: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

describe('SessionFeed', () => {
  it("ENDED is the time of session.ended: the records written after it (risk register, review) do not move it", () => {
    const root = stateDir();
    session(
      root,
      '20260101-100000-cccc',
      start('20260101-100000-cccc') +
        line(5000, { type: 'session.ended', outcome: 'rolled-back' }) +
        line(9000, { type: 'risk.registered', ok: true, via: 'file', target: '/tmp/r.md', entry: {} } as unknown as EventBody),
    );
    const feed = SessionFeed.open(rb, root)!;
    try {
      expect(feed.view()).toMatchObject({ outcome: 'rolled-back', lastAt: 1_700_000_000_000 + 5000 });
      expect(feed.state.endedT).toBe(5000);
    } finally {
      feed.close();
    }
  });

  it('no session: undefined', () => {
    expect(SessionFeed.open(rb, stateDir())).toBeUndefined();
  });

  it('the latest session when none is live: ended says its outcome, stopped (no driver, no end) is not live', () => {
    const root = stateDir();
    session(root, '20260101-100000-aaaa', start('20260101-100000-aaaa') + line(5, { type: 'session.ended', outcome: 'released' }));
    const ended = SessionFeed.open(rb, root)!;
    expect(ended.view()).toEqual({ id: '20260101-100000-aaaa', live: false, outcome: 'released', lastAt: 1_700_000_000_005, otherRunbook: undefined });
    expect(ended.state.phase).toBe('passed');
    ended.close();

    // a newer one that never ended, its cockpit gone: shown, not live
    session(root, '20260101-110000-bbbb', start('20260101-110000-bbbb', 'api') + line(7, { type: 'preflight.passed' }));
    writeFileSync(join(root, 'lock'), JSON.stringify({ pid: deadPid(), sessionId: '20260101-110000-bbbb' }));
    const stopped = SessionFeed.open(rb, root)!;
    expect(stopped.view()).toEqual({ id: '20260101-110000-bbbb', live: false, outcome: undefined, lastAt: 1_700_000_000_007, otherRunbook: 'api' });
    stopped.close();
  });

  it('follows a live session as its journal grows; a session a cockpit starts later takes over', async () => {
    const root = stateDir();
    const a = session(root, '20260101-100000-aaaa', start('20260101-100000-aaaa'));
    writeFileSync(join(root, 'lock'), JSON.stringify({ pid: process.pid, sessionId: '20260101-100000-aaaa' }));
    const feed = SessionFeed.open(rb, root)!;
    let changes = 0;
    feed.onChange(() => changes++);
    try {
      expect(feed.view()).toMatchObject({ id: '20260101-100000-aaaa', live: true });
      expect(feed.state.phase).toBe('preflight');
      expect(feed.check()).toBe(false);

      appendFileSync(a, line(100, { type: 'preflight.passed' }) + line(110, { type: 'stage.started', stage: 'prod' }));
      await until('the new events folded', () => feed.state.stages[0].status === 'running');
      expect(changes).toBeGreaterThan(0);
      expect(feed.lastEvent).toMatchObject({ type: 'stage.started', t: 110 });

      // another cockpit (this process stands in for it) now drives a new session
      writeFileSync(join(root, 'lock'), JSON.stringify({ pid: process.pid, sessionId: '20260101-120000-cccc' }));
      expect(feed.check()).toBe(true);
      expect(feed.view()).toMatchObject({ id: '20260101-120000-cccc', live: true });
      // its journal did not exist yet: it is followed from its first line on
      expect(feed.state.phase).toBe('ready');
      session(root, '20260101-120000-cccc', start('20260101-120000-cccc'));
      await until('the new session folded', () => feed.state.phase === 'preflight');
      expect(feed.sessionDir).toBe(join(root, 'sessions', '20260101-120000-cccc'));

    } finally {
      feed.close();
    }
  });

  it('the driver of the live session dies without ending it: no longer live', async () => {
    const root = stateDir();
    session(root, 's1', start('s1'));
    const driver = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    const exited = new Promise((res) => driver.once('exit', res));
    writeFileSync(join(root, 'lock'), JSON.stringify({ pid: driver.pid, sessionId: 's1' }));
    const feed = SessionFeed.open(rb, root)!;
    try {
      expect(feed.view().live).toBe(true);
      expect(feed.check()).toBe(false);
      driver.kill('SIGKILL');
      await exited;
      expect(feed.check()).toBe(true);
      expect(feed.view()).toMatchObject({ id: 's1', live: false });
      expect(feed.check()).toBe(false);
    } finally {
      driver.kill('SIGKILL');
      feed.close();
    }
  });

  it('a step log beside the journal is found when the path the journal names is relative or gone', () => {
    const root = stateDir();
    session(root, 's1', start('s1'));
    const feed = SessionFeed.open(rb, root)!;
    writeFileSync(join(root, 'sessions', 's1', 'prod.deploy.log'), 'x\n');
    expect(feed.logFile('.cockpit/sessions/s1/prod.deploy.log')).toBe(join(root, 'sessions', 's1', 'prod.deploy.log'));
    expect(feed.logFile('/moved/away/prod.deploy.log')).toBe(join(root, 'sessions', 's1', 'prod.deploy.log'));
    expect(feed.logFile(join(root, 'sessions', 's1', 'prod.deploy.log'))).toBe(join(root, 'sessions', 's1', 'prod.deploy.log'));
    feed.close();
  });
});

describe('LogTail', () => {
  it('the last lines of a growing log, read again only when it grew; a missing file is no lines', () => {
    const path = join(stateDir(), 'step.log');
    const tail = new LogTail();
    expect(tail.read(path, 5)).toEqual([]);
    writeFileSync(path, '12:00:00.000 one\n12:00:01.000 two\n');
    expect(tail.read(path, 5)).toEqual(['12:00:00.000 one', '12:00:01.000 two']);
    appendFileSync(path, '12:00:02.000 three\n');
    expect(tail.read(path, 2)).toEqual(['12:00:01.000 two', '12:00:02.000 three']);
    // a huge log: only its end is read, and the partial first line of that end is dropped
    const big = Array.from({ length: 20_000 }, (_, i) => `12:00:00.000 line ${i}`).join('\n') + '\n';
    writeFileSync(path, big);
    expect(tail.read(path, 3)).toEqual(['12:00:00.000 line 19997', '12:00:00.000 line 19998', '12:00:00.000 line 19999']);
    expect(tail.read(path, 100_000).every((l) => l.startsWith('12:00:00.000 line '))).toBe(true);
  });
});
