/**
 * The documented payload schemas the notification receivers in tests check, written from the docs:
 * - Slack incoming webhooks / Block Kit (api.slack.com/reference/surfaces/formatting#escaping,
 *   /reference/block-kit/blocks): `text` a string with `&`, `<`, `>` escaped (only `&amp;`, `&lt;`,
 *   `&gt;` may appear); `blocks` at most 50; a section's text object {type: mrkdwn|plain_text,
 *   text ≤ 3000}; a context's elements 1..10 text objects.
 * - PagerDuty Events API v2 (developer.pagerduty.com/docs/events-api-v2/trigger-events):
 *   routing_key, event_action trigger|acknowledge|resolve, dedup_key ≤ 255; a trigger's payload
 *   with summary (1..1024), source (non-empty), severity critical|error|warning|info, and optional
 *   timestamp (ISO 8601), component, group, class (strings), custom_details (object).
 * - cockpit's generic webhook (docs/behaviour.md "Notifications").
 * Each returns the problems found: [] when the body fits.
 */
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = Infinity): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Text Slack would parse as markup: a raw `<` or `>`, or an `&` that is not one of the three escapes. */
export function unescapedSlack(text: string): boolean {
  return /[<>]/.test(text) || /&(?!(amp|lt|gt);)/.test(text);
}

function textObject(o: unknown, where: string, out: string[]): void {
  if (!isObj(o)) return void out.push(`${where}: not an object`);
  if (o.type !== 'mrkdwn' && o.type !== 'plain_text') out.push(`${where}.type: ${String(o.type)}`);
  if (!str(o.text, 3000)) out.push(`${where}.text: not a string of 1..3000 characters`);
  else if (unescapedSlack(o.text)) out.push(`${where}.text: unescaped & < >: ${o.text}`);
}

export function slackProblems(body: unknown): string[] {
  const out: string[] = [];
  if (!isObj(body)) return ['not an object'];
  if (!str(body.text)) out.push('text: not a non-empty string');
  else if (unescapedSlack(body.text)) out.push(`text: unescaped & < >: ${body.text}`);
  if (!Array.isArray(body.blocks) || body.blocks.length === 0 || body.blocks.length > 50) return [...out, 'blocks: not 1..50 blocks'];
  body.blocks.forEach((b: unknown, i) => {
    if (!isObj(b)) return void out.push(`blocks[${i}]: not an object`);
    if (b.type === 'section') textObject(b.text, `blocks[${i}].text`, out);
    else if (b.type === 'context') {
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) out.push(`blocks[${i}].elements: not 1..10`);
      else b.elements.forEach((e: unknown, k) => textObject(e, `blocks[${i}].elements[${k}]`, out));
    } else out.push(`blocks[${i}].type: ${String(b.type)}`);
  });
  return out;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export function pagerDutyProblems(body: unknown): string[] {
  const out: string[] = [];
  if (!isObj(body)) return ['not an object'];
  if (!str(body.routing_key)) out.push('routing_key: missing');
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(body.event_action))) out.push(`event_action: ${String(body.event_action)}`);
  if (body.dedup_key !== undefined && !str(body.dedup_key, 255)) out.push('dedup_key: not a string of 1..255');
  if (body.event_action !== 'trigger') {
    if (!str(body.dedup_key, 255)) out.push('dedup_key: required to acknowledge or resolve');
    return out;
  }
  const p = body.payload;
  if (!isObj(p)) return [...out, 'payload: missing'];
  if (!str(p.summary, 1024)) out.push('payload.summary: not a string of 1..1024');
  if (!str(p.source)) out.push('payload.source: missing');
  if (!SEVERITIES.includes(String(p.severity))) out.push(`payload.severity: ${String(p.severity)}`);
  if (p.timestamp !== undefined && (typeof p.timestamp !== 'string' || Number.isNaN(Date.parse(p.timestamp)) || !/^\d{4}-\d\d-\d\dT/.test(p.timestamp))) out.push('payload.timestamp: not ISO 8601');
  for (const k of ['component', 'group', 'class']) if (p[k] !== undefined && typeof p[k] !== 'string') out.push(`payload.${k}: not a string`);
  if (p.custom_details !== undefined && !isObj(p.custom_details)) out.push('payload.custom_details: not an object');
  return out;
}

/** The decision record's fields (src/core/decision-record.ts), as the generic webhook documents them. */
export function decisionProblems(d: unknown, where = 'decision'): string[] {
  if (!isObj(d)) return [`${where}: not an object`];
  const out: string[] = [];
  for (const k of ['trigger', 'subject']) if (!str(d[k])) out.push(`${where}.${k}: missing`);
  if (d.kind !== 'metric' && d.kind !== 'probe') out.push(`${where}.kind: ${String(d.kind)}`);
  if (!['>', '<', 'is'].includes(String(d.comparator))) out.push(`${where}.comparator: ${String(d.comparator)}`);
  if (typeof d.threshold !== 'number' && typeof d.threshold !== 'string') out.push(`${where}.threshold: missing`);
  for (const k of ['value', 'forMs', 'since', 'at', 'samples']) if (typeof d[k] !== 'number') out.push(`${where}.${k}: not a number`);
  if (d.kind === 'metric' && d.query !== undefined && typeof d.query !== 'string') out.push(`${where}.query: not a string`);
  if (d.kind === 'probe' && !(Array.isArray(d.urls) && d.urls.every((u) => typeof u === 'string'))) out.push(`${where}.urls: not a list of strings`);
  if (!Array.isArray(d.window) || !d.window.every((w) => Array.isArray(w) && w.length === 2 && typeof w[0] === 'number' && (typeof w[1] === 'number' || w[1] === null)))
    out.push(`${where}.window: not [time, value|null] pairs`);
  return out;
}

export function webhookProblems(body: unknown): string[] {
  if (!isObj(body)) return ['not an object'];
  const out: string[] = [];
  if (!['rollback', 'verified', 'failed', 'escalation'].includes(String(body.event))) out.push(`event: ${String(body.event)}`);
  for (const k of ['session', 'runbook', 'environment', 'version', 'text']) if (!str(body[k])) out.push(`${k}: missing`);
  if (typeof body.reason !== 'string') out.push('reason: not a string');
  if (typeof body.at !== 'string' || Number.isNaN(Date.parse(body.at))) out.push('at: not an ISO time');
  if (body.decision !== null) out.push(...decisionProblems(body.decision));
  if (body.restoreMs !== undefined && typeof body.restoreMs !== 'number') out.push('restoreMs: not a number');
  if (body.failedAt !== undefined && typeof body.failedAt !== 'string') out.push('failedAt: not a string');
  return out;
}
