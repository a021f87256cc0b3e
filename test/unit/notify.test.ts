/**
 * The decision record and the notification payloads, pure: Slack's escaping (a `<!here>` in a
 * reason cannot ping), the one formatter of the record, PagerDuty's trigger/resolve events, the
 * generic webhook's body, each checked against the documented schema (test/helpers/notify-schema.ts);
 * `cockpit validate` warns of a target whose variable is not set; history rows carry the record.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { decisionLines, decisionRecord, decisionText, type DecisionRecord } from '../../src/guard/decision.js';
import { pagerDutyPayload, slackEscape, slackPayload, webhookPayload, type NotifyContext } from '../../src/guard/notify-payload.js';
import { requestFor } from '../../src/guard/notify-send.js';
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import { issuesOf, readRelease } from '../../src/history/log.js';
import type { SessionEvent } from '../../src/core/events.js';
import { pagerDutyProblems, slackProblems, unescapedSlack, webhookProblems } from '../helpers/notify-schema.js';

const YAML = `
name: web-app
version: "2.4.0"
stages: [{ id: production, steps: [./deploy.sh] }]
metrics:
  source: { type: prometheus, url: http://127.0.0.1:9090 }
  series:
    error_rate: { query: 'sum(rate(http_errors_total[1m])) / sum(rate(http_requests_total[1m])) * 100 > 0', unit: '%' }
probes:
  - { name: checkout, url: http://127.0.0.1:8080/checkout, critical: true }
  - { name: search, url: http://127.0.0.1:8080/search, critical: true }
rollback:
  steps: [./rollback.sh]
  triggers:
    - { id: errors, metric: error_rate, above: 1, for: 2m }
    - { id: down, probe: critical, status: 5xx }
notify:
  - slack: { webhookEnv: NT_SLACK }
  - pagerduty: { routingKeyEnv: NT_PD }
    on: [rollback, verified]
`;

function rb(text = YAML): Runbook {
  const r = parseRunbook(text, '/tmp/cockpit.yml');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.runbook;
}

const trig = (id: string) => rb().rollback!.triggers.find((t) => t.id === id)!;

/** error_rate breaching from 10 s, one missed sample, fired at 130 s. */
const metricRecord = (): DecisionRecord =>
  decisionRecord(rb(), trig('errors'), {
    since: 10_000,
    value: 2.41,
    at: 130_000,
    window: [{ t: 10_000, value: 1.2 }, { t: 15_000, value: 1.5 }, { t: 20_000 }, ...Array.from({ length: 22 }, (_, i) => ({ t: 25_000 + i * 5000, value: 2 + i / 100 })), { t: 130_000, value: 2.41 }],
  });

const ctx = (over: Partial<NotifyContext> = {}): NotifyContext => ({
  event: 'rollback',
  session: '20260101-120000-abcd',
  incident: '10000',
  runbook: 'web-app',
  environment: 'production',
  version: '2.4.0',
  reason: 'trigger fired: error_rate > 1 % for 2m',
  record: metricRecord(),
  at: Date.UTC(2026, 0, 1, 12, 2, 10),
  ...over,
});

