/**
 * End to end: the BUILT binary (bin/cockpit.js → dist/) run as a real child process, headless,
 * where the process is the point: Ctrl+C (SIGINT) interrupts the step, ends its grandchildren and
 * exits 130; a step over its timeout leaves no process. Everything else the headless command line
 * does is tested in-process (test/integration/headless-*.test.ts). Build first: `node scripts/build.mjs`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { cleanUp, cockpitProcess, ending, expectBuilt, expectAllGone, expectEnd, expectExit, expectNoStackTrace, onlySession, processGone, readJournalStrict, readPids, sandbox, start, waitFor } from '../helpers/headless-box.js';

beforeAll(() => expectBuilt({ bin: true }));
afterEach(cleanUp);

describe('processes', () => {
  test('Ctrl+C interrupts the step, ends its grandchildren, exits 130', async () => {
    const s = sandbox();
    const run = start(['run', 'interrupt.yml'], { state: s.state, cwd: s.fx });
    const pidFile = s.out('pids');
    await waitFor('the step to record its pids', () => {
      if (run.exited()) throw new Error(`cockpit exited before the step started its sleepers:\n${run.stdout()}`);
      return existsSync(pidFile);
    });
    const pids = readPids(pidFile);
    expect(pids).toHaveLength(3);
    expect(pids.every((p) => !processGone(p))).toBe(true);

    run.child.kill('SIGINT');
    const r = await run.done;
    expectNoStackTrace(r);
    expectExit(r, 130);
    expect(r.text).toContain('■ Ctrl+C: interrupted wait/sleepers');
    expect(ending(r.text)[0]).toBe('■ INTERRUPTED');
    expect(r.err).toContain('cockpit: interrupting the running step (Ctrl+C again to leave at once)');
    const session = onlySession(s.state);
    type Status = { state: string; supervisorPid: number; interrupted: boolean };
    const statusNow = () => JSON.parse(readFileSync(join(session, 'wait.sleepers.status.json'), 'utf8')) as Status;
    // the supervisor outlives the cockpit (by design) and records the step's end a moment after
    // the cockpit has left (on a loaded machine, later): its final status is waited for
    await waitFor('the supervisor to record the step ended', () => statusNow().state === 'exited');
    const status = statusNow();
    expect(status.interrupted).toBe(true);
    await expectAllGone([...pids, status.supervisorPid]);
    expect(existsSync(s.out('later'))).toBe(false);
    expectEnd(readJournalStrict(join(session, 'journal.jsonl')), 'interrupted');
  });

  test('a step over its timeout fails with "timed out" and leaves no process', async () => {
    const s = sandbox();
    const r = await cockpitProcess(['run', 'timeout.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text.some((l) => l.startsWith('  ✗ forever FAILED: timed out'))).toBe(true);
    expect(r.text.some((l) => l.startsWith('✗ stage slow FAILED at forever: timed out'))).toBe(true);
    expect(r.text).toContain("  │ cockpit: timeout after 1s, sending SIGTERM to the step's process group");
    expect(existsSync(s.out('later'))).toBe(false);
    const session = onlySession(s.state);
    const status = JSON.parse(readFileSync(join(session, 'slow.forever.status.json'), 'utf8')) as { supervisorPid: number; timedOut: boolean };
    expect(status.timedOut).toBe(true);
    await expectAllGone([...readPids(s.out('forever-pids')), status.supervisorPid]);
  });
});
