/**
 * `cockpit history` over three real demo releases (good, bad-release, good) in a git repository,
 * in-process through main(argv, io), from committed journals (test/fixtures/history-releases/:
 * recorded from a real run of the built binary, see its README; three live demos took a minute
 * before the first assertion). The workspace is made a git repository with the recording's commits
 * (known subjects and times, so the same shas), and history's clock is the recording's end: the
 * plain table, `--markdown` (the seed's table, exact, its values read back from the journals),
 * `--json` (the four keys worked out here from the journals and the commit times), "—" for changes
 * when git is not there, and what the recording holds (the commits, the review, the risk register
 * the bad release appended to).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decisionText, type DecisionRecord } from '../../src/guard/decision.js';
import { formatDuration } from '../../src/runbook/duration.js';
import { formatSpan } from '../../src/runbook/span.js';
import { cockpitInProcess } from '../helpers/cli.js';
import { journalEvents } from '../helpers/demo-run.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/history-releases', import.meta.url));
type Commit = { sha: string; at: number; subject: string };
const META = JSON.parse(readFileSync(join(FIXTURE, 'meta.json'), 'utf8')) as { now: number; sessions: string[]; commits: Record<string, Commit> };
const DAY = 86_400_000;
const roots: string[] = [];

afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** git in `cwd`, as Dev, its commits dated `at`. */
const git = (cwd: string, args: string[], at?: number) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com', ...(at ? { GIT_COMMITTER_DATE: `@${at / 1000} +0000`, GIT_AUTHOR_DATE: `@${at / 1000} +0000` } : {}) },
  }).trim();

type Out = { code: number | null; stdout: string; stderr: string; lines: string[] };

/** cockpit `args` in-process in `cwd` with its state dir, with its stdout's lines. */
async function cockpit(args: string[], o: { cwd: string; state: string; env?: Record<string, string> }): Promise<Out> {
  const r = await cockpitInProcess(args, { cwd: o.cwd, env: { COCKPIT_STATE_DIR: o.state, ...o.env } });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.replace(/\n$/, '').split('\n') };
}

