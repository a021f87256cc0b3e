/**
 * `cockpit demo --scenario S --speed N` on the in-process screen (ink-session.ts), as src/cli/demo.ts
 * sets it up: the demo service and the escalation webhook receiver in this process, the workspace
 * (cockpit.yml, scripts, flags.json) written into the sandbox, and the variables the demo's scripts
 * read; then the workspace's runbook on the screen, its scripts real processes calling the service
 * (without the demo's story line above the screen: the header and everything under it as `cockpit demo` draws them).
 * `close()` stops the service and the receiver (after the screen has ended: closeScreens).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startDemoService, type ScenarioName } from '../../src/demo/service.js';
import { startWebhookReceiver } from '../../src/demo/webhook.js';
import { writeWorkspace } from '../../src/demo/workspace.js';
import { fixtureSandbox, openScreen, type Sandbox, type ScreenRun } from './ink-session.js';

export type DemoScreen = { readonly s: ScreenRun; readonly sb: Sandbox; readonly ws: string; close(): Promise<void> };

export async function demoOnScreen(scenario: ScenarioName, speed: number, size: { cols: number; rows: number }): Promise<DemoScreen> {
  const sb = fixtureSandbox(undefined, `cockpit-demo-${scenario}-`);
  const ws = sb.fx;
  const service = await startDemoService({ scenario, speed, flagFile: join(ws, 'flags.json') });
  const webhook = await startWebhookReceiver(join(ws, 'escalation.log'));
  writeWorkspace(ws, { serviceUrl: service.url, speed });
  const env = { DEMO_SERVICE_URL: service.url, DEMO_SCENARIO: scenario, DEMO_DEPLOY_TOKEN: `demo-${randomBytes(6).toString('hex')}`, DEMO_WEBHOOK_URL: webhook.url };
  const s = openScreen(sb, { runbook: 'cockpit.yml', ...size, env });
  return {
    s,
    sb,
    ws,
    close: async () => {
      await webhook.close();
      await service.close();
    },
  };
}
