/**
 * `cockpit watch`: the screen, read-only, following a release another cockpit drives (here a
 * headless one): live state and step output from its journal and logs; actions refused with how
 * to act instead (R: how to roll back); q leaves while the release goes on; nothing is written to
 * the watched session.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, box as sandbox, go, journal, ofType, order, panes, ROOT, run, sessionDirs, until } from '../helpers/session-box.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'resume');

/** One watcher at `cols` columns while the slow step runs: the header, the notice, the hint bar; R, Enter and r refused. */
async function followsRunning(pane: TmuxSession, cols: number, driverPid: number): Promise<void> {
  // at 80 columns the badges come first and the title gives way (truncated); the R answer below
  // still says read-only in full
  let f = await pane.waitFor(cols >= 100 ? 'cockpit watch (read-only) · resume-e2e 1.0.0 → production' : ' cockpit watch (read… ');
  f = await pane.waitFor('slow begins');
  // the runbook has no triggers: the header says nothing rolls back on its own, and the notice why
  expect(f.split('\n')[0]).toMatch(/ ◐ DEPLOY {2}\d:\d\d {2}⚠ AUTO-ROLLBACK OFF {2}RUNNING {3}R ROLLBACK$/);
  expect(f).toContain(' ⚠ AUTO-ROLLBACK OFF: the runbook has no rollback triggers: only R rolls back');
  expect(f).toContain('✓ first');
  // the hint bar offers only what a follower can do
  expect(f).not.toContain('run/continue');
  pane.keys('R');
  await pane.waitFor(`read-only: roll back in pid ${driverPid} (R) or: cockpit rollback release.yml`);
  await pane.gap(350);
  pane.keys('Enter');
  await pane.gap(350);
  pane.keys('r');
  await pane.gap(350);
}

describe.skipIf(!hasTmux())('cockpit watch', () => {
  // both sizes follow the same headless release at once (two watchers, one driver): each size's assertions as before
  it('follows a headless release at 80x24 and at 160x48: state, output, R says how to roll back, q leaves', async () => {
    const b = sandbox(FIXTURES);
    const driver = run(b, ['run', '--headless', 'release.yml']);
    await until('the slow step to begin', () => order(b).includes('first') && readFileSync(join(b.fx, 'out', 'started'), 'utf8'));
    const sizes = [
      [80, 24],
      [160, 48],
    ] as const;
    const watchers = sizes.map(([cols, rows]) => {
      const pane = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} watch release.yml`, { cols, rows, cwd: b.fx, env: { COCKPIT_STATE_DIR: b.state }, name: 'cockpit-watch' });
      panes.push(pane);
      return pane;
    });
    const before = readFileSync(join(sessionDirs(b)[0], 'journal.jsonl'), 'utf8');
    await Promise.all(sizes.map(([cols], i) => followsRunning(watchers[i], cols, driver.child.pid!)));
    // nothing the followers pressed reached the session
    expect(readFileSync(join(sessionDirs(b)[0], 'journal.jsonl'), 'utf8').startsWith(before)).toBe(true);
    expect(order(b)).toEqual(['first']);
    // without a terminal it names the live journal to follow instead
    const piped = await run(b, ['watch', 'release.yml']).done;
    expect(piped.code).toBe(2);
    expect(piped.err).toBe(`cockpit: cockpit watch needs a terminal (stdin and stdout); without one, follow the release's journal as it is written: tail -f ${join(sessionDirs(b)[0], 'journal.jsonl')}\n`);
    go(b, 'slow');
    for (const pane of watchers) {
      const f = await pane.waitFor('RELEASED');
      expect(f).toContain('✓ last');
    }
    expect((await driver.done).code).toBe(0);
    for (const pane of watchers) {
      pane.keys('q');
      expect(await pane.waitForExit()).toBe(0);
      const screen = pane.screen({ history: 200 });
      expect(screen.replace(/\n/g, '')).toContain('cockpit watch: left session');
      expect(screen).toContain('(it ended: released)');
    }
    // the watched session's journal has only the driver's events
    const es = journal(b);
    expect(ofType(es, 'session.started')).toHaveLength(1);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'released' }]);
    expect(order(b)).toEqual(['first', 'after-slow', 'last']);
  });

  it('with no release running: says so, exit 1; without a terminal: exit 2', async () => {
    const b = sandbox(FIXTURES);
    const pane = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} watch release.yml`, { cols: 100, rows: 30, cwd: b.fx, env: { COCKPIT_STATE_DIR: b.state }, name: 'cockpit-watch' });
    panes.push(pane);
    expect(await pane.waitForExit()).toBe(1);
    expect(pane.screen({ history: 50 })).toContain('cockpit: no release of resume-e2e is running to watch');
    const r = await run(b, ['watch', 'release.yml']).done;
    expect(r.code).toBe(2);
    expect(r.err).toContain('cockpit: cockpit watch needs a terminal (stdin and stdout); and no release of resume-e2e is running now');
  });
});
