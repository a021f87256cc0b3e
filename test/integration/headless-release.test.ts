/**
 * `cockpit run --headless` and `cockpit rollback` over the fixture runbooks (test/fixtures/headless),
 * in-process through main(argv, io) (it was the built binary as a child process; the binary's own
 * process behaviour, Ctrl+C and a step over its timeout, is test/e2e/headless.test.ts): a failing
 * stage, --on-failure rollback, a rollback that fails, usage and runbook errors (exit 2, no
 * session), --dry-run and --stage, steps that cannot start, secrets masked and hostile reasons kept
 * literal. Steps run under dist/supervisor.js: build first.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { cleanUp, cockpit, ending, expectBuilt, expectEnd, expectExit, incidentArgs, onlySession, order, QUICKSTART, readJournalStrict, sandbox, tempPaths } from '../helpers/headless-box.js';

beforeAll(() => expectBuilt({ bin: false }));
afterEach(cleanUp);

// ── failures, rollbacks ─────────────────────────────────────────────────────────────────────

describe('a failing stage', () => {
  test('stops the release: exit 1, stage FAILED, later steps and stages never start', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'release.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text.filter((l) => /^ {2}✗ Break things FAILED: exit 1 \(\d+ms\)$/.test(l))).toHaveLength(1);
    expect(r.text).toContain('✗ stage two FAILED at Break things: exit 1');
    expect(ending(r.text)[0]).toBe('■ FAILED');
    expect(r.text.some((l) => l.startsWith('▶ stage three'))).toBe(false);
    // no rollback ran (the runbook has no triggers: each stage's start says AUTO-ROLLBACK OFF, which is no rollback)
    expect(r.text.some((l) => l.includes('ROLL') && !l.startsWith('⚠ AUTO-ROLLBACK OFF:'))).toBe(false);
    expect(r.text.some((l) => l.startsWith('⚠ AUTO-ROLLBACK OFF: the runbook has no rollback triggers'))).toBe(true);
    expect(order(s)).toEqual(['one', 'pkg-1.2.3', 'two']);
    expect(existsSync(s.out('two-after'))).toBe(false);
    expect(existsSync(s.out('three'))).toBe(false);
    expect(existsSync(s.out('rb-first'))).toBe(false);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expect(events.filter((e) => e.type === 'stage.started').map((e) => e.stage)).toEqual(['one', 'two']);
    expectEnd(events, 'failed');
  });

  test('--on-failure rollback: exit 3, rollback steps in order, the incident gets the reason', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'release.yml', '--on-failure', 'rollback'], { state: s.state, cwd: s.fx });
    expectExit(r, 3);
    const reason = 'stage "Stage Two" failed at Break things: exit 1';
    expect(r.text).toContain('✗ stage two FAILED at Break things: exit 1');
    expect(r.text).toContain(`⟲ ROLLING BACK (on-failure): ${reason}`);
    expect(r.text.some((l) => /^⟲ ROLLED BACK \(/.test(l))).toBe(true);
    expect(ending(r.text)).toEqual([
      '■ ROLLED BACK',
      '★ When we roll back:',
      '  [ ] Celebrate fast recovery (no blame!)',
      '  [ ] Document what we learned',
      '  [ ] Improve guardrails to catch it next time',
      '  [ ] Share learnings with team',
      expect.stringMatching(/^★ learnings: 1\.2\.3 → production: rolled back after a failed stage: stage "Stage Two" failed at Break things: exit 1; restored in (\d+ms|\d+\.\ds) from the incident's start; failed: Stage Two \/ Break things \(exit 1\)\.$/),
    ]);
    expect(order(s)).toEqual(['one', 'pkg-1.2.3', 'two', 'rb-first', 'rb-second', 'rb-verify', 'incident']);
    expect(incidentArgs(s)).toEqual([reason]);
    expect(existsSync(s.out('three'))).toBe(false);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expect(events.filter((e) => e.type === 'step.started' && e.stage === 'rollback').map((e) => e.step)).toEqual(['rb-first', 'rb-second', 'rb-verify', 'incident']);
    expectEnd(events, 'rolled-back');
  });

  test('a rollback step that fails: ROLLBACK FAILED, exit 1, the steps after it do not run', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'rollback-fails.yml', '--on-failure', 'rollback'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text).toContain('✗ ROLLBACK FAILED at rb-broken: exit 1');
    expect(ending(r.text)[0]).toBe('■ ROLLBACK FAILED');
    // the steps after the failed one do not run, but the incident is opened anyway, saying so
    expect(order(s)).toEqual(['deploy', 'rb-broken', 'incident']);
    expect(incidentArgs(s)[0]).toMatch(/^ROLLBACK FAILED at rb-broken \(exit 1\); stage "/);
    expect(existsSync(s.out('rb-after'))).toBe(false);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expectEnd(events, 'rollback-failed');
  });

  test('cockpit rollback --reason: exit 0, the steps run, the incident gets the reason', async () => {
    const s = sandbox();
    const r = await cockpit(['rollback', 'release.yml', '--reason', 'db on fire'], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(r.text).toContain('⟲ ROLLING BACK (command): db on fire');
    expect(r.text).toContain("  ▶ create incident: ./scripts/incident.sh 'db on fire'");
    expect(ending(r.text)[0]).toBe('■ ROLLED BACK');
    expect(r.text.at(-1)).toMatch(/^journal: .*journal\.jsonl$/);
    expect(order(s)).toEqual(['rb-first', 'rb-second', 'rb-verify', 'incident']);
    expect(incidentArgs(s)).toEqual(['db on fire']);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expect(events[0]).toMatchObject({ type: 'session.started' });
    expect(events.find((e) => e.type === 'rollback.started')).toMatchObject({ reason: 'db on fire', source: 'command' });
    expectEnd(events, 'rolled-back');
  });
});

// ── usage and runbook errors ────────────────────────────────────────────────────────────────

describe('invalid usage or runbook: exit 2, a message, no stack trace, no session', () => {
  test('an invalid runbook is reported as file:line:col', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'invalid.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 2);
    expect(r.stdout).toBe('');
    expect(r.err).toContain('invalid.yml:7:5: unknown key "stepz" in stages[0] (did you mean "steps"?)');
    expect(r.err).toContain('invalid.yml:6:5: missing required key "steps" in stages[0]');
    expect(r.err.at(-1)).toBe('2 errors in invalid.yml');
    for (const l of r.err.slice(0, -1)) expect(l).toMatch(/^invalid\.yml:\d+:\d+: /);
    expect(existsSync(s.state)).toBe(false);
  });

  test('an unknown flag prints the usage', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--nope'], { state: s.state });
    expectExit(r, 2);
    expect(r.err[0]).toBe("cockpit: unknown option '--nope'");
    expect(r.stderr).toContain('usage: cockpit run [runbook]');
    expect(r.stdout).toBe('');
    expect(existsSync(s.state)).toBe(false);
  });

  test('an unknown flag to rollback prints its usage', async () => {
    const s = sandbox();
    const r = await cockpit(['rollback', 'release.yml', '--nope'], { state: s.state, cwd: s.fx });
    expectExit(r, 2);
    expect(r.err[0]).toBe("cockpit: unknown option '--nope'");
    expect(r.stderr).toContain('usage: cockpit rollback [runbook]');
    expect(existsSync(s.out('order'))).toBe(false);
  });

  test('--on-failure maybe', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--on-failure', 'maybe'], { state: s.state });
    expectExit(r, 2);
    expect(r.err).toEqual(['cockpit: --on-failure must be stop or rollback (got "maybe")']);
    expect(existsSync(s.state)).toBe(false);
  });

  test('--stage nope names the stages', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--stage', 'nope', '--yes'], { state: s.state });
    expectExit(r, 2);
    expect(r.err).toEqual(['cockpit: --stage: no stage "nope" (stages: build, staging, production)']);
    expect(r.stdout).toBe('');
    expect(existsSync(join(s.state, 'sessions'))).toBe(false);
  });

  test('a runbook path that does not exist', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'nothere.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 2);
    expect(r.err).toEqual(['cockpit: no such runbook: nothere.yml']);
    expect(existsSync(s.state)).toBe(false);
  });

  test('no runbook in the current directory', async () => {
    const s = sandbox();
    const empty = join(s.root, 'empty');
    mkdirSync(empty);
    const r = await cockpit(['run'], { state: s.state, cwd: empty });
    expectExit(r, 2);
    expect(r.err[0]).toBe(`cockpit: no runbook here: looked for cockpit.yml, cockpit.yaml, cockpit.json in ${empty} (give a path; "cockpit init" starts one here; "cockpit demo" runs a whole release against a demo service, nothing to set up)`);
  });
});

// ── dry run, --stage ────────────────────────────────────────────────────────────────────────

describe('--dry-run and --stage', () => {
  test('--dry-run shows every argv and runs nothing: no marker, no session', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'release.yml', '--dry-run'], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    const argvs = r.out
      .map((l) => /^ {2}([\w-]+): (\[.*\])$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], JSON.parse(m[2]) as string[]]);
    expect(argvs).toEqual([
      ['mark', ['./scripts/mark.sh', 'one']],
      ['package', ['./scripts/mark.sh', 'pkg-1.2.3']],
      ['break', ['./scripts/fail.sh', 'two']],
      ['after-break', ['./scripts/mark.sh', 'two-after']],
      ['mark', ['./scripts/mark.sh', 'three']],
      ['rb-first', ['./scripts/mark.sh', 'rb-first']],
      ['rb-second', ['./scripts/mark.sh', 'rb-second']],
      ['rb-verify', ['./scripts/mark.sh', 'rb-verify']],
      ['incident', ['./scripts/incident.sh', '<reason>']],
    ]);
    expect(r.out).toContain('stage two: Stage Two');
    expect(existsSync(join(s.fx, 'out'))).toBe(false);
    expect(existsSync(s.state)).toBe(false);
    expect(existsSync(join(s.fx, '.cockpit'))).toBe(false);
  });

  test('--dry-run resolves {stage} as the run does: the stage id, the environment for a rollback step', async () => {
    const s = sandbox();
    writeFileSync(
      join(s.fx, 'stage-value.yml'),
      'name: stage-value\nenvironment: production\nstages:\n  - id: canary\n    steps: [[./scripts/mark.sh, "in-{stage}"]]\nrollback:\n  steps: [[./scripts/mark.sh, "rb-{stage}"]]\n',
    );
    const dry = await cockpit(['run', 'stage-value.yml', '--dry-run'], { state: s.state, cwd: s.fx });
    expectExit(dry, 0);
    expect(dry.out).toContain('  mark: ["./scripts/mark.sh","in-canary"]');
    expect(dry.out).toContain('  mark: ["./scripts/mark.sh","rb-production"]');
    // the real rollback (cockpit rollback: 0 when it passed) gets the same argv
    const run = await cockpit(['rollback', 'stage-value.yml'], { state: s.state, cwd: s.fx });
    expectExit(run, 0);
    expect(existsSync(s.out('rb-production'))).toBe(true);
  });

  test('--dry-run flags a step that could not start', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'missing.yml', '--dry-run'], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(r.out).toContain(`  ghost: ["./scripts/no-such-script.sh"]  (missing: ./scripts/no-such-script.sh (no such file in ${s.fx}))`);
  });

  test('--stage two: stage one is skipped, two and three run', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'pass.yml', '--stage', 'two'], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(r.text).toContain('↷ stage one skipped: started at stage "two" (--stage)');
    expect(r.text.some((l) => l.startsWith('▶ stage one'))).toBe(false);
    expect(r.text).toContain('▶ stage two');
    expect(r.text).toContain('▶ stage three');
    expect(ending(r.text)[0]).toBe('■ RELEASED');
    expect(existsSync(s.out('one'))).toBe(false);
    expect(order(s)).toEqual(['two', 'three']);
  });
});

// ── programs that cannot start ──────────────────────────────────────────────────────────────

describe('processes', () => {
  test('a missing script fails before spawning', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'missing.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text).toContain(`  ✗ ghost FAILED: missing: ./scripts/no-such-script.sh (no such file in ${s.fx})`);
    expect(r.text).toContain(`✗ stage broken FAILED at ghost: missing: ./scripts/no-such-script.sh (no such file in ${s.fx})`);
    expect(order(s)).toEqual(['ok']);
    const session = onlySession(s.state);
    expect(existsSync(join(session, 'broken.ghost.spec.json'))).toBe(false); // no supervisor was started
    expect(readJournalStrict(join(session, 'journal.jsonl')).find((e) => e.type === 'step.finished' && e.step === 'ghost')).toMatchObject({ ok: false, notStarted: true });
  });

  test('a non-executable script fails before spawning', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'not-executable.yml'], { state: s.state, cwd: s.fx });
    expectExit(r, 1);
    expect(r.text).toContain('  ✗ plain-file FAILED: not executable: ./scripts/not-executable.sh (chmod +x ./scripts/not-executable.sh)');
    expect(existsSync(s.out('not-executable-ran'))).toBe(false);
    expect(existsSync(s.out('after-plain-file'))).toBe(false);
  });
});

// ── secrets and hostile values ──────────────────────────────────────────────────────────────

describe('secrets and hostile values', () => {
  const SECRET = 'hunter2-xyz';

  /** Every file of the session, as text. */
  const sessionFiles = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));

  test('a secret a step prints is masked on stdout, in the step log and everywhere in the session', async () => {
    const s = sandbox();
    const r = await cockpit(['run', 'secrets.yml'], { state: s.state, cwd: s.fx, env: { MY_TOKEN: SECRET } });
    expectExit(r, 0);
    expect(r.text).toContain('  │ deploying with token ••••');
    expect(r.text).toContain('  │ token=••••!');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const session = onlySession(s.state);
    const log = readFileSync(join(session, 'deploy.leak.log'), 'utf8');
    expect(log).toMatch(/^\d\d:\d\d:\d\d\.\d{3} deploying with token ••••$/m);
    expect(log).not.toContain(SECRET);
    for (const f of sessionFiles(session)) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET);
  });

  test('a secret in a rollback reason is masked in the journal and the JSON output', async () => {
    const s = sandbox();
    const r = await cockpit(['rollback', 'secrets.yml', '--json', '--reason', `token ${SECRET} leaked`], { state: s.state, cwd: s.fx, env: { MY_TOKEN: SECRET } });
    expectExit(r, 0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const objs = r.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.find((o) => o.type === 'rollback.started')).toMatchObject({ reason: 'token •••• leaked' });
    const session = onlySession(s.state);
    const journal = readFileSync(join(session, 'journal.jsonl'), 'utf8');
    expect(journal).toContain('token •••• leaked');
    for (const f of sessionFiles(session)) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET);
  });

  test('a hostile reason reaches the incident script as literal text, never through a shell', async () => {
    const s = sandbox();
    const pwned = join(tmpdir(), `pwned-${randomUUID()}`);
    tempPaths.push(pwned);
    const reason = `$(touch ${pwned})`;
    const r = await cockpit(['rollback', 'release.yml', '--reason', reason], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(incidentArgs(s)).toEqual([reason]);
    expect(existsSync(pwned)).toBe(false);
  });

  test('a hostile reason stays literal when the incident command is a shell string', async () => {
    const s = sandbox();
    const pwned = join(tmpdir(), `pwned-${randomUUID()}`);
    tempPaths.push(pwned);
    const reason = `$(touch ${pwned}) \`touch ${pwned}\`; touch ${pwned} "'`;
    const r = await cockpit(['rollback', 'hostile-shell.yml', '--reason', reason], { state: s.state, cwd: s.fx });
    expectExit(r, 0);
    expect(incidentArgs(s)).toEqual([reason]);
    expect(r.text).toContain('  │ incident filed');
    expect(existsSync(pwned)).toBe(false);
  });
});
