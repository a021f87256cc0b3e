/**
 * Leaving the screen while the guardrails watch production, end to end: the built binary in tmux,
 * a runbook whose error rate the test sets through a file (a `command` metrics source).
 *
 * - q while a trigger is PENDING → the leave dialog → b: the screen exits, a detached background
 *   cockpit takes the session (and the lock) over, keeps sampling, and rolls back when the
 *   trigger fires; then it ends and no process is left.
 * - SIGTERM to the screen, or its terminal closing (SIGHUP), while guarded: handed over the same
 *   way (never silently disarmed). A team runbook (a real git daemon): the guard takes the team's
 *   lease on with the session, and releases and shares it when it ends.
 * - u and the typed word, and Ctrl+C twice during a rollback: keys only, on the in-process screen
 *   (test/integration/leave-screen.test.tsx).
 *
 * Each test has its own sandbox, state dir, screen and processes: most run side by side
 * (describe.concurrent), each cleaning up its own (session-box scope) when it finishes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, BIN, go, journal, lockPid, ofType, order, ROOT, scope, sessionDirs, supervisors, until, writeWhole, type Box, type Scope } from '../helpers/session-box.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';
import { GitServer, gitSync } from '../helpers/git-server.js';
import { lockRef } from '../../src/team/git-lease.js';
import { historyRef } from '../../src/team/shared-history.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'leave');

/** A test's scope (session-box) and the background guards it started: killed if the test failed before they ended. */
type T = Scope & { readonly guards: number[] };
function testScope(onTestFinished: (fn: () => void) => void): T {
  const guards: number[] = [];
  onTestFinished(() => {
    for (const pid of guards.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  return { ...scope(onTestFinished), guards };
}

function screen(t: T, b: Box, runbook = 'release.yml'): TmuxSession {
  const p = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} ${runbook}`, { cols: 100, rows: 30, cwd: b.fx, env: { COCKPIT_STATE_DIR: b.state }, name: 'cockpit-leave' });
  t.panes.push(p);
  return p;
}

/** The error rate the fixture's metrics command reads next (out/errors). */
const errors = (b: Box, v: number) => writeWhole(join(b.fx, 'out', 'errors'), String(v));

/** Runs production on the screen until the trigger is PENDING; returns the screen and the cockpit's pid. */
async function pendingOnScreen(t: T, b: Box, runbook?: string): Promise<{ p: TmuxSession; pid: number }> {
  const p = screen(t, b, runbook);
  await p.waitFor('Enter');
  p.keys('Enter');
  await until('the monitor armed', () => ofType(journal(b), 'guard.armed').some((e) => e.armed));
  errors(b, 9);
  await until('the trigger PENDING', () => ofType(journal(b), 'trigger.pending')[0]);
  await p.waitFor('PENDING');
  return { p, pid: lockPid(b) };
}

/** Waits for the background guard to roll back and end; asserts the journal's story and that nothing is left running. */
async function guardRollsBack(t: T, b: Box, foreground: number, by: string): Promise<void> {
  const handed = await until('the hand-over', () => ofType(journal(b), 'guard.handed-over')[0]);
  t.guards.push(handed.pid);
  expect(handed).toMatchObject({ by, watching: 'trigger errors>5% 4s is PENDING', log: join(sessionDirs(b)[0], 'background-guard.log') });
  await until('the foreground gone', () => !alive(foreground));
  const resumed = await until('the background guard took over', () => ofType(journal(b), 'session.resumed')[0]);
  expect(resumed).toMatchObject({ pid: handed.pid, previousPid: foreground, mode: 'headless' });
  await until('the background guard holds the lock', () => lockPid(b) === handed.pid);
  await until('the rollback', () => order(b).includes('rollback'), 30_000);
  const ended = await until('the session ended', () => ofType(journal(b), 'session.ended')[0], 30_000);
  expect(ended.outcome).toBe('rolled-back');
  await until('the background guard gone', () => !alive(handed.pid), 10_000);
  const es = journal(b);
  expect(ofType(es, 'trigger.fired')).toHaveLength(1);
  expect(ofType(es, 'rollback.started')).toMatchObject([{ source: 'trigger' }]);
  // the hand-over, then the take-over, then the firing: in that order, once each
  const types = es.map((e) => e.type);
  expect(types.indexOf('guard.handed-over')).toBeLessThan(types.indexOf('session.resumed'));
  expect(types.indexOf('session.resumed')).toBeLessThan(types.indexOf('trigger.fired'));
  expect(order(b)).toEqual(['deployed', 'rollback', 'incident']);
  expect(readFileSync(join(b.fx, 'out', 'incident'), 'utf8')).toContain('errors');
  const log = readFileSync(handed.log, 'utf8');
  expect(log).toContain(`background guard (pid ${handed.pid}) taking session`);
  expect(log).toContain('⟲ ROLLED BACK');
  expect(existsSync(join(b.state, 'lock'))).toBe(false);
  await until('no supervisor left', () => supervisors(b).filter(alive).length === 0);
}

// At most two screens side by side (with four or five, on a loaded machine, screens drew so late that
// a PENDING was never seen and tests ran out of time: seen). First the two hand-overs by a signal, then
// the terminal closing while unguarded beside the headless SIGINTs: nothing there races the operator's
// keys against a window (vitest runs consecutive concurrent suites together). Then, one at a time, the
// ones whose keys must land inside one: q → the dialog → b inside the trigger's 4 s; the team hand-over.
describe.skipIf(!hasTmux())('leaving the screen while the guardrails watch production: handed over to a background guard (the two side by side)', () => {
  it.concurrent('SIGTERM to the screen while guarded: handed over to a background guard (never silently disarmed), which rolls back', async ({ onTestFinished }) => {
    const t = testScope(onTestFinished);
    const b = t.box(FIXTURES);
    go(b, 'rb');
    const { p, pid } = await pendingOnScreen(t, b);
    process.kill(pid, 'SIGTERM');
    expect(await p.waitForExit()).toBe(0);
    await guardRollsBack(t, b, pid, 'SIGTERM');
    expect(ofType(journal(b), 'signal.received')).toMatchObject([{ signal: 'SIGTERM', action: 'hand-over' }]);
  });

  it.concurrent('the terminal closes (SIGHUP) while guarded: handed over to a background guard, which rolls back', async ({ onTestFinished }) => {
    const t = testScope(onTestFinished);
    const b = t.box(FIXTURES);
    go(b, 'rb');
    const { p, pid } = await pendingOnScreen(t, b);
    p.kill();
    await guardRollsBack(t, b, pid, 'SIGHUP');
    expect(ofType(journal(b), 'signal.received')).toMatchObject([{ signal: 'SIGHUP', action: 'hand-over' }]);
  });
});

describe('the headless SIGINTs, the terminal closing while nothing is guarded (side by side)', () => {
  describe.concurrent('a headless run while the guardrails watch production (the same leave policy)', () => {
    it('the first SIGINT keeps guarding and says how to leave; a second within 2 s leaves unguarded, journalled, exit 130', async ({ onTestFinished }) => {
      const t = testScope(onTestFinished);
      const b = t.box(FIXTURES);
      const r = t.run(b, ['run', '--headless', 'release.yml']);
      await until('the monitor armed', () => ofType(journal(b), 'guard.armed').some((e) => e.armed));
      errors(b, 9);
      await until('the trigger PENDING', () => ofType(journal(b), 'trigger.pending')[0]);
      r.child.kill('SIGINT');
      await until('the keep-guarding record', () => ofType(journal(b), 'signal.received')[0]);
      // still guarding: nothing interrupted, the session goes on
      expect(ofType(journal(b), 'session.interrupted')).toHaveLength(0);
      r.child.kill('SIGINT');
      const done = await r.done;
      expect(done.code, done.out + done.err).toBe(130);
      expect(done.err).toContain('cockpit: the guardrails keep watching production (trigger errors>5% 4s is PENDING): nothing is interrupted. Ctrl+C again within 2 s leaves them UNGUARDED');
      expect(done.err).toContain('cockpit: leaving UNGUARDED: the guardrails stop watching (trigger errors>5% 4s is PENDING); journalled');
      expect(done.out).toContain('⚠ LEFT UNGUARDED (SIGINT twice): the guardrails stopped watching (trigger errors>5% 4s is PENDING); nothing rolls back on its own');
      const es = journal(b);
      expect(ofType(es, 'signal.received').map((e) => `${e.signal} ${e.action}`)).toEqual(['SIGINT keep-guarding', 'SIGINT leave-unguarded']);
      expect(ofType(es, 'guard.left-unguarded')).toMatchObject([{ by: 'SIGINT', watching: 'trigger errors>5% 4s is PENDING' }]);
      expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'interrupted' }]);
      expect(ofType(es, 'rollback.started')).toHaveLength(0);
      await until('no supervisor left', () => supervisors(b).filter(alive).length === 0);
    });
  });

  describe.skipIf(!hasTmux()).concurrent('the terminal closing while nothing is guarded', () => {
    it('SIGHUP stops nothing: the screen goes, the step runs on under its supervisor, and cockpit run resumes the session', async ({ onTestFinished }) => {
      const t = testScope(onTestFinished);
      const b = t.box(join(ROOT, 'test', 'fixtures', 'resume'));
      const p = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} release.yml`, { cols: 100, rows: 30, cwd: b.fx, env: { COCKPIT_STATE_DIR: b.state }, name: 'cockpit-hup' });
      t.panes.push(p);
      await p.waitFor('Enter');
      p.keys('Enter');
      await until('the first stage', () => order(b).includes('first'));
      // the first stage done and Enter offered for the next ("deploy" alone matched the stage strip at
      // once: an Enter while the first stage still ran was lost on a loaded machine, and the slow step never began)
      await p.waitFor((x) => (x.split('\n')[1] ?? '').includes('✓ first') && / ⏎ run\/continue /.test(x.split('\n').filter(Boolean).at(-1) ?? ''));
      p.keys('Enter');
      await until('the slow step to begin', () => existsSync(join(b.fx, 'out', 'started')));
      const pid = lockPid(b);
      p.kill();
      await until('the screen gone', () => !alive(pid));
      let es = journal(b);
      expect(ofType(es, 'signal.received')).toMatchObject([{ signal: 'SIGHUP', action: 'ignored' }]);
      expect(ofType(es, 'session.ended')).toHaveLength(0);
      expect(ofType(es, 'session.interrupted')).toHaveLength(0);
      expect(supervisors(b).filter(alive)).toHaveLength(1);
      const r = t.run(b, ['run', '--headless', 'release.yml']);
      await until('the resumed session', () => ofType(journal(b), 'session.resumed')[0]);
      go(b, 'slow');
      const done = await r.done;
      expect(done.code, done.out + done.err).toBe(0);
      es = journal(b);
      expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'released' }]);
      expect(order(b)).toEqual(['first', 'after-slow', 'last']);
      await until('no supervisor left', () => supervisors(b).filter(alive).length === 0);
    });
  });
});

