/**
 * The history report: the release log rows and the DORA four keys (plus the rollback rate) over a
 * window, compared with the runbook's targets. Pure: releases, their commits and the clock in.
 */
import type { Frequency, Targets } from '../runbook/types.js';
import { formatDuration } from '../runbook/duration.js';
import {
  atLeastAsOften,
  atMost,
  deploymentFrequency,
  failureBucket,
  leadTime,
  rate,
  timeToRestoreFigures,
  utcDay,
  type FrequencyFigures,
  type Level,
  type RateFigures,
  type SpanFigures,
  type Verdict,
} from './dora.js';
import type { Commit } from './git.js';
import { isChangeFailure, issuesOf, wasRolledBack, type Release } from './log.js';

/** A release's commits: the list, or why there is none (no git, first deployment, no commit recorded). */
export type Changes = { readonly commits: readonly Commit[] } | { readonly why: string };

export type Row = {
  readonly release: Release;
  readonly date: string;
  readonly changes: Changes;
  readonly issues: readonly string[];
  /** Time to restore of its rollback; null without one (or not restored). */
  readonly recoveryMs: number | null;
  readonly recovery: string;
  readonly learnings: string;
};

export type Key<V> = V & { readonly level?: Level; readonly verdict: Verdict };

export type Dora = {
  readonly fromDay: string;
  readonly toDay: string;
  readonly deployments: number;
  readonly deploymentFrequency: Key<FrequencyFigures & { readonly target?: Frequency }>;
  readonly leadTime: Key<{ readonly figures?: SpanFigures; readonly targetMs?: number }>;
  readonly changeFailureRate: Key<{ readonly figures?: RateFigures; readonly bucket?: string; readonly target?: number }>;
  readonly timeToRestore: Key<{ readonly figures?: SpanFigures; readonly targetMs?: number }>;
  readonly rollbackRate: Key<{ readonly figures?: RateFigures; readonly target?: number }>;
};

export type Report = { readonly rows: readonly Row[]; readonly dora: Dora };

function recoveryOf(r: Release): { ms: number | null; text: string } {
  const rb = r.rollback;
  if (!rb) return { ms: null, text: r.rolledBackBy ? 'see its rollback' : 'N/A' };
  // the time the cockpit was stopped is not in it: said beside it
  if (rb.restoreMs !== undefined) return { ms: rb.restoreMs, text: `${formatDuration(rb.restoreMs)}${rb.pausedMs ? ` (+${formatDuration(rb.pausedMs)} cockpit paused, not counted)` : ''}` };
  if (rb.ok === false) return { ms: null, text: 'not restored' };
  return { ms: null, text: r.live ? 'rolling back' : 'not verified' };
}

function learningsOf(r: Release): string {
  if (!r.review) return '—';
  return r.review.note ? `${r.review.learnings} Operator: ${r.review.note}` : r.review.learnings;
}

export type ReportInput = {
  readonly releases: readonly Release[];
  readonly changes: ReadonlyMap<string, Changes>;
  /** The window: releases that started (deployments deployed, incidents began) at or after this wall time. */
  readonly since: number;
  readonly now: number;
  readonly targets?: Targets;
};

export function report(i: ReportInput): Report {
  const inWindow = i.releases.filter((r) => r.startedAt >= i.since);
  const rows: Row[] = inWindow.map((r) => {
    const rec = recoveryOf(r);
    return {
      release: r,
      date: new Date(r.startedAt).toISOString(),
      changes: i.changes.get(r.session) ?? { why: 'no commit recorded' },
      issues: issuesOf(r),
      recoveryMs: rec.ms,
      recovery: rec.text,
      learnings: learningsOf(r),
    };
  });
  return { rows, dora: dora(i) };
}

function dora(i: ReportInput): Dora {
  const t = i.targets ?? {};
  // deployments: releases that reached the environment and ended (a live one has not succeeded yet)
  const deployments = i.releases.filter((r) => r.kind === 'release' && r.deployedAt !== undefined && r.deployedAt >= i.since && r.outcome !== undefined);
  const firstDay = i.releases.length ? utcDay(Math.min(...i.releases.map((r) => r.startedAt))) : utcDay(i.now);
  // the calendar starts with the data (the first session), or later when the window does
  const fromDay = Number.isFinite(i.since) ? [utcDay(i.since), firstDay].sort().at(-1)! : firstDay;
  const toDay = utcDay(i.now);

  const df = deploymentFrequency(
    deployments.map((d) => d.deployedAt!),
    fromDay,
    toDay,
  );
  const pairs = deployments.flatMap((d) => {
    const c = i.changes.get(d.session);
    return c && 'commits' in c ? c.commits.map((x) => ({ deployAt: d.deployedAt!, commitAt: x.at })) : [];
  });
  const lt = leadTime(pairs);
  const failed = deployments.filter(isChangeFailure).length;
  const cfr = rate(failed, deployments.length);
  const restores = i.releases.flatMap((r) => (r.rollback?.restoreMs !== undefined && r.rollback.incidentAt >= i.since ? [r.rollback.restoreMs] : []));
  const ttr = timeToRestoreFigures(restores);
  const rr = rate(deployments.filter(wasRolledBack).length, deployments.length);
  const cfrBucket = cfr ? failureBucket(cfr.rate) : undefined;
  return {
    fromDay,
    toDay,
    deployments: deployments.length,
    deploymentFrequency: { ...df, target: t.deploymentFrequency, verdict: atLeastAsOften(deployments.length ? df.bucket : undefined, t.deploymentFrequency) },
    leadTime: { figures: lt, level: lt?.level, targetMs: t.leadTimeMs, verdict: atMost(lt?.medianMs, t.leadTimeMs) },
    changeFailureRate: { figures: cfr, bucket: cfrBucket?.bucket, level: cfrBucket?.level, target: t.changeFailureRate, verdict: atMost(cfr?.rate, t.changeFailureRate) },
    timeToRestore: { figures: ttr, level: ttr?.level, targetMs: t.timeToRestoreMs, verdict: atMost(ttr?.medianMs, t.timeToRestoreMs) },
    rollbackRate: { figures: rr, target: t.rollbackRate, verdict: atMost(rr?.rate, t.rollbackRate) },
  };
}
