import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import { FakeClock, settle } from '../../src/core/clock.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { App } from '../../src/ui/App.js';
import { keyGroups, keysMarkdown } from '../../src/ui/keymap.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { plain, waitFor, waitForGone, waitForText } from '../helpers/ink.js';
import { spinnerFrames } from '../helpers/spinner.js';
import { RUNNING_FRAMES, RUNNING_INTERVAL_MS } from '../../src/ui/components/RunningIcon.js';

const RUNBOOK = `
name: web-app
version: "2.4.0"
environment: production
preflight:
  - title: All tests passing
    run: ./scripts/verify-tests.sh
  - title: No active incidents
    manual: Check the monitoring dashboard
stages:
  - id: staging
    title: Deploy to Staging
    budget: 2m
    steps:
      - run: ./scripts/deploy-staging.sh
      - run: ./scripts/smoke.sh
  - id: production
    title: Deploy to Production
    CONFIRM
    steps:
      - run: ./scripts/deploy-production.sh
rollback:
  steps: [./scripts/rollback-production.sh]
  verify: [./scripts/verify-rollback.sh]
  incident: [./scripts/create-incident.sh, "{reason}"]
emergency:
  - { title: Health check, run: ./scripts/health-check.sh }
`;

const ESC = '\u001B';
const keys = { enter: '\r', escape: ESC, up: `${ESC}[A`, down: `${ESC}[B`, tab: '\t', ctrlC: '\u0003' };

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function setup(opts: { confirm?: 'type-name'; columns?: number; rows?: number; extra?: string; unarmed?: string[] } = {}) {
  const text = RUNBOOK.replace('    CONFIRM\n', opts.confirm ? `    confirm: ${opts.confirm}\n` : '') + (opts.extra ?? '');
  const parsed = parseRunbook(text, '/srv/app/cockpit.yml');
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const r = { ...parsed, runbook: opts.unarmed ? { ...parsed.runbook, unarmed: opts.unarmed } : parsed.runbook };
  const runner = new FakeRunner();
  const clock = new FakeClock();
  const journal = new MemoryJournal();
  const controller = new Controller({ runbook: r.runbook, runner, journal, clock, sessionId: 's', sessionDir: '/tmp/cockpit-ui-test', values: { version: '2.4.0' }, mode: 'tui' });
  const store = new OutputStore(controller);
  let keyTime = 10_000;
  let exited = false;
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={controller} store={store} keyClock={() => keyTime} size={{ columns: opts.columns ?? 80, rows: opts.rows ?? 24 }} onExit={() => (exited = true)} />
    </ThemeContext.Provider>,
  );
  cleanup = () => app.unmount();
  /** Writes a key `afterMs` (fake time) after the previous one, then lets Ink handle it. */
  const press = async (k: string, afterMs = 1000) => {
    keyTime += afterMs;
    app.stdin.write(k);
    await settle();
  };
  return { app, runner, controller, journal, clock, press, frame: () => plain(app.lastFrame()), exited: () => exited };
}

async function passPreflight(t: ReturnType<typeof setup>) {
  void t.controller.start();
  await waitForText(t.app.lastFrame, 'All tests passing');
  t.runner.finish('preflight.all-tests-passing');
  await waitForText(t.app.lastFrame, '✓ All tests passing');
  await t.press(' ');
  await waitForText(t.app.lastFrame, '[✓] No active incidents');
}

