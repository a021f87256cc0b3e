/**
 * A team lease whose holder on this machine is gone (kill -9, a closed terminal): the next `cockpit
 * run` here is refused as before (the lease holds until it expires: another machine's pid cannot be
 * checked, and a pid here could be reused), and it also says that cockpit no longer runs and when
 * its lease can be taken over. Against a real git daemon on loopback; the holder is the built binary.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cockpitInProcess } from '../helpers/cli.js';
import { processesUnder, until } from '../helpers/demo-run.js';
import { teamClones, teamRunbook } from '../helpers/git-server.js';
import { BIN } from '../helpers/session-box.js';

const team = teamClones(['alice'], teamRunbook('echo "token=$COCKPIT_LOCK_TOKEN" > token.txt; while [ ! -e go ]; do sleep 0.1; done'));
let alice: string;
beforeAll(() => void ({ alice } = team.clones));

describe('a team lease whose holder on this machine is gone', () => {
  it('the next run here is refused, saying that cockpit no longer runs and when its lease can be taken over', async () => {
    const env = { COCKPIT_STATE_DIR: join(alice, '.state'), COCKPIT_SPARE_SUPERVISOR: '0' };
    const driver = spawn(process.execPath, [BIN, 'run', '--headless', '--yes'], { cwd: alice, env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise((r) => driver.on('close', r));
    try {
      await until('the holder runs its step', () => existsSync(join(alice, 'token.txt')) && readFileSync(join(alice, 'token.txt'), 'utf8').endsWith('\n'), 20_000);
      driver.kill('SIGKILL');
      await exited;
      const r = await cockpitInProcess(['run', '--headless', '--yes'], { cwd: alice, env });
      expect(r.code).toBe(1);
      expect(r.err[0]).toMatch(new RegExp(`^cockpit: production \\(web\\) is held by \\S+@\\S+ \\(pid ${driver.pid}\\) since .+; the lease runs \\d+ s more unless renewed$`));
      expect(r.err[1]).toMatch(new RegExp(`^cockpit: that cockpit \\(pid ${driver.pid}, on this machine\\) is no longer running: its lease can be taken over once it expires, at \\d\\d:\\d\\d:\\d\\d$`));
    } finally {
      // its step runs on under its supervisor: let it end before the clone goes
      writeFileSync(join(alice, 'go'), '');
      await until('nothing left running in the clone', () => processesUnder(alice).length === 0, 10_000);
    }
  }, 60_000);
});