describe.skipIf(!hasTmux())('one at a time: the keys must land inside a window', () => {
  describe('leaving the screen while the guardrails watch production', () => {
    it('q while PENDING → the dialog → b: the screen exits, a background cockpit keeps guarding and rolls back when the trigger fires (cockpit watch shows it); no process is left', async ({ onTestFinished }) => {
      const t = testScope(onTestFinished);
      const b = t.box(FIXTURES);
      const { p, pid } = await pendingOnScreen(t, b);
      p.keys('q');
      await p.waitFor('Leave while guarded?');
      await p.waitFor('If you leave, they stop watching: nothing rolls back on its own.');
      p.keys('b');
      expect(await p.waitForExit()).toBe(0);
      await p.waitFor(/guarded in the background by cockpit pid \d+/, { history: 50 });
      // cockpit watch follows the background guard's session (started now: it starts while the trigger's window runs)
      const watch = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} watch release.yml`, { cols: 100, rows: 30, cwd: b.fx, env: { COCKPIT_STATE_DIR: b.state }, name: 'cockpit-watch' });
      t.panes.push(watch);
      await watch.waitFor('cockpit watch (read-only) · leave-guarded 1.0.0 → production');
      // the background guard fired the trigger and its rollback step waits: cockpit watch shows it
      await until('the rollback step, run by the background guard', () => existsSync(join(b.fx, 'out', 'started')), 30_000);
      await watch.waitFor('rb begins');
      go(b, 'rb');
      await guardRollsBack(t, b, pid, 'operator');
      await watch.waitFor('ROLLED BACK');
      watch.keys('q');
      expect(await watch.waitForExit()).toBe(0);
    });
  });

  // alone: beside the two hand-overs above (three screens, a git daemon) the 4 s window passed unseen in CI
  describe('a team runbook handed over to a background guard', () => {
    it('a team runbook, SIGTERM while guarded: the background guard takes the team lease on (same token, its pid), then releases it and shares the session', async ({ onTestFinished }) => {
      const t = testScope(onTestFinished);
      const server = await GitServer.start();
      onTestFinished(() => server.remove());
      const b = t.box(FIXTURES);
      gitSync(b.fx, 'init', '-q');
      gitSync(b.fx, 'remote', 'add', 'origin', server.url());
      writeFileSync(join(b.fx, 'team.yml'), readFileSync(join(b.fx, 'release.yml'), 'utf8').replace('environment: production\n', 'environment: production\nteam: { remote: origin, lease: 6s }\n'));
      go(b, 'rb');
      const ref = lockRef('leave-guarded', 'production');
      const record = () => JSON.parse(gitSync(b.fx, 'log', '-1', '--format=%B', (gitSync(b.fx, 'fetch', '-q', 'origin', ref), 'FETCH_HEAD'))) as { kind: string; generation: number; holder: { pid: number } };
      const { p, pid } = await pendingOnScreen(t, b, 'team.yml');
      // inside the trigger's 4 s window: nothing between PENDING and the signal
      process.kill(pid, 'SIGTERM');
      expect(await p.waitForExit()).toBe(0);
      const handed = await until('the hand-over', () => ofType(journal(b), 'guard.handed-over')[0]);
      t.guards.push(handed.pid);
      // the screen did not release it: the guard renews it in its own name, the same generation
      await until('the guard holds the lease', () => record().holder.pid === handed.pid, 15_000);
      expect(record()).toMatchObject({ kind: 'lease', generation: 1 });
      // the screen took generation 1 (its session.started): the guard holds that same one
      expect(ofType(journal(b), 'session.started')[0]).toMatchObject({ teamLease: { token: 1 } });
      await guardRollsBack(t, b, pid, 'SIGTERM');
      // the guard ended: the lease released, the session in the team's history
      expect(record()).toMatchObject({ kind: 'released', generation: 1, holder: { pid: handed.pid } });
      const shared = gitSync(b.fx, 'ls-tree', '--name-only', (gitSync(b.fx, 'fetch', '-q', 'origin', historyRef('leave-guarded')), 'FETCH_HEAD'));
      expect(shared.trim().split('\n')).toContain(`${sessionDirs(b)[0].split('/').at(-1)}.json`);
    });
  });
});
