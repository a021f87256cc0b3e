/**
 * `cockpit watch` once no cockpit drives the session it shows (its driver was killed, its terminal
 * closed): the header says STOPPED instead of RUNNING and its stage clock stops, the notice line
 * says what to do (take over with cockpit run, or cockpit rollback), every key that would act says
 * it too; an end that arrives after all (the driver ended the session, then let its lock go) is
 * shown as that end. The follower's check against the real lock is in
 * test/integration/watch-driver-gone.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import type { SessionEvent } from '../../src/core/events.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { ReadOnlySession } from '../../src/session/read-only-session.js';
import type { ShareHello } from '../../src/share/protocol.js';
import { remoteDriverGoneAdvice } from '../../src/share/remote-follower.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { renderApp } from '../helpers/ink-app.js';
import { waitFor, waitForText } from '../helpers/ink.js';

const RUNBOOK = `
name: web-app
version: "2.4.0"
environment: production
stages:
  - id: production
    title: Deploy to Production
    steps:
      - run: ./scripts/deploy-production.sh
rollback:
  steps: [./scripts/rollback-production.sh]
`;
const HOW = 'read-only: roll back in pid 4242 (R) or: cockpit rollback cockpit.yml';
const ADVICE = 'no driver: cockpit run cockpit.yml takes over · cockpit rollback cockpit.yml (its cockpit, pid 4242, is gone)';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function runbook() {
  const parsed = parseRunbook(RUNBOOK, '/srv/app/cockpit.yml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.runbook;
}

/** A driving session's journal: the production stage's deploy running. */
async function drivenJournal(clock: FakeClock): Promise<SessionEvent[]> {
  const runner = new FakeRunner();
  const journal = new MemoryJournal();
  const c = new Controller({ runbook: runbook(), runner, journal, clock, sessionId: 's', sessionDir: '/tmp/cockpit-ui-gone', values: { version: '2.4.0' }, mode: 'tui' });
  void c.start();
  await settle();
  expect(c.runNextStage()).toEqual({ ok: true });
  await waitFor(() => runner.isRunning('production.deploy-production'), 'the deploy to start');
  return [...journal.events];
}

/** A follower on the screen (130×24) fed the driving session's journal, showing it RUNNING. */
async function followingOnScreen(sessionDir: string) {
  const clock = new FakeClock();
  const events = await drivenJournal(clock);
  const s = new ReadOnlySession({ runbook: runbook(), sessionDir, how: HOW, clock });
  const app = renderApp(s, { columns: 130, rows: 24 });
  cleanup = () => app.unmount();
  const header = () => app.frame().split('\n')[0];
  const notice = () => app.frame().split('\n').at(-2) ?? '';
  s.applyExternal(events);
  // (the testing renderer draws the header's gaps as cursor moves, which plain() drops)
  await waitFor(() => /RUNNING R ROLLBACK$/.test(header()), 'RUNNING');
  return { clock, s, app, header, notice };
}

