/**
 * Escalation by elapsed time: from the incident's start, each level runs at its `after` offset
 * until the incident is resolved (verify passing resolves it, on the screen as headless). When the
 * rollback starts after the first level's time (a trigger whose `for:` window began minutes before
 * it fired), the schedule moves later as a whole: the first level runs at the rollback's start and
 * the others keep their spacing, never all at once (escalationSchedule). A level with neither
 * command nor notification is a reminder: shown and journalled at its time, for people to act on.
 * A level runs a command (argv, {reason} {level}) or notifies a Slack incoming webhook (URL from an
 * environment variable). Webhook failures are retried and reported, never thrown. Levels still due
 * when the cockpit leaves the incident are journalled as not run (escalation.dropped).
 */
import type { EscalationLevel, Runbook } from '../runbook/types.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { EventBody } from '../core/events.js';
import { substitute } from '../runbook/placeholders.js';
import type { GuardState } from './fold.js';

export type LevelDue = { readonly level: number; readonly title: string; readonly dueAt: number };

/**
 * When each level is due (session time): the incident's start + after; when the rollback started
 * (`startedAt`) later than the first level's time, the whole schedule moves so that the first level
 * is due at the rollback's start and the others keep their spacing.
 */
export function escalationSchedule(levels: readonly EscalationLevel[], incidentAt: number, startedAt: number): LevelDue[] {
  if (levels.length === 0) return [];
  const first = Math.min(...levels.map((l) => l.afterMs));
  const anchor = Math.max(incidentAt, startedAt - first);
  return levels.map((l) => ({ level: l.level, title: l.title, dueAt: anchor + l.afterMs }));
}

/** The levels still to run in an open incident (not resolved, not started, not dropped), soonest first. */
export function pendingLevels(levels: readonly EscalationLevel[], g: GuardState, rollback: { readonly status: string; readonly startedAt?: number }): LevelDue[] {
  if (rollback.status === 'idle' || g.resolved || g.dropped || rollback.startedAt === undefined) return [];
  const ran = new Set(g.escalation.map((x) => x.level));
  return escalationSchedule(levels, g.incidentAt ?? rollback.startedAt, rollback.startedAt)
    .filter((l) => !ran.has(l.level))
    .sort((a, b) => a.dueAt - b.dueAt);
}

export type EscalationDeps = {
  readonly runbook: Runbook;
  readonly clock: Clock;
  readonly now: () => number;
  readonly record: (e: EventBody) => void;
  /** Runs a level's command; resolves true when it exited 0. */
  readonly runCommand: (level: EscalationLevel, reason: string) => Promise<{ ok: boolean; error?: string }>;
  readonly env: NodeJS.ProcessEnv;
  readonly version: string;
  readonly environment: string;
  readonly post?: (url: string, body: unknown, timeoutMs: number) => Promise<{ ok: boolean; status?: number; error?: string }>;
  readonly retries?: number;
  readonly retryDelayMs?: number;
};

export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<{ ok: boolean; status?: number; error?: string }> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    const err = e as { name?: string; message?: string; cause?: { code?: string } };
    return { ok: false, error: err.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : err.cause?.code ?? err.message ?? String(e) };
  }
}

export function slackBody(rb: Runbook, version: string, environment: string, level: EscalationLevel, reason: string) {
  return {
    text: `:rotating_light: ${rb.name} ${version} in ${environment}: ${level.title} (level ${level.level}): ${reason}`,
    runbook: rb.name,
    version,
    environment,
    level: level.level,
    title: level.title,
    reason,
  };
}

export class Escalation {
  private timers: TimerHandle[] = [];
  private active = false;
  /** The levels scheduled and not started yet. */
  private readonly due = new Map<number, LevelDue>();

  constructor(private readonly d: EscalationDeps) {}

  get running(): boolean {
    return this.active;
  }

