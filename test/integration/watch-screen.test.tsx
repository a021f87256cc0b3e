/**
 * `cockpit watch`: the screen, read-only, following a release another cockpit drives (the built
 * binary, headless, a real process): live state and step output from its journal and logs; actions
 * refused with how to act instead (R: how to roll back); q leaves while the release goes on;
 * nothing is written to the watched session. In-process: the follower runWatch runs
 * (session/follower.ts) on the App at 80×24 and 160×48, keys as a terminal sends them; what it
 * prints on leaving is run-tui.tsx's watchLeftLine. Moved from tmux (test/e2e/watch.test.ts), every
 * assertion kept; the terminal itself (alternate screen, the line left in the scrollback) is
 * test/e2e/tui.test.ts's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import { liveSession } from '../../src/session/follow.js';
import { followSession, type Follower } from '../../src/session/follower.js';
import { watchLeftLine } from '../../src/ui/run-tui.js';
import { cockpitInProcess } from '../helpers/cli.js';
import { renderAppSized, type RenderedApp } from '../helpers/ink-app.js';
import { waitForText } from '../helpers/ink.js';
import { box as sandbox, go, journal, ofType, order, ROOT, run, sessionDirs, until, type Box } from '../helpers/session-box.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'resume');
/** Generous: the driver is a real process on a loaded machine, and the follower polls its files. */
const SEEN_MS = 15_000;

function runbookOf(b: Box): Runbook {
  const file = join(b.fx, 'release.yml');
  const parsed = parseRunbook(readFileSync(file, 'utf8'), file);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.runbook;
}

type Watcher = { readonly f: Follower; readonly r: Omit<RenderedApp, 'app'>; readonly cols: number };

/** One watcher at `cols` columns while the slow step runs: the header, the notice, the hint bar; R, Enter and r refused. */
async function followsRunning(w: Watcher, driverPid: number): Promise<void> {
  const frame = () => w.r.frame();
  // at 80 columns the badges come first and the title gives way (truncated); the R answer below
  // still says read-only in full
  await waitForText(frame, w.cols >= 100 ? 'cockpit watch (read-only) · resume-e2e 1.0.0 → production' : ' cockpit watch (read… ', SEEN_MS);
  const f = await waitForText(frame, 'slow begins', SEEN_MS);
  // once: the screen's output store reads the step's log as the follower tails it, never both
  expect(f.match(/slow begins/g)).toHaveLength(1);
  // the runbook has no triggers: the header says nothing rolls back on its own, and the notice why
  expect(f.split('\n')[0], f).toMatch(/ ◐ DEPLOY {2}\d:\d\d {2}⚠ AUTO-ROLLBACK OFF {2}RUNNING {3}R ROLLBACK$/);
  expect(f).toContain(' ⚠ AUTO-ROLLBACK OFF: the runbook has no rollback triggers: only R rolls back');
  expect(f).toContain('✓ first');
  // the hint bar offers only what a follower can do
  expect(f).not.toContain('run/continue');
  await w.r.press('R');
  await waitForText(frame, `read-only: roll back in pid ${driverPid} (R) or: cockpit rollback release.yml`);
  await w.r.press('\r', 350);
  await w.r.press('r', 350);
}

describe('cockpit watch', () => {
  // both sizes follow the same headless release at once (two watchers, one driver): each size's assertions as before
  it('follows a headless release at 80x24 and at 160x48: state, output, R says how to roll back, q leaves', async ({ onTestFinished }) => {
    const b = sandbox(FIXTURES);
    // where cockpit watch runs: in the runbook's folder (the advice names release.yml from there)
    const cwd = process.cwd();
    process.chdir(b.fx);
    onTestFinished(() => process.chdir(cwd));
    const driver = run(b, ['run', '--headless', 'release.yml']);
    await until('the slow step to begin', () => order(b).includes('first') && readFileSync(join(b.fx, 'out', 'started'), 'utf8'));
    const info = await until('the live session', () => liveSession(b.state));
    const rb = runbookOf(b);
    const watchers: Watcher[] = (
      [
        [80, 24],
        [160, 48],
      ] as const
    ).map(([cols, rows]) => {
      const f = followSession(rb, info);
      // as runWatch: the screen (its output store) first, then the follower starts reading
      const r = renderAppSized(f.session, { columns: cols, rows });
      f.start();
      return { f, r, cols };
    });
    try {
      const before = readFileSync(join(sessionDirs(b)[0], 'journal.jsonl'), 'utf8');
      await Promise.all(watchers.map((w) => followsRunning(w, driver.child.pid!)));
      // nothing the followers pressed reached the session
      expect(readFileSync(join(sessionDirs(b)[0], 'journal.jsonl'), 'utf8').startsWith(before)).toBe(true);
      expect(order(b)).toEqual(['first']);
      // without a terminal it names the live journal to follow instead
      const piped = await run(b, ['watch', 'release.yml']).done;
      expect(piped.code).toBe(2);
      expect(piped.err).toBe(`cockpit: cockpit watch needs a terminal (stdin and stdout); without one, follow the release's journal as it is written: tail -f ${join(sessionDirs(b)[0], 'journal.jsonl')}\n`);
      go(b, 'slow');
      for (const w of watchers) expect(await waitForText(() => w.r.frame(), 'RELEASED', SEEN_MS)).toContain('✓ last');
      expect((await driver.done).code).toBe(0);
      for (const w of watchers) {
        await w.r.press('q');
        await until('the screen to leave', () => w.r.exited());
        const left = watchLeftLine(w.f.session.state.outcome, `session ${info.id}`, `journal: ${info.journalPath}`);
        expect(left).toContain('cockpit watch: left session');
        expect(left).toContain('(it ended: released)');
      }
    } finally {
      for (const w of watchers) {
        w.f.stop();
        w.r.unmount();
      }
    }
    // the watched session's journal has only the driver's events
    const es = journal(b);
    expect(ofType(es, 'session.started')).toHaveLength(1);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'released' }]);
    expect(order(b)).toEqual(['first', 'after-slow', 'last']);
  });

  it('with no release running: says so, exit 1; without a terminal: exit 2', async () => {
    const b = sandbox(FIXTURES);
    // on a terminal (stdin and stdout are TTYs, as watchCommand checks before it looks for a release)
    const tty = { out: process.stdout.isTTY, in: process.stdin.isTTY };
    process.stdout.isTTY = true;
    process.stdin.isTTY = true;
    let r: Awaited<ReturnType<typeof cockpitInProcess>>;
    try {
      r = await cockpitInProcess(['watch', 'release.yml'], { cwd: b.fx, env: { COCKPIT_STATE_DIR: b.state } });
    } finally {
      process.stdout.isTTY = tty.out;
      process.stdin.isTTY = tty.in;
    }
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cockpit: no release of resume-e2e is running to watch');
    const piped = await run(b, ['watch', 'release.yml']).done;
    expect(piped.code).toBe(2);
    expect(piped.err).toContain('cockpit: cockpit watch needs a terminal (stdin and stdout); and no release of resume-e2e is running now');
  });
});
