/**
 * A flag's deploy ("Deploy code with feature disabled", flags.deploy): `cockpit flag <name>
 * --deploy` with the built binary, against real scripts (`d` on the screen's Flags pane is
 * asserted in the ui tier: test/ui/flag-deploy-key.test.ts). The flag's name is hostile
 * (`new$(touch PWNED)`): it must reach the script as one argv element and run nothing.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'cockpit.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'flag-deploy');
const FLAG = 'new$(touch PWNED)';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workspace(): { dir: string; state: string } {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-flag-deploy-'));
  dirs.push(root);
  const dir = join(root, 'fx');
  cpSync(FIXTURE, dir, { recursive: true });
  for (const f of readdirSync(join(dir, 'scripts'))) chmodSync(join(dir, 'scripts', f), 0o755);
  return { dir, state: join(root, 'state') };
}

function cockpit(args: string[], cwd: string, state: string): Promise<{ code: number; out: string[]; err: string[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, COCKPIT_STATE_DIR: state, NO_COLOR: '1' } }, (e, stdout, stderr) => {
      const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
      resolve({ code, out: stdout.split('\n').filter(Boolean), err: stderr.split('\n').filter(Boolean) });
    });
  });
}

const deployArgs = (dir: string) => readFileSync(join(dir, 'out', 'deploy-args'), 'utf8').split('\n').slice(0, -1);

function journalOf(state: string): { type: string; stage?: string; step?: string; ok?: boolean; reason?: string; argv?: string[] }[] {
  const sessionsDir = join(state, 'sessions');
  return readdirSync(sessionsDir).flatMap((id) =>
    readFileSync(join(sessionsDir, id, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  );
}

describe('cockpit flag <name> --deploy', () => {
  it('runs flags.deploy with the flag as one argv element, streams its output, journals it, exit 0', async () => {
    const { dir, state } = workspace();
    const r = await cockpit(['flag', FLAG, '--deploy', '--runbook', 'cockpit.yml'], dir, state);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`${FLAG}: deploying with the flag off`, `  deploying --feature=${FLAG} (flag off)`, '  deployed', `${FLAG}: deployed with the flag off`]);
    expect(deployArgs(dir)).toEqual([`--feature=${FLAG}`, '--enabled=false']);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
    const ev = journalOf(state).filter((e) => e.stage === 'flag');
    expect(ev.map((e) => `${e.type} ${e.step}`)).toEqual([`step.started ${FLAG}-deploy`, ...ev.filter((e) => e.type === 'step.output').map(() => `step.output ${FLAG}-deploy`), `step.finished ${FLAG}-deploy`]);
    expect(ev[0].argv).toEqual(['./scripts/deploy-with-flags.sh', `--feature=${FLAG}`, '--enabled=false']);
    // the flag itself was not touched
    expect(existsSync(join(dir, 'out', 'percent'))).toBe(false);
  });

  it('a failing deploy: exit 1, the reason and the log', async () => {
    const { dir, state } = workspace();
    writeFileSync(join(dir, 'out', 'fail-deploy'), '');
    const r = await cockpit(['flag', FLAG, '--deploy', '--runbook', 'cockpit.yml'], dir, state);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  registry unreachable');
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(new RegExp(`^cockpit: the deploy of new\\$\\(touch PWNED\\) failed: exit 3 \\(log: ${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/sessions/[^/]+/flag\\.new\\$\\(touch PWNED\\)-deploy\\.log\\)$`));
  });

  it('a runbook without flags.deploy: a usage error, no stack', async () => {
    const { dir, state } = workspace();
    writeFileSync(join(dir, 'cockpit.yml'), readFileSync(join(dir, 'cockpit.yml'), 'utf8').replace(/^ {2}deploy: .*$/m, ''));
    const r = await cockpit(['flag', FLAG, '--deploy', '--runbook', 'cockpit.yml'], dir, state);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain('has no flag deploy command (flags.deploy)');
    expect(r.err.join('\n')).not.toMatch(/^\s+at /m);
  });
});
