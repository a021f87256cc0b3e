/**
 * Leaving the screen once the session has ended, with the built binary on a real terminal (tmux):
 * q after a rollback exits promptly with the session's work done (the journal whole, the lock
 * released, the spare supervisors ended, nothing left running); the terminal closed (SIGHUP) right
 * after a rollback releases the lock at once, so a cockpit started again in the same directory
 * drives. The times are printed and asserted only loosely (< 2 s): the figures are bench/exit.mjs's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, BIN, box as sandbox, journal, lockPid, ofType, panes, ROOT, run, supervisors, until, type Box } from '../helpers/session-box.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'exit');

/** The spare supervisors (`supervisor.js --standby`) that process `pid` started and still has. */
function sparesOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
        return ppid === pid && cmd.includes('--standby') ? [Number(d)] : [];
      } catch {
        return [];
      }
    });
}

/** The screen on `rollback.yml`, rolled back on its own; resolves once the session has ended on it. */
async function rolledBack(b: Box): Promise<{ p: TmuxSession; pid: number }> {
  const p = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} run rollback.yml --yes --on-failure rollback`, { cols: 100, rows: 30, cwd: b.fx, env: { COCKPIT_STATE_DIR: b.state }, name: 'cockpit-exit' });
  panes.push(p);
  await p.waitFor('Enter');
  p.keys('Enter');
  await until('the session to end', () => ofType(journal(b), 'session.ended')[0], 20_000);
  await p.waitFor('ROLLED BACK');
  return { p, pid: lockPid(b) };
}

const lockGone = (b: Box) => !readdirSync(b.state).includes('lock');

describe.skipIf(!hasTmux())('leaving once the session has ended', () => {
  it('q after a rollback: the cockpit exits promptly; the journal is whole, the lock released, the spares ended, nothing left', async () => {
    const b = sandbox(FIXTURES);
    const { p, pid } = await rolledBack(b);
    // the spare supervisors this cockpit keeps booted (unless they are still to come): they must end with it
    const spares = await until('a spare supervisor', () => (sparesOf(pid).length > 0 ? sparesOf(pid) : undefined), 10_000);
    p.keys('q');
    const t0 = performance.now();
    await until('the cockpit to exit', () => !alive(pid), 10_000);
    const ms = performance.now() - t0;
    console.log(`exit.test: q → exit after a rollback: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(2000);
    expect(await p.waitForExit()).toBe(3);
    expect(lockGone(b)).toBe(true);
    const es = journal(b);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'rolled-back' }]);
    expect(readFileSync(join(b.fx, 'out', 'incident'), 'utf8')).toContain('broken');
    await until('the spare supervisors to end', () => spares.every((x) => !alive(x)), 2000);
    expect(supervisors(b).filter(alive)).toEqual([]);
  });

  it('the terminal closed (SIGHUP) right after a rollback: the lock is released at once, and a cockpit started again here drives', async () => {
    const b = sandbox(FIXTURES);
    const { p, pid } = await rolledBack(b);
    p.kill();
    const t0 = performance.now();
    // what a cockpit started again needs: the lock released (or its holder gone), at once
    await until('the lock released', () => lockGone(b) || !alive(pid), 2000);
    const lockMs = performance.now() - t0;
    // and the process ends too (a notice's timer held it ~5 s): loosely, the machine may be loaded
    await until('the old cockpit to be gone', () => !alive(pid), 3000);
    console.log(`exit.test: SIGHUP after a rollback: lock released ${lockMs.toFixed(0)} ms, process gone ${(performance.now() - t0).toFixed(0)} ms`);
    const again = await run(b, ['run', '--headless', 'release.yml']).done;
    expect(again.err).not.toContain('another cockpit');
    expect(again.code, again.err).toBe(0);
    const ended = readdirSync(join(b.state, 'sessions')).map((id) => readFileSync(join(b.state, 'sessions', id, 'journal.jsonl'), 'utf8'));
    expect(ended.filter((j) => j.includes('"outcome":"rolled-back"'))).toHaveLength(1);
    expect(ended.filter((j) => j.includes('"outcome":"released"'))).toHaveLength(1);
  });
});
