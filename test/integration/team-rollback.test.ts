/**
 * `cockpit rollback` on a team's environment (team: in the runbook), against a real git server on
 * loopback (`git daemon` with receive-pack): two operators, two clones. While alice's cockpit
 * releases (it holds the lease), bob's `cockpit rollback` is refused with alice named and her
 * message, and nothing rolls back from his machine: a second rollback would race the one her cockpit
 * drives. Once her release has ended, bob's rollback takes the lease (the next token, seen by the
 * rollback's steps), rolls back and gives the lease up. A hold does not stop a rollback, nor does an
 * unreachable remote (said, and journalled as this machine's lock only). The driving cockpit is the
 * built binary in a process of its own; bob's commands run in-process (test/helpers/cli.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cockpitInProcess } from '../helpers/cli.js';
import { until } from '../helpers/demo-run.js';
import { gitSync, teamClones, teamRunbook } from '../helpers/git-server.js';
import { BIN } from '../helpers/session-box.js';

const RUNBOOK = (remote = 'origin') =>
  teamRunbook('echo "token=$COCKPIT_LOCK_TOKEN" > token.txt; while [ ! -e go ]; do sleep 0.05; done', {
    remote,
    extra: ['rollback:', '  steps:', '    - id: restore', `      run: [sh, -c, 'echo "rolled back with token=$COCKPIT_LOCK_TOKEN" >> rolled.txt']`],
  });

const team = teamClones(['alice', 'bob'], RUNBOOK());
let alice: string;
let bob: string;
beforeAll(() => void ({ alice, bob } = team.clones));

const state = (clone: string) => join(clone, '.state');
const env = (clone: string) => ({ COCKPIT_STATE_DIR: state(clone), COCKPIT_SPARE_SUPERVISOR: '0' });
const rollback = (clone: string, ...args: string[]) => cockpitInProcess(['rollback', '--reason', 'errors after 2.4.0', ...args], { cwd: clone, env: env(clone) });
function lastStarted(clone: string): Record<string, unknown> {
  const dir = join(state(clone), 'sessions');
  const id = readdirSync(dir).sort().at(-1)!;
  return JSON.parse(readFileSync(join(dir, id, 'journal.jsonl'), 'utf8').split('\n')[0]) as Record<string, unknown>;
}

describe('cockpit rollback on a team environment', () => {
  it("while alice's cockpit releases, bob's rollback is refused naming her and her message, and nothing rolls back; afterwards it takes the lease, rolls back and gives it up", async () => {
    const driver = spawn(process.execPath, [BIN, 'run', '--headless', '--yes', '--message', 'shipping 2.4.0'], { cwd: alice, env: { ...process.env, ...env(alice) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    driver.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((r) => driver.on('close', (code) => r(code)));
    try {
      // (the shell creates the file, then writes it: the line whole, not the file there)
      await until('alice holds the lease and her step runs', () => existsSync(join(alice, 'token.txt')) && readFileSync(join(alice, 'token.txt'), 'utf8').endsWith('\n'), 20_000);
      const refused = await rollback(bob);
      expect(refused.code).toBe(1);
      expect(refused.err[0]).toMatch(new RegExp(`^cockpit: production \\(web\\) is held by \\S+@\\S+ \\(pid ${driver.pid}\\) since .+ UTC \\(session .+\\): "shipping 2\\.4\\.0"; the lease runs \\d+ s more unless renewed$`));
      expect(refused.err[1]).toMatch(
        new RegExp(`^cockpit: nothing rolled back from here: the cockpit of \\S+@\\S+ \\(pid ${driver.pid}\\) drives this release, and a second rollback would race it\\. Ask them to roll back \\(R there\\); if that cockpit is gone, cockpit rollback here takes the lease over once it expires$`),
      );
      expect(refused.err).toHaveLength(2);
      expect(existsSync(join(bob, 'rolled.txt'))).toBe(false);
      expect(existsSync(state(bob))).toBe(false); // no session, no lock
    } finally {
      writeFileSync(join(alice, 'go'), '');
    }
    expect(await exited, err).toBe(0);
    const rolled = await rollback(bob);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(readFileSync(join(bob, 'rolled.txt'), 'utf8')).toBe('rolled back with token=2\n');
    expect(lastStarted(bob)).toMatchObject({ type: 'session.started', teamLease: { remote: 'origin', ref: 'refs/cockpit/locks/web/production', token: 2 } });
    // the lease was given up: alice releases again, with the next token
    rmSync(join(alice, 'token.txt'));
    const again = await cockpitInProcess(['run', '--headless', '--yes'], { cwd: alice, env: env(alice) });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(alice, 'token.txt'), 'utf8')).toBe('token=3\n');
  }, 60_000);

  it('a hold stops every run but not a rollback: service is restored during a freeze', async () => {
    expect((await cockpitInProcess(['hold', 'production', '--reason', 'code freeze'], { cwd: alice, env: env(alice) })).code).toBe(0);
    try {
      rmSync(join(bob, 'rolled.txt'), { force: true });
      const rolled = await rollback(bob);
      expect(rolled.code, rolled.stderr).toBe(0);
      expect(rolled.err[0]).toBe('cockpit: production is on hold (code freeze): the rollback goes ahead (a hold stops releases, not the restoring of service)');
      expect(readFileSync(join(bob, 'rolled.txt'), 'utf8')).toMatch(/^rolled back with token=\d+\n$/);
      writeFileSync(join(bob, 'go'), '');
      expect((await cockpitInProcess(['run', '--headless', '--yes'], { cwd: bob, env: env(bob) })).code).toBe(4);
    } finally {
      await cockpitInProcess(['unhold', 'production'], { cwd: alice, env: env(alice) });
    }
  }, 60_000);

  it('an unreachable remote does not stop a rollback: said, and journalled as this machine\'s lock only', async () => {
    gitSync(bob, 'remote', 'add', 'down', 'git://127.0.0.1:9/team.git');
    writeFileSync(join(bob, 'down.yml'), RUNBOOK('down'));
    rmSync(join(bob, 'rolled.txt'), { force: true });
    const rolled = await rollback(bob, 'down.yml');
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.err[0]).toMatch(/^cockpit: the team's remote is unreachable \(down: .+\): rolling back with this machine's lock only \(a rollback does not wait for the remote; journalled\)$/);
    expect(readFileSync(join(bob, 'rolled.txt'), 'utf8')).toBe('rolled back with token=\n');
    expect(lastStarted(bob)).toMatchObject({ teamLease: { remote: 'down', localOnly: expect.stringMatching(/^down: /) } });
  }, 60_000);
});
