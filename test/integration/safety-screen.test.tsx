/**
 * Release safety on the screen (issue 13, items 4 and 5), moved from tmux (test/e2e/safety.test.ts;
 * nothing of it needs a real terminal), on the in-process screen (helpers/ink-session.ts: the
 * session opened on disk as `cockpit run` opens it, its scripts real processes): the escalation
 * runbook of test/fixtures/safety. Levels keep their spacing as headless does (one rule), verify
 * passing resolves the incident, q does not ask once it has ended; the summary says "restored in"
 * with the journal's restoreMs and "rollback took" on its own line. (Item 1, the demo's
 * flag-regression, stays a real process in test/e2e/safety.test.ts: see there why.)
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/runbook/duration.js';
import { expectOneRule, restoreFacts } from '../helpers/escalation-facts.js';
import { closeScreens, expectNothingLeft, fixtureSandbox, openScreen } from '../helpers/ink-session.js';
import { journal } from '../helpers/session-box.js';
import { canRun, header } from '../helpers/frame-lines.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/safety', import.meta.url));

afterEach(closeScreens);


describe('escalation on the screen (item 4)', () => {
  // item 5 on the screen ran this same release (escalation.yml, the rollback passing): one run, each assertion kept
  it('the same rule as headless: levels keep their spacing, verify resolves the incident (level 3 never runs); q does not ask; the summary says "restored in" with the journal\'s restoreMs, and "rollback took" on its own line (item 5)', async () => {
    const sb = fixtureSandbox(FIXTURE, 'cockpit-safety-');
    const s = openScreen(sb, { runbook: 'escalation.yml', cols: 100, rows: 30 });
    await s.waitFor(canRun, 20_000);
    await s.press('Enter');
    await s.waitFor((x) => / ROLLED BACK {3}R ROLLBACK$/.test(header(x)), 30_000);
    await s.waitFor(/Escalation \(resolved\)/);
    expectOneRule(journal(sb));
    await s.press('q');
    const { code, summary } = await s.exit;
    expect(code).toBe(3);
    // item 5
    const f = restoreFacts(journal(sb));
    expect(summary).toContain(`  ↺ restored in ${formatDuration(f.restoreMs)} (from the incident's start: the first breaching sample): ${f.reason}`);
    expect(summary).toContain(`    rollback took ${formatDuration(f.durationMs)} (from its start to its last step)`);
    expect(summary).not.toMatch(/rolled back in/);
    await expectNothingLeft(sb);
  }, 60_000);
});