  /**
   * Starts the escalation clock for an incident that began at `incidentAt` and whose rollback
   * started at `startedAt` (session times; now by default): each level when escalationSchedule says.
   * A resumed session passes the levels its journal shows started: they do not run twice.
   */
  start(incidentAt: number, reason: string, done: ReadonlySet<number> = new Set(), startedAt: number = this.d.now()): void {
    if (this.active || this.d.runbook.escalation.length === 0) return;
    this.active = true;
    const schedule = escalationSchedule(this.d.runbook.escalation, incidentAt, startedAt);
    this.d.runbook.escalation.forEach((level, i) => {
      if (done.has(level.level)) return;
      this.due.set(level.level, schedule[i]);
      const wait = schedule[i].dueAt - this.d.now();
      // due now (the first level, `after: 0m`): it starts with the rollback, before anything can resolve it
      if (wait <= 0) void this.run(level, reason);
      else this.timers.push(this.d.clock.after(wait, () => void this.run(level, reason)));
    });
  }

  /**
   * The cockpit leaves the incident (the operator quit, a headless session ended) with levels still
   * due: they will not run, and the journal says so. Then nothing more runs.
   */
  abandon(why: string): void {
    if (this.active && this.due.size > 0) this.d.record({ type: 'escalation.dropped', levels: [...this.due.values()].sort((a, b) => a.dueAt - b.dueAt), why });
    this.stop();
  }

  /** The incident is over: no further level runs. */
  resolve(): void {
    if (!this.active) return;
    this.stop();
    this.d.record({ type: 'incident.resolved' });
  }

  stop(): void {
    this.active = false;
    this.due.clear();
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  private async run(level: EscalationLevel, reason: string): Promise<void> {
    if (!this.active) return;
    this.due.delete(level.level);
    if (level.run) {
      const action = level.run.command.kind === 'argv' ? level.run.command.argv.map((a) => substitute(a, { reason, level: String(level.level) })).join(' ') : level.run.display;
      this.d.record({ type: 'escalation.started', level: level.level, title: level.title, action });
      const r = await this.d.runCommand(level, reason);
      this.d.record({ type: 'escalation.finished', level: level.level, ok: r.ok, error: r.error, attempts: 1 });
    }
    if (level.notify?.slack) await this.notify(level, reason, level.notify.slack.webhookEnv);
    if (!level.run && !level.notify) {
      // a level for people (page on-call, tell leadership): the cockpit says when, they act
      this.d.record({ type: 'escalation.started', level: level.level, title: level.title, action: 'reminder' });
      this.d.record({ type: 'escalation.finished', level: level.level, ok: true, attempts: 1 });
    }
  }

  private async notify(level: EscalationLevel, reason: string, envName: string): Promise<void> {
    this.d.record({ type: 'escalation.started', level: level.level, title: level.title, action: `slack webhook ($${envName})` });
    const url = this.d.env[envName];
    if (!url) {
      this.d.record({ type: 'escalation.finished', level: level.level, ok: false, error: `$${envName} is not set: no Slack message sent`, attempts: 0 });
      return;
    }
    const post = this.d.post ?? postJson;
    const tries = (this.d.retries ?? 2) + 1;
    let last: { ok: boolean; error?: string } = { ok: false };
    for (let attempt = 1; attempt <= tries; attempt++) {
      // a post that throws is a failure like any other: retried, then reported, never thrown
      last = await post(url, slackBody(this.d.runbook, this.d.version, this.d.environment, level, reason), 5000).catch((e: unknown) => ({ ok: false, error: e instanceof Error ? e.message : String(e) }));
      // resolved or stopped meanwhile (a headless session may have ended, its journal closed): no retry, nothing recorded
      if (!this.active) return;
      if (last.ok) {
        this.d.record({ type: 'escalation.finished', level: level.level, ok: true, attempts: attempt });
        return;
      }
      if (attempt < tries) await new Promise<void>((r) => this.timers.push(this.d.clock.after((this.d.retryDelayMs ?? 1000) * attempt, r))); // stop() cancels it
    }
    this.d.record({ type: 'escalation.finished', level: level.level, ok: false, error: `webhook: ${last.error ?? 'failed'}`, attempts: tries });
  }
}
