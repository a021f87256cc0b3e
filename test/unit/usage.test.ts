/**
 * What the command line says to a new user (issue 13), in-process through main(argv, io): an
 * unknown command is named as one (with a "did you mean"), not taken for a missing runbook;
 * `--dry-run --stage X` lists the run from X; `cockpit experiment` never prints "p = 0.0000"; what
 * `cockpit validate` says about a Release History Log names a command that exists.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cockpitInProcess } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 'screen');

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A private copy of the fixture and a state dir. */
function sandbox(): { fx: string; state: string } {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-usage-'));
  roots.push(root);
  const fx = join(root, 'fx');
  cpSync(FIXTURE, fx, { recursive: true });
  for (const f of readdirSync(join(fx, 'scripts'))) chmodSync(join(fx, 'scripts', f), 0o755);
  return { fx, state: join(root, 'state') };
}

type Result = { code: number | null; out: string[]; err: string[] };

/** `cockpit ARGS` in `cwd` with its own state dir, as the process would have exited and printed. */
async function cockpit(args: string[], o: { cwd: string; state: string }): Promise<Result> {
  const r = await cockpitInProcess(args, { cwd: o.cwd, env: { COCKPIT_STATE_DIR: o.state, COCKPIT_DEBUG: undefined } });
  return { code: r.code, out: r.out, err: r.err };
}

describe('the command line', () => {
  it('an unknown command says so, with the command it may have meant, and exits 2; a directory of that name is still a runbook', async () => {
    const sb = sandbox();
    const typo = await cockpit(['hisotry'], { cwd: sb.fx, state: sb.state });
    expect(typo).toEqual({ code: 2, out: [], err: ['cockpit: unknown command "hisotry" (did you mean history?)'] });
    const watch = await cockpit(['wacth', 'cockpit.yml'], { cwd: sb.fx, state: sb.state });
    expect(watch).toEqual({ code: 2, out: [], err: ['cockpit: unknown command "wacth" (did you mean watch?)'] });
    const near = await cockpit(['wallbord'], { cwd: sb.fx, state: sb.state });
    expect(near).toEqual({ code: 2, out: [], err: ['cockpit: unknown command "wallbord" (did you mean wallboard?)'] });
    const far = await cockpit(['frobnicate'], { cwd: sb.fx, state: sb.state });
    expect(far).toEqual({
      code: 2,
      out: [],
      err: ['cockpit: unknown command "frobnicate" (commands: demo, run, watch, rollback, history, validate, import, init, schema, flag, experiment, wallboard, hold, unhold, keys, config, help)'],
    });
    // a word that names a directory here is the runbook's directory, as before
    mkdirSync(join(sb.fx, 'release'));
    cpSync(join(sb.fx, 'cockpit.yml'), join(sb.fx, 'release', 'cockpit.yml'));
    const dir = await cockpit(['release', '--dry-run'], { cwd: sb.fx, state: sb.state });
    expect(dir.code).toBe(0);
    expect(dir.out[0]).toBe('dry run: screen-web 3.1.0 → production (nothing runs)');
    // a path that is not there is still "no such runbook"
    const missing = await cockpit(['nothing.yml'], { cwd: sb.fx, state: sb.state });
    expect(missing).toEqual({ code: 2, out: [], err: ['cockpit: no such runbook: nothing.yml'] });
  });

  it('--dry-run --stage X marks the stages before X skipped and lists the run from X; an unknown stage is an error', async () => {
    const sb = sandbox();
    const r = await cockpit(['run', 'cockpit.yml', '--dry-run', '--stage', 'production'], { cwd: sb.fx, state: sb.state });
    expect(r.code, r.err.join('\n')).toBe(0);
    const plan = r.out.slice(0, r.out.indexOf('rollback'));
    expect(plan).toEqual([
      'dry run: screen-web 3.1.0 → production (nothing runs)',
      'pre-flight',
      '  tests-passing: ["./scripts/check.sh"]',
      '  no-active-incidents: manual: No active incidents (Check the monitoring dashboard)',
      'stage staging: skipped (--stage production)',
      'stage production: Production',
      '  switch: ["./scripts/switch.sh"]',
      '  monitor-60s: monitor 60s',
    ]);
    expect(existsSync(sb.state)).toBe(false); // nothing ran
    const bad = await cockpit(['run', 'cockpit.yml', '--dry-run', '--stage', 'prod'], { cwd: sb.fx, state: sb.state });
    expect(bad).toEqual({ code: 2, out: [], err: ['cockpit: --stage: no stage "prod" (stages: staging, production)'] });
  });

  it('cockpit experiment: a p-value below what four decimals show reads "p < 0.0001", never "p = 0.0000"', async () => {
    const sb = sandbox();
    const r = await cockpit(['experiment', 'checkout', '--runbook', 'experiment.yml'], { cwd: sb.fx, state: sb.state });
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out).toEqual([
      'experiment checkout: intended split 50 % / 50 %, min sample 1000 per variant',
      '  control      2000 / 20000 = 10.00 % (100 % of min sample)',
      '  treatment    2600 / 20000 = 13.00 % (100 % of min sample)',
      '  treatment vs control: lift +30.0 % (95 % CI +22.9 % … +37.1 %), z = 9.40, p < 0.0001',
      '  sample ratio: chi² = 0.00, p = 1.0000 ok',
      '  verdict: treatment wins: +30.0 % (95 % CI +22.9 % … +37.1 %), p < 0.0001',
    ]);
  });

  it('validate: the Release History Log table is written by `cockpit history --markdown`, a command that exists and writes that table', async () => {
    const sb = sandbox();
    cpSync(join(ROOT, 'examples', 'seed', 'release-runbook.md'), join(sb.fx, 'release-runbook.md'));
    // the seed's rollback pipeline must exist and be executable, or validate errors (exit 2) on it
    for (const name of ['rollback-production.sh', 'verify-rollback.sh', 'create-incident.sh']) {
      writeFileSync(join(sb.fx, 'scripts', name), `#!/bin/sh\necho ${name}\n`);
      chmodSync(join(sb.fx, 'scripts', name), 0o755);
    }
    const v = await cockpit(['validate', 'release-runbook.md'], { cwd: sb.fx, state: sb.state });
    expect(v.code, v.err.join('\n')).toBe(0);
    const line = v.out.find((l) => l.includes('Release History Log table'));
    expect(line).toMatch(/^ {2}release-runbook\.md:\d+-\d+: \[cockpit does it\] Release History Log table: written by `cockpit history --markdown` from the journals$/);
    const h = await cockpit(['history', 'release-runbook.md', '--markdown'], { cwd: sb.fx, state: sb.state });
    expect(h.code, h.err.join('\n')).toBe(0);
    expect(h.out.slice(0, 2)).toEqual(['| Date | Version | Changes | Issues | Recovery Time | Learnings |', '|------|---------|---------|---------|---------------|-----------|']);
  });
});
