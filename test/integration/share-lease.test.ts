/**
 * A team's shared session whose stream is cut: the follower cannot tell a network cut from a dead
 * driver by the stream, so it reads the driver's lease on the team's git remote (a real `git
 * daemon` on loopback). While the driver renews it, the follower says its cockpit lives; once the
 * driver is killed (its stream still cut, so no refusal comes back), the lease expires without
 * renewal and the follower says no driver is left. The driver is the built binary; the follower
 * (share/remote-follower.ts) runs here, behind a TCP proxy that cuts the network.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseShareUrl } from '../../src/share/protocol.js';
import { connectFollower } from '../../src/share/remote-follower.js';
import { processesUnder, until } from '../helpers/demo-run.js';
import { teamClones, teamRunbook } from '../helpers/git-server.js';
import { BIN } from '../helpers/session-box.js';
import { Proxy } from '../helpers/tcp-proxy.js';

const team = teamClones(['alice'], teamRunbook('while [ ! -e go ]; do sleep 0.1; done', { lease: '3s' }));
let alice: string;
beforeAll(() => void ({ alice } = team.clones));

describe('cockpit watch URL on a team session, the stream cut', () => {
  it('reads the lease: renewed, its cockpit lives; after kill -9 of the driver, expired without renewal: no driver', async () => {
    const driver = spawn(process.execPath, [BIN, 'run', '--headless', '--yes', '--share'], { cwd: alice, env: { ...process.env, COCKPIT_STATE_DIR: join(alice, '.state'), COCKPIT_SPARE_SUPERVISOR: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    driver.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    let proxy: Proxy | undefined;
    try {
      await until('the driver says its URL', () => /read-only at (http:\S+)/.test(err), 20_000, () => err);
      const direct = /read-only at (http:\S+)/.exec(err)![1];
      proxy = new Proxy(Number(new URL(direct).port));
      await proxy.open();
      const url = parseShareUrl(direct.replace(/:\d+\//, `:${proxy.port}/`));
      if (typeof url === 'string') throw new Error(url);
      const f = await connectFollower(url);
      if (typeof f === 'string') throw new Error(f);
      try {
        expect(f.hello.lease).toEqual({ url: team.server().url(), ref: 'refs/cockpit/locks/web/production', token: 1 });
        f.start();
        await until('the ship step runs', () => f.session.state.stages[0]?.steps[0]?.status === 'running', 15_000);
        proxy.cut();
        await until('the lease read', () => /its lease was renewed until \d\d:\d\d:\d\d: its cockpit lives$/.test(f.session.link ?? ''), 8000, () => f.session.link ?? '');
        expect(f.session.driverGone).toBeUndefined();
        const killedAt = Date.now();
        driver.kill('SIGKILL');
        await until('no driver', () => f.session.driverGone !== undefined, 15_000, () => f.session.link ?? '');
        expect(f.session.driverGone).toMatch(/^no driver: on its machine, cockpit run takes over · cockpit rollback \(\S+@\S+, pid \d+: its lease expired at \d\d:\d\d:\d\d without renewal\)$/);
        // the lease (3 s), the clock skew allowed (2 s) and a check (2 s) at most
        expect(Date.now() - killedAt).toBeLessThan(3000 + 2000 + 2000 + 1500);
      } finally {
        f.stop();
      }
    } finally {
      proxy?.close();
      driver.kill('SIGKILL');
      // its step runs on under its supervisor (a killed cockpit leaves it be): let it end before the clone goes
      writeFileSync(join(alice, 'go'), '');
      await until('nothing left running in the clone', () => processesUnder(alice).length === 0, 10_000, () => processesUnder(alice).join('\n'));
    }
  }, 60_000);
});
