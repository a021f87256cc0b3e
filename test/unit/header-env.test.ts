/**
 * A metric source's header value naming an unset variable (`Authorization: Bearer $TOKEN`): validate
 * says so where the header is written (file:line:col), and a run refuses before anything runs,
 * naming the variable and the header; never a header sent empty. In-process through main(argv, io).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { unsetHeaderVars } from '../../src/runbook/header-env.js';

const VAR = 'COCKPIT_TEST_HEADER_TOKEN';
const RUNBOOK = `name: svc
metrics:
  source: { type: http-json, url: "http://127.0.0.1:9/m.json", headers: { Authorization: "Bearer $${VAR}" } }
  series: { m: { pointer: /m } }
stages:
  - id: s
    steps: [[touch, ran]]
rollback:
  steps: [["true"]]
`;

let dir: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-header-env-'));
  process.env.COCKPIT_STATE_DIR = join(dir, 'state');
  process.env.COCKPIT_CACHE_DIR = join(dir, 'cache');
  delete process.env[VAR];
  writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK);
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
});

async function cockpit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const MESSAGE = `header "Authorization" uses $${VAR}, which is not set in the environment: export ${VAR} (the header would be sent without it)`;

describe('an unset $VAR in a metric source header', () => {
  // the runbook is outside the working directory: messages name it by its absolute path
  it('cockpit validate: an error where the header is written (line 3, its value), exit 2', async () => {
    const file = join(dir, 'cockpit.yml');
    const r = await cockpit('validate', file);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:90: ${MESSAGE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    process.env[VAR] = 'secret';
    expect((await cockpit('validate', file)).code).toBe(0);
  });

  it('cockpit run --headless: refused before any step runs, naming the variable and the header', async () => {
    const file = join(dir, 'cockpit.yml');
    const r = await cockpit('run', file, '--headless', '--yes');
    expect(r.err).toEqual([`${file}: metrics.source.headers.Authorization: ${MESSAGE}`]);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it("an experiment's own source is checked too, and a set variable (even empty) is not an error", () => {
    const headers = { 'X-Token': '$A and $B' };
    const rb = { experiments: { ab: { source: { type: 'prometheus', headers } } } };
    expect(unsetHeaderVars(rb, { A: '' }).map((e) => [e.path.join('.'), e.message.split(',')[0]])).toEqual([['experiments.ab.source.headers.X-Token', 'header "X-Token" uses $B']]);
  });
});
