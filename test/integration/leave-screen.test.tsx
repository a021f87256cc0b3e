/**
 * Leaving the screen by its keys while the guardrails watch production, on the in-process screen
 * (helpers/ink-session.ts: the session opened on disk as `cockpit run` opens it, test/fixtures/leave's
 * scripts real processes, the error rate set through a file the metrics command reads). Moved from
 * tmux (test/e2e/leave.test.ts), every assertion kept; the keys' 300 ms guard is the test's key
 * clock, so no key can merge with the next or land early on a loaded machine (in tmux, the typed
 * word and its Enter were once read in one turn and the Enter was rightly ignored).
 * - u, the typed word: leaves unguarded, journalled, exit 130; nothing rolls back. This screen has
 *   no background guard to hand over to (the hand-overs are the e2e file's, real processes); u does
 *   not use one.
 * - Ctrl+C twice during a rollback: the rollback is abandoned and its incident step still runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { closeScreens, expectNothingLeft, fixtureSandbox, openScreen, type Sandbox, type ScreenRun } from '../helpers/ink-session.js';
import { alive, journal, ofType, order, supervisors, until, writeWhole } from '../helpers/session-box.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/leave', import.meta.url));

afterEach(closeScreens);

/** The error rate the fixture's metrics command reads next (out/errors). */
const errors = (sb: Sandbox, v: number) => writeWhole(join(sb.fx, 'out', 'errors'), String(v));

/** Production on the screen, its monitor armed. */
async function armed(runbook: string): Promise<{ sb: Sandbox; s: ScreenRun }> {
  const sb = fixtureSandbox(FIXTURE, 'cockpit-leave-');
  const s = openScreen(sb, { runbook, cols: 100, rows: 30 });
  await s.waitFor('Enter', 20_000);
  await s.press('Enter');
  await until('the monitor armed', () => ofType(journal(sb), 'guard.armed').some((e) => e.armed));
  return { sb, s };
}

async function nothingLeft(sb: Sandbox): Promise<void> {
  await until('no supervisor left', () => supervisors(sb).filter(alive).length === 0);
  await expectNothingLeft(sb);
}

describe('leaving the screen while the guardrails watch production', () => {
  it('u and the typed word: leaves unguarded, journalled; exit 130, nothing rolls back, no process is left', async () => {
    // unguarded.yml: release.yml with a 30s window, so the keys land while the trigger is PENDING
    const { sb, s } = await armed('unguarded.yml');
    errors(sb, 9);
    await until('the trigger PENDING', () => ofType(journal(sb), 'trigger.pending')[0]);
    await s.waitFor('PENDING');
    await s.press('q');
    await s.waitFor('Leave while guarded?');
    await s.press('u');
    await s.waitFor('Type unguarded and Enter');
    await s.press('unguarded');
    await s.waitFor('> unguarded▏');
    await s.press('Enter', 400);
    expect((await s.exit).code).toBe(130);
    const es = journal(sb);
    expect(ofType(es, 'guard.left-unguarded')).toMatchObject([{ by: 'operator', watching: 'trigger errors>5% 30s is PENDING' }]);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'interrupted' }]);
    expect(ofType(es, 'rollback.started')).toHaveLength(0);
    expect(ofType(es, 'guard.handed-over')).toHaveLength(0);
    await nothingLeft(sb);
  });
});

describe('Ctrl+C twice during a rollback on the screen', () => {
  it('abandons the rollback and still runs its incident step, then exits 130; no process is left', async () => {
    const { sb, s } = await armed('release.yml');
    await s.press('R');
    await s.waitFor('Roll back');
    await s.press('R', 400);
    await until('the slow rollback step', () => existsSync(join(sb.fx, 'out', 'started')));
    await s.press('C-c');
    await s.waitFor('the rollback goes on');
    await s.press('C-c');
    expect((await s.exit).code).toBe(130);
    expect(readFileSync(join(sb.fx, 'out', 'incident'), 'utf8').trim()).toBe('rollback abandoned by the operator: manual rollback by the operator (R)');
    expect(order(sb)).toEqual(['deployed', 'incident']);
    const es = journal(sb);
    expect(ofType(es, 'rollback.finished')).toMatchObject([{ ok: false, reason: 'abandoned by the operator' }]);
    expect(ofType(es, 'session.ended')).toMatchObject([{ outcome: 'interrupted' }]);
    await nothingLeft(sb);
  });
});
