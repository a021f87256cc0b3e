/**
 * Crash-safe resume, end to end: the built binary is killed with SIGKILL mid-step (headless and on
 * the screen); the step goes on under its supervisor; the next cockpit on the runbook takes the
 * session over: follows the step (or records how it ended), keeps finished stages done, re-arms the
 * triggers with their windows as they were, carries the incident's escalation on by its clock, and
 * takes the lock only from a cockpit that is gone.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { alive, BIN, box as sandbox, go, journal, killNine, lockPid, ofType, order, panes, ROOT, run, sessionDirs, supervisors, until } from '../helpers/session-box.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'resume');
const box = () => sandbox(FIXTURES);

describe('resume after the cockpit is killed (headless)', () => {
  it('a step still running is followed again; finished stages stay done; the release carries on', async () => {
    const b = box();
    const first = run(b, ['run', '--headless', 'release.yml']);
    await until('the slow step to begin', () => existsSync(join(b.fx, 'out', 'started')));
    const pid = first.child.pid!;
    // a second cockpit while the first is alive: refused, nothing taken over
    const second = await run(b, ['run', '--headless', 'release.yml']).done;
    expect(second.code).toBe(1);
    expect(second.err).toContain(`another cockpit (pid ${pid}`);
    await killNine(pid);
    const [sup] = supervisors(b);
    expect(alive(sup)).toBe(true); // the step goes on under its supervisor

    const third = run(b, ['run', '--headless', 'release.yml']);
    await until('the take-over', () => third.out().includes('↻ resumed this session'));
    // its output so far, from the step's log
    await until('the step output', () => third.out().includes('slow begins'));
    go(b, 'slow');
    const r = await third.done;
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(`↻ resumed this session: its cockpit (pid ${pid}) is gone; following deploy/slow where it is`);
    expect(r.out).toContain('slow done');
    expect(order(b)).toEqual(['first', 'after-slow', 'last']); // first ran once
    const es = journal(b);
    expect(ofType(es, 'session.started')).toHaveLength(1);
    expect(ofType(es, 'session.resumed')).toMatchObject([{ previousPid: pid, mode: 'headless', running: [{ stage: 'deploy', step: 'slow' }] }]);
    expect(ofType(es, 'step.finished').filter((e) => e.step === 'slow')).toMatchObject([{ ok: true, exitCode: 0 }]);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'released' }]);
    // the journal's clock goes on: no event earlier than the one before it
    for (let i = 1; i < es.length; i++) expect(es[i].t).toBeGreaterThanOrEqual(es[i - 1].t);
  });

  it('a step that ended while no cockpit ran: its recorded result counts (exit 3 fails the stage)', async () => {
    const b = box();
    const first = run(b, ['run', '--headless', 'release.yml']);
    await until('the slow step to begin', () => existsSync(join(b.fx, 'out', 'started')));
    await killNine(first.child.pid!);
    go(b, 'slow', 3);
    const [sup] = supervisors(b);
    await until('the step to end under its supervisor', () => !alive(sup));
    const r = await run(b, ['run', '--headless', 'release.yml']).done;
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toContain('↻ resumed this session');
    const es = journal(b);
    expect(ofType(es, 'step.finished').filter((e) => e.step === 'slow')).toMatchObject([{ ok: false, exitCode: 3, reason: 'exit 3' }]);
    expect(ofType(es, 'stage.failed')).toMatchObject([{ stage: 'deploy', step: 'slow' }]);
    expect(order(b)).toEqual(['first']);
  });

  it('a journal torn by the kill (half a line) is cut back to its last whole event, then continued', async () => {
    const b = box();
    const first = run(b, ['run', '--headless', 'release.yml']);
    await until('the slow step to begin', () => existsSync(join(b.fx, 'out', 'started')));
    await killNine(first.child.pid!);
    const path = join(sessionDirs(b)[0], 'journal.jsonl');
    writeFileSync(path, '{"type":"step.output","stage":"dep', { flag: 'a' });
    go(b, 'slow');
    const r = await run(b, ['run', '--headless', 'release.yml']).done;
    expect(r.code, r.out + r.err).toBe(0);
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
    expect(order(b)).toEqual(['first', 'after-slow', 'last']);
  });

  it('a session left unfinished long ago is not resumed: it is closed as interrupted and a new one starts', async () => {
    const b = box();
    const old = join(b.state, 'sessions', '20260101-000000-old');
    mkdirSync(old, { recursive: true });
    const at = Date.now() - 13 * 3600_000;
    const started = { type: 'session.started', sessionId: '20260101-000000-old', runbook: 'resume-e2e', file: join(b.fx, 'release.yml'), version: '1.0.0', environment: 'production', mode: 'headless', at, t: 0 };
    writeFileSync(join(old, 'journal.jsonl'), `${JSON.stringify(started)}\n${JSON.stringify({ type: 'stage.started', stage: 'first', at, t: 5 })}\n`);
    go(b, 'slow');
    const r = await run(b, ['run', '--headless', 'release.yml']).done;
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).not.toContain('resumed');
    const oldEvents = readFileSync(join(old, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SessionEvent);
    expect(oldEvents.at(-1)).toMatchObject({ type: 'session.ended', outcome: 'interrupted' });
    expect(sessionDirs(b)).toHaveLength(2);
  });

  it("re-arms the triggers: a window PENDING before the kill fires at its end, by the journal's clock, and rolls back", async () => {
    const b = box();
    const first = run(b, ['run', '--headless', 'guarded.yml']);
    await until('the monitor window', () => readFileSync(join(sessionDirs(b)[0], 'journal.jsonl'), 'utf8').includes('"guard.armed"'));
    mkdirSync(join(b.fx, 'out'), { recursive: true });
    writeFileSync(join(b.fx, 'out', 'errors'), '9');
    const pending = await until('the trigger pending', () => ofType(journal(b), 'trigger.pending')[0]);
    await killNine(first.child.pid!);
    const r = await run(b, ['run', '--headless', 'guarded.yml']).done;
    expect(r.code, r.out + r.err).toBe(3);
    const es = journal(b);
    const fired = ofType(es, 'trigger.fired');
    // the same window: pending since the sample before the kill, fired once `for` had passed since it
    expect(fired).toHaveLength(1);
    expect(fired[0].since).toBe(pending.since);
    expect(fired[0].t - pending.since).toBeGreaterThanOrEqual(4000);
    expect(ofType(es, 'trigger.pending')).toHaveLength(1);
    expect(order(b)).toEqual(['deployed', 'rollback']);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'rolled-back' }]);
  });

  it("carries the incident's escalation on from the journal's timestamps: level 2 at incident + 3 s, level 1 not again", async () => {
    const b = box();
    const first = run(b, ['run', '--headless', '--on-failure', 'rollback', 'incident.yml']);
    await until('level 1 and the rollback step', () => order(b).includes('level1') && existsSync(join(b.fx, 'out', 'started')));
    await killNine(first.child.pid!);
    const second = run(b, ['run', '--headless', '--on-failure', 'rollback', 'incident.yml']);
    await until('level 2', () => order(b).includes('level2'));
    go(b, 'rb');
    const r = await second.done;
    expect(r.code, r.out + r.err).toBe(3);
    const es = journal(b);
    const started = ofType(es, 'rollback.started')[0];
    const levels = ofType(es, 'escalation.started');
    expect(levels.map((e) => e.level)).toEqual([1, 2]);
    expect(levels[1].t - started.incidentAt!).toBeGreaterThanOrEqual(3000);
    expect(order(b)).toEqual(['deploy', 'level1', 'level2']);
    expect(ofType(es, 'rollback.finished')).toMatchObject([{ ok: true }]);
  });
});

describe.skipIf(!hasTmux())('resume on the screen', () => {
  it('the screen killed mid-step: the next screen says so, shows the step output, and the release goes on', async () => {
    const b = box();
    const start = () => {
      const p = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} release.yml`, { cols: 100, rows: 30, cwd: b.fx, env: { COCKPIT_STATE_DIR: b.state }, name: 'cockpit-resume' });
      panes.push(p);
      return p;
    };
    // each Enter waits for the state in which Enter runs the next stage: that stage's predecessor
    // passed (in the journal, then ✓ on the screen) and the hint bar offering ⏎, which it does only
    // when nothing runs; an Enter pressed while a stage still ran would be refused
    const readyFor = (p: TmuxSession, passed?: string) => p.waitFor((s) => s.includes('⏎ run/continue') && (passed === undefined || s.includes(`✓ ${passed}`)));
    const one = start();
    await readyFor(one);
    one.keys('Enter');
    await until('the first stage', () => order(b).includes('first'));
    // Enter runs the next stage only once the first has passed and nothing runs: wait for that
    // state (the journal's stage.passed, then one frame with the first stage ✓ in the stage strip
    // and the hint bar offering ⏎ again, which it does only when nothing runs), not for the stage
    // name "deploy", on the screen from the first frame: an Enter pressed while the first stage
    // still ran was refused, and the slow step never began (the race of issue 21)
    await until('the first stage to pass', () => ofType(journal(b), 'stage.passed').some((e) => e.stage === 'first'));
    await readyFor(one, 'first');
    one.keys('Enter');
    await until('the slow step to begin', () => existsSync(join(b.fx, 'out', 'started')));
    await killNine(lockPid(b));
    await one.waitFor('[exit 137]', { history: 100 });

    const two = start();
    await two.waitFor('↻ resumed this session');
    await two.waitFor('slow begins');
    go(b, 'slow');
    await until('after-slow', () => order(b).includes('after-slow'));
    await two.waitFor(/✓ slow/);
    // ✓ slow is on the screen while after-slow may still run: Enter once the stage has passed
    await until('the deploy stage to pass', () => ofType(journal(b), 'stage.passed').some((e) => e.stage === 'deploy'));
    await readyFor(two, 'deploy');
    two.keys('Enter');
    await until('the last stage', () => order(b).includes('last'));
    await two.waitFor('RELEASED');
    two.keys('q');
    expect(await two.waitForExit()).toBe(0);
    expect(order(b)).toEqual(['first', 'after-slow', 'last']);
    expect(ofType(journal(b), 'session.resumed')).toMatchObject([{ mode: 'tui', running: [{ stage: 'deploy', step: 'slow' }] }]);
  });
});
