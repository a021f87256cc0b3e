/**
 * Escalation by elapsed time: from the incident's start, each level runs at its `after` offset
 * until the incident is resolved. A level with neither is a reminder: shown and journalled at its
 * time, for people to act on. A level runs a command (argv, {reason} {level}) or notifies a
 * Slack incoming webhook (URL from an environment variable). Webhook failures are retried and
 * reported, never thrown.
 */
import type { EscalationLevel, Runbook } from '../runbook/types.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { EventBody } from '../core/events.js';
import { substitute } from '../runbook/placeholders.js';

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

  constructor(private readonly d: EscalationDeps) {}

  get running(): boolean {
    return this.active;
  }

  /**
   * Starts the escalation clock at `incidentAt` (session time): each level at incidentAt + after.
   * A resumed session passes the levels its journal shows started: they do not run twice.
   */
  start(incidentAt: number, reason: string, done: ReadonlySet<number> = new Set()): void {
    if (this.active || this.d.runbook.escalation.length === 0) return;
    this.active = true;
    for (const level of this.d.runbook.escalation) {
      if (done.has(level.level)) continue;
      const due = incidentAt + level.afterMs - this.d.now();
      this.timers.push(this.d.clock.after(Math.max(0, due), () => void this.run(level, reason)));
    }
  }

  /** The incident is over: no further level runs. */
  resolve(): void {
    if (!this.active) return;
    this.stop();
    this.d.record({ type: 'incident.resolved' });
  }

  stop(): void {
    this.active = false;
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  private async run(level: EscalationLevel, reason: string): Promise<void> {
    if (!this.active) return;
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
