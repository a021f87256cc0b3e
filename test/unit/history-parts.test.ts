/**
 * The small pure parts of the history: spans and rates as written in targets, the --since window,
 * the Markdown targets, the risk-register entry as Markdown, YAML and placeholders, the celebration
 * checklist and the learnings line, and the output tables.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { RiskEntry } from '../../src/core/events.js';
import { learningsOf, reviewLines, reviewOf, ROLLBACK_CHECKLIST, SHIPPED_CHECKLIST, type ReleaseFacts } from '../../src/history/celebration.js';
import { changesText, markdownTable } from '../../src/history/format.js';
import type { Release } from '../../src/history/log.js';
import { report } from '../../src/history/report.js';
import { appendText, entryValues, loadYamlWriter, markdownEntry, registerFormat, riskEntry, yamlEntry } from '../../src/history/risk-register.js';

beforeAll(() => loadYamlWriter());
import { sinceOf } from '../../src/history/window.js';
import { targetOf } from '../../src/runbook/markdown-targets.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { formatSpan, parseRate, parseSpan } from '../../src/runbook/span.js';

describe('spans and rates', () => {
  it('parses weeks, days, hours, minutes, seconds; rates as fractions', () => {
    expect(parseSpan('1d')).toBe(86_400_000);
    expect(parseSpan('2d12h')).toBe(60 * 3_600_000);
    expect(parseSpan('1w')).toBe(7 * 86_400_000);
    expect(parseSpan('90m')).toBe(5_400_000);
    expect(parseSpan('')).toBeUndefined();
    expect(parseSpan('1x')).toBeUndefined();
    expect(parseSpan('h')).toBeUndefined();
    expect(parseRate('15%')).toBe(0.15);
    expect(parseRate(' 2.5 % ')).toBe(0.025);
    expect(parseRate(10)).toBe(0.1);
    expect(parseRate('101%')).toBeUndefined();
    expect(parseRate('15')).toBeUndefined();
    expect(formatSpan(2 * 86_400_000 + 3 * 3_600_000 + 59_000)).toBe('2d 3h');
    expect(formatSpan(3 * 3_600_000 + 5 * 60_000)).toBe('3h05m');
    expect(formatSpan(12 * 60_000)).toBe('12m');
    expect(formatSpan(2_740)).toBe('2.7s');
  });

  it('targets: in a runbook validate, normalise to ms and fractions, and bad ones are located errors', () => {
    const ok = parseRunbook('name: x\nstages: [{id: a, steps: [./a.sh]}]\ntargets: { deploymentFrequency: daily, leadTime: 1d, changeFailureRate: 15%, timeToRestore: 1h, rollbackRate: 10 }\n', '/x/cockpit.yml');
    if (!ok.ok) throw new Error(ok.errors.map((e) => e.message).join('\n'));
    expect(ok.runbook.targets).toEqual({ deploymentFrequency: 'daily', leadTimeMs: 86_400_000, changeFailureRate: 0.15, timeToRestoreMs: 3_600_000, rollbackRate: 0.1 });
    const bad = parseRunbook('name: x\nstages: [{id: a, steps: [./a.sh]}]\ntargets:\n  leadTime: soon\n  deploymentFrequency: hourly\n', '/x/cockpit.yml');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => `${e.line}: ${e.message}`)).toEqual([expect.stringMatching(/^4: .*bad span "soon"/), '5: targets.deploymentFrequency: expected one of daily, weekly, monthly, yearly (got "hourly")']);
  });

  it('riskRegister: is a file or a command, not both', () => {
    const file = parseRunbook('name: x\nstages: [{id: a, steps: [./a.sh]}]\nriskRegister: { file: risks.md }\n', '/x/cockpit.yml');
    expect(file.ok && file.runbook.riskRegister).toEqual({ kind: 'file', file: 'risks.md' });
    const run = parseRunbook('name: x\nstages: [{id: a, steps: [./a.sh]}]\nriskRegister: { run: [./sync.sh, "{reason}"] }\n', '/x/cockpit.yml');
    expect(run.ok && run.runbook.riskRegister).toMatchObject({ kind: 'run', step: { command: { kind: 'argv', argv: ['./sync.sh', '{reason}'] }, timeoutMs: 30_000 } });
    const both = parseRunbook('name: x\nstages: [{id: a, steps: [./a.sh]}]\nriskRegister: { file: a.md, run: ./b.sh }\n', '/x/cockpit.yml');
    expect(both.ok).toBe(false);
  });
});

describe('--since', () => {
  const now = Date.parse('2024-05-31T12:00:00Z');
  it('takes days, weeks, hours, a date or all', () => {
    expect(sinceOf('30d', now)).toEqual({ at: now - 30 * 86_400_000, label: '2024-05-01 (30d)' });
    expect(sinceOf('2w', now)?.at).toBe(now - 14 * 86_400_000);
    expect(sinceOf('2024-05-01', now)).toEqual({ at: Date.parse('2024-05-01T00:00:00Z'), label: '2024-05-01' });
    expect(sinceOf('all', now)?.at).toBe(-Infinity);
    expect(sinceOf('2024-02-30', now)).toBeUndefined();
    expect(sinceOf('soon', now)).toBeUndefined();
    expect(sinceOf('30', now)).toBeUndefined();
  });
});

describe('Markdown success metrics → targets', () => {
  it('maps values, leaves the template’s blanks and choices', () => {
    expect(targetOf('Deployment Frequency', '[Target: daily]')).toEqual({ key: 'deploymentFrequency', value: 'daily' });
    expect(targetOf('Deployment Frequency', '[Target: daily/weekly]')).toEqual({ key: 'deploymentFrequency', blank: 'daily/weekly' });
    expect(targetOf('Lead Time', 'Target: < 4 hours from commit to production')).toEqual({ key: 'leadTime', value: '4h' });
    expect(targetOf('Lead Time', '[Target: < X hours from commit to production]')).toEqual({ key: 'leadTime', blank: '< X hours from commit to production' });
    expect(targetOf('Lead Time', '< 1.5 days')).toEqual({ key: 'leadTime', value: '36h' });
    expect(targetOf('Recovery Time', '[Target: < 30 minutes to rollback]')).toEqual({ key: 'timeToRestore', value: '30m' });
    expect(targetOf('Change Failure Rate', '[Target: < 15%]')).toEqual({ key: 'changeFailureRate', value: '15%' });
    expect(targetOf('Rollback Rate', '[Target: < X%]')).toEqual({ key: 'rollbackRate', blank: '< X%' });
    expect(targetOf('Post-Release Issues', '[Target: < 2 per release]')).toBeUndefined();
    expect(targetOf('Deployment Anxiety', '[1-5 scale, target: < 2]')).toBeUndefined();
  });
});

const ENTRY: RiskEntry = {
  date: '2024-05-06T10:00:30.000Z',
  session: '20240506-100000-ab12',
  runbook: 'web-app',
  version: '2.4.0',
  environment: 'production',
  risk: 'trigger error-rate-above',
  reason: 'error_rate 4 % > 1 %\nfor 2m | $(touch x)',
  restoreMs: 14_000,
  outcome: 'rolled-back',
  journal: '/state/sessions/20240506-100000-ab12/journal.jsonl',
};

describe('the risk-register entry', () => {
  it('is built from the rollback: the trigger that fired, or who asked', () => {
    const base = { startedAt: Date.parse(ENTRY.date), session: ENTRY.session, runbook: 'web-app', version: '2.4.0', environment: 'production', reason: 'r', journal: ENTRY.journal };
    expect(riskEntry({ ...base, source: 'trigger', trigger: 'error-rate-above', restoreMs: 14_000, ok: true })).toMatchObject({ risk: 'trigger error-rate-above', restoreMs: 14_000, outcome: 'rolled-back', date: ENTRY.date });
    expect(riskEntry({ ...base, source: 'operator', restoreMs: 14_000, ok: false })).toMatchObject({ risk: 'operator rollback', restoreMs: null, outcome: 'rollback-failed' });
    expect(riskEntry({ ...base, source: 'command', ok: true })).toMatchObject({ risk: 'cockpit rollback', restoreMs: null });
  });

  it('as Markdown: one section, every value on its own line', () => {
    expect(markdownEntry(ENTRY)).toBe(
      [
        '### 2024-05-06 10:00 UTC · web-app 2.4.0 · rolled back',
        '',
        '- **Date:** 2024-05-06T10:00:30.000Z',
        '- **Session:** 20240506-100000-ab12',
        '- **Version:** 2.4.0',
        '- **Environment:** production',
        '- **Risk:** trigger error-rate-above',
        '- **Reason:** error_rate 4 % > 1 % for 2m | $(touch x)',
        '- **Time to restore:** 14.0s',
        '- **Outcome:** rolled back',
        '- **Journal:** /state/sessions/20240506-100000-ab12/journal.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('as YAML: a list item that reads back to the entry', () => {
    expect(registerFormat('risks.yaml')).toBe('yaml');
    expect(registerFormat('RISKS.YML')).toBe('yaml');
    expect(registerFormat('risks.md')).toBe('markdown');
    expect(parseYaml(yamlEntry(ENTRY) + yamlEntry({ ...ENTRY, session: 'two' }))).toEqual([
      { ...ENTRY, timeToRestore: '14.0s' },
      { ...ENTRY, session: 'two', timeToRestore: '14.0s' },
    ]);
  });

  it('appends on a line of its own, after a blank line in Markdown', () => {
    expect(appendText('', ENTRY, 'markdown').startsWith('### ')).toBe(true);
    expect(appendText('# Risks\n', ENTRY, 'markdown').startsWith('\n### ')).toBe(true);
    expect(appendText('# Risks', ENTRY, 'markdown').startsWith('\n\n### ')).toBe(true);
    expect(appendText('# Risks\n\n', ENTRY, 'markdown').startsWith('### ')).toBe(true);
    expect(appendText('- a: 1', ENTRY, 'yaml').startsWith('\n- date:')).toBe(true);
    expect(appendText('- a: 1\n', ENTRY, 'yaml').startsWith('- date:')).toBe(true);
  });

  it('as placeholders for a command: every field, the time to restore in ms', () => {
    expect(entryValues(ENTRY)).toEqual({
      date: ENTRY.date,
      session: ENTRY.session,
      runbook: 'web-app',
      version: '2.4.0',
      environment: 'production',
      trigger: 'trigger error-rate-above',
      reason: ENTRY.reason,
      restore: '14000',
      outcome: 'rolled-back',
      journal: ENTRY.journal,
    });
    expect(entryValues({ ...ENTRY, restoreMs: null }).restore).toBe('');
  });
});

const FACTS: ReleaseFacts = {
  version: '2.4.0',
  environment: 'production',
  outcome: 'released',
  stages: 4,
  stagesPassed: 4,
  deployed: true,
  failures: [],
  recovered: [],
  fired: [],
  overBudget: [],
};

describe('the celebration checklist and the learnings line', () => {
  it('a release that shipped: the seed’s ship checklist; facts only', () => {
    const r = reviewOf(FACTS, '  ');
    expect(r).toEqual({ outcome: 'released', checklist: 'shipped', items: [...SHIPPED_CHECKLIST], learnings: '2.4.0 → production released: 4 of 4 stages passed, no trigger fired.' });
    expect(reviewLines(r)).toEqual([
      '★ When we ship successfully:',
      '  [ ] Update team in #releases with metrics',
      '  [ ] Thank everyone who contributed',
      '  [ ] Add learnings to knowledge base',
      '  [ ] Plan next improvement to this runbook',
      '★ learnings: 2.4.0 → production released: 4 of 4 stages passed, no trigger fired.',
    ]);
  });

  it('a rollback: the seed’s rollback checklist, what fired, the time to restore, and the operator’s note', () => {
    const f: ReleaseFacts = {
      ...FACTS,
      outcome: 'rolled-back',
      stagesPassed: 2,
      fired: [{ trigger: 'error-rate-above', reason: 'error_rate 4 % > 1 % for 2m' }],
      recovered: [{ where: 'Pre-flight / All tests passing', attempt: 2 }],
      failures: [{ where: 'Pre-flight / All tests passing', reason: 'exit 1' }],
      overBudget: ['Deploy to Production'],
      rollback: { source: 'trigger', reason: 'trigger fired', ok: true, restoreMs: 134_000 },
    };
    const r = reviewOf(f, 'canary the cart change');
    expect(r.items).toEqual([...ROLLBACK_CHECKLIST]);
    expect(r.learnings).toBe(
      '2.4.0 → production: trigger error-rate-above fired (error_rate 4 % > 1 % for 2m); restored in 2m14s from the incident\'s start; passed on a retry: Pre-flight / All tests passing (attempt 2); over budget: Deploy to Production.',
    );
    expect(reviewLines(r).slice(-2)).toEqual([`★ learnings: ${r.learnings}`, "★ the operator's learning: canary the cart change"]);
    expect(learningsOf({ ...f, fired: [], rollback: { source: 'operator', reason: 'latency', ok: false, failedAt: 'Rollback to last known good' } })).toMatch(/^2\.4\.0 → production: rolled back by the operator: latency; ROLLBACK FAILED at Rollback to last known good, not restored;/);
  });

  it('a release that failed without a rollback: no checklist; says whether production was reached', () => {
    const r = reviewOf({ ...FACTS, outcome: 'failed', stagesPassed: 1, deployed: false, failures: [{ where: 'Deploy to Staging / Run smoke tests', reason: 'exit 1' }] });
    expect(r).toMatchObject({ checklist: 'none', items: [] });
    expect(r.learnings).toBe('2.4.0 → production failed after 1 of 4 stages, nothing reached production; failed: Deploy to Staging / Run smoke tests (exit 1).');
    expect(reviewLines(r)).toEqual([`★ learnings: ${r.learnings}`]);
    expect(learningsOf({ ...FACTS, outcome: 'failed', stagesPassed: 3, deployed: true })).toBe('2.4.0 → production failed after 3 of 4 stages, production was reached and not rolled back.');
  });
});

describe('the output tables', () => {
  it('--markdown is the seed’s table: its header and rule as written, one line per release, pipes escaped', () => {
    const release: Release = {
      session: 's',
      journal: '/j',
      runbook: 'web',
      version: '2.4.0',
      environment: 'production',
      startedAt: Date.parse('2024-05-06T10:00:00Z'),
      outcome: 'released',
      live: false,
      kind: 'release',
      deployedAt: Date.parse('2024-05-06T10:01:00Z'),
      failures: [],
      unconfirmed: [],
      fired: [],
      risk: [],
      review: { outcome: 'released', checklist: 'shipped', items: [], learnings: 'a | b\nc' },
    };
    const rep = report({ releases: [release], changes: new Map([['s', { commits: [{ sha: '2', at: 2, subject: 'second' }, { sha: '1', at: 1, subject: 'first' }] }]]), since: 0, now: Date.parse('2024-05-07T00:00:00Z') });
    expect(markdownTable(rep)).toEqual([
      '| Date | Version | Changes | Issues | Recovery Time | Learnings |',
      '|------|---------|---------|---------|---------------|-----------|',
      '| 2024-05-06 | 2.4.0 | 2 commits: first; second | None | N/A | a \\| b c |',
    ]);
    expect(changesText({ why: 'git unavailable' })).toBe('—');
    expect(changesText({ commits: [] })).toBe('no new commits');
  });
});
