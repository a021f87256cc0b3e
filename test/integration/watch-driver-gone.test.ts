/**
 * `cockpit watch` follows a release another cockpit drives (a real headless `cockpit run` of the
 * built binary); that cockpit is killed with SIGKILL (no chance to say anything) while its step
 * runs. The follower (session/follower.ts, what `cockpit watch` runs) sees within 2 s that no
 * cockpit drives the session any more and says what to do: `cockpit run` takes it over,
 * `cockpit rollback` rolls it back. While the driver lives it says nothing of the kind. The screen
 * this drives is asserted in test/ui/driver-gone.test.tsx.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import { liveSession } from '../../src/session/follow.js';
import { DRIVER_CHECK_MS, followSession } from '../../src/session/follower.js';
import { BIN, DRIVEN_RUNBOOK, tempRoots, until } from '../helpers/demo-run.js';

const tempRoot = tempRoots();

describe('cockpit watch when its driver is killed', () => {
  it('says within 2 s that no cockpit drives the release, and what to do; nothing of it while the driver lives', async () => {
    const root = tempRoot('cockpit-watch-gone-');
    const file = join(root, 'cockpit.yml');
    writeFileSync(file, DRIVEN_RUNBOOK);
    const state = join(root, 'state');
    const driver = spawn(process.execPath, [BIN, 'run', file, '--headless', '--yes'], { cwd: root, env: { ...process.env, COCKPIT_STATE_DIR: state }, stdio: 'ignore' });
    const exited = new Promise((r) => driver.on('exit', r));

    await until('the driver to run its step', () => liveSession(state)?.driverPid === driver.pid && liveSession(state)?.started !== undefined, 20_000);
    const info = liveSession(state)!;
    const parsed = parseRunbook(DRIVEN_RUNBOOK, file);
    if (!parsed.ok) throw new Error('the runbook does not parse');
    const follower = followSession(parsed.runbook, info);
    follower.start();
    try {
      await until('the step running on the follower', () => follower.session.state.stages[0]?.steps[0]?.status === 'running', 10_000);
      // the driver lives: several checks go by and none says it is gone
      const checksBy = Date.now() + 3 * DRIVER_CHECK_MS;
      await until('three checks', () => Date.now() > checksBy, 5000);
      expect(follower.session.driverGone).toBeUndefined();

      driver.kill('SIGKILL');
      await exited;
      const killedAt = Date.now();
      await until('the follower to say the driver is gone', () => follower.session.driverGone !== undefined, 5000);
      const took = Date.now() - killedAt;
      expect(took, `said after ${took} ms`).toBeLessThan(2000);
      expect(follower.session.driverGone).toBe(
        `no driver: cockpit run ${file} takes over · cockpit rollback ${file} (its cockpit, pid ${driver.pid}, is gone)`,
      );
      // what a key that would act answers now
      expect(follower.session.rollback('r', 'operator')).toEqual({ ok: false, reason: follower.session.driverGone });
    } finally {
      follower.stop();
    }
  }, 40_000);
});