describe('cockpit watch: the driver gone', () => {
  it('STOPPED, the stage clock stopped, the advice on the notice line and for every key that would act; a late end wins', async () => {
    const { clock, s, app, header, notice } = await followingOnScreen('/tmp/cockpit-ui-gone');
    expect(header()).toMatch(/^ cockpit watch \(read-only\) · web-app 2\.4\.0 → production +◐ DEPLOY TO PRODUCTION {2}0:00 {2}⚠ AUTO-ROLLBACK OFFRUNNING R ROLLBACK$/);

    await clock.advance(12_000);
    await waitFor(() => header().includes('◐ DEPLOY TO PRODUCTION  0:12'), 'the stage clock at 0:12');
    s.markDriverGone(ADVICE);
    await waitFor(() => /STOPPED R ROLLBACK$/.test(header()), 'STOPPED');
    expect(header()).toMatch(/^ cockpit watch \(read-only\) · web-app 2\.4\.0 → production +◐ DEPLOY TO PRODUCTION {2}0:12 {2}⚠ AUTO-ROLLBACK OFFSTOPPED R ROLLBACK$/);
    expect(notice()).toBe(` ${ADVICE}`);
    // its clock no longer counts: nothing runs it
    await clock.advance(65_000);
    await settle();
    expect(header()).toMatch(/◐ DEPLOY TO PRODUCTION {2}0:12 .*STOPPED R ROLLBACK$/);
    // R says what to do now
    await app.press('R');
    await waitForText(app.app.lastFrame, ADVICE);
    expect(app.frame()).not.toContain('─ ROLLBACK ─');

    // the driver had ended it after all (its end reached the journal after its lock went)
    s.applyExternal([{ type: 'session.ended', outcome: 'released', at: clock.wall(), t: s.elapsed() } as SessionEvent]);
    await waitFor(() => /RELEASED R ROLLBACK$/.test(header()), 'the end');
    expect(s.driverGone).toBeUndefined();
    expect(s.readOnly).toBe(HOW);
  });

  it('a remote follower: a cut stream is said on the notice line (still RUNNING) until it is back; a driver refused and then reached again is not gone', async () => {
    const { s, header, notice } = await followingOnScreen('');
    const CUT = '⚠ stream cut since 12:00:00 (ECONNRESET): reconnecting; this screen may be behind the release';
    s.markLink(CUT);
    await waitFor(() => notice() === ` ${CUT}`, 'the cut said');
    expect(header()).toMatch(/RUNNING R ROLLBACK$/);
    s.markLink(undefined);
    await waitFor(() => notice() !== ` ${CUT}`, 'the cut gone');
    // refused (a restarting proxy), then back: STOPPED, then RUNNING again, the advice gone
    s.markDriverGone(ADVICE);
    await waitFor(() => /STOPPED R ROLLBACK$/.test(header()), 'STOPPED');
    s.markDriverBack();
    await waitFor(() => /RUNNING R ROLLBACK$/.test(header()), 'RUNNING again');
    expect(s.driverGone).toBeUndefined();
    expect(s.readOnly).toBe(HOW);
    expect(notice()).not.toContain('no driver');
  });

  it("a trigger PENDING when the driver went: its count stops there too, not running on to its window's end", async () => {
    const clock = new FakeClock();
    const events = await drivenJournal(clock);
    // the follower's runbook has the trigger (the driven journal comes from the one without metrics)
    const guarded = parseRunbook(`${RUNBOOK}  triggers:\n    - { metric: errors, above: 5, for: 20s }\nmetrics:\n  interval: 1s\n  source: { type: command, run: ./m.sh }\n  series:\n    errors: { unit: '%', warn: 1, critical: 5 }\n`, '/srv/app/cockpit.yml');
    if (!guarded.ok) throw new Error(guarded.errors.map((e) => e.message).join('\n'));
    const s = new ReadOnlySession({ runbook: guarded.runbook, sessionDir: '', how: HOW, clock });
    const app = renderApp(s, { columns: 130, rows: 24 });
    cleanup = () => app.unmount();
    s.applyExternal(events);
    s.applyExternal([{ type: 'trigger.pending', trigger: 'errors-above', since: s.elapsed(), value: 9, at: clock.wall(), t: s.elapsed() } as SessionEvent]);
    const bar = () => app.frame().split('\n').find((l) => l.startsWith(' triggers')) ?? '';
    await waitFor(() => bar().includes('◐ PENDING 0:00 of 0:20'), 'PENDING');
    await clock.advance(3000);
    await waitFor(() => bar().includes('◐ PENDING 0:03 of 0:20'), 'PENDING 0:03');
    s.markDriverGone(ADVICE);
    await waitFor(() => /STOPPED R ROLLBACK$/.test(app.frame().split('\n')[0]), 'STOPPED');
    await clock.advance(30_000);
    // the screen's clock ticks each second (real time): wait for two ticks to have read the time
    let reads = 0;
    const elapsed = s.elapsed.bind(s);
    s.elapsed = () => (reads++, elapsed());
    await waitFor(() => reads >= 2, 'two ticks of the screen clock');
    await settle();
    expect(bar()).toContain('◐ PENDING 0:03 of 0:20');
  });

  it('a remote follower whose driver handed over to a background guard (which does not share): HANDED OVER, not STOPPED, and where the guard guards', async () => {
    const { clock, s, header, notice } = await followingOnScreen('');
    s.applyExternal([{ type: 'guard.handed-over', pid: 77, log: '/srv/app/.cockpit/g.log', by: 'SIGTERM', watching: 'trigger errors>5% 4s is PENDING', at: clock.wall(), t: s.elapsed() } as SessionEvent]);
    const hello: ShareHello = { v: 1, sessionId: 's', runbook: runbook(), driver: { user: 'alice', host: 'laptop', pid: 4242 }, last: 9 };
    expect(s.markDriverGone(remoteDriverGoneAdvice(hello, s, 'connection refused'))).toBe(true);
    await waitFor(() => /HANDED OVER R ROLLBACK$/.test(header()), 'HANDED OVER');
    expect(header()).not.toContain('STOPPED');
    // the hand-over's own notice first (for its 5 s), then the advice, which every key that acts says too
    expect(notice()).toContain('⛨ GUARDED IN THE BACKGROUND: cockpit pid 77 took the session over');
    expect(s.driverGone).toBe('handed over to a background guard (pid 77 on laptop): cockpit watch there follows it; it does not share (connection refused)');
    expect(s.readOnly).toBe(s.driverGone);
  });
});
