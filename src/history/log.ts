/**
 * A session's journal → one release of the history log: when, which version and commit, whether
 * it reached the runbook's environment (a deployment), what went wrong, how it ended. Pure: the
 * events in, the record out; git and the files are the command's business (src/cli/history.ts).
 */
import { decisionText, type DecisionRecord } from '../guard/decision.js';
import type { Outcome, ReleaseReview, RollbackSource, SessionEvent } from '../core/events.js';

export type JournalInput = {
  readonly id: string;
  readonly journal: string;
  readonly events: readonly SessionEvent[];
  /** A cockpit drives it right now. */
  readonly live: boolean;
};

/** Titles for ids, and which stages deploy to the release's environment (from the runbook). */
export type Names = {
  stage(id: string): string;
  step(stage: string, id: string): string;
  /** Whether a stage changes the environment the release goes to (its first start is the deployment). */
  isTarget(stage: string, environment: string): boolean;
};

export type Release = {
  readonly session: string;
  readonly journal: string;
  readonly runbook: string;
  readonly version: string;
  readonly environment: string;
  /** Wall time of session.started. */
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly outcome?: Outcome;
  readonly live: boolean;
  /** A release, or a session that only rolled back (`cockpit rollback`, R before any stage). */
  readonly kind: 'release' | 'rollback';
  /** Wall time its first stage in the environment started: it is a deployment. */
  readonly deployedAt?: number;
  readonly sha?: string;
  readonly failures: readonly { readonly where: string; readonly reason: string; readonly passedOnAttempt?: number }[];
  readonly unconfirmed: readonly string[];
  readonly fired: readonly { readonly trigger: string; readonly reason: string; readonly record?: DecisionRecord }[];
  /** Shadow triggers that would have fired (they never roll back): how a new guardrail would have done. */
  readonly shadowFired?: readonly { readonly trigger: string; readonly reason: string }[];
  readonly rollback?: {
    readonly source: RollbackSource;
    readonly reason: string;
    /** Wall time the incident started (rollback.started incidentAt). */
    readonly incidentAt: number;
    readonly ok?: boolean;
    readonly failedAt?: string;
    readonly failReason?: string;
    /** Time to restore as the session measured it (rollback.verified, src/history/restore-time.ts). */
    readonly restoreMs?: number;
    /** The time the cockpit was stopped during the incident, left out of restoreMs (session.paused). */
    readonly pausedMs?: number;
  };
  /** A later session that rolled this deployment back (set by linkRollbacks). */
  readonly rolledBackBy?: { readonly session: string; readonly reason: string };
  readonly risk: readonly { readonly ok: boolean; readonly target: string; readonly error?: string }[];
  /** Messages to `notify:` targets that could not be sent. */
  readonly unsent?: readonly { readonly target: string; readonly on: string; readonly error?: string }[];
  readonly review?: ReleaseReview;
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the fold of a journal carries besides the release: whether it was one, each step's failure and attempt. */
type Fold = {
  readonly r: Mutable<Release>;
  release: boolean;
  readonly failures: Map<string, { where: string; reason: string; passedOnAttempt?: number }>;
  readonly attempts: Map<string, number>;
};

function opened(j: JournalInput, start: Extract<SessionEvent, { type: 'session.started' }>): Mutable<Release> {
  return {
    session: start.sessionId,
    journal: j.journal,
    runbook: start.runbook,
    version: start.version,
    environment: start.environment,
    startedAt: start.at,
    live: j.live,
    kind: 'rollback',
    failures: [],
    unconfirmed: [],
    fired: [],
    risk: [],
  };
}

/** The release's own course: the pre-flight, its stages and steps, its commit. False for an event of the incident. */
function foldRelease(f: Fold, e: SessionEvent, names: Names): boolean {
  const r = f.r;
  switch (e.type) {
    case 'preflight.failed':
      f.release = true;
      r.unconfirmed = e.unticked;
      return true;
    case 'stage.started':
      f.release = true;
      if (r.deployedAt === undefined && names.isTarget(e.stage, r.environment)) r.deployedAt = e.at;
      return true;
    case 'release.commit':
      r.sha ??= e.sha;
      return true;
    case 'step.started':
      f.attempts.set(`${e.stage}/${e.step}`, e.attempt);
      return true;
    case 'step.finished': {
      const key = `${e.stage}/${e.step}`;
      const seen = f.failures.get(key);
      if (!e.ok && !(e.interrupted && !e.timedOut)) f.failures.set(key, { where: `${names.stage(e.stage)} / ${names.step(e.stage, e.step)}`, reason: e.reason ?? 'failed' });
      else if (e.ok && seen) f.failures.set(key, { ...seen, passedOnAttempt: f.attempts.get(key) ?? 2 });
      return true;
    }
    case 'session.ended':
      if (r.outcome === undefined) {
        r.outcome = e.outcome;
        r.endedAt = e.at;
      }
      return true;
    case 'release.reviewed': {
      const { type: _type, at: _at, t: _t, ...review } = e;
      r.review = review;
      return true;
    }
    default:
      return false;
  }
}

/** The incident: triggers, the rollback, notifications that failed, the risk register. */
function foldIncident(f: Fold, e: SessionEvent, names: Names): void {
  const r = f.r;
  switch (e.type) {
    case 'trigger.fired':
      r.fired = [...r.fired, { trigger: e.trigger, reason: e.reason, ...(e.record ? { record: e.record } : {}) }];
      break;
    case 'trigger.shadow-fired':
      r.shadowFired = [...(r.shadowFired ?? []), { trigger: e.trigger, reason: e.reason }];
      break;
    case 'rollback.started':
      r.rollback = { source: e.source, reason: e.reason, incidentAt: e.at - (e.t - (e.incidentAt ?? e.t)) };
      break;
    case 'rollback.verified':
      if (r.rollback) r.rollback = { ...r.rollback, restoreMs: e.restoreMs, ...(e.pausedMs ? { pausedMs: e.pausedMs } : {}) };
      break;
    case 'rollback.finished':
      if (r.rollback) r.rollback = { ...r.rollback, ok: e.ok, failedAt: e.ok ? undefined : names.step('rollback', e.step ?? '?'), failReason: e.ok ? undefined : e.reason };
      break;
    case 'notification.finished':
      if (!e.ok) r.unsent = [...(r.unsent ?? []), { target: e.target, on: e.on, error: e.error }];
      break;
    case 'risk.registered':
      r.risk = [...r.risk, { ok: e.ok, target: e.target, error: e.error }];
      break;
    default:
      break;
  }
}

/**
 * The release a journal records: a stage started or the pre-flight failed (an attempt), or a
 * rollback ran. Undefined for a session that was none of these (a `cockpit flag`, a screen quit
 * before its first stage, an empty journal).
 */
export function readRelease(j: JournalInput, names: Names): Release | undefined {
  const start = j.events[0];
  if (start?.type !== 'session.started') return undefined;
  const f: Fold = { r: opened(j, start), release: false, failures: new Map(), attempts: new Map() };
  for (const e of j.events) if (!foldRelease(f, e, names)) foldIncident(f, e, names);
  f.r.failures = [...f.failures.values()];
  if (f.release) f.r.kind = 'release';
  else if (!f.r.rollback) return undefined;
  return f.r;
}

/**
 * A session that only rolled back (`cockpit rollback`) undid the deployment before it: that
 * deployment failed, and is marked rolled back by it. Releases are taken oldest first.
 */
export function linkRollbacks(releases: readonly Release[]): Release[] {
  const out = [...releases].sort((a, b) => a.startedAt - b.startedAt);
  for (let i = 0; i < out.length; i++) {
    const rb = out[i];
    if (rb.kind !== 'rollback' || !rb.rollback) continue;
    for (let k = i - 1; k >= 0; k--) {
      const d = out[k];
      if (d.runbook !== rb.runbook || d.deployedAt === undefined) continue;
      if (!d.rollback && !d.rolledBackBy) out[k] = { ...d, rolledBackBy: { session: rb.session, reason: rb.rollback.reason } };
      break;
    }
  }
  return out;
}

/** The deployment a release's changes are counted from: the latest deployment with a known commit that started before it. */
export function previousDeployment(releases: readonly Release[], r: Release): Release | undefined {
  return releases.filter((d) => d !== r && d.deployedAt !== undefined && d.sha !== undefined && d.startedAt < r.startedAt).sort((a, b) => a.startedAt - b.startedAt).at(-1);
}

/** A deployment that led to an incident: rolled back (now or later), its rollback failed, or it failed after deploying. */
export function isChangeFailure(d: Release): boolean {
  return d.rollback !== undefined || d.rolledBackBy !== undefined || d.outcome === 'failed' || d.outcome === 'rollback-failed';
}

export function wasRolledBack(d: Release): boolean {
  return d.rollback !== undefined || d.rolledBackBy !== undefined;
}

/** The release's issues, in words: failed steps, fired triggers, rollbacks and why. */
export function issuesOf(r: Release): string[] {
  const out: string[] = [];
  if (r.unconfirmed.length) out.push(`pre-flight not confirmed: ${r.unconfirmed.join(', ')}`);
  for (const f of r.failures) out.push(f.passedOnAttempt ? `${f.where} failed, passed on attempt ${f.passedOnAttempt}` : `${f.where} failed: ${f.reason}`);
  for (const t of r.fired) out.push(`trigger ${t.trigger} fired: ${t.record ? decisionText(t.record) : t.reason}`);
  for (const t of r.shadowFired ?? []) out.push(`shadow trigger ${t.trigger} would have fired (no rollback): ${t.reason}`);
  const rb = r.rollback;
  if (rb) {
    const cause = rb.source === 'trigger' ? `rolled back by trigger` : `rolled back (${rb.source}): ${rb.reason}`;
    out.push(rb.ok === false ? `ROLLBACK FAILED at ${rb.failedAt ?? '?'}: ${rb.failReason ?? 'failed'} (${cause})` : cause);
  }
  if (r.rolledBackBy) out.push(`rolled back later (session ${r.rolledBackBy.session}): ${r.rolledBackBy.reason}`);
  for (const x of r.risk) if (!x.ok) out.push(`risk register failed (${x.target}): ${x.error ?? 'failed'}`);
  for (const x of r.unsent ?? []) out.push(`notification failed (${x.target}, ${x.on}): ${x.error ?? 'failed'}`);
  if (r.outcome === undefined) out.push(r.live ? 'in progress' : 'ended without an outcome (the cockpit stopped)');
  else if (r.outcome === 'interrupted') out.push('interrupted');
  return out;
}
