/**
 * A risk register run as a command gets the entry as data, never as shell code, in-process
 * through main(argv, io) with real register commands: a hostile reason `$(touch /tmp/pwned-…)`, as
 * a shell string and as argv, arrives literally and never runs; a register command that cannot run
 * fails loudly and the rollback still counts (and is in the history, as a rollback).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cockpitInProcess } from '../helpers/cli.js';
import { journalEvents, killProcessesUnder } from '../helpers/demo-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const roots: string[] = [];

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'supervisor.js'))) throw new Error('dist/supervisor.js is missing: build first (node scripts/build.mjs)');
});

afterAll(() => {
  for (const root of roots.splice(0)) {
    killProcessesUnder(root);
    rmSync(root, { recursive: true, force: true });
  }
});

type Out = { code: number | null; stdout: string; stderr: string; lines: string[] };

/** cockpit `args` in-process in `cwd` with its state dir, with its stdout's lines. */
async function cockpit(args: string[], o: { cwd: string; state: string }): Promise<Out> {
  const r = await cockpitInProcess(args, { cwd: o.cwd, env: { COCKPIT_STATE_DIR: o.state } });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.replace(/\n$/, '').split('\n') };
}

describe('a risk register run as a command gets the entry as data, never as shell code', () => {
  function workspace(): { dir: string; state: string } {
    const root = mkdtempSync(join(tmpdir(), 'cockpit-history-register-'));
    roots.push(root);
    const dir = join(root, 'ws');
    cpSync(join(ROOT, 'test', 'fixtures', 'history'), dir, { recursive: true });
    return { dir, state: join(root, 'state') };
  }

  it('as a shell string and as argv: the hostile reason arrives literally and runs nothing', async () => {
    const pwned = join(tmpdir(), `pwned-${randomBytes(6).toString('hex')}`);
    const reason = `$(touch ${pwned})`;
    const { dir, state } = workspace();

    const shell = await cockpit(['rollback', 'hostile-shell.yml', '--reason', reason], { cwd: dir, state });
    expect(shell.code, shell.stderr + shell.stdout).toBe(0);
    expect(shell.stdout).toMatch(/^\d\d:\d\d:\d\d ⚑ risk register: entry for session \S+ handed to echo "risk \{trigger\} \| \{outcome\} \| \{reason\}" >> register-shell\.log && .+$/m);
    expect(readFileSync(join(dir, 'register-shell.log'), 'utf8')).toMatch(new RegExp(`^risk cockpit rollback \\| rolled-back \\| \\$\\(touch ${pwned.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)\nrestored in \\d+ ms\n$`));

    const argv = await cockpit(['rollback', 'hostile-argv.yml', '--reason', reason], { cwd: dir, state });
    expect(argv.code, argv.stderr + argv.stdout).toBe(0);
    const session = (/^\d\d:\d\d:\d\d cockpit · history-hostile-argv 1\.0\.0 → production · session (\S+)$/m.exec(argv.stdout) ?? [])[1];
    expect(readFileSync(join(dir, 'register-argv.log'), 'utf8').split('\n')).toEqual([
      `arg: ${reason}`,
      'arg: cockpit rollback',
      'arg: rolled-back',
      `env reason: ${reason}`,
      'env outcome: rolled-back',
      `env session: ${session}`,
      `env journal: ${join(state, 'sessions', session, 'journal.jsonl')}`,
      '',
    ]);
    expect(existsSync(pwned), `${pwned} exists: the reason ran as a command`).toBe(false);
  });

  it('a register command that cannot run: RISK REGISTER FAILED, journalled, and the rollback still exits 0', async () => {
    const { dir, state } = workspace();
    const r = await cockpit(['rollback', 'broken-register.yml', '--reason', 'db on fire'], { cwd: dir, state });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d ⟲ ROLLED BACK \(.+\)$/m);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d ✗ RISK REGISTER FAILED \(\.\/scripts\/no-such-register\.sh \{reason\}\): \.\/scripts\/no-such-register\.sh: not found: record the rollback by hand \(the rollback itself is done\)$/m);
    const journal = /^journal: (.+)$/m.exec(r.stdout)![1];
    const events = journalEvents(journal);
    expect(events.find((e) => e.type === 'risk.registered')).toMatchObject({ ok: false, via: 'run', error: './scripts/no-such-register.sh: not found' });
    // a rollback-only session is in the history, as a rollback
    const h = await cockpit(['history', 'broken-register.yml', '--json'], { cwd: dir, state });
    const doc = JSON.parse(h.stdout) as { releases: { kind: string; issues: string[] }[]; dora: { deployments: number } };
    expect(doc.releases).toMatchObject([{ kind: 'rollback', issues: ['rolled back (command): db on fire', "risk register failed (./scripts/no-such-register.sh {reason}): ./scripts/no-such-register.sh: not found"] }]);
    expect(doc.dora.deployments).toBe(0);
  });
});
