/**
 * Notifications against real local HTTP receivers, through a real headless release in-process
 * (main(argv, io)): a trigger fires on a real http-json metrics server, the rollback runs real
 * commands, and each `notify:` target (Slack, a generic JSON webhook, PagerDuty Events API v2) is
 * told of the rollback and of its verify. Each receiver checks the payload against the documented
 * schema (test/helpers/notify-schema.ts); a receiver answering 500, one refusing connections and an
 * unset variable are reported (journalled, a headless line), also after verify, never swallowed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { SessionEvent } from '../../src/core/events.js';
import { closedPort, serve, type TestServer } from '../helpers/http-target.js';
import { pagerDutyProblems, slackProblems, webhookProblems } from '../helpers/notify-schema.js';

const ENV = ['IT_NOTIFY_SLACK', 'IT_NOTIFY_HOOK', 'IT_NOTIFY_PD'] as const;

let dir: string;
const servers: TestServer[] = [];
async function server(...a: Parameters<typeof serve>): Promise<TestServer> {
  const s = await serve(...a);
  servers.push(s);
  return s;
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-notify-'));
});
afterEach(async () => {
  for (const k of ENV) delete process.env[k];
  await Promise.all(servers.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** A runbook whose trigger fires within a second on a real metrics server; `pdUrl` is PagerDuty's endpoint. */
function runbook(metricsUrl: string, pdUrl: string): string {
  return `
name: web-app
version: "2.4.0"
stages:
  - id: production
    steps:
      - monitor: 30s
metrics:
  interval: 200ms
  source: { type: http-json, url: "${metricsUrl}" }
  series:
    error_rate: { pointer: /error_rate, unit: '%' }
rollback:
  steps: ["true"]
  verify: ["true"]
  triggers:
    - { id: errors, metric: error_rate, above: 1, for: 400ms }
notify:
  - slack: { webhookEnv: IT_NOTIFY_SLACK }
  - webhook: { urlEnv: IT_NOTIFY_HOOK }
    on: [rollback, verified, failed]
  - pagerduty: { routingKeyEnv: IT_NOTIFY_PD, url: "${pdUrl}" }
`;
}

async function release(metricsUrl: string, pdUrl: string) {
  writeFileSync(join(dir, 'cockpit.yml'), runbook(metricsUrl, pdUrl));
  const out: string[] = [];
  const code = await main(['run', join(dir, 'cockpit.yml'), '--headless'], { out: (l) => out.push(l), err: (l) => out.push(l) });
  const sessions = join(dir, '.cockpit', 'sessions');
  const journal = readFileSync(join(sessions, readdirSync(sessions)[0], 'journal.jsonl'), 'utf8');
  const events = journal.trim().split('\n').map((l) => JSON.parse(l) as SessionEvent);
  return { code, out: out.join('\n').replace(/^\d\d:\d\d:\d\d /gm, ''), events };
}

const metrics = () => server((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ error_rate: 5 })));
const bodies = (s: TestServer) => s.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
const finished = (events: SessionEvent[]) => events.filter((e) => e.type === 'notification.finished').map((e) => [e.target, e.on, e.ok, e.attempts, e.error]);

