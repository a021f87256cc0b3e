/**
 * The demo service: a small node:http server on 127.0.0.1 that the demo's scripts deploy to and the
 * cockpit reads metrics from. It simulates a web app with two slots (blue/green) behind a router
 * (see simulation.ts), reads the flagd file for `new-checkout` and `checkout-v2-split` whenever it
 * changes, and advances on every request and on an unref()'d 200 ms tick (cleared by close()).
 *
 *   GET  /metrics             Prometheus text exposition format (0.0.4)
 *   GET  /metrics.json        the same figures as JSON
 *   GET  /health              200 {status:'ok', live, version}; 503 when the live slot is down or has no version
 *   GET  /checkout            the critical path: 200, 503 only when the live slot is down
 *   GET  /admin/state         everything, with deploy progress and a log of admin actions
 *   POST /admin/deploy?version=2.4.0   deploy to the idle slot (202; ready after DEMO.deploySeconds)
 *   POST /admin/switch        live traffic to the other slot (409 unless it is ready)
 *   POST /admin/rollback      back to the previous slot (idempotent; 409 with nothing to roll back to)
 *   POST /admin/break-checkout, POST /admin/fix-checkout   test toggles: the live slot down / up
 *   GET  /api/v1/query, /api/v1/query_range   the Prometheus HTTP API for its own series (prom-api.ts):
 *                             a runbook can read it as a prometheus source, history included
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../core/error-message.js';
import { isScenario, SCENARIOS, type ScenarioName } from './scenarios.js';
import { DemoApp, send } from './service-app.js';
import type { DemoState } from './simulation.js';

export { SCENARIOS, type ScenarioName } from './scenarios.js';
export type { DemoState, Metrics, SlotName, SlotStatus, SlotView } from './simulation.js';
export { metricsJson, prometheusText } from './exposition.js';

export type DemoServiceOptions = {
  scenario: ScenarioName;
  /** Demo-seconds per real second: every time constant is divided by it. */
  speed: number;
  /** The flagd flag-definition file to read `new-checkout` and `checkout-v2-split` from. */
  flagFile: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Seeds the jitter (default 0x5eed). */
  seed?: number;
  /** Wall clock in ms (tests); default Date.now. */
  now?: () => number;
};

export type DemoService = { url: string; port: number; close(): Promise<void>; state(): DemoState };

/** How often the simulation advances on its own (real ms). */
export const TICK_MS = 200;

export async function startDemoService(o: DemoServiceOptions): Promise<DemoService> {
  if (!isScenario(o.scenario)) throw new Error(`unknown demo scenario ${String(o.scenario)} (one of ${Object.keys(SCENARIOS).join(', ')})`);
  const app = new DemoApp({ scenario: o.scenario, speed: o.speed, flagFile: o.flagFile, seed: o.seed ?? 0x5eed, now: o.now ?? Date.now });

  const server = createServer((req, res) => {
    app.handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, errorMessage(e) === 'request body too large' ? 413 : 500, { ok: false, error: errorMessage(e) });
      else res.destroy();
    });
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const timer = setInterval(() => {
    try {
      app.sync();
    } catch {
      // a tick must never take the service down; the next request reports any error
    }
  }, TICK_MS);
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    state: () => app.state(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
