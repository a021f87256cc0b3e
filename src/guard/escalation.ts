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
import type { DecisionRecord } from '../core/decision-record.js';
import { channelLabel } from '../runbook/notify.js';
import { deliver, type Post } from './notify-send.js';

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
  readonly post?: Post;
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** The session's id and the incident's decision record, for messages (absent: none known). */
  readonly session?: string;
  readonly decision?: () => DecisionRecord | undefined;
};

export { postJson } from './notify-send.js';

export class Escalation {
  private timers: TimerHandle[] = [];
  private active = false;
  /** The levels scheduled and not started yet. */
  private readonly due = new Map<number, LevelDue>();
  /** Levels running (commands, messages): their outcome is journalled even when the incident is resolved or the session ends meanwhile (drain). */
  private readonly inflight = new Set<Promise<void>>();
  /** Retry waits in progress: stop() ends them, saying why. */
  private readonly waiters = new Set<(why: true | string) => void>();
  private stopWhy = 'the cockpit stopped';
  private incidentAt = 0;

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
    this.incidentAt = incidentAt;
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
    this.stop('the cockpit left the incident');
  }

  /** The incident is over: no further level runs. */
  resolve(): void {
    if (!this.active) return;
    this.stop('the incident was resolved');
    this.d.record({ type: 'incident.resolved' });
  }

  stop(why = 'the cockpit stopped'): void {
    this.active = false;
    this.stopWhy = why;
    this.due.clear();
    for (const t of this.timers) t.cancel();
    this.timers = [];
    for (const w of [...this.waiters]) w(why);
    this.waiters.clear();
  }

  /** Resolves when every level in flight (command or message) has its outcome journalled (before the journal closes). */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /**
   * Runs a level: its command, message or reminder. Each level started is in flight until its
   * outcome is journalled: drain() waits for it, so a session that ends meanwhile (a rollback
   * faster than an `after: 0m` command) closes its journal only after the level's end is in it.
   */
  private run(level: EscalationLevel, reason: string): Promise<void> {
    if (!this.active) return Promise.resolve();
    this.due.delete(level.level);
    const running = this.runLevel(level, reason);
    this.inflight.add(running);
    return running.finally(() => this.inflight.delete(running));
  }

  private async runLevel(level: EscalationLevel, reason: string): Promise<void> {
    if (level.run) {
      const action = level.run.command.kind === 'argv' ? level.run.command.argv.map((a) => substitute(a, { reason, level: String(level.level) })).join(' ') : level.run.display;
      this.d.record({ type: 'escalation.started', level: level.level, title: level.title, action });
      const r = await this.d.runCommand(level, reason);
      this.d.record({ type: 'escalation.finished', level: level.level, ok: r.ok, error: r.error, attempts: 1 });
    }
    if (level.notify) await this.notify(level, reason, level.notify);
    if (!level.run && !level.notify) {
      // a level for people (page on-call, tell leadership): the cockpit says when, they act
      this.d.record({ type: 'escalation.started', level: level.level, title: level.title, action: 'reminder' });
      this.d.record({ type: 'escalation.finished', level: level.level, ok: true, attempts: 1 });
    }
  }

  /**
   * Sends a level's message with the reason and the decision record; retried while the incident is
   * open. Its outcome is journalled whatever happens meanwhile: a failure after verify is reported too.
   */
  private async notify(level: EscalationLevel, reason: string, channel: NonNullable<EscalationLevel['notify']>): Promise<void> {
    const label = channelLabel(channel);
    this.d.record({ type: 'escalation.started', level: level.level, title: level.title, action: channel.kind === 'slack' ? `slack webhook ($${channel.webhookEnv})` : label });
    const ctx = {
      event: 'escalation' as const,
      session: this.d.session ?? '',
      incident: String(this.incidentAt),
      runbook: this.d.runbook.name,
      environment: this.d.environment,
      version: this.d.version,
      reason,
      record: this.d.decision?.(),
      level: { level: level.level, title: level.title },
      at: this.d.clock.wall(),
    };
    const wait = (attempt: number) =>
      new Promise<true | string>((resolve) => {
        if (!this.active) return resolve(this.stopWhy);
        this.waiters.add(resolve);
        this.timers.push(this.d.clock.after((this.d.retryDelayMs ?? 1000) * attempt, () => (this.waiters.delete(resolve), resolve(true))));
      });
    const r = await deliver(channel, ctx, this.d.env, { post: this.d.post, retries: this.d.retries, wait });
    const error = r.ok ? undefined : r.attempts === 0 ? r.error : `webhook: ${r.error ?? 'failed'}`;
    this.d.record({ type: 'escalation.finished', level: level.level, ok: r.ok, ...(error !== undefined ? { error } : {}), attempts: r.attempts });
  }
}