describe('notify: targets against real receivers', () => {
  it('Slack, webhook and PagerDuty are told of the rollback and of its verify, each body as documented, carrying the decision record', async () => {
    const m = await metrics();
    const slack = await server((_req, res) => res.end('ok'));
    const hook = await server((_req, res) => res.writeHead(204).end());
    const pd = await server((_req, res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success","message":"Event processed"}'));
    process.env.IT_NOTIFY_SLACK = `${slack.url}/services/T0/B0/X`;
    process.env.IT_NOTIFY_HOOK = `${hook.url}/hooks/cockpit`;
    process.env.IT_NOTIFY_PD = 'R0UT1NGKEY0000000000000000000000';
    const r = await release(`${m.url}/metrics`, `${pd.url}/v2/enqueue`);
    expect(r.code).toBe(3);

    // the headless line carries the decision record
    expect(r.out).toMatch(/● trigger errors FIRED: [^\n]+\n {4}why: error_rate 5 % > 1 % for 400ms\n {4}query: \/error_rate\n {4}window 3 samples over 400ms: 5 5 5\n/);
    for (const t of ['slack $IT_NOTIFY_SLACK', 'webhook $IT_NOTIFY_HOOK', 'pagerduty $IT_NOTIFY_PD']) {
      expect(r.out).toContain(`✉ notified ${t} (rollback)`);
      expect(r.out).toContain(`✉ notified ${t} (verified)`);
    }
    const rolled = r.events.find((e) => e.type === 'rollback.started')!;
    expect(rolled.type === 'rollback.started' && rolled.record).toMatchObject({ trigger: 'errors', kind: 'metric', subject: 'error_rate', query: '/error_rate', value: 5, comparator: '>', threshold: 1, forMs: 400, samples: 3 });

    // Slack: documented body, escaped, blocks with the record
    expect(slack.requests.map((q) => [q.method, q.path, q.headers['content-type']])).toEqual([
      ['POST', '/services/T0/B0/X', 'application/json'],
      ['POST', '/services/T0/B0/X', 'application/json'],
    ]);
    for (const b of bodies(slack)) expect(slackProblems(b)).toEqual([]);
    expect(String(bodies(slack)[0].text)).toMatch(/^:rotating_light: Rolling back web-app 2\.4\.0 in production: trigger fired: error_rate &gt; 1 %/);
    expect(JSON.stringify(bodies(slack)[0].blocks)).toContain('error_rate 5 % &gt; 1 % for 400ms\\nquery: /error_rate\\nwindow 3 samples over 400ms: 5 5 5');
    expect(String(bodies(slack)[1].text)).toMatch(/^:white_check_mark: Rollback of web-app 2\.4\.0 in production verified: restored in /);

    // the generic webhook: its documented schema, the decision record in full
    const hb = bodies(hook);
    for (const b of hb) expect(webhookProblems(b)).toEqual([]);
    expect(hb.map((b) => b.event)).toEqual(['rollback', 'verified']);
    expect(hb[0]).toMatchObject({ runbook: 'web-app', version: '2.4.0', environment: 'production', session: rolled.type === 'rollback.started' && r.events[0].type === 'session.started' ? r.events[0].sessionId : '?' });
    expect(hb[0].decision).toEqual(rolled.type === 'rollback.started' ? rolled.record : undefined);
    expect(typeof hb[1].restoreMs).toBe('number');

    // PagerDuty: trigger then resolve, one dedup_key
    const pb = bodies(pd);
    for (const b of pb) expect(pagerDutyProblems(b)).toEqual([]);
    expect(pd.requests.map((q) => q.path)).toEqual(['/v2/enqueue', '/v2/enqueue']);
    expect(pb.map((b) => b.event_action)).toEqual(['trigger', 'resolve']);
    expect(pb[0].dedup_key).toBe(pb[1].dedup_key);
    expect(pb[0]).toMatchObject({ routing_key: 'R0UT1NGKEY0000000000000000000000', payload: { severity: 'critical', source: 'web-app/production' } });

    expect(finished(r.events)).toEqual(expect.arrayContaining([['pagerduty $IT_NOTIFY_PD', 'verified', true, 1, undefined]]));
    expect(finished(r.events)).toHaveLength(6);
  }, 60_000);

  it('a receiver answering 500, one refusing connections, an unset variable: each failure journalled and printed, also for verify; the rollback still counts', async () => {
    const m = await metrics();
    // the webhook accepts the rollback message and fails after verify
    const hook = await server((_req, res, body) => res.writeHead((JSON.parse(body) as { event: string }).event === 'verified' ? 500 : 200).end());
    process.env.IT_NOTIFY_HOOK = hook.url;
    process.env.IT_NOTIFY_PD = 'R0UT1NGKEY0000000000000000000000';
    const refused = await closedPort();
    const r = await release(`${m.url}/metrics`, `http://127.0.0.1:${refused}/v2/enqueue`);
    expect(r.code).toBe(3);
    expect(r.out).toContain('✗ NOTIFICATION FAILED: slack $IT_NOTIFY_SLACK (rollback): $IT_NOTIFY_SLACK is not set: no Slack message sent');
    expect(r.out).toContain('✗ NOTIFICATION FAILED: slack $IT_NOTIFY_SLACK (verified): $IT_NOTIFY_SLACK is not set: no Slack message sent');
    expect(r.out).toContain('✉ notified webhook $IT_NOTIFY_HOOK (rollback)');
    expect(r.out).toContain('✗ NOTIFICATION FAILED: webhook $IT_NOTIFY_HOOK (verified): HTTP 500 (after 3 attempts)');
    expect(r.out).toContain(`✗ NOTIFICATION FAILED: pagerduty $IT_NOTIFY_PD (rollback): ECONNREFUSED 127.0.0.1:${refused} (after 3 attempts)`);
    expect(r.out).toContain(`✗ NOTIFICATION FAILED: pagerduty $IT_NOTIFY_PD (verified): ECONNREFUSED 127.0.0.1:${refused} (after 3 attempts)`);
    expect(hook.requests).toHaveLength(4); // one rollback message, three tries of the verified one
    for (const q of hook.requests) expect(webhookProblems(JSON.parse(q.body))).toEqual([]);
    expect(finished(r.events)).toEqual(
      expect.arrayContaining([
        ['webhook $IT_NOTIFY_HOOK', 'verified', false, 3, 'HTTP 500'],
        ['slack $IT_NOTIFY_SLACK', 'rollback', false, 0, '$IT_NOTIFY_SLACK is not set: no Slack message sent'],
      ]),
    );
    // every outcome is in the journal before the session closed it
    expect(finished(r.events)).toHaveLength(6);
  }, 60_000);
});
