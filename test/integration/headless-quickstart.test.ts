/**
 * `cockpit run --headless` over the quickstart (examples/quickstart), in-process through
 * main(argv, io), and the --confirm and --json releases as the built binary so that they run
 * beside the in-process one (the binary's own process behaviour, Ctrl+C and a step over its
 * timeout, is test/e2e/headless.test.ts): every stage with the flaky
 * smoke test passing on the automatic retry, the journal and the step logs; the pre-flight's
 * manual items and --confirm; --json; --dry-run. Steps run under dist/supervisor.js: build first.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanUp, cockpit as cockpitInProcessOnly, cockpitProcess, ending, expectBuilt, expectEnd, expectExit, linesOf, LOG_STAMP, onlySession, QUICKSTART, readJournalStrict, sandbox, STAMP } from '../helpers/headless-box.js';

beforeAll(() => expectBuilt({ bin: true }));
// the tests run side by side (each in its own sandbox): the sandboxes are removed when all have ended
afterAll(cleanUp);

/**
 * The in-process runs one at a time (main(argv, io) sets the process-wide working directory and
 * environment: cockpitInProcess refuses a second call while one runs), in the order they were asked for.
 */
let queue: Promise<unknown> = Promise.resolve();
/**
 * The binary's releases get the deadline the in-process ones have (the test's 30 s, less a moment
 * for the child's own timeout message), not headless-box's 20 s for a spawned cockpit: three
 * releases side by side on a loaded 2-core machine each take longer than one alone.
 */
const RELEASE_MS = 28_000;
function cockpit(...a: Parameters<typeof cockpitInProcessOnly>): ReturnType<typeof cockpitInProcessOnly> {
  const run = queue.then(() => cockpitInProcessOnly(...a));
  queue = run.catch(() => undefined);
  return run;
}

// ── the quickstart ──────────────────────────────────────────────────────────────────────────