type Ev = { type: string; [k: string]: unknown };
const one = (events: Ev[], type: string): Ev => {
  const found = events.filter((e) => e.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
};

describe('cockpit history over three demo releases in a git repository', () => {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-history-'));
  roots.push(root);
  const ws = join(root, 'ws');
  const state = join(root, 'state');
  const journals: Ev[][] = [];
  const { commits } = META;

  beforeAll(() => {
    // the recorded workspace and journals, the recording's temporary directory (@ROOT@) made ours
    for (const f of readdirSync(FIXTURE, { recursive: true }).map(String)) {
      const from = join(FIXTURE, f);
      if (!f.startsWith('ws') && !f.startsWith('state')) continue;
      if (statSync(from).isDirectory()) continue;
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), readFileSync(from, 'utf8').split('@ROOT@').join(root));
    }
    // the workspace a git repository whose commits are the recording's: the same subjects, author
    // and times make the same shas, which the journals name
    git(ws, ['init', '-q']);
    for (const [key, c] of Object.entries(commits)) {
      git(ws, ['commit', '-q', '--allow-empty', '-m', c.subject], c.at);
      expect(git(ws, ['rev-parse', 'HEAD']), `commit ${key} of ${FIXTURE}/meta.json`).toBe(c.sha);
    }
    for (const id of META.sessions) journals.push(journalEvents(join(state, 'sessions', id, 'journal.jsonl')));
    // history's "now" (its window, its deploy days) is the recording's end
    vi.useFakeTimers({ toFake: ['Date'], now: META.now });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  /** What the journals say: session ids, deploy times (production stage started), the bad release's restore. */
  const facts = () => {
    const sessions = journals.map((j) => one(j, 'session.started').sessionId as string);
    const deployedAt = journals.map((j) => j.find((e) => e.type === 'stage.started' && e.stage === 'production')!.at as number);
    const startedAt = journals.map((j) => one(j, 'session.started').at as number);
    const restoreMs = one(journals[1], 'rollback.verified').restoreMs as number;
    const fired = one(journals[1], 'trigger.fired').reason as string;
    const record = one(journals[1], 'trigger.fired').record as DecisionRecord;
    const rollbackReason = one(journals[1], 'rollback.started').reason as string;
    const learnings = journals.map((j) => one(j, 'release.reviewed').learnings as string);
    // lead time: every commit of every deployment, Four Keys' way: B and C with the bad release, D with the last
    const spans = [deployedAt[1] - commits.B.at, deployedAt[1] - commits.C.at, deployedAt[2] - commits.D.at].sort((a, b) => a - b);
    return { sessions, deployedAt, startedAt, restoreMs, fired, record, rollbackReason, learnings, leadMedian: spans[1] };
  };

  it('the journals hold the commits, the review and the risk-register entry', () => {
    expect(journals.map((j) => one(j, 'release.commit').sha)).toEqual([commits.A.sha, commits.C.sha, commits.D.sha]);
    expect(journals.map((j) => one(j, 'session.ended').outcome)).toEqual(['released', 'rolled-back', 'released']);
    expect(one(journals[1], 'release.reviewed')).toMatchObject({ checklist: 'rolled-back', note: 'canary the cart change' });
    expect(one(journals[1], 'risk.registered')).toMatchObject({ ok: true, via: 'file', target: join(ws, 'risk-register.md') });
    expect(journals[0].some((e) => e.type === 'risk.registered')).toBe(false);
  });

  it('the bad release appended its entry to the demo’s risk register', () => {
    const f = facts();
    const started = one(journals[1], 'rollback.started');
    const date = new Date(started.at as number).toISOString();
    expect(readFileSync(join(ws, 'risk-register.md'), 'utf8')).toBe(
      [
        `### ${date.slice(0, 16).replace('T', ' ')} UTC · demo-web-app 2.4.0 · rolled back`,
        '',
        `- **Date:** ${date}`,
        `- **Session:** ${f.sessions[1]}`,
        '- **Version:** 2.4.0',
        '- **Environment:** production',
        '- **Risk:** trigger error-rate-above',
        `- **Reason:** ${f.rollbackReason}`,
        `- **Time to restore:** ${formatDuration(f.restoreMs)}`,
        '- **Outcome:** rolled back',
        `- **Journal:** ${join(state, 'sessions', f.sessions[1], 'journal.jsonl')}`,
        '',
      ].join('\n'),
    );
  });

  it('--markdown prints the seed’s Release History Log table, one row per release', async () => {
    const f = facts();
    const r = await cockpit(['history', '--markdown'], { cwd: ws, state });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const day = (i: number) => new Date(f.startedAt[i]).toISOString().slice(0, 10);
    expect(r.lines).toEqual([
      '| Date | Version | Changes | Issues | Recovery Time | Learnings |',
      '|------|---------|---------|---------|---------------|-----------|',
      `| ${day(0)} | 2.4.0 | — | None | N/A | 2.4.0 → production released: 4 of 4 stages passed, no trigger fired. |`,
      `| ${day(1)} | 2.4.0 | 2 commits: B: checkout tweak; C: faster cart | trigger error-rate-above fired: ${decisionText(f.record)}; rolled back by trigger | ${formatDuration(f.restoreMs)} | ${f.learnings[1]} Operator: canary the cart change |`,
      `| ${day(2)} | 2.4.0 | 1 commit: D: revert the cart change | None | N/A | 2.4.0 → production released: 4 of 4 stages passed, no trigger fired. |`,
    ]);
    // the clean releases' learnings, as the journal recorded them (a loaded machine may add "; over budget: …", which the recorder refuses)
    for (const i of [0, 2]) expect(f.learnings[i]).toMatch(/^2\.4\.0 → production released: 4 of 4 stages passed, no trigger fired(\.|; over budget: .+\.)$/);
    // the Issues cell carries the decision record: the value, comparator and threshold, the query, the window's samples
    expect(f.record).toMatchObject({ trigger: 'error-rate-above', kind: 'metric', subject: 'error_rate', query: '/overall/error_rate', comparator: '>', threshold: 1, forMs: 2000 });
    const shown = Math.min(f.record.samples, 12);
    const earlier = f.record.samples > shown ? `… ${f.record.samples - shown} earlier, ` : '';
    expect(decisionText(f.record)).toMatch(
      new RegExp(`^error_rate [\\d.]+ % > 1 % for 2s · query: /overall/error_rate · window ${f.record.samples} samples over 2s: ${earlier}[\\d.]+(?: [\\d.]+){${shown - 1}}$`),
    );
    expect(f.learnings[1]).toBe(`2.4.0 → production: trigger error-rate-above fired (${f.fired}); restored in ${formatDuration(f.restoreMs)} from the incident's start.`);
  });

  it('--json: the releases and the four keys, worked out from the journals and the commit times', async () => {
    const f = facts();
    const r = await cockpit(['history', '--json'], { cwd: ws, state });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { runbook: string; releases: Record<string, unknown>[]; dora: Record<string, Record<string, unknown>> };
    expect(doc.runbook).toBe('demo-web-app');
    expect(doc.releases.map((x) => [x.session, x.outcome, x.commit, x.changeFailure])).toEqual([
      [f.sessions[0], 'released', commits.A.sha, false],
      [f.sessions[1], 'rolled-back', commits.C.sha, true],
      [f.sessions[2], 'released', commits.D.sha, false],
    ]);
    const iso = (k: string) => ({ sha: commits[k].sha, committedAt: new Date(commits[k].at).toISOString(), subject: commits[k].subject });
    expect(doc.releases.map((x) => [x.changes, x.changesWhy])).toEqual([
      [null, 'first deployment in the log'],
      [[iso('C'), iso('B')], null],
      [[iso('D')], null],
    ]);
    expect(doc.releases[1]).toMatchObject({ recoveryMs: f.restoreMs, riskRegister: [{ ok: true, target: join(ws, 'risk-register.md') }], deployedAt: new Date(f.deployedAt[1]).toISOString() });
    const d = doc.dora;
    expect(d.deployments).toBe(3);
    // every release today (UTC): one deploy day in one week → weekly (high); the demo's target is daily
    const days = new Set(f.deployedAt.map((t) => new Date(t).toISOString().slice(0, 10))).size;
    expect(d.deploymentFrequency).toMatchObject({ bucket: 'weekly', level: 'high', deployDays: days, deployments: 3, target: 'daily', verdict: 'missed' });
    // about two days: one week bucket (high), over the 1d target
    expect(d.leadTime).toMatchObject({ figures: { medianMs: f.leadMedian, count: 3, bucket: 'one week', level: 'high' }, level: 'high', targetMs: DAY, verdict: 'missed' });
    expect(d.changeFailureRate).toMatchObject({ figures: { rate: 1 / 3, count: 1, of: 3 }, bucket: '16-45%', level: 'medium', target: 0.15, verdict: 'missed' });
    expect(d.timeToRestore).toMatchObject({ figures: { medianMs: f.restoreMs, count: 1, bucket: 'one day', level: 'elite' }, targetMs: 3_600_000, verdict: 'met' });
    expect(d.rollbackRate).toMatchObject({ figures: { rate: 1 / 3, count: 1, of: 3 }, target: 0.1, verdict: 'missed' });
  });

  it('the plain table: the log, then each key with its value, bucket, level and verdict', async () => {
    const f = facts();
    const r = await cockpit(['history'], { cwd: ws, state });
    expect(r.code, r.stderr).toBe(0);
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const since = new Date(Date.now() - 90 * DAY).toISOString().slice(0, 10);
    expect(r.lines[0]).toBe(`cockpit history · demo-web-app · 3 releases since ${since} (90d) · ${state}`);
    expect(r.lines[1]).toBe('');
    expect(r.lines[2]).toMatch(/^DATE \(UTC\) +VERSION +OUTCOME +CHANGES +ISSUES +RECOVERY +LEARNINGS$/);
    const stamp = (i: number) => esc(new Date(f.startedAt[i]).toISOString().slice(0, 16).replace('T', ' '));
    expect(r.lines[3]).toMatch(new RegExp(`^${stamp(0)} +2\\.4\\.0 +released +— \\(first deployment in the log\\) +None +N/A +${esc(f.learnings[0])}$`));
    expect(r.lines[4]).toMatch(new RegExp(`^${stamp(1)} +2\\.4\\.0 +rolled back +2 commits: B: checkout tweak; C: faster cart +trigger error-rate-above fired: .+… +${esc(formatDuration(f.restoreMs))} +${esc(f.learnings[1])} Operator: canary the cart change$`));
    expect(r.lines[5]).toMatch(new RegExp(`^${stamp(2)} +2\\.4\\.0 +released +1 commit: D: revert the cart change +None +N/A +`));
    expect(r.lines[6]).toBe('');
    expect(r.lines[7]).toMatch(/^DORA four keys, the Four Keys way · \d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d \(UTC\) · 3 deployments · definitions: docs\/history\.md$/);
    expect(r.lines.slice(8)).toEqual([
      expect.stringMatching(/^KEY +VALUE +BUCKET +LEVEL +TARGET +VERDICT$/),
      expect.stringMatching(/^Deployment frequency +1 day with deployments in 1 week \(median 1 a week\) +weekly +high +daily +✗ MISSED$/),
      expect.stringMatching(new RegExp(`^Lead time for changes +${esc(formatSpan(f.leadMedian))} \\(median of 3 commits\\) +one week +high +1d +✗ MISSED$`)),
      expect.stringMatching(/^Change failure rate +33\.3% \(1 of 3 deployments\) +16-45% +medium +15% +✗ MISSED$/),
      expect.stringMatching(new RegExp(`^Time to restore +${esc(formatSpan(f.restoreMs))} \\(median of 1 restore\\) +one day +elite +1h +✓ met$`)),
      expect.stringMatching(/^Rollback rate +33\.3% \(1 of 3 deployments\) +— +— +10% +✗ MISSED$/),
    ]);
    expect(formatSpan(f.leadMedian)).toBe('2d');
  });

  it('without git the changes are "—" and the lead time has no data; --since narrows the window', async () => {
    const r = await cockpit(['history', '--json'], { cwd: ws, state, env: { PATH: join(root, 'no-bin') } });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { releases: { changes: unknown; changesWhy: string }[]; dora: { leadTime: { verdict: string; figures?: unknown } } };
    expect(doc.releases.map((x) => [x.changes, x.changesWhy])).toEqual([
      [null, 'first deployment in the log'],
      [null, 'git unavailable'],
      [null, 'git unavailable'],
    ]);
    expect(doc.dora.leadTime.figures).toBeUndefined();
    expect(doc.dora.leadTime.verdict).toBe('no data');
    const md = await cockpit(['history', '--markdown'], { cwd: ws, state, env: { PATH: join(root, 'no-bin') } });
    expect(md.lines.slice(2).map((l) => l.split(' | ')[2])).toEqual(['—', '—', '—']);
    const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10);
    const none = await cockpit(['history', '--since', tomorrow], { cwd: ws, state });
    expect(none.lines.slice(0, 3)).toEqual([`cockpit history · demo-web-app · 0 releases since ${tomorrow} · ${state}`, '', 'no releases in this window']);
    expect(none.stdout).toMatch(/^Deployment frequency +no data \(no deployment\) +— +— +daily +\? no data$/m);
  });

  it('bad usage is one line and exit 2', async () => {
    const both = await cockpit(['history', '--markdown', '--json'], { cwd: ws, state });
    expect(both.code).toBe(2);
    expect(both.stderr.split('\n')[0]).toBe('cockpit: --markdown or --json, not both');
    const since = await cockpit(['history', '--since', 'soon'], { cwd: ws, state });
    expect(since.code).toBe(2);
    expect(since.stderr.trim()).toBe('cockpit: --since: "soon" is not a window (30d, 12w, 2024-05-01 or all)');
  });
});
