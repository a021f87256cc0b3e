/**
 * Signals during a rollback, end to end with the built binary: the first Ctrl+C (SIGINT) does not
 * stop a rollback (it goes on: verify and the incident run); a second within 2 s abandons it, and
 * the incident step still runs with the reason "rollback abandoned by the operator: …"; SIGHUP (a
 * closed terminal) is journalled and the rollback goes on. Both for a headless run that is rolling
 * back (exit 3) and for cockpit rollback (exit 0).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, box as sandbox, go, journal, ofType, order, ROOT, run, sessionDirs, until, type Box, type Run } from '../helpers/session-box.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'signals');
const box = () => sandbox(FIXTURES);
const GOES_ON = 'cockpit: the rollback goes on (it is what stops the bleeding); Ctrl+C again within 2 s to abandon it, and the incident is opened anyway';

/** Waits until the slow rollback step runs; returns its supervisor's pid. */
async function rollbackStepRunning(b: Box): Promise<number> {
  await until('the slow rollback step', () => existsSync(join(b.fx, 'out', 'started')));
  return until('its supervisor', () => {
    const st = JSON.parse(readFileSync(join(sessionDirs(b)[0], 'rollback.rb-slow.status.json'), 'utf8')) as { state: string; supervisorPid: number };
    return st.state === 'running' ? st.supervisorPid : undefined;
  });
}

const signals = (b: Box) => ofType(journal(b), 'signal.received').map((e) => `${e.signal} ${e.action}`);
const incidentReason = (b: Box) => readFileSync(join(b.fx, 'out', 'incident'), 'utf8').trim();
const stderrOf = (r: Run) => r.child.stderr!;

function collectErr(r: Run): () => string {
  let err = '';
  stderrOf(r).on('data', (d: Buffer | string) => (err += String(d)));
  return () => err;
}

/**
 * Starts `args` in a fresh box, waits for the slow rollback step and sends one SIGINT; resolves
 * once the cockpit said the rollback goes on, with its supervisor's pid and the stderr so far.
 */
async function sigintWhileRollingBack(args: string[]): Promise<{ b: Box; r: Run; err: () => string; sup: number }> {
  const b = box();
  const r = run(b, args);
  const err = collectErr(r);
  const sup = await rollbackStepRunning(b);
  r.child.kill('SIGINT');
  await until('the notice', () => err().includes(GOES_ON));
  return { b, r, err, sup };
}

describe('a signal during a rollback', () => {
  it('one SIGINT while a headless run rolls back: the rollback goes on, verify and the incident run, exit 3', async () => {
    const { b, r } = await sigintWhileRollingBack(['run', '--headless', '--on-failure', 'rollback', 'release.yml']);
    go(b, 'rb');
    const done = await r.done;
    expect(done.code, done.out + done.err).toBe(3);
    expect(done.err.trim()).toBe(GOES_ON);
    expect(order(b)).toEqual(['rb-after', 'rb-verify', 'incident']);
    expect(incidentReason(b)).toBe('stage "deploy" failed at broken: exit 7');
    expect(signals(b)).toEqual(['SIGINT rollback-goes-on']);
    const es = journal(b);
    expect(ofType(es, 'rollback.verified')).toHaveLength(1);
    expect(ofType(es, 'rollback.finished')).toMatchObject([{ ok: true }]);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'rolled-back' }]);
    expect(done.out).toContain('⚠ SIGINT: the rollback goes on');
  });

  it('one SIGINT during cockpit rollback: it finishes, exit 0', async () => {
    const { b, r } = await sigintWhileRollingBack(['rollback', 'release.yml', '--reason', 'db on fire']);
    go(b, 'rb');
    const done = await r.done;
    expect(done.code, done.out + done.err).toBe(0);
    expect(order(b)).toEqual(['rb-after', 'rb-verify', 'incident']);
    expect(incidentReason(b)).toBe('db on fire');
    expect(signals(b)).toEqual(['SIGINT rollback-goes-on']);
    expect(ofType(journal(b), 'session.ended')).toMatchObject([{ outcome: 'rolled-back' }]);
  });

  it('SIGINT twice within 2 s during cockpit rollback: the step is interrupted, nothing after it runs, the incident opens with "rollback abandoned by the operator"', async () => {
    const { b, r, sup } = await sigintWhileRollingBack(['rollback', 'release.yml', '--reason', 'db on fire']);
    r.child.kill('SIGINT');
    const done = await r.done;
    expect(done.code, done.out + done.err).toBe(130);
    expect(done.err).toContain('cockpit: abandoning the rollback: its running step is interrupted; the incident is opened anyway');
    expect(incidentReason(b)).toBe('rollback abandoned by the operator: db on fire');
    expect(order(b)).toEqual(['incident']);
    expect(signals(b)).toEqual(['SIGINT rollback-goes-on', 'SIGINT abandon-rollback']);
    const es = journal(b);
    expect(ofType(es, 'step.finished').find((e) => e.step === 'rb-slow')).toMatchObject({ ok: false, interrupted: true });
    expect(ofType(es, 'step.finished').map((e) => e.step)).not.toContain('rb-after');
    expect(ofType(es, 'rollback.finished')).toMatchObject([{ ok: false, step: 'rb-slow', reason: 'abandoned by the operator' }]);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'interrupted' }]);
    await until('the step supervisor gone', () => !alive(sup));
  });

  it('SIGINT twice while a headless run rolls back: abandoned the same way, exit 130', async () => {
    const { b, r, sup } = await sigintWhileRollingBack(['run', '--headless', '--on-failure', 'rollback', 'release.yml']);
    r.child.kill('SIGINT');
    const done = await r.done;
    expect(done.code, done.out + done.err).toBe(130);
    expect(incidentReason(b)).toBe('rollback abandoned by the operator: stage "deploy" failed at broken: exit 7');
    expect(order(b)).toEqual(['incident']);
    expect(ofType(journal(b), 'session.ended')).toMatchObject([{ outcome: 'interrupted' }]);
    await until('the step supervisor gone', () => !alive(sup));
  });

  it('SIGHUP (the terminal closed) while a headless run rolls back: journalled, and the rollback goes on, however many', async () => {
    const b = box();
    const r = run(b, ['run', '--headless', '--on-failure', 'rollback', 'release.yml']);
    await rollbackStepRunning(b);
    r.child.kill('SIGHUP');
    await until('the first journalled', () => signals(b).length === 1);
    r.child.kill('SIGHUP');
    await until('the second journalled', () => signals(b).length === 2);
    go(b, 'rb');
    const done = await r.done;
    expect(done.code, done.out + done.err).toBe(3);
    expect(signals(b)).toEqual(['SIGHUP ignored', 'SIGHUP ignored']);
    expect(order(b)).toEqual(['rb-after', 'rb-verify', 'incident']);
    expect(done.out).toContain('⚠ SIGHUP (the terminal closed): the run goes on; cockpit watch follows it');
  });

  it('SIGHUP during cockpit rollback: journalled, it finishes, exit 0', async () => {
    const b = box();
    const r = run(b, ['rollback', 'release.yml', '--reason', 'db on fire']);
    await rollbackStepRunning(b);
    r.child.kill('SIGHUP');
    await until('journalled', () => signals(b).length === 1);
    go(b, 'rb');
    const done = await r.done;
    expect(done.code, done.out + done.err).toBe(0);
    expect(signals(b)).toEqual(['SIGHUP ignored']);
    expect(order(b)).toEqual(['rb-after', 'rb-verify', 'incident']);
  });
});