describe('slackEscape', () => {
  it('escapes exactly &, < and > (Slack: & first, so &lt; is not double-escaped)', () => {
    expect(slackEscape('<!here> deploy & <@U123> a>b')).toBe('&lt;!here&gt; deploy &amp; &lt;@U123&gt; a&gt;b');
    expect(slackEscape('&lt; already')).toBe('&amp;lt; already');
    expect(slackEscape('plain *bold* "quoted"')).toBe('plain *bold* "quoted"');
  });

  it('a <!here> or <!channel> in a reason, a query or a runbook name never reaches Slack as markup', () => {
    const body = slackPayload(ctx({ reason: 'ops said <!here> & <!channel>', runbook: 'web<!everyone>', record: { ...metricRecord(), query: 'up{job="<!here>"} > 0' } }));
    expect(slackProblems(body)).toEqual([]);
    const json = JSON.stringify(body);
    for (const mention of ['<!here>', '<!channel>', '<!everyone>']) expect(json).not.toContain(mention);
    expect(body.text).toContain('ops said &lt;!here&gt; &amp; &lt;!channel&gt;');
    expect(unescapedSlack(body.text)).toBe(false);
  });

  it('the blocks: the headline and reason, why it fired (the record), the session', () => {
    const body = slackPayload(ctx());
    expect(body.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: ':rotating_light: *Rolling back web-app 2.4.0 in production*\ntrigger fired: error_rate &gt; 1 % for 2m' } },
      { type: 'section', text: { type: 'mrkdwn', text: `*Why it fired* (trigger errors)\n${decisionLines(metricRecord()).map(slackEscape).join('\n')}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'cockpit session 20260101-120000-abcd · web-app 2.4.0 · production' }] },
    ]);
  });
});

describe('the decision record', () => {
  it('a metric trigger: the query, the value, comparator and threshold with the unit, the for window, the newest samples with ∅ for a miss', () => {
    const r = metricRecord();
    expect(r).toMatchObject({ trigger: 'errors', kind: 'metric', subject: 'error_rate', unit: '%', value: 2.41, comparator: '>', threshold: 1, forMs: 120_000, since: 10_000, at: 130_000, samples: 26 });
    expect(r.window[2]).toEqual([20_000, null]);
    expect(decisionLines(r)).toEqual([
      'error_rate 2.41 % > 1 % for 2m',
      'query: sum(rate(http_errors_total[1m])) / sum(rate(http_requests_total[1m])) * 100 > 0',
      'window 26 samples over 2m: … 14 earlier, 2.11 2.12 2.13 2.14 2.15 2.16 2.17 2.18 2.19 2.2 2.21 2.41',
    ]);
    expect(decisionText(r)).toBe(decisionLines(r).join(' · '));
  });

  it('keeps at most 60 samples of a long window, counting them all', () => {
    const long = decisionRecord(rb(), trig('errors'), { since: 0, value: 3, at: 99_000, window: Array.from({ length: 100 }, (_, i) => ({ t: i * 1000, value: 3 })) });
    expect(long.window).toHaveLength(60);
    expect(long.window[0]).toEqual([40_000, 3]);
    expect(long.samples).toBe(100);
  });

  it('a probe trigger: the URLs, what each probe answered, the condition; sanitised for terminals', () => {
    const r = decisionRecord(rb(), trig('down'), { since: 5000, value: 1, at: 5000, window: [{ t: 5000, value: 1 }] }, { checkout: { status: 503, latencyMs: 12 }, search: { error: 'ECONNREFUSED\x1b[2J' } });
    expect(decisionLines(r)).toEqual([
      'critical probes is 5xx',
      'url: http://127.0.0.1:8080/checkout, http://127.0.0.1:8080/search',
      'observed: checkout 503 12ms, search error (ECONNREFUSED)',
      'window 1 sample over 0s: bad',
    ]);
  });

  it('a query with line breaks and escape sequences is one clean line, cut at 300 characters', () => {
    const r = { ...metricRecord(), query: `sum(\n  rate(x[1m])\x1b]52;c;ZWNobyBoaQ==\x07)${'x'.repeat(400)}` };
    const q = decisionLines(r)[1];
    expect(q).not.toMatch(/[\x00-\x1f]/);
    expect(q.startsWith('query: sum(   rate(x[1m]))')).toBe(true);
    expect(q.length).toBeLessThanOrEqual('query: '.length + 300);
  });

  it('history: the fired trigger\'s row says why in full; an older journal (no record) keeps its reason', () => {
    const base = { at: 1, t: 0 };
    const events = (record?: DecisionRecord): SessionEvent[] => [
      { ...base, type: 'session.started', sessionId: 's1', runbook: 'web-app', file: '/x', version: '2.4.0', environment: 'production', mode: 'headless' },
      { ...base, type: 'stage.started', stage: 'production' },
      { ...base, type: 'trigger.fired', trigger: 'errors', since: 10_000, value: 2.41, window: [], reason: 'error_rate > 1 % for 2m', ...(record ? { record } : {}) },
    ];
    const names = { stage: (x: string) => x, step: (_s: string, x: string) => x, isTarget: () => true };
    const r = readRelease({ id: 's1', journal: '/j', events: events(metricRecord()), live: false }, names)!;
    expect(issuesOf(r)).toContain(`trigger errors fired: ${decisionText(metricRecord())}`);
    const old = readRelease({ id: 's1', journal: '/j', events: events(), live: false }, names)!;
    expect(issuesOf(old)).toContain('trigger errors fired: error_rate > 1 % for 2m');
    // a message that could not be sent is an issue of the release too
    const unsent = readRelease({ id: 's1', journal: '/j', events: [...events(), { ...base, type: 'notification.finished', target: 'pagerduty $PD', on: 'verified', ok: false, attempts: 3, error: 'HTTP 500' }], live: false }, names)!;
    expect(issuesOf(unsent)).toContain('notification failed (pagerduty $PD, verified): HTTP 500');
  });
});

describe('payloads', () => {
  it('PagerDuty: trigger on rollback (summary, source, severity, timestamp, the record in custom_details), resolve on verified, one dedup_key', () => {
    const trigger = pagerDutyPayload(ctx(), 'KEY', 'critical');
    expect(pagerDutyProblems(trigger)).toEqual([]);
    expect(trigger).toMatchObject({
      routing_key: 'KEY',
      event_action: 'trigger',
      dedup_key: 'cockpit/web-app/20260101-120000-abcd/10000',
      payload: { summary: 'Rolling back web-app 2.4.0 in production: trigger fired: error_rate > 1 % for 2m', source: 'web-app/production', severity: 'critical', timestamp: '2026-01-01T12:02:10.000Z', custom_details: { decision: decisionLines(metricRecord()) } },
    });
    const resolve = pagerDutyPayload(ctx({ event: 'verified', restoreMs: 61_000 }), 'KEY', 'critical');
    expect(pagerDutyProblems(resolve)).toEqual([]);
    expect(resolve).toEqual({ routing_key: 'KEY', event_action: 'resolve', dedup_key: trigger.dedup_key });
    const failed = pagerDutyPayload(ctx({ event: 'failed', failedAt: 'rollback.sh: exit 1' }), 'KEY', 'error');
    expect(failed).toMatchObject({ event_action: 'trigger', dedup_key: trigger.dedup_key, payload: { severity: 'error', class: 'rollback failed' } });
    expect(pagerDutyPayload(ctx({ reason: 'x'.repeat(5000) }), 'KEY', 'critical').payload!.summary).toHaveLength(1024);
  });

  it('the schema checks fail on what the APIs refuse (so a receiver that uses them can fail)', () => {
    expect(pagerDutyProblems({ routing_key: 'K', event_action: 'trigger', payload: { summary: '', source: 'x', severity: 'fatal' } })).toEqual(['payload.summary: not a string of 1..1024', 'payload.severity: fatal']);
    expect(pagerDutyProblems({ routing_key: 'K', event_action: 'resolve' })).toEqual(['dedup_key: required to acknowledge or resolve']);
    expect(slackProblems({ text: 'hi <!here>', blocks: [] })).toEqual(['text: unescaped & < >: hi <!here>', 'blocks: not 1..50 blocks']);
    expect(webhookProblems({ event: 'rollback', session: 's', runbook: 'r', environment: 'e', version: 'v', text: 't', reason: 'x', at: 'now', decision: { kind: 'metric' } })).toContain('at: not an ISO time');
  });

  it('the generic webhook: event, session, runbook, environment, version, reason, decision, text, at', () => {
    const body = webhookPayload(ctx({ event: 'verified', restoreMs: 61_000 }));
    expect(webhookProblems(body)).toEqual([]);
    expect(body).toEqual({
      event: 'verified',
      session: '20260101-120000-abcd',
      runbook: 'web-app',
      environment: 'production',
      version: '2.4.0',
      reason: 'trigger fired: error_rate > 1 % for 2m',
      decision: metricRecord(),
      text: 'Rollback of web-app 2.4.0 in production verified: restored in 1m01s: trigger fired: error_rate > 1 % for 2m',
      at: '2026-01-01T12:02:10.000Z',
      restoreMs: 61_000,
    });
    expect(webhookPayload(ctx({ record: undefined })).decision).toBeNull();
  });

  it('a target whose variable is not set sends nothing and says so', () => {
    const [slack, pd] = rb().notify;
    expect(requestFor(slack, ctx(), {})).toEqual({ error: '$NT_SLACK is not set: no Slack message sent' });
    expect(requestFor(pd, ctx(), { NT_PD: '' })).toEqual({ error: '$NT_PD is not set: no PagerDuty event sent' });
    expect(requestFor(pd, ctx(), { NT_PD: 'K' })).toMatchObject({ url: 'https://events.pagerduty.com/v2/enqueue' });
    expect(rb().notify.map((t) => t.on)).toEqual([['rollback', 'verified', 'failed'], ['rollback', 'verified']]);
  });
});

describe('cockpit validate and notify:', () => {
  it('an unset variable is a located warning (exit 0); a bad target is a located error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-notify-v-'));
    try {
      const file = join(dir, 'cockpit.yml');
      writeFileSync(file, YAML);
      writeFileSync(join(dir, 'rollback.sh'), '#!/bin/sh\n', { mode: 0o755 }); // the rollback's command must exist to validate
      const out: string[] = [];
      const saved = { s: process.env.NT_SLACK, p: process.env.NT_PD };
      delete process.env.NT_SLACK;
      process.env.NT_PD = 'set';
      let code: number;
      try {
        code = await main(['validate', file], { out: (l) => out.push(l), err: (l) => out.push(l) });
      } finally {
        if (saved.s !== undefined) process.env.NT_SLACK = saved.s;
        if (saved.p !== undefined) process.env.NT_PD = saved.p;
        else delete process.env.NT_PD;
      }
      expect(code).toBe(0);
      expect(out.filter((l) => l.includes('warning'))).toEqual([`${file}:18:12: warning: $NT_SLACK is not set here: on rollback, verified, failed nothing can be sent to slack (the run reports it as a failure)`]);
      writeFileSync(file, YAML.replace('- pagerduty: { routingKeyEnv: NT_PD }', '- pagerduty: { routingKey: abc }'));
      const err: string[] = [];
      expect(await main(['validate', file], { out: () => undefined, err: (l) => err.push(l) })).toBe(2);
      expect(err[0]).toMatch(/cockpit\.yml:19:\d+: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
