/** cockpit run --set/--choose, in-process through main(argv, io): exit 2 messages before anything runs, and the dry run. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/plan/release.md', import.meta.url));
const SHOWN = relative(process.cwd(), FIXTURE);
/** A choice and an input the importer mapped from prose (Option 1 / Option 2 headings, a <commit-hash> placeholder). */
const MAPPED = fileURLToPath(new URL('../fixtures/markdown/alternatives.md', import.meta.url));
const MAPPED_SHOWN = relative(process.cwd(), MAPPED);

let state: string;
const saved = { ...process.env };
beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'cockpit-run-plan-'));
  process.env.COCKPIT_STATE_DIR = state;
  process.env.COCKPIT_CACHE_DIR = join(state, 'cache');
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(state, { recursive: true, force: true });
});

async function runOn(file: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['run', file, ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}
const run = (...argv: string[]) => runOn(FIXTURE, ...argv);

describe('cockpit run with choices and inputs', () => {
  it('headless exits 2 before anything runs, naming each unmade choice and input without a value', async () => {
    const r = await run('--headless');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      `${SHOWN}:10: choice "rollback-method" (Rollback method) is not made: --choose rollback-method=1|2|3 (1 helm rollback, 2 kubectl rollout undo, 3 blue-green switch)`,
      `${SHOWN}:4: input commit_hash (<commit-hash>) has no value: --set commit_hash=…`,
      'cockpit: 2 things to give before the run (headless never asks): nothing ran',
    ]);
    expect(r.out).toEqual([]);
    expect(readdirSync(state).filter((f) => f !== 'cache')).toEqual([]);
  });

  it('unknown names and options exit 2 listing what exists', async () => {
    const r = await run('--headless', '--set', 'version=1', '--choose', 'rollback-method=rollout');
    expect(r.code).toBe(2);
    expect(r.err.join('\n').split('\n')).toEqual([
      'cockpit: --set: no input "version" (inputs: commit_hash)',
      'cockpit: --choose rollback-method: no option "rollout": 1|2|3 (1 helm rollback, 2 kubectl rollout undo, 3 blue-green switch)',
    ]);
    expect((await run('--set', 'commit_hash')).err).toEqual(['cockpit: --set expects NAME=VALUE (got "commit_hash")']);
  });

  it('a value off its pattern is named too', async () => {
    const r = await run('--headless', '--set', 'commit_hash=HEAD', '--choose', 'rollback-method=2');
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(`${SHOWN}:4: input commit_hash (<commit-hash>) does not match [0-9a-f]{7,40}: --set commit_hash=…`);
  });

  it('the dry run shows the plan with the choices and inputs, and what a run still needs (exit 0)', async () => {
    const r = await run('--dry-run', '--choose', 'rollback-method=helm rollback');
    expect(r.code).toBe(0);
    expect(r.out.slice(1)).toEqual([
      'stage staging: Deploy to Staging',
      '  echo: ["echo","deploying {input.commit_hash} to staging"]',
      'stage production: Deploy to Production',
      '  echo: ["echo","deploying to production"]',
      'rollback',
      '  echo: ["echo","helm","rollback","web"]',
      'choices',
      '  rollback-method (Rollback method, in rollback): ● 1 helm rollback  ○ 2 kubectl rollout undo  ○ 3 blue-green switch',
      'inputs',
      '  commit_hash (<commit-hash>): (no value)',
      'needed before a run',
      `  ${SHOWN}:4: input commit_hash (<commit-hash>) has no value: --set commit_hash=…`,
    ]);
    const given = await run('--dry-run', '--set', 'commit_hash=abc1234', '--choose', 'rollback-method=3');
    expect(given.out).toContain('  echo: ["echo","deploying abc1234 to staging"]');
    expect(given.out).toContain('  echo: ["echo","switch","to","blue"]');
    expect(given.out.at(-1)).toBe('  commit_hash (<commit-hash>): "abc1234"');
  });

  it('with everything given the headless run goes and the journal records the plan', async () => {
    const r = await run('--headless', '--set', 'commit_hash=abc1234', '--choose', 'rollback-method=2');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.some((l) => l.endsWith('│ deploying abc1234 to staging'))).toBe(true);
    const [session] = readdirSync(join(state, 'sessions'));
    const events = readFileSync(join(state, 'sessions', session, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(events[1]).toMatchObject({ type: 'plan.accepted', how: 'given', choices: { 'rollback-method': 'option-2' }, inputs: { commit_hash: 'abc1234' } });
    expect(events[1]).toHaveProperty('hash', expect.stringMatching(/^[0-9a-f]{64}$/));
  });

  it('names the Markdown line of a choice and an input the importer mapped from prose, from the cache too', async () => {
    const expected = [
      `${MAPPED_SHOWN}:31: choice "rollback-choice" (Rollback) is not made: --choose rollback-choice=1|2 (1 Option 1: helm rollback, 2 Option 2: kubectl rollout undo)`,
      `${MAPPED_SHOWN}:21: input commit_hash (<commit-hash>) has no value: --set commit_hash=…`,
    ];
    for (const pass of ['parsed', 'cached']) {
      const r = await runOn(MAPPED, '--headless');
      expect(r.code, pass).toBe(2);
      expect(r.err, pass).toEqual([...expected, 'cockpit: 2 things to give before the run (headless never asks): nothing ran']);
    }
    expect(readdirSync(join(state, 'cache')).length).toBeGreaterThan(0);
    const dry = await runOn(MAPPED, '--dry-run');
    expect(dry.out.slice(dry.out.indexOf('needed before a run') + 1)).toEqual(expected.map((l) => `  ${l}`));
    const md = readFileSync(MAPPED, 'utf8').split('\n');
    expect(md[21 - 1]).toContain('<commit-hash>');
    expect(md[31 - 1]).toBe('### Option 1: helm rollback');
  });
});
