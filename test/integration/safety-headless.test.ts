/**
 * Release safety headless (issue 13, items 3-5), in-process through main(argv, io) with real step
 * processes (the step supervisor from dist/: `npm run build` first), moved from test/e2e/safety.test.ts:
 *
 * 3. a runbook flag step never lowers a flag the operator raised (cockpit flag beforehand): it
 *    passes with a note; the file never goes to 5 %.
 * 4. escalation: levels keep their spacing when the incident started before the rollback; verify
 *    passing resolves the incident; a failed rollback says which levels will not run.
 * 5. "restored in" is the journal's restoreMs, "rollback took" apart (the same run as item 4's).
 */
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { formatDuration } from '../../src/runbook/duration.js';
import { cockpitInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/demo-run.js';
import { escalationFacts, expectOneRule, restoreFacts } from '../helpers/escalation-facts.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'safety');
const roots: string[] = [];
afterAll(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A private copy of test/fixtures/safety with its own state dir. */
function sandbox(): { root: string; dir: string; state: string } {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-safety-'));
  roots.push(root);
  const dir = join(root, 'fx');
  cpSync(FIXTURES, dir, { recursive: true });
  for (const f of readdirSync(join(dir, 'scripts'))) chmodSync(join(dir, 'scripts', f), 0o755);
  return { root, dir, state: join(root, 'state') };
}

/**
 * Runs the cockpit in-process in `dir` (its working directory) with `state` as its state dir and
 * `env` set for the call (the steps inherit it); resolves with its exit code and output (stdout +
 * stderr, stamps stripped), as the binary's.
 */
async function runCli(dir: string, state: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const r = await cockpitInProcess(args, { cwd: dir, env: { COCKPIT_STATE_DIR: state, ...env } });
  return { code: r.code, out: [...r.out, ...r.err].join('\n').replace(/^\d\d:\d\d:\d\d /gm, '') };
}

/** The one session's journal under a state dir. */
function journal(state: string): SessionEvent[] {
  const dirs = readdirSync(join(state, 'sessions'));
  expect(dirs).toHaveLength(1);
  return readFileSync(join(state, 'sessions', dirs[0], 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SessionEvent);
}
const ofType = <T extends SessionEvent['type']>(es: readonly SessionEvent[], t: T) => es.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === t);

describe('a runbook flag step never lowers a flag, headless (item 3)', () => {
  it('set to 25 % beforehand (cockpit flag): the 5 % step passes saying so; the file never goes to 5 %', async () => {
    const sb = sandbox();
    const set = await runCli(sb.dir, sb.state, ['flag', 'new-checkout', '25', '--runbook', 'flag-step.yml']);
    expect(set.code, set.out).toBe(0);
    const r = await runCli(sb.dir, join(sb.root, 'state2'), ['run', 'flag-step.yml', '--headless']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^ {2}✓ Enable new-checkout for 5 % \(\d+ms\): new-checkout is at 25 % \(as its backend reported it\), above the step's 5 %: left as it is$/m);
    // the provider's own words: flagd's providers pick the file up on their own
    expect(r.out).toMatch(/^ {2}✓ new-checkout → 50 % \(\d+ms\): written to flags\.json; providers re-read it within their poll interval$/m);
    expect(ofType(journal(join(sb.root, 'state2')), 'flag.set').map((e) => [e.percent, e.by])).toEqual([[50, 'runbook']]);
  }, 60_000);
});

const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// items 4 and 5 headless ran the same release (escalation.yml, the rollback passing) twice: one run now, each assertion kept
describe('escalation and time to restore, headless (items 4 and 5)', () => {
  it('levels keep their spacing; verify passing resolves the incident; "restored in" is the journal\'s restoreMs, from the first breaching sample; "rollback took" is apart', async () => {
    const ok = sandbox();
    const r = await runCli(ok.dir, ok.state, ['run', 'escalation.yml', '--headless']);
    expect(r.code, r.out).toBe(3);
    expectOneRule(journal(ok.state));
    expect(r.out).toMatch(/^⚑ incident resolved: escalation stopped$/m);
    // item 5
    const f = restoreFacts(journal(ok.state));
    expect(r.out).toMatch(new RegExp(`^✓ rollback verified: restored in ${esc(formatDuration(f.restoreMs))} \\(from the incident's start: the first breaching sample\\)$`, 'm'));
    expect(r.out).toMatch(new RegExp(`^⟲ ROLLED BACK \\(rollback took ${esc(formatDuration(f.durationMs))}\\)$`, 'm'));
    expect(r.out).toMatch(new RegExp(`restored in ${esc(formatDuration(f.restoreMs))} from the incident's start`));
  }, 60_000);

  it('a failed rollback says which levels will not run', async () => {
    const bad = sandbox();
    const f = await runCli(bad.dir, bad.state, ['run', 'escalation.yml', '--headless'], { ROLLBACK_FAILS: '1' });
    expect(f.code, f.out).toBe(1);
    expect(f.out).toMatch(/^✗ escalation level 3 \(Level 3: tell leadership\) will not run: the cockpit ended 9:5\d before it was due$/m);
    const es = journal(bad.state);
    expect(ofType(es, 'escalation.dropped')).toEqual([expect.objectContaining({ why: 'the cockpit ended', levels: [expect.objectContaining({ level: 3 })] })]);
    expect(escalationFacts(es).levels.has(3)).toBe(false);
  }, 60_000);
});