describe('cockpit screen', () => {
  it('lays out header, stage strip, checklist, output and hints at 80×24', async () => {
    const t = setup();
    void t.controller.start();
    const f = await waitForText(t.app.lastFrame, '◐ All tests passing');
    const lines = f.split('\n');
    expect(lines).toHaveLength(23); // never taller than the terminal
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    // this runbook has no rollback triggers: the header says so (issue 18)
    expect(lines[0]).toMatch(/^ cockpit · web-app 2\.4\.0 → produc… ⚠ AUTO-ROLLBACK OFF {2}PRE-FLIGHT {3}R ROLLBACK$/);
    expect(lines[1]).toBe(' ◐ Pre-flight  ○ Deploy to Staging  ○ Deploy to Production');
    expect(lines[2]).toMatch(/^┌ Checklist ─+┐┌ All tests passing · 0:00 · follow ─+┐$/);
    expect(lines[3]).toContain('│◐ Pre-flight');
    expect(lines[4]).toContain('│ ◐ All tests passing');
    expect(lines[5]).toContain('│ [ ] No active incidents');
    expect(lines[22]).toBe(' R rollback  e emergency  ? help  q quit');
  });

  it('the hint bar follows the keymap: tick when a manual item is selected, Enter once the pre-flight passed', async () => {
    const t = setup();
    void t.controller.start();
    t.runner.finish('preflight.all-tests-passing');
    let f = await waitForText(t.app.lastFrame, 'space tick');
    expect(f.split('\n')[22]).toBe(' R rollback  space tick  e emergency  ? help  q quit');
    await t.press(' ');
    f = await waitForText(t.app.lastFrame, '⏎ run/continue');
    expect(f.split('\n')[22]).toBe(' R rollback  ⏎ run/continue  e emergency  ? help  q quit');
    expect(f).toContain('Next: Deploy to Staging. Press Enter to run it.');
  });

  it('Enter runs the next stage and output arrives in the output pane', async () => {
    const t = setup();
    await passPreflight(t);
    await t.press(keys.enter);
    await waitFor(() => t.runner.isRunning('staging.deploy-staging'), 'deploy to start');
    t.runner.lines('staging.deploy-staging', ['12:01:02.000 switching traffic blue→green 25 %', '12:01:05.000 health ok']);
    const f = await waitForText(t.app.lastFrame, '12:01:05 health ok');
    expect(f).toContain('12:01:02 switching traffic blue→green 25 %');
    expect(f.split('\n')[0]).toContain('◐ DEPLOY TO STAGING');
    expect(f.split('\n')[0]).toContain('RUNNING');
  });

  it('a failed step shows its reason; r retries; s asks for a reason and records it', async () => {
    const t = setup();
    await passPreflight(t);
    await t.press(keys.enter);
    await waitFor(() => t.runner.isRunning('staging.deploy-staging'), 'deploy');
    t.runner.fail('staging.deploy-staging', 'exit 3');
    let f = await waitForText(t.app.lastFrame, 'exit 3');
    expect(f).toContain('✗ deploy-staging');
    expect(f.split('\n')[22]).toBe(' R rollback  r retry  s skip  e emergency  ? help  q quit');
    await t.press('r');
    await waitFor(() => t.runner.isRunning('staging.deploy-staging'), 'retry');
    expect(t.runner.started.filter((s) => s.key === 'staging.deploy-staging')).toHaveLength(2);
    t.runner.fail('staging.deploy-staging', 'exit 4');
    await waitForText(t.app.lastFrame, 'exit 4');
    await t.press('s');
    await waitForText(t.app.lastFrame, 'Skip step');
    for (const ch of 'done by hand') await t.press(ch, 50);
    await t.press(keys.enter, 50); // too soon after typing: refused, says so
    f = await waitForText(t.app.lastFrame, 'press Enter again to skip');
    expect(t.controller.state.stages[0].steps[0].status).toBe('failed');
    await t.press(keys.enter, 400);
    f = await waitForText(t.app.lastFrame, 'skipped: done by hand');
    expect(t.journal.events.find((e) => e.type === 'step.skipped')).toMatchObject({ reason: 'done by hand' });
  });

  it('R opens the rollback dialog naming what will run, focused on Cancel', async () => {
    const t = setup();
    await passPreflight(t);
    await t.press('R');
    const f = await waitForText(t.app.lastFrame, 'ROLLBACK ─');
    expect(f).toContain('Roll back web-app 2.4.0 in production');
    expect(f).toContain('1. rollback-production  (./scripts/rollback-production.sh)');
    expect(f).toContain('2. verify-rollback  (./scripts/verify-rollback.sh)');
    expect(f).toContain('3. create incident  (./scripts/create-incident.sh {reason})');
    expect(f).toContain('[ Cancel ]     Roll back');
    // Enter activates the focused button: Cancel
    await t.press(keys.enter);
    await waitForGone(t.app.lastFrame, 'ROLLBACK ─');
    expect(t.controller.state.rollback.status).toBe('idle');
  });

  it('a burst of R (held key) opens the dialog at most; a second R 300 ms later confirms', async () => {
    const t = setup();
    await passPreflight(t);
    await t.press('R');
    await waitForText(t.app.lastFrame, 'ROLLBACK ─');
    await t.press('R', 30);
    await t.press('R', 30);
    let f = await waitForText(t.app.lastFrame, 'Ignored 2 keys');
    expect(t.controller.state.rollback.status).toBe('idle');
    await t.press('RRRR', 500); // a paste never confirms
    f = await waitForText(t.app.lastFrame, 'Ignored 3 keys');
    expect(t.controller.state.rollback.status).toBe('idle');
    await t.press('R', 400);
    f = await waitForText(t.app.lastFrame, 'ROLLING BACK');
    expect(f).not.toContain('ROLLBACK ─');
    expect(t.runner.isRunning('rollback.rollback-production')).toBe(true);
  });

  it('escalation shows under the rollback: a reminder in the notice line, the next level counting down, then done', async () => {
    const t = setup({ columns: 120, rows: 30, extra: 'escalation:\n  - { after: 0m, title: Page on-call engineer }\n  - { after: 5m, title: Escalate to leadership }\n' });
    await passPreflight(t);
    await t.press('R');
    await waitForText(t.app.lastFrame, 'ROLLBACK ─');
    await t.press('R', 400);
    await t.clock.advance(0); // level 1 is due at the incident's start
    await waitForText(t.app.lastFrame, '⚑ escalation L1 Page on-call engineer (reminder: act on it now)');
    let f = await waitForText(t.app.lastFrame, 'in 5:00');
    const checklist = (x: string) => x.split('\n').map((l) => /^│(.*?)│┌?/.exec(l)?.[1]?.trimEnd() ?? '');
    const esc = (x: string) => {
      const c = checklist(x);
      const i = c.findIndex((l) => l.includes('Escalation'));
      if (i < 0) throw new Error(`no Escalation rows in:\n${x}`);
      return c.slice(i, i + 4).map((l) => l.replace(/(\S) {2,}(\S)/g, '$1 · $2'));
    };
    expect(esc(f)).toEqual(['◐ Escalation', ' ✓ L1 Page on-call engineer', '     reminder', ' ○ L2 Escalate to leadership · in 5:00']);
    await t.clock.advance(60_000);
    f = await waitForText(t.app.lastFrame, 'in 4:00');
    await t.clock.advance(240_000);
    await waitForText(t.app.lastFrame, '⚑ escalation L2 Escalate to leadership (reminder: act on it now)');
    await waitFor(() => esc(t.frame())[0] === '✓ Escalation', 'the escalation done');
    expect(esc(t.frame())).toEqual(['✓ Escalation', ' ✓ L1 Page on-call engineer', '     reminder', ' ✓ L2 Escalate to leadership']);
  });

  it('a notification that failed shows under the rollback with why (the notifier journals it: notification.finished)', async () => {
    const t = setup({ columns: 120, rows: 30 });
    await passPreflight(t);
    await t.press('R');
    await waitForText(t.app.lastFrame, 'ROLLBACK ─');
    await t.press('R', 400);
    await waitForText(t.app.lastFrame, 'ROLLING BACK');
    t.controller.record({ type: 'notification.finished', target: 'slack $SLACK_WEBHOOK_URL', on: 'rollback', ok: true, attempts: 1 });
    t.controller.record({ type: 'notification.finished', target: 'webhook $RELEASE_HOOK', on: 'rollback', ok: false, attempts: 3, error: 'HTTP 500' });
    const f = await waitForText(t.app.lastFrame, 'rollback: HTTP 500 (3 tries)');
    const checklist = f.split('\n').map((l) => /^│(.*?)│┌?/.exec(l)?.[1]?.trimEnd() ?? '');
    const i = checklist.findIndex((l) => l.includes('Notifications'));
    expect(checklist.slice(i, i + 5)).toEqual(['✗ Notifications', ' ✓ slack $SLACK_WEBHOOK_URL', '     rollback', ' ✗ webhook $RELEASE_HOOK           FAILED', '     rollback: HTTP 500 (3 tries)']);
  });

  it('triggers a Markdown runbook could not arm are named in the notice line, all the time', async () => {
    const t = setup({ unarmed: ['Error rate > 1% for 2 consecutive minutes', 'Memory usage > 85% for 5 minutes'] });
    void t.controller.start();
    const f = await waitForText(t.app.lastFrame, 'AUTO-ROLLBACK OFF');
    expect(f.split('\n')[21]).toBe(' ⚠ AUTO-ROLLBACK OFF: 2 triggers need metrics or probes (cockpit validate)');
  });

  it('a rollback step that fails before any output: the output pane says why and that r retries it', async () => {
    const t = setup({ columns: 140 });
    await passPreflight(t);
    await t.press('R');
    await waitForText(t.app.lastFrame, 'ROLLBACK ─');
    await t.press('R', 400);
    await waitFor(() => t.runner.isRunning('rollback.rollback-production'), 'the rollback step to start');
    t.runner.fail('rollback.rollback-production', 'missing: ./scripts/rollback-production.sh');
    // the incident command still runs after a failed rollback step (it reports the failure)
    const incident = await waitFor(() => t.runner.keys().find((k) => k.startsWith('rollback.') && k !== 'rollback.rollback-production' && t.runner.isRunning(k)), 'the incident command');
    t.runner.finish(incident);
    const f = await waitForText(t.app.lastFrame, 'ROLLBACK FAILED: r retries this rollback step (fix what it says first).');
    expect(f).toContain('rollback-production FAILED: missing: ./scripts/rollback-production.sh');
    expect(f.split('\n')[0]).toMatch(/ ROLLBACK FAILED +R ROLLBACK$/);
  });

  it('Esc never confirms, even with Roll back focused', async () => {
    const t = setup();
    await passPreflight(t);
    await t.press('R');
    await waitForText(t.app.lastFrame, '[ Cancel ]');
    await t.press(keys.tab);
    await waitForText(t.app.lastFrame, '[ Roll back ]');
    await t.press(keys.escape, 500);
    await waitForGone(t.app.lastFrame, 'ROLLBACK ─');
    expect(t.controller.state.rollback.status).toBe('idle');
    expect(t.journal.events.some((e) => e.type === 'rollback.started')).toBe(false);
  });

  it('R is reachable on top of every overlay', async () => {
    const t = setup();
    await passPreflight(t);
    await t.press('?');
    await waitForText(t.app.lastFrame, 'Keys (Esc closes');
    await t.press('R');
    await waitForText(t.app.lastFrame, 'ROLLBACK ─');
    await t.press(keys.escape);
    await waitForGone(t.app.lastFrame, 'ROLLBACK ─');
    expect(t.frame()).toContain('Keys (Esc closes'); // Esc closed only the innermost
    await t.press(keys.escape);
    await t.press('e');
    await waitForText(t.app.lastFrame, 'EMERGENCY');
    await t.press('R');
    await t.press('R', 400);
    await waitForText(t.app.lastFrame, 'ROLLING BACK');
  });

  it('lowercase r is never rollback', async () => {
    const t = setup();
    await passPreflight(t);
    await t.press('r');
    await t.press('r', 400);
    expect(t.frame()).not.toContain('ROLLBACK ─');
    expect(t.controller.state.rollback.status).toBe('idle');
  });

  it('type-name stages confirm only with the environment name typed', async () => {
    const t = setup({ confirm: 'type-name' });
    await passPreflight(t);
    t.runner.autoPass = true;
    await t.press(keys.enter);
    await waitForText(t.app.lastFrame, '✓ Deploy to Staging');
    await t.press(keys.enter);
    await waitForText(t.app.lastFrame, 'RELEASED');
    await t.press('R');
    await waitForText(t.app.lastFrame, 'Type the environment name (production)');
    await t.press('R', 400); // R types here, it does not confirm
    for (const ch of 'production') await t.press(ch, 50);
    let f = await waitForText(t.app.lastFrame, '> Rproduction');
    await t.press(keys.enter, 400);
    expect(t.controller.state.rollback.status).toBe('idle');
    await t.press('\u007f', 100); // backspace ×11
    for (let i = 0; i < 11; i++) await t.press('\u007f', 20);
    for (const ch of 'production') await t.press(ch, 50);
    f = await waitForText(t.app.lastFrame, '> production');
    await t.press(keys.enter, 400);
    await waitForText(t.app.lastFrame, 'ROLL');
    await waitFor(() => t.controller.state.rollback.status !== 'idle', 'rollback to start');
    void f;
  });

  it('the help overlay lists every key of the keymap', async () => {
    const t = setup({ columns: 160, rows: 100 });
    void t.controller.start();
    await t.press('?');
    const f = await waitForText(t.app.lastFrame, 'Keys (Esc closes');
    for (const g of keyGroups()) {
      expect(f).toContain(g.title);
      for (const r of g.rows) for (const p of r.parts) expect(f).toContain(p.description);
    }
  });

  it('a terminal below 80×24 gets a clear message instead of a broken screen', async () => {
    const t = setup({ columns: 70, rows: 20 });
    const f = await waitForText(t.app.lastFrame, 'terminal too small');
    expect(f).toBe('cockpit: terminal too small (needs 80×24, have 70×20)\nEnlarge the window. R still rolls back; q quits.');
  });

  it('q quits when idle', async () => {
    const t = setup();
    await passPreflight(t);
    await t.press('q');
    await waitFor(() => t.exited(), 'exit');
    expect(t.controller.state.outcome).toBe('aborted');
  });

  it('q asks first while a step runs', async () => {
    const t = setup();
    await passPreflight(t);
    await t.press(keys.enter);
    await waitFor(() => t.runner.isRunning('staging.deploy-staging'), 'deploy');
    await t.press('q');
    await waitForText(t.app.lastFrame, 'Quit?');
    await t.press('n');
    await waitForGone(t.app.lastFrame, 'Quit?');
    expect(t.exited()).toBe(false);
    expect(t.runner.isRunning('staging.deploy-staging')).toBe(true);
  });
});

