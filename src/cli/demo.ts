/**
 * cockpit demo: a whole release against a local demo service, with nothing to configure. Starts
 * the service and a webhook receiver, writes the workspace (runbook + real scripts), runs the
 * cockpit on it (the screen on a terminal, else headless), and stops everything at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SCENARIOS, startDemoService, type ScenarioName } from '../demo/service.js';
import { startWebhookReceiver } from '../demo/webhook.js';
import { writeWorkspace } from '../demo/workspace.js';
import { parse, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { loadOrExit } from './load.js';
import { runHeadless } from './headless-run.js';
import { shareOptional } from './run-flags.js';
import type { Sharing } from '../share/share-session.js';
import { loadScreen } from './run.js';
import { resolveTheme } from './theme.js';
import { closedPort } from '../demo/closed-port.js';
import { FIRST_SCRAPE_DEADLINE_MS, waitForFirstScrape } from '../demo/first-scrape.js';
import { sourceFor } from '../metrics/sources/index.js';
import { formatCompact } from '../runbook/duration.js';

export const DEFAULT_SPEED = 20;

export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(shareOptional(argv), COMMANDS.demo);
  if (positionals.length) throw new UsageError(`unexpected ${positionals.join(' ')}: the demo writes its own runbook (--dir says where)`);
  const scenario = (values.scenario ?? 'good') as ScenarioName;
  if (!(scenario in SCENARIOS)) throw new UsageError(`unknown scenario "${values.scenario}" (scenarios: ${Object.keys(SCENARIOS).join(', ')})`);
  const speed = values.speed === undefined ? DEFAULT_SPEED : Number(values.speed);
  if (!Number.isFinite(speed) || speed < 1 || speed > 600) throw new UsageError(`--speed must be a number from 1 to 600 (got "${values.speed}")`);
  if (values.prometheus !== undefined && !/^https?:\/\//.test(values.prometheus)) throw new UsageError(`--prometheus must be a URL (got "${values.prometheus}")`);

  // a fixed service port: what a Prometheus scrape config (--prometheus) can be pointed at beforehand
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !/^\d+$/.test(values.port ?? '0')) throw new UsageError(`--port must be a port number from 0 to 65535 (got "${values.port}")`);

  const dir = values.dir ? resolve(values.dir) : mkdtempSync(join(tmpdir(), 'cockpit-demo-'));
  mkdirSync(dir, { recursive: true });
  const service = await startDemoService({ scenario, speed, port, flagFile: join(dir, 'flags.json') });
  const webhook = await startWebhookReceiver(join(dir, 'escalation.log'));
  let sharing: Sharing | number | undefined;
  try {
    // blind: the metrics source is down (a loopback port nothing listens on), read as JSON from there
    const metricsUrl = scenario === 'blind' ? `http://127.0.0.1:${await closedPort()}/metrics.json` : undefined;
    const file = writeWorkspace(dir, { serviceUrl: service.url, speed, prometheusUrl: scenario === 'blind' ? undefined : values.prometheus, metricsUrl });
    // what the demo's scripts read: the service, the scenario, a secret to mask, the webhook
    Object.assign(process.env, {
      DEMO_SERVICE_URL: service.url,
      DEMO_SCENARIO: scenario,
      DEMO_DEPLOY_TOKEN: `demo-${randomBytes(6).toString('hex')}`,
      DEMO_WEBHOOK_URL: webhook.url,
    });
    const rb = loadOrExit(file, io.err);
    if (typeof rb === 'number') return rb;
    const story = `DEMO ×${speed} (5m in the runbook is ${Math.round(300 / speed)}s here) · ${scenario}: ${SCENARIOS[scenario].story}`;
    const tui = !values.headless && !values.json && process.stdout.isTTY === true && process.stdin.isTTY === true;
    if (!values.json) io.err(`cockpit demo: workspace ${dir} · service ${service.url} · ${story}`);
    // the service has just started: the Prometheus scraping it has its series only after its next scrape
    const source = rb.metrics?.source?.type === 'prometheus' ? sourceFor(rb) : undefined;
    if (source) {
      const say = (line: string) => void (values.json ? undefined : io.err(`cockpit demo: ${line}`));
      let waited = false;
      const scrape = await waitForFirstScrape(rb, {
        source,
        now: () => performance.now(),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        waiting: () => {
          waited = true;
          say(`waiting for Prometheus (${values.prometheus}) to scrape the service at ${new URL(service.url).host} (up to ${formatCompact(FIRST_SCRAPE_DEADLINE_MS)})`);
        },
      });
      if (scrape.ok && waited) say(`Prometheus has the service's series (after ${formatCompact(Math.round(scrape.waitedMs))})`);
      if (!scrape.ok) say(`Prometheus has not answered every series with a number (${scrape.why}): the guardrail self-test says what is wrong`);
    }
    sharing = values.share === undefined ? undefined : await (await import('./share.js')).startShare(values.share, io);
    if (typeof sharing === 'number') return sharing;
    const share = sharing ? { share: sharing } : {};
    if (!tui) return await runHeadless(rb, { file, json: values.json, yes: true, onFailure: 'rollback', learning: values.learning }, io, { display: file, ...share });
    const theme = await resolveTheme(values.theme);
    const { runTui } = await loadScreen();
    return await runTui(rb, { theme, onFailure: 'wait', story, learning: values.learning, noHandOver: "the demo's service runs inside this cockpit and stops with it", ...share }, io.err);
  } finally {
    if (typeof sharing === 'object') await sharing.close();
    await webhook.close();
    await service.close();
    if (!values.json) io.err(`cockpit demo: stopped the demo service; the workspace stays in ${dir}`);
  }
}
