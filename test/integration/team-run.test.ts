/**
 * `cockpit run` with `team:` against a real git server on loopback (`git daemon` with receive-pack):
 * operators on two machines (two clones, each its own state directory). While one releases, the
 * other is refused with the holder named and their message (exit 1), and nothing runs; once it has
 * ended, the other releases with a greater token, which its steps see as COCKPIT_LOCK_TOKEN and
 * session.started records. A hold refuses every run with its reason (exit 4) until unheld. An
 * unreachable remote refuses, unless --local-lock (journalled). The driving cockpit is the built
 * binary in a process of its own; the others run in-process (test/helpers/cli.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cockpitInProcess } from '../helpers/cli.js';
import { until } from '../helpers/demo-run.js';
import { gitSync, teamClones, teamRunbook } from '../helpers/git-server.js';
import { BIN } from '../helpers/session-box.js';

const TOKEN_STEP = 'echo "token=$COCKPIT_LOCK_TOKEN" > token.txt; while [ ! -e go ]; do sleep 0.05; done';
const RUNBOOK = (remote = 'origin') => teamRunbook(TOKEN_STEP, { remote });

const team = teamClones(['alice', 'bob', 'carol'], RUNBOOK());
let alice: string;
let bob: string;
let carol: string;
beforeAll(() => void ({ alice, bob, carol } = team.clones));

const state = (clone: string) => join(clone, '.state');
const env = (clone: string) => ({ COCKPIT_STATE_DIR: state(clone), COCKPIT_SPARE_SUPERVISOR: '0' });
/** A headless run in-process in `clone`, its step let through at once. */
async function runHere(clone: string, ...args: string[]) {
  writeFileSync(join(clone, 'go'), '');
  return cockpitInProcess(['run', '--headless', '--yes', ...args], { cwd: clone, env: env(clone) });
}
function started(clone: string): Record<string, unknown>[] {
  const dir = join(state(clone), 'sessions');
  return readdirSync(dir)
    .sort()
    .map((id) => JSON.parse(readFileSync(join(dir, id, 'journal.jsonl'), 'utf8').split('\n')[0]) as Record<string, unknown>);
}

describe('cockpit run with a team lease on the git remote', () => {
  it('while alice releases, bob is refused naming her and her message; afterwards bob releases with the next token', async () => {
    const driver = spawn(process.execPath, [BIN, 'run', '--headless', '--yes', '--message', 'shipping 2.4.0'], { cwd: alice, env: { ...process.env, ...env(alice) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    driver.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((r) => driver.on('close', (code) => r(code)));
    try {
      // (the shell creates the file, then writes it: the line whole, not the file there)
      await until('alice holds the lease and her step runs', () => existsSync(join(alice, 'token.txt')) && readFileSync(join(alice, 'token.txt'), 'utf8').endsWith('\n'), 20_000);
      expect(readFileSync(join(alice, 'token.txt'), 'utf8')).toBe('token=1\n');
      const refused = await cockpitInProcess(['run', '--headless', '--yes'], { cwd: bob, env: env(bob) });
      expect(refused.code).toBe(1);
      expect(refused.err[0]).toMatch(new RegExp(`^cockpit: production \\(web\\) is held by \\S+@\\S+ \\(pid ${driver.pid}\\) since .+ UTC \\(session .+\\): "shipping 2\\.4\\.0"; the lease runs \\d+ s more unless renewed$`));
      expect(existsSync(state(bob))).toBe(false); // nothing ran: no session, no lock
      expect(existsSync(join(bob, 'token.txt'))).toBe(false);
    } finally {
      writeFileSync(join(alice, 'go'), '');
    }
    expect(await exited, err).toBe(0);
    const ran = await runHere(bob);
    expect(ran.code, ran.stderr).toBe(0);
    expect(readFileSync(join(bob, 'token.txt'), 'utf8')).toBe('token=2\n');
    expect(started(bob).at(-1)).toMatchObject({ type: 'session.started', teamLease: { remote: 'origin', ref: 'refs/cockpit/locks/web/production', token: 2 } });
    expect(started(alice).at(-1)).toMatchObject({ teamLease: { token: 1 } });
    expect(process.env.COCKPIT_LOCK_TOKEN).toBeUndefined();
  }, 60_000);

  it('a hold refuses every run with its reason (exit 4) until it is lifted', async () => {
    const held = await cockpitInProcess(['hold', 'production', '--reason', 'code freeze until Monday'], { cwd: carol, env: env(carol) });
    expect(held).toMatchObject({ code: 0, err: [] });
    expect(held.out[0]).toBe('production (web) is on hold: every run there exits 4 with "code freeze until Monday" until cockpit unhold production');
    const refused = await runHere(bob);
    expect(refused.code).toBe(4);
    expect(refused.err[0]).toMatch(/^cockpit: production \(web\) is on hold since .+ UTC by \S+ \(pid \d+\): code freeze until Monday \(cockpit unhold lifts it\)$/);
    expect((await cockpitInProcess(['unhold', 'production'], { cwd: carol, env: env(carol) })).code).toBe(0);
    expect((await runHere(bob)).code).toBe(0);
    const noReason = await cockpitInProcess(['hold', 'production'], { cwd: carol, env: env(carol) });
    expect(noReason.code).toBe(2);
    expect(noReason.err[0]).toMatch(/needs its reason/);
  }, 60_000);

  it('an unreachable remote refuses, naming the fix; --local-lock releases with this machine\'s lock only, journalled', async () => {
    gitSync(carol, 'remote', 'add', 'down', 'git://127.0.0.1:9/team.git');
    writeFileSync(join(carol, 'down.yml'), RUNBOOK('down'));
    const refused = await runHere(carol, 'down.yml');
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(/^cockpit: the team's lease could not be taken \(down: .+\)$/);
    expect(refused.err[1]).toContain('cockpit run --local-lock');
    const local = await runHere(carol, 'down.yml', '--local-lock');
    expect(local.code, local.stderr).toBe(0);
    expect(started(carol).at(-1)).toMatchObject({ teamLease: { remote: 'down', localOnly: expect.stringMatching(/^down: /) } });
  }, 60_000);
});