// Three of the tests release the quickstart (seconds of its scripts and its 2 s monitor each): they
// run side by side, the --yes release in-process and the --confirm and --json releases as the
// built binary (a child process each: the in-process runs cannot overlap), with the quick ones
// in-process after the --yes release.
describe('quickstart', { concurrent: true }, () => {
  test('--yes releases: every stage, the flaky smoke test passes on the automatic retry, journal and logs', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--yes'], { state: s.state });
    expectExit(r, 0);

    // every line but the last is stamped HH:MM:SS
    expect(r.out.slice(0, -1).filter((l) => !STAMP.test(l))).toEqual([]);
    expect(r.text).toContain('▶ stage build: Build (budget 0:30)');
    expect(r.text).toContain('▶ stage staging: Deploy to Staging (budget 0:30)');
    expect(r.text).toContain('▶ stage production: Deploy to Production (budget 1:00)');
    for (const stage of ['build', 'staging', 'production']) expect(r.text.some((l) => new RegExp(`^✓ stage ${stage} passed \\(`).test(l))).toBe(true);
    expect(r.text).toContain('  ✓ No active incidents (confirmed)');
    expect(r.text).toContain('  ✓ Team aware (confirmed)');
    expect(r.text).toContain('✓ pre-flight passed');
    expect(r.text).toContain('  │ packaging version 2.4.0');
    // the guardrail self-test: nothing to read, the rollback command exists; it passes before the first stage
    const selfTest = r.text.indexOf('  ▶ Guardrail self-test: read 0 series and 0 probes; check the rollback commands');
    expect(selfTest).toBeGreaterThan(0);
    expect(r.text[selfTest + 1]).toMatch(/^ {2}✓ Guardrail self-test \(\d+ms\)$/);
    expect(selfTest).toBeLessThan(r.text.indexOf('✓ pre-flight passed'));
    // no rollback triggers: every stage starts saying nothing rolls back on its own
    for (const stage of ['build: Build (budget 0:30)', 'staging: Deploy to Staging (budget 0:30)', 'production: Deploy to Production (budget 1:00)'])
      expect(r.text[r.text.indexOf(`▶ stage ${stage}`) + 1]).toBe('⚠ AUTO-ROLLBACK OFF: the runbook has no rollback triggers: nothing rolls back on its own (R or cockpit rollback only)');

    // the smoke test: fails, is retried automatically, passes
    const smoke = 'Smoke tests (flaky on a cold cache)';
    const failed = r.text.findIndex((l) => l.startsWith(`  ✗ ${smoke} FAILED: exit 1 (`));
    const retrying = r.text.indexOf(`  ↻ retrying ${smoke} (attempt 2, automatic)`);
    const second = r.text.indexOf(`  ▶ ${smoke} (attempt 2): ./scripts/smoke-test.sh staging`);
    const passed = r.text.findIndex((l) => l.startsWith(`  ✓ ${smoke} (`));
    expect(failed).toBeGreaterThan(0);
    expect(retrying).toBeGreaterThan(failed);
    expect(second).toBeGreaterThan(retrying);
    expect(passed).toBeGreaterThan(second);

    // the last lines
    const session = onlySession(s.state);
    const journalPath = join(session, 'journal.jsonl');
    // the outcome, then the seed's celebration checklist and the learnings (src/history/celebration.ts)
    expect(ending(r.text)).toEqual([
      '■ RELEASED',
      '★ When we ship successfully:',
      '  [ ] Update team in #releases with metrics',
      '  [ ] Thank everyone who contributed',
      '  [ ] Add learnings to knowledge base',
      '  [ ] Plan next improvement to this runbook',
      '★ learnings: 2.4.0 → production released: 3 of 3 stages passed, no trigger fired; passed on a retry: Deploy to Staging / Smoke tests (flaky on a cold cache) (attempt 2).',
    ]);
    expect(r.out.at(-1)).toBe(`journal: ${journalPath}`);
    expect(r.stderr).toBe('');

    // the journal: JSON lines, each with at and t, from session.started to session.ended released
    const events = readJournalStrict(journalPath);
    for (const e of events) {
      expect(typeof e.type).toBe('string');
      expect(Number.isFinite(e.at), JSON.stringify(e)).toBe(true);
      expect(Number.isFinite(e.t), JSON.stringify(e)).toBe(true);
    }
    expect(events[0]).toMatchObject({ type: 'session.started', sessionId: basename(session), runbook: 'quickstart-web', version: '2.4.0', environment: 'production', mode: 'headless' });
    expectEnd(events, 'released');
    expect(events.filter((e) => e.type === 'session.ended')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'stage.passed').map((e) => e.stage)).toEqual(['build', 'staging', 'production']);
    expect(events.filter((e) => e.type === 'step.finished' && e.step === 'smoke-tests').map((e) => e.ok)).toEqual([false, true]);
    expect(events.find((e) => e.type === 'step.retrying')).toMatchObject({ stage: 'staging', step: 'smoke-tests', attempt: 2, automatic: true });
    expect(events.find((e) => e.type === 'step.finished' && e.step === 'guardrail-self-test')).toMatchObject({ stage: 'preflight', ok: true });
    expect(events.some((e) => e.type === 'guard.unguarded')).toBe(false);
    // t is monotonic
    for (let i = 1; i < events.length; i++) expect(events[i].t).toBeGreaterThanOrEqual(events[i - 1].t);

    // one log per command step and the guardrail self-test's, every line stamped HH:MM:SS.mmm
    const logs = readdirSync(session).filter((f) => f.endsWith('.log')).sort();
    expect(logs).toEqual(
      [
        'preflight.all-tests-passing.log',
        'preflight.previous-version-available.log',
        'preflight.guardrail-self-test.log',
        'build.build.log',
        'build.package.log',
        'staging.deploy.log',
        'staging.smoke-tests.log',
        'production.deploy.log',
        'production.health-check.log',
      ].sort(),
    );
    const started = events.filter((e) => e.type === 'step.started' && e.logPath !== undefined);
    expect(new Set(started.map((e) => basename(e.logPath as string)))).toEqual(new Set(logs));
    for (const f of logs) {
      const lines = linesOf(readFileSync(join(session, f), 'utf8'));
      expect(lines.length, `${f} is empty`).toBeGreaterThan(0);
      expect(lines.filter((l) => !LOG_STAMP.test(l)), `unstamped lines in ${f}`).toEqual([]);
    }
    // a self-test that passed says what it checked in its log only
    expect(linesOf(readFileSync(join(session, 'preflight.guardrail-self-test.log'), 'utf8')).map((l) => l.replace(LOG_STAMP, ''))).toEqual([
      '✓ no metric series to read',
      '✓ no probes',
      '✓ every rollback command exists',
    ]);
    // the retried step's log keeps both attempts
    const smokeLog = readFileSync(join(session, 'staging.smoke-tests.log'), 'utf8');
    expect(smokeLog).toMatch(/^\d\d:\d\d:\d\d\.\d{3} GET \/checkout -> connection reset by peer$/m);
    expect(smokeLog).toMatch(/^\d\d:\d\d:\d\d\.\d{3} GET \/health 200, GET \/checkout 200$/m);
  });

  test('without --yes or --confirm the pre-flight fails naming both manual items; no stage starts', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART], { state: s.state });
    expectExit(r, 1);
    expect(r.text).toContain('✗ pre-flight FAILED (not confirmed: "No active incidents", "Team aware" (pass --confirm "<title>" or --yes))');
    expect(ending(r.text)[0]).toBe('■ FAILED');
    expect(r.text.some((l) => l.startsWith('▶ stage'))).toBe(false);
    const events = readJournalStrict(join(onlySession(s.state), 'journal.jsonl'));
    expect(events.find((e) => e.type === 'preflight.failed')).toMatchObject({ failed: [], unticked: ['No active incidents', 'Team aware'] });
    expect(events.some((e) => e.type === 'stage.started')).toBe(false);
  });

  test('one --confirm is not enough: the other item is named', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--confirm', 'No active incidents'], { state: s.state });
    expectExit(r, 1);
    expect(r.text).toContain('  ✓ No active incidents (confirmed)');
    expect(r.text).toContain('✗ pre-flight FAILED (not confirmed: "Team aware" (pass --confirm "<title>" or --yes))');
  });

  test('--confirm for both manual items releases', async () => {
    const s = sandbox();
    const r = await cockpitProcess(['run', QUICKSTART, '--confirm', 'No active incidents', '--confirm', 'Team aware'], { state: s.state, timeoutMs: RELEASE_MS });
    expectExit(r, 0);
    expect(r.text).toContain('  ✓ No active incidents (confirmed)');
    expect(r.text).toContain('  ✓ Team aware (confirmed)');
    expect(ending(r.text)[0]).toBe('■ RELEASED');
  });

  test('--json: one JSON object a line, events and output lines', async () => {
    const s = sandbox();
    const r = await cockpitProcess(['run', QUICKSTART, '--yes', '--json'], { state: s.state, timeoutMs: RELEASE_MS });
    expectExit(r, 0);
    const objs = r.out.map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${l}`);
      }
    });
    expect(objs[0]).toMatchObject({ type: 'session.started', runbook: 'quickstart-web', version: '2.4.0' });
    expect(objs.filter((o) => o.type === 'session.ended' || o.type === 'release.reviewed').map((o) => [o.type, o.outcome])).toEqual([
      ['session.ended', 'released'],
      ['release.reviewed', 'released'],
    ]);
    expect(objs.at(-1)).toMatchObject({ type: 'release.reviewed', checklist: 'shipped' });

    const started = objs.filter((o) => o.type === 'step.started');
    expect(started.length).toBeGreaterThan(0);
    // every command step has its argv; the monitor and the built-in guardrail self-test have none
    for (const o of started.filter((o) => o.step !== 'monitor-2s' && o.step !== 'guardrail-self-test')) expect(Array.isArray(o.argv), JSON.stringify(o)).toBe(true);
    const selfTest = started.find((o) => o.step === 'guardrail-self-test');
    expect(selfTest).toMatchObject({ stage: 'preflight', command: 'read 0 series and 0 probes; check the rollback commands' });
    expect(selfTest).not.toHaveProperty('argv');
    expect(started.find((o) => o.stage === 'build' && o.step === 'package')).toMatchObject({ argv: ['./scripts/package.sh', '2.4.0'] });
    expect(started.find((o) => o.stage === 'staging' && o.step === 'deploy')).toMatchObject({ argv: ['./scripts/deploy.sh', 'staging', '2.4.0'] });

    const lines = objs.filter((o) => o.type === 'step.line');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(typeof l.text).toBe('string');
    expect(lines.find((l) => l.text === 'packaging version 2.4.0')).toMatchObject({ stage: 'build', step: 'package', time: expect.stringMatching(/^\d\d:\d\d:\d\d$/) });

    expect(objs.filter((o) => o.type === 'step.finished').length).toBe(started.length);
    expect(objs.filter((o) => o.type === 'session.ended')).toHaveLength(1);
    expect(r.stdout).not.toContain('journal:');
  });

  test('--dry-run prints every step as its exact argv, placeholders resolved, and runs nothing', async () => {
    const s = sandbox();
    const r = await cockpit(['run', QUICKSTART, '--dry-run'], { state: s.state });
    expectExit(r, 0);
    expect(r.out[0]).toBe('dry run: quickstart-web 2.4.0 → production (nothing runs)');
    expect(r.out).toContain('  previous-version-available: ["./scripts/check-artifact.sh","2.3.9"]');
    expect(r.out).toContain('  no-active-incidents: manual: No active incidents (Check the monitoring dashboard)');
    expect(r.out).toContain('  package: ["./scripts/package.sh","2.4.0"]');
    expect(r.out).toContain('  deploy: ["./scripts/deploy.sh","staging","2.4.0"]');
    expect(r.out).toContain('  smoke-tests: ["./scripts/smoke-test.sh","staging"]  (retries 1)');
    expect(r.out).toContain('  deploy: ["./scripts/deploy.sh","production","2.4.0"]  (timeout 120s)');
    expect(r.out).toContain('  incident: ["./scripts/create-incident.sh","<reason>"]');
    expect(existsSync(s.state)).toBe(false);
  });
});
