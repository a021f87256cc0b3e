/**
 * Escapes on the cockpit screen (issue 19): a failed step's reason (a flag provider's stderr) in
 * the checklist, a metric error body in the `w` overlay (a real HTTP server answering 502 with an
 * HTML body carrying OSC 52, a clear screen and an 8-bit CSI, read by the real Prometheus source),
 * and runbook titles: the frame holds their text, never their escapes, and every row keeps 80 columns.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import { FakeClock, settle } from '../../src/core/clock.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { width } from '../../src/ui/text.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { plain, waitFor, waitForText } from '../helpers/ink.js';

/** A non-SGR escape, a C1 control, BEL or another C0 control (but \n), DEL, a bidi override: none may reach the frame. */
const UNSAFE = /\x1b(?!\[[0-9;:]*m)|[\x00-\x09\x0b-\x1a\x1c-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const OSC52 = '\x1b]52;c;cm0gLXJmIH4=\x07';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(text: string) {
  const parsed = parseRunbook(text, '/srv/app/cockpit.yml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const runner = new FakeRunner();
  const clock = new FakeClock();
  const controller = new Controller({
    runbook: parsed.runbook,
    runner,
    journal: new MemoryJournal(),
    clock,
    sessionId: 's',
    sessionDir: '/tmp/cockpit-ui-test',
    values: { version: '2.4.0' },
    mode: 'tui',
  });
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={controller} store={new OutputStore(controller)} keyClock={() => 10_000} size={{ columns: 80, rows: 24 }} />
    </ThemeContext.Provider>,
  );
  cleanups.push(() => app.unmount());
  return { app, runner, controller, clock };
}

/** Every row of the frame at most 80 columns, the rows of the panes exactly 80 (their right border at the edge). */
function rowsKeepTheirWidth(frame: string): void {
  const rows = plain(frame).split('\n');
  expect(rows.length).toBeLessThanOrEqual(24);
  for (const r of rows) expect(width(r), r).toBeLessThanOrEqual(80);
  for (const r of rows.filter((x) => /[│┐┘]$/.test(x))) expect(width(r), r).toBe(80);
}

describe('escapes on the screen', () => {
  it('a failed step\'s reason in the checklist: its text, none of its escapes', async () => {
    const t = setup(`
name: web-app
version: "2.4.0"
stages:
  - id: production
    steps:
      - { id: flip, run: ./flip.sh }
`);
    void t.controller.start();
    await settle();
    expect(t.controller.runNextStage()).toEqual({ ok: true });
    await waitFor(() => t.runner.isRunning('production.flip'), 'the step');
    t.runner.fail('production.flip', `provider said: ${OSC52}\x1b]0;owned\x07\x1b[2J\x9b2Jdenied\x9d0;t\x07 \u202eok`);
    const f = await waitForText(t.app.lastFrame, 'provider said: denied ok');
    expect(t.app.lastFrame()).not.toMatch(UNSAFE);
    // wrapped, not cut off (issue 20)
    expect(f).toMatch(/│ {5}provider said: +│/);
    expect(f).toMatch(/│ {7}denied ok +│/);
    expect(f).toContain('│flip FAILED: provider said: denied ok ');
    rowsKeepTheirWidth(t.app.lastFrame()!);
  });

  describe('the w overlay with a metric error body', () => {
    let server: Server | undefined;
    afterEach(() => {
      server?.close();
      server = undefined;
    });

    it('a Prometheus 502 HTML body with OSC 52, a clear screen and C1 shows as text', async () => {
      // a real HTTP server standing in for a proxy in front of Prometheus; the real Prometheus source reads it
      server = createServer((_req, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(`<html>${OSC52}\x1b[2J\x9b2J\x9d0;x\x07<h1>502 Bad Gateway</h1></html>`);
      });
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      const t = setup(`
name: web-app
version: "2.4.0"
stages:
  - id: production
    steps:
      - run: ./deploy.sh
metrics:
  interval: 1s
  source: { type: prometheus, url: 'http://127.0.0.1:${port}' }
  series:
    error_rate: { query: 'sum(rate(errors[1m]))' }
rollback:
  steps: [./rollback.sh]
  triggers:
    - { metric: error_rate, above: 1, for: 2m }
`);
      void t.controller.start();
      await settle();
      // the sample is due on the (fake) clock; the fetch itself is real HTTP
      await t.clock.advance(1000);
      await waitFor(() => t.controller.state.guard.series.error_rate?.error, 'the first failed fetch', 5000);
      t.app.stdin.write('w');
      const f = await waitForText(t.app.lastFrame, 'now: no data (prometheus: HTTP 502');
      // wrapped inside the box, not cut off (issue 20)
      expect(f).toContain('│ │   now: no data (prometheus: HTTP 502, not JSON: <html><h1>502 Bad        │ │');
      expect(f).toContain('│ │     Gateway</h1></html>)                                                 │ │');
      expect(t.app.lastFrame()).not.toMatch(UNSAFE);
      rowsKeepTheirWidth(t.app.lastFrame()!);
    });
  });

  it('runbook titles with escapes, C1, a ZWJ emoji, zero-width characters and RTL text: printable, every row 80 columns', async () => {
    const t = setup(`
name: "web\\e]0;t\\a-app \\u200b👨\\u200d👩\\u200d👧"
version: "2.4.0"
stages:
  - id: production
    title: "שחרור \\u202eגרסה\\u009b2J إصدار"
    steps:
      - { title: "deploy \\e[2J👨\\u200d👩\\u200d👧\\u200b\\ufeff cafe\\u0301 🇺🇦 done", run: ./deploy.sh }
      - { title: "watch \\e]52;c;cm0gLXJmIH4=\\a it", monitor: 5m }
`);
    void t.controller.start();
    await settle();
    expect(t.controller.runNextStage()).toEqual({ ok: true });
    await waitFor(() => t.runner.isRunning('production.deploy'), 'the deploy');
    const f = await waitForText(t.app.lastFrame, 'deploy 👨👩👧 cafe\u0301 🇺🇦 done');
    expect(f).toContain('שחרור גרסה إصدار');
    expect(f).toContain('watch  it');
    expect(t.app.lastFrame()).not.toMatch(UNSAFE);
    expect(t.app.lastFrame()).not.toMatch(/[\u200b-\u200d\ufeff]/);
    rowsKeepTheirWidth(t.app.lastFrame()!);
  });
});