describe("the running step's spinner", () => {
  /** Frames as drawn (colours stripped, the spinner's frames kept). */
  const raw = (f: string | undefined) => stripVTControlCharacters(f ?? '');
  /** Long enough for the spinner to turn twice. */
  const TWO_TURNS_MS = RUNNING_INTERVAL_MS * 2 + 200;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('turns the running row\'s icon through its frames; the strip, the header and the stage row keep the static ◐', async () => {
    const t = setup();
    void t.controller.start();
    await waitForText(t.app.lastFrame, 'All tests passing');
    const from = t.app.frames.length;
    const icons = new Set<string>();
    await waitFor(() => {
      const icon = raw(t.app.lastFrame()).split('\n')[4].slice(2, 3); // "│ ◓ All tests passing"
      if ((RUNNING_FRAMES as readonly string[]).includes(icon)) icons.add(icon);
      return icons.size === RUNNING_FRAMES.length;
    }, 'every frame of the spinner on the running row', RUNNING_INTERVAL_MS * RUNNING_FRAMES.length + 2000);
    expect([...icons].sort()).toEqual([...RUNNING_FRAMES].sort());
    for (const f of t.app.frames.slice(from).map(raw)) {
      const lines = f.split('\n');
      expect(lines[1]).toBe(' ◐ Pre-flight  ○ Deploy to Staging  ○ Deploy to Production');
      expect(lines[3]).toContain('│◐ Pre-flight ');
      // one spinner on the screen: the row's icon is its only frame
      expect(spinnerFrames(f).filter((x) => x !== '◐')).toEqual(spinnerFrames(lines[4]).filter((x) => x !== '◐'));
    }
  });

  it('stops when the step ends: an idle screen draws nothing (no timer left)', async () => {
    const t = setup();
    void t.controller.start();
    await waitForText(t.app.lastFrame, 'All tests passing');
    t.runner.finish('preflight.all-tests-passing');
    await waitForText(t.app.lastFrame, '✓ All tests passing');
    // the frames the step's end brings are drawn (a loaded machine draws them late): 300 ms
    // without a frame, less than the spinner's interval
    let seen = t.app.frames.length;
    let since = Date.now();
    await waitFor(() => {
      if (t.app.frames.length !== seen) [seen, since] = [t.app.frames.length, Date.now()];
      return Date.now() - since >= 300;
    }, 'the screen to settle', 5000);
    const from = t.app.frames.length;
    // nothing runs: over two of the spinner's intervals not one frame is drawn
    await pause(TWO_TURNS_MS);
    expect(t.app.frames.length).toBe(from);
    expect(spinnerFrames(raw(t.app.lastFrame())).filter((x) => x !== '◐')).toEqual([]);
  });

  it('keeps still under a dialog (the rollback\'s R holds the frames) and turns again once it closes', async () => {
    const t = setup({ columns: 160, rows: 30 });
    await passPreflight(t);
    await t.press(keys.enter);
    await waitFor(() => t.runner.isRunning('staging.deploy-staging'), 'deploy to start');
    await t.press('R');
    await waitForText(t.app.lastFrame, 'ROLLBACK ─');
    const from = t.app.frames.length;
    await pause(TWO_TURNS_MS);
    const during = t.app.frames.slice(from).map(raw);
    expect(raw(t.app.lastFrame())).toMatch(/│ ◐ deploy-staging /); // the row is in view, still
    for (const f of during) expect(spinnerFrames(f).filter((x) => x !== '◐')).toEqual([]);
    await t.press(keys.escape);
    await waitForGone(t.app.lastFrame, 'ROLLBACK ─');
    await waitFor(() => /│ [◓◑◒] deploy-staging/.test(raw(t.app.lastFrame())), 'the spinner to turn again', TWO_TURNS_MS + 2000);
  });

  it("turns on the rollback's running step once the rollback is under way", async () => {
    const t = setup();
    await passPreflight(t);
    await t.press(keys.enter);
    await waitFor(() => t.runner.isRunning('staging.deploy-staging'), 'deploy to start');
    await t.press('R');
    await waitForText(t.app.lastFrame, 'ROLLBACK ─');
    await t.press('R', 400);
    await waitForText(t.app.lastFrame, 'ROLLING BACK');
    await waitFor(() => t.runner.isRunning('rollback.rollback-production'), 'the rollback step');
    await waitFor(() => /│ [◓◑◒] rollback-produc/.test(raw(t.app.lastFrame())), "the rollback step's spinner", TWO_TURNS_MS + 2000).catch((e: Error) => {
      throw new Error(`${e.message}\n${raw(t.app.lastFrame())}`);
    });
  });
});

describe('docs', () => {
  it('docs/keys.md is generated from the keymap and current', () => {
    const doc = readFileSync(new URL('../../docs/keys.md', import.meta.url), 'utf8');
    expect(doc.trimEnd(), 'docs/keys.md is stale: run `node bin/cockpit.js keys --markdown > docs/keys.md`').toBe(keysMarkdown().trimEnd());
  });
});
