/**
 * The driving lock, end to end with the built binary: many cockpits started at once on a stale lock
 * (a lock naming a dead pid) and exactly one drives; a dead cockpit whose step still runs under its
 * supervisor keeps its lock from any new session (cockpit run of another runbook, cockpit flag,
 * cockpit run of a session too old to resume), while cockpit rollback takes that session over,
 * interrupts the step and rolls back.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { alive, box as sandbox, go, journal, killNine, ofType, order, ROOT, run, sessionDirs, until, type Run } from '../helpers/session-box.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'lock');
const box = () => sandbox(FIXTURES);
const CONTENDERS = 8;
/**
 * The race itself (link, rename, the take-over gates between processes) is run 50 times over by
 * test/integration/lock-race.test.ts, with 8 contender processes started once. Here the whole
 * binary: one release runs, each refused cockpit exits 1 naming the winner and its command line,
 * and leaves no session folder; 2 trials (each is 8 node start-ups and a cockpit run) where 20 were.
 */
const TRIALS = 2;

/** A pid no process has: one that has just exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(alive(r.pid)).toBe(false);
  return r.pid;
}

const startedCount = (fx: string): number => {
  try {
    return readFileSync(join(fx, 'out', 'started'), 'utf8').trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

describe('the lock', () => {
  it(`${CONTENDERS} cockpits started at once on a stale lock: exactly one runs the release, ${TRIALS} times over`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const b = box();
      mkdirSync(b.state, { recursive: true });
      writeFileSync(join(b.state, 'lock'), JSON.stringify({ pid: deadPid(), sessionId: '20260101-000000-gone' }));
      const runs: Run[] = Array.from({ length: CONTENDERS }, () => run(b, ['run', '--headless', 'release.yml']));
      // each one refuses, or runs the release up to its slow step (which waits for the test)
      const exited = () => runs.filter((r) => r.child.exitCode !== null || r.child.signalCode !== null).length;
      await until(`trial ${trial}: every cockpit to refuse or drive`, () => exited() + startedCount(b.fx) >= CONTENDERS, 30_000);
      go(b, 'slow');
      const results = await Promise.all(runs.map((r) => r.done));
      const ran = order(b).filter((x) => x === 'ran');
      expect(ran, `trial ${trial}: runs of the release`).toHaveLength(1);
      const winners = results.flatMap((r, i) => (r.code === 0 ? [runs[i].child.pid!] : []));
      expect(winners, `trial ${trial}: ${results.map((r) => `${r.code} ${r.err}`).join(' | ')}`).toHaveLength(1);
      for (const r of results.filter((x) => x.code !== 0)) {
        expect(r.code).toBe(1);
        // who, since when, its command, what to do: never to remove the lock of a live holder
        expect(r.err.trim()).toMatch(
          new RegExp(`^cockpit: another cockpit \\(pid ${winners[0]}, session \\S+\\) is driving a release here, since [-0-9: ]+ UTC \\([^)]+\\): cockpit run --headless release\\.yml\\. Follow it with cockpit watch( release\\.yml)?, or wait for it to end; nothing was started$`),
        );
        expect(r.err).not.toContain('remove');
      }
      // the winner released its lock; nothing of the contenders is left (records, gates, session folders)
      expect(readdirSync(b.state)).toEqual(['sessions']);
      expect(sessionDirs(b)).toHaveLength(1);
    }
  }, 60_000);

  it('a dead cockpit whose step still runs: a new session is refused, naming the step and its supervisor; cockpit rollback takes that session over, stops the step and rolls back', async () => {
    const b = box();
    const first = run(b, ['run', '--headless', 'release.yml']);
    await until('the slow step to begin', () => startedCount(b.fx) === 1);
    // its supervisor's status file (written as the step starts, not before its first line): the step runs under it
    const statusFile = () => join(sessionDirs(b)[0], 'deploy.slow.status.json');
    await until('the step supervisor\'s status file', () => existsSync(statusFile()));
    const pid = first.child.pid!;
    await killNine(pid);
    const sup = (JSON.parse(readFileSync(statusFile(), 'utf8')) as { supervisorPid: number }).supervisorPid;
    expect(alive(sup)).toBe(true);
    const id = sessionDirs(b)[0].split('/').at(-1)!;
    const refusal = (resumeHint: boolean) =>
      `cockpit: the cockpit (pid ${pid}) that drove session ${id} is gone, but its step deploy/slow (supervisor pid ${sup}) still runs: nothing was started. ` +
      (resumeHint ? 'cockpit run release.yml resumes that session and follows the step; ' : '') +
      'wait for the step to end, or stop it with cockpit rollback release.yml (it takes that session over, interrupts the step and rolls back)';

    // a new session of another runbook sharing the state directory: refused, nothing runs
    const other = await run(b, ['run', '--headless', 'other.yml']).done;
    expect(other.code, other.out + other.err).toBe(1);
    expect(other.err.trim()).toBe(refusal(true));
    // cockpit flag opens a new session too
    const flag = await run(b, ['flag', 'checkout', '5', '--runbook', 'other.yml']).done;
    expect(flag.code, flag.out + flag.err).toBe(1);
    expect(flag.err.trim()).toBe(refusal(true));
    expect(order(b)).toEqual(['ran']);

    // the session too old to resume (its events 13 h old): cockpit run would start anew: refused
    const path = join(sessionDirs(b)[0], 'journal.jsonl');
    const aged = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SessionEvent).map((e) => ({ ...e, at: e.at - 13 * 3600_000 }));
    writeFileSync(path, aged.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const again = await run(b, ['run', '--headless', 'release.yml']).done;
    expect(again.code, again.out + again.err).toBe(1);
    expect(again.err.trim()).toBe(refusal(false));
    expect(ofType(journal(b), 'session.ended')).toEqual([]); // not closed as abandoned
    expect(alive(sup)).toBe(true);
    expect(sessionDirs(b)).toHaveLength(1);

    // cockpit rollback stops the bleeding: that session taken over, the step interrupted, rolled back
    const rb = await run(b, ['rollback', 'release.yml', '--reason', 'stop it']).done;
    expect(rb.code, rb.out + rb.err).toBe(0);
    expect(rb.out).toContain(`↻ resumed this session: its cockpit (pid ${pid}) is gone; following deploy/slow where it is`);
    await until('the step supervisor gone', () => !alive(sup));
    const es = journal(b);
    expect(ofType(es, 'session.resumed')).toMatchObject([{ previousPid: pid, running: [{ stage: 'deploy', step: 'slow' }] }]);
    expect(ofType(es, 'step.finished').filter((e) => e.step === 'slow')).toMatchObject([{ ok: false, interrupted: true }]);
    expect(ofType(es, 'rollback.started')).toMatchObject([{ reason: 'stop it', source: 'command' }]);
    expect(ofType(es, 'rollback.finished')).toMatchObject([{ ok: true }]);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'rolled-back' }]);
    expect(order(b)).toEqual(['ran', 'rollback']);
    expect(readdirSync(b.state)).toEqual(['sessions']);
  }, 60_000);
});
