/** The runbook schema's notification targets (`notify:` and an escalation level's `notify`): Slack, a generic JSON webhook, PagerDuty Events API v2. */
import { z } from 'zod';

const envName = z
  .string({ error: 'expected an environment variable name' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (iss) => `bad environment variable name ${JSON.stringify(iss.input)}: letters, digits and _` });

export const SlackChannel = z.strictObject({ webhookEnv: envName.meta({ description: 'The variable holding the Slack incoming-webhook URL' }) });
export const WebhookChannel = z
  .strictObject({
    urlEnv: envName.optional().meta({ description: 'The variable holding the URL (keeps a secret URL out of the runbook)' }),
    url: z.string().url({ error: 'expected a URL' }).optional(),
  })
  .refine((w) => (w.url === undefined) !== (w.urlEnv === undefined), { error: 'a webhook needs exactly one of "url" or "urlEnv"' })
  .meta({
    oneOf: [{ required: ['url'] }, { required: ['urlEnv'] }],
    description:
      'A generic JSON webhook: POSTs {event, session, runbook, environment, version, reason, decision, level?, restoreMs?, failedAt?, text} (see docs/behaviour.md "Notifications")',
  });
const PagerDutyChannel = z.strictObject({
  routingKeyEnv: envName.meta({ description: 'The variable holding the Events API v2 integration (routing) key' }),
  url: z.string().url({ error: 'expected a URL' }).optional().meta({ description: 'Events API v2 endpoint (default https://events.pagerduty.com/v2/enqueue)' }),
  severity: z.enum(['critical', 'error', 'warning', 'info']).optional().meta({ description: 'payload.severity of the trigger (default critical)' }),
});

const notifyOn = z
  .array(z.enum(['rollback', 'verified', 'failed'], { error: 'expected rollback, verified or failed' }))
  .min(1, { error: 'a target needs at least one event in "on"' })
  .optional()
  .meta({ description: 'Which rollback events it is told of: rollback (started), verified, failed (default: all three)' });

export const NotifyTargetSchema = z.union(
  [
    z.strictObject({ slack: SlackChannel, on: notifyOn }),
    z.strictObject({ webhook: WebhookChannel, on: notifyOn }),
    z.strictObject({ pagerduty: PagerDutyChannel, on: notifyOn }).meta({ description: 'PagerDuty Events API v2: trigger on rollback, resolve on verified, one dedup_key per incident' }),
  ],
  { error: 'expected a notification target: {slack: {webhookEnv}}, {webhook: {url|urlEnv}} or {pagerduty: {routingKeyEnv}}, each with an optional on: [rollback, verified, failed]' },
);
