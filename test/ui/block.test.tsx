/**
 * A multi-command shell step on the screen: its command lines as sub-rows under it (✓ passed with
 * their time, ◐ the current one, ○ not run yet), the failed one marked with its exit and its line,
 * and what r re-runs. Progress comes from the step's progress file, as the wrapper writes it.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { waitFor, waitForText } from '../helpers/ink.js';

const RUNBOOK = `
name: web-app
version: "2.4.0"
environment: production
stages:
  - id: deploy
    title: Deploy
    steps:
      - id: release
        title: Release
        run: |
          # Find the previous image
          PREV=$(kubectl get deploy web -o name)
          kubectl apply -f deploy.yaml
          # Wait for the rollout
          kubectl rollout status deploy/web \\
            --timeout=120s
          ./smoke.sh "$PREV"
`;

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function setup(columns = 80) {
  const parsed = parseRunbook(RUNBOOK, '/srv/app/cockpit.yml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const sessionDir = mkdtempSync(join(tmpdir(), 'cockpit-ui-block-'));
  const runner = new FakeRunner();
  const clock = new FakeClock();
  const controller = new Controller({ runbook: parsed.runbook, runner, journal: new MemoryJournal(), clock, sessionId: 's', sessionDir, values: {}, mode: 'tui' });
  const store = new OutputStore(controller);
  let keyTime = 10_000;
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={controller} store={store} keyClock={() => keyTime} size={{ columns, rows: 24 }} onExit={() => {}} />
    </ThemeContext.Provider>,
  );
  cleanup = () => {
    app.unmount();
    rmSync(sessionDir, { recursive: true, force: true });
  };
  const progress = (i: number, at: number) => appendFileSync(join(sessionDir, 'deploy.release.progress'), `${i}\t${at}\n`);
  const press = async (k: string) => {
    keyTime += 1000;
    app.stdin.write(k);
    await settle();
  };
  return { app, runner, controller, clock, progress, press };
}

describe('a shell block on the screen', () => {
  it('shows its command lines under the running step, then the failed one marked', async () => {
    const t = setup();
    void t.controller.start();
    await waitForText(t.app.lastFrame, '⏎ run/continue');
    await t.press('\r');
    await waitFor(() => t.runner.isRunning('deploy.release'), 'the block to start');
    // the step started at wall time `base`; its first command ran 2 s, the second started 3 s ago
    const base = t.clock.wall();
    await t.clock.advance(5000);
    t.progress(0, base);
    t.progress(1, base + 2000);
    t.runner.lines('deploy.release', ['12:00:00.000 deployment.apps/web configured']);
    let f = await waitForText(t.app.lastFrame, '◐ kubectl apply -');
    expect(f).toMatch(/✓ Find the previo… +0:02/);
    expect(f).toContain('○ Wait for the rollout');
    expect(f).toContain('○ ./smoke.sh "$PREV"');
    const lines = f.split('\n');
    expect(lines).toHaveLength(23);
    expect(lines.every((l) => l.length <= 80)).toBe(true);

    t.progress(2, base + 3000);
    t.runner.lines('deploy.release', ['12:00:01.000 Waiting for rollout']);
    f = await waitForText(t.app.lastFrame, '◐ Wait for the ro…');
    expect(f).toMatch(/✓ kubectl apply -… +0:01/);

    t.runner.finish('deploy.release', { ok: false, exitCode: 2, reason: 'exit 2' });
    f = await waitForText(t.app.lastFrame, '← failed (exit 2)');
    expect(f).toMatch(/✗ Wait for the ro… +0:0\d/);
    expect(f).toContain('← failed (exit 2)');
    expect(f).toContain('○ ./smoke.sh');
    expect(f).toContain('r re-runs whole block');
  });

  it("a wider terminal also names the failed command's line within the block", async () => {
    const t = setup(120);
    void t.controller.start();
    await waitForText(t.app.lastFrame, '⏎ run/continue');
    await t.press('\r');
    await waitFor(() => t.runner.isRunning('deploy.release'), 'the block to start');
    t.progress(0, t.clock.wall());
    t.progress(1, t.clock.wall());
    t.runner.finish('deploy.release', { ok: false, exitCode: 2, reason: 'exit 2' });
    const f = await waitForText(t.app.lastFrame, '← failed (exit 2), line 3');
    expect(f).toContain('✗ kubectl apply -f deploy.yaml');
  });

  it('r says that the retry runs the whole block again from its first command', async () => {
    const t = setup();
    void t.controller.start();
    await waitForText(t.app.lastFrame, '⏎ run/continue');
    await t.press('\r');
    await waitFor(() => t.runner.isRunning('deploy.release'), 'the block to start');
    t.progress(0, Date.now());
    t.runner.finish('deploy.release', { ok: false, exitCode: 1, reason: 'exit 1' });
    await waitForText(t.app.lastFrame, '← failed (exit 1)');
    await t.press('r');
    const f = await waitForText(t.app.lastFrame, 'first command');
    expect(f).toContain('variables and cd start fresh');
  });
});
