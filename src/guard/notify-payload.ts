/**
 * What each notification target is sent: pure builders from one context (the event, the session,
 * the reason and the decision record). Slack gets escaped mrkdwn (`&`, `<`, `>` as Slack's
 * formatting reference asks, so a `<!here>` in a reason cannot ping a channel) with blocks; a
 * generic webhook gets the documented JSON (docs/behaviour.md "Notifications"); PagerDuty gets an Events API
 * v2 event: trigger on rollback (and on its failure), resolve on verify, one dedup_key per incident.
 */
import { formatDuration } from '../runbook/duration.js';
import type { NotifyOn } from '../runbook/types.js';
import type { DecisionRecord } from '../core/decision-record.js';
import { decisionLines } from './decision.js';

export type NotifyEvent = NotifyOn | 'escalation';

export type NotifyContext = {
  readonly event: NotifyEvent;
  readonly session: string;
  /** Names the incident within the session: one PagerDuty dedup_key per incident. */
  readonly incident: string;
  readonly runbook: string;
  readonly environment: string;
  readonly version: string;
  readonly reason: string;
  readonly record?: DecisionRecord;
  /** An escalation level's message. */
  readonly level?: { readonly level: number; readonly title: string };
  /** Verified: the time to restore. */
  readonly restoreMs?: number;
  /** Failed: where and why the rollback failed. */
  readonly failedAt?: string;
  /** Wall time (ms since epoch) of the event. */
  readonly at: number;
};

/** Slack's escaping for message text: only these three (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** "Rolling back web-app 2.4.0 in production": what happened, in one line. */
export function headline(c: NotifyContext): string {
  const what = `${c.runbook} ${c.version} in ${c.environment}`;
  switch (c.event) {
    case 'rollback':
      return `Rolling back ${what}`;
    case 'verified':
      return `Rollback of ${what} verified${c.restoreMs !== undefined ? `: restored in ${formatDuration(c.restoreMs)}` : ''}`;
    case 'failed':
      return `ROLLBACK FAILED for ${what}${c.failedAt ? ` at ${c.failedAt}` : ''}`;
    case 'escalation':
      return `${what}: ${c.level?.title ?? 'escalation'} (level ${c.level?.level ?? '?'})`;
  }
}

/** The text every target shows: the headline, the reason. */
export function plainText(c: NotifyContext): string {
  return `${headline(c)}: ${c.reason}`;
}

const SECTION_MAX = 2900; // a section's text is at most 3000 characters

const clip = (s: string) => (s.length > SECTION_MAX ? `${s.slice(0, SECTION_MAX - 1)}…` : s);

/** A Slack incoming-webhook message: escaped fallback `text`, and section blocks (mrkdwn) with the decision record. */
export function slackPayload(c: NotifyContext) {
  const icon = c.event === 'verified' ? ':white_check_mark:' : ':rotating_light:';
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(`${icon} *${slackEscape(headline(c))}*\n${slackEscape(c.reason)}`) } }];
  if (c.record) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Why it fired* (trigger ${slackEscape(c.record.trigger)})\n${decisionLines(c.record).map(slackEscape).join('\n')}`) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(`cockpit session ${c.session} · ${c.runbook} ${c.version} · ${c.environment}`) }] });
  return { text: slackEscape(`${icon} ${plainText(c)}`), blocks };
}

/** The generic JSON webhook's body (documented in the README: keep them in step). */
export function webhookPayload(c: NotifyContext) {
  return {
    event: c.event,
    session: c.session,
    runbook: c.runbook,
    environment: c.environment,
    version: c.version,
    reason: c.reason,
    decision: c.record ?? null,
    text: plainText(c),
    at: new Date(c.at).toISOString(),
    ...(c.level ? { level: c.level } : {}),
    ...(c.restoreMs !== undefined ? { restoreMs: c.restoreMs } : {}),
    ...(c.failedAt !== undefined ? { failedAt: c.failedAt } : {}),
  };
}

/** One dedup_key per incident: the trigger, its resolve and a failure update the same PagerDuty alert (at most 255 characters). */
export function dedupKey(c: NotifyContext): string {
  return `cockpit/${c.runbook}/${c.session}/${c.incident}`.slice(0, 255);
}

/** A PagerDuty Events API v2 event: `resolve` when verified, else `trigger` (summary, source, severity, as the API requires). */
export function pagerDutyPayload(c: NotifyContext, routingKey: string, severity: 'critical' | 'error' | 'warning' | 'info') {
  if (c.event === 'verified') return { routing_key: routingKey, event_action: 'resolve' as const, dedup_key: dedupKey(c) };
  return {
    routing_key: routingKey,
    event_action: 'trigger' as const,
    dedup_key: dedupKey(c),
    client: 'cockpit',
    payload: {
      summary: plainText(c).slice(0, 1024),
      source: `${c.runbook}/${c.environment}`,
      severity,
      timestamp: new Date(c.at).toISOString(),
      component: c.runbook,
      group: c.environment,
      class: c.event === 'failed' ? 'rollback failed' : 'rollback',
      custom_details: { session: c.session, version: c.version, reason: c.reason, ...(c.failedAt ? { failedAt: c.failedAt } : {}), ...(c.record ? { decision: decisionLines(c.record) } : {}) },
    },
  };
}
