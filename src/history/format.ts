/**
 * The history report as text: a plain table for people (the default), the seed's "Release History
 * Log" Markdown table (`--markdown`), or one JSON document (`--json`).
 */
import { sanitizeLine } from '../core/terminal-text.js';
import { formatSpan } from '../runbook/span.js';
import type { Verdict } from './dora.js';
import { isChangeFailure } from './log.js';
import type { Changes, Dora, Report, Row } from './report.js';
import { outcomeWord } from '../session/view/words.js';

const pct = (r: number) => `${Number((r * 100).toFixed(1))}%`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The Changes column: "2 commits: subject; subject" (oldest first), "no new commits", or "—" when unknown. */
export function changesText(c: Changes): string {
  if ('why' in c) return '—';
  if (c.commits.length === 0) return 'no new commits';
  return `${plural(c.commits.length, 'commit')}: ${[...c.commits].reverse().map((x) => sanitizeLine(x.subject)).join('; ')}`; // any contributor's words: printable, on one line, measured as drawn
}

const issuesText = (r: Row) => (r.issues.length ? r.issues.join('; ') : 'None');

// ── Markdown: the seed's table, its header and separator as the seed writes them ──

const MD_HEADER = '| Date | Version | Changes | Issues | Recovery Time | Learnings |';
const MD_RULE = '|------|---------|---------|---------|---------------|-----------|';

/** A table cell: one line, its pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/\|/g, '\\|');
}

export function markdownTable(rep: Report): string[] {
  return [MD_HEADER, MD_RULE, ...rep.rows.map((r) => `| ${[r.date.slice(0, 10), r.release.version, changesText(r.changes), issuesText(r), r.recovery, r.learnings].map(cell).join(' | ')} |`)];
}

// ── plain ──

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** Columns padded to their widest cell; the last one is left as long as it is. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function plainChanges(c: Changes): string {
  return 'why' in c ? `— (${c.why})` : changesText(c);
}

const VERDICT: Record<Verdict, string> = { met: '✓ met', missed: '✗ MISSED', 'no data': '? no data', 'no target': '- no target' };

export function doraRows(d: Dora): string[][] {
  const df = d.deploymentFrequency;
  const lt = d.leadTime;
  const cfr = d.changeFailureRate;
  const ttr = d.timeToRestore;
  const rr = d.rollbackRate;
  const none = (why: string) => `no data (${why})`;
  return [
    [
      'Deployment frequency',
      d.deployments ? `${plural(df.deployDays, 'day')} with deployments in ${plural(df.weeks, 'week')} (median ${df.medianDaysPerWeek} a week)` : none('no deployment'),
      d.deployments ? df.bucket : '—',
      d.deployments ? df.level : '—',
      df.target ?? '—',
      VERDICT[df.verdict],
    ],
    [
      'Lead time for changes',
      lt.figures ? `${formatSpan(lt.figures.medianMs)} (median of ${plural(lt.figures.count, 'commit')})` : none('no deployment with known commits'),
      lt.figures?.bucket ?? '—',
      lt.level ?? '—',
      lt.targetMs !== undefined ? formatSpan(lt.targetMs) : '—',
      VERDICT[lt.verdict],
    ],
    [
      'Change failure rate',
      cfr.figures ? `${pct(cfr.figures.rate)} (${cfr.figures.count} of ${plural(cfr.figures.of, 'deployment')})` : none('no deployment'),
      cfr.bucket ?? '—',
      cfr.level ?? '—',
      cfr.target !== undefined ? pct(cfr.target) : '—',
      VERDICT[cfr.verdict],
    ],
    [
      'Time to restore',
      ttr.figures ? `${formatSpan(ttr.figures.medianMs)} (median of ${plural(ttr.figures.count, 'restore')})` : none('no verified rollback'),
      ttr.figures?.bucket ?? '—',
      ttr.level ?? '—',
      ttr.targetMs !== undefined ? formatSpan(ttr.targetMs) : '—',
      VERDICT[ttr.verdict],
    ],
    ['Rollback rate', rr.figures ? `${pct(rr.figures.rate)} (${rr.figures.count} of ${plural(rr.figures.of, 'deployment')})` : none('no deployment'), '—', '—', rr.target !== undefined ? pct(rr.target) : '—', VERDICT[rr.verdict]],
  ];
}

export function plainReport(rep: Report, o: { runbook: string; since: string; stateDir: string }): string[] {
  const head = `cockpit history · ${o.runbook} · ${plural(rep.rows.length, 'release')} since ${o.since} · ${o.stateDir}`;
  const log = rep.rows.length
    ? table(
        ['DATE (UTC)', 'VERSION', 'OUTCOME', 'CHANGES', 'ISSUES', 'RECOVERY', 'LEARNINGS'],
        rep.rows.map((r) => [
          r.date.slice(0, 16).replace('T', ' '),
          r.release.version,
          r.release.kind === 'rollback' ? `rollback ${r.release.rollback?.ok === false ? 'FAILED' : 'only'}` : r.release.outcome ? outcomeWord(r.release.outcome, 'inline') : r.release.live ? 'running' : 'unknown',
          clip(plainChanges(r.changes), 48),
          clip(issuesText(r), 60),
          r.recovery,
          r.learnings,
        ]),
      )
    : ['no releases in this window'];
  const d = rep.dora;
  return [
    head,
    '',
    ...log,
    '',
    `DORA four keys, the Four Keys way · ${d.fromDay} → ${d.toDay} (UTC) · ${plural(d.deployments, 'deployment')} · definitions: docs/history.md`,
    ...table(['KEY', 'VALUE', 'BUCKET', 'LEVEL', 'TARGET', 'VERDICT'], doraRows(d)),
  ];
}

/** One JSON document: every row and every figure, times in ms and ISO. */
export function jsonReport(rep: Report, o: { runbook: string; since: string; now: number; stateDir: string }): object {
  return {
    runbook: o.runbook,
    stateDir: o.stateDir,
    since: o.since,
    now: new Date(o.now).toISOString(),
    releases: rep.rows.map((r) => ({
      session: r.release.session,
      journal: r.release.journal,
      date: r.date,
      kind: r.release.kind,
      version: r.release.version,
      environment: r.release.environment,
      outcome: r.release.outcome ?? null,
      live: r.release.live,
      deployedAt: r.release.deployedAt !== undefined ? new Date(r.release.deployedAt).toISOString() : null,
      commit: r.release.sha ?? null,
      changes: 'commits' in r.changes ? r.changes.commits.map((c) => ({ sha: c.sha, committedAt: new Date(c.at).toISOString(), subject: c.subject })) : null,
      changesWhy: 'why' in r.changes ? r.changes.why : null,
      changeFailure: r.release.deployedAt !== undefined && r.release.kind === 'release' ? isChangeFailure(r.release) : null,
      issues: r.issues,
      recoveryMs: r.recoveryMs,
      recovery: r.recovery,
      learnings: r.learnings,
      review: r.release.review ?? null,
      riskRegister: r.release.risk,
    })),
    dora: rep.dora,
  };
}
