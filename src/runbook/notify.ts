/**
 * Notification targets from the runbook (`notify:` and an escalation level's `notify`): normalised
 * into channels, and checked against the environment (a variable that is not set is a warning in
 * `cockpit validate`; the run reports the failure when it would have sent, never sends nothing silently).
 */
import type { RawRunbook } from './schema.js';
import type { RuleError } from './rules.js';
import type { NotifyChannel, NotifyOn, NotifyTarget } from './types.js';

export const PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';
const ALL: readonly NotifyOn[] = ['rollback', 'verified', 'failed'];

type RawTarget = NonNullable<RawRunbook['notify']>[number];
type RawLevelNotify = NonNullable<NonNullable<RawRunbook['escalation']>[number]['notify']>;

function channelOf(raw: RawTarget | RawLevelNotify): NotifyChannel {
  if ('slack' in raw) return { kind: 'slack', webhookEnv: raw.slack.webhookEnv };
  if ('webhook' in raw) return { kind: 'webhook', ...(raw.webhook.urlEnv !== undefined ? { urlEnv: raw.webhook.urlEnv } : { url: raw.webhook.url }) };
  return { kind: 'pagerduty', routingKeyEnv: raw.pagerduty.routingKeyEnv, url: raw.pagerduty.url ?? PAGERDUTY_URL, severity: raw.pagerduty.severity ?? 'critical' };
}

export function notifyTargets(raw: RawRunbook): NotifyTarget[] {
  return (raw.notify ?? []).map((t) => ({ ...channelOf(t), on: t.on ?? ALL }));
}

export function levelChannel(raw: RawLevelNotify | undefined): Extract<NotifyChannel, { kind: 'slack' | 'webhook' }> | undefined {
  return raw === undefined ? undefined : (channelOf(raw) as Extract<NotifyChannel, { kind: 'slack' | 'webhook' }>);
}

/** The environment variable a channel reads its secret from, if any. */
export function channelEnv(c: NotifyChannel): string | undefined {
  return c.kind === 'slack' ? c.webhookEnv : c.kind === 'webhook' ? c.urlEnv : c.routingKeyEnv;
}

/** "slack $SLACK_WEBHOOK_URL", "webhook http://host:8080", "pagerduty $PD_ROUTING_KEY": names a target without its secret. */
export function channelLabel(c: NotifyChannel): string {
  const env = channelEnv(c);
  if (env !== undefined) return `${c.kind} $${env}`;
  try {
    return `${c.kind} ${new URL((c as { url: string }).url).origin}`;
  } catch {
    return c.kind;
  }
}

/** Every target whose variable is not set here, located: a validate warning (the run reports each failure too). */
export function notifyEnvCautions(raw: RawRunbook, env: NodeJS.ProcessEnv = process.env): RuleError[] {
  const out: RuleError[] = [];
  const check = (c: NotifyChannel, path: (string | number)[], when: string) => {
    const name = channelEnv(c);
    if (name !== undefined && !env[name]) out.push({ path, message: `$${name} is not set here: ${when} nothing can be sent to ${c.kind} (the run reports it as a failure)` });
  };
  (raw.notify ?? []).forEach((t, i) => check(channelOf(t), ['notify', i, Object.keys(t).find((k) => k !== 'on')!], `on ${(t.on ?? ALL).join(', ')}`));
  (raw.escalation ?? []).forEach((e, i) => {
    if (e.notify) check(channelOf(e.notify), ['escalation', i, 'notify'], `at escalation level ${i + 1}`);
  });
  return out;
}
