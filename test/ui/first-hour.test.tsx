/**
 * Issue 20, item 6: the first hour on the screen at 80×24. Each test drives the real App on a
 * FakeClock (FakeRunner: no processes; FakeFlagProvider: no flag backend) and reads the frame.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box } from 'ink';
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
import { Dialog } from '../../src/ui/overlays/Dialog.js';
import { detailLines, figures, type ExperimentDef } from '../../src/flags/experiment.js';
import { fitHints } from '../../src/ui/key-order.js';
import { keyGroups } from '../../src/ui/keymap.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { flagSetup } from '../helpers/flag-harness.js';
import { plain, waitFor, waitForGone, waitForText } from '../helpers/ink.js';

const ESC = '\u001B';
const keys = { enter: '\r', escape: ESC, up: `${ESC}[A`, down: `${ESC}[B` };

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

/** The App at 80×24 on `controller`; keys come `afterMs` (fake key time) after the previous one. */
function mount(controller: Controller) {
  const store = new OutputStore(controller);
  let keyTime = 10_000;
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={controller} store={store} keyClock={() => keyTime} size={{ columns: 80, rows: 24 }} />
    </ThemeContext.Provider>,
  );
  cleanup = () => app.unmount();
  const press = async (k: string, afterMs = 1000) => {
    keyTime += afterMs;
    app.stdin.write(k);
    await settle();
  };
  const frame = () => plain(app.lastFrame());
  const bar = () => frame().split('\n')[22];
  const text = (s: string) => waitForText(app.lastFrame, s);
  return { app, press, frame, bar, text };
}

function controllerOf(yaml: string, runner = new FakeRunner(), clock = new FakeClock(), dir = '/srv/app') {
  const parsed = parseRunbook(yaml, join(dir, 'cockpit.yml'));
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const journal = new MemoryJournal();
  const controller = new Controller({ runbook: parsed.runbook, runner, journal, clock, sessionId: 's', sessionDir: '/tmp/cockpit-ui-first-hour', values: { version: '2.4.0' }, mode: 'tui' });
  return { controller, runner, clock, journal };
}

const RELEASE = `
name: web-app
version: "2.4.0"
environment: production
preflight:
PREFLIGHT
stages:
  - id: staging
    title: Deploy to Staging
    steps:
      - run: ./scripts/deploy-staging.sh
        RETRIES
rollback:
  steps: [./scripts/rollback-production.sh]
  verify: [./scripts/verify-rollback.sh]
ESCALATION`;

function release(o: { preflight?: string; retries?: number; escalation?: string } = {}) {
  const yaml = RELEASE.replace('PREFLIGHT', o.preflight ?? '  - title: All tests passing\n    run: ./scripts/verify-tests.sh')
    .replace('        RETRIES\n', o.retries ? `        retries: ${o.retries}\n` : '')
    .replace('ESCALATION', o.escalation ?? '');
  return controllerOf(yaml);
}

/** The text inside the dialog titled `title` (its rows between its borders), trimmed and joined by one space. */
function boxText(frame: string, title: string): string {
  const rows = frame.split('\n');
  const top = rows.findIndex((l) => l.includes(`┌─ ${title}`));
  if (top < 0) throw new Error(`no dialog "${title}" in:\n${frame}`);
  const col = rows[top].indexOf('┌─');
  const right = rows[top].indexOf('┐', col);
  const out: string[] = [];
  for (let i = top + 1; i < rows.length && rows[i][col] !== '└'; i++) out.push(rows[i].slice(col + 2, right - 1).trim());
  return out.filter(Boolean).join(' ');
}

const RAMP = '    new-checkout: [5, 25, 50, 100]';
const TRIGGER = '{ metric: error_rate, above: 1, for: 5m }';

describe('the hint bar at 80 columns', () => {
  it('before the flag exists: no + ramp up; q quit and ? help are there', async () => {
    const t = flagSetup({ ramps: RAMP, triggers: [TRIGGER] }); // the backend has no such flag: read says nothing
    const s = mount(t.c);
    void t.c.start();
    await s.text('⏎ run/continue');
    await waitFor(() => t.provider.calls.some((c) => c.op === 'read'), 'the flag read');
    await settle();
    expect(s.bar()).toBe(' R rollback  ⏎ run/continue  e emergency  w why  ? help  q quit');
  });

  it('once the flag is read: + ramp up, after the keys that run the release', async () => {
    const t = flagSetup({ ramps: RAMP, triggers: [TRIGGER] }, { initial: { 'new-checkout': 0 } });
    const s = mount(t.c);
    void t.c.start();
    await s.text('+ ramp up');
    expect(s.bar()).toBe(' R rollback  ⏎ run/continue  e emergency  w why  + ramp up  ? help  q quit');
  });

  it('too many keys for the width: the least important give way, R, ? help and q quit stay', () => {
    const hs = ['R rollback', 'r retry', 's skip', 'a acknowledge', 'e emergency', 'w why', 'x experiment', '+ ramp up', '? help', 'q quit'].map((x) => ({ key: x.split(' ')[0], label: x.slice(2) }));
    const shown = fitHints(hs, 80).map((h) => `${h.key} ${h.label}`);
    expect(` ${shown.join('  ')}`.length).toBeLessThanOrEqual(80);
    expect(shown).toEqual(['R rollback', 'r retry', 's skip', 'a acknowledge', 'e emergency', 'w why', '? help', 'q quit']);
    expect(fitHints(hs, 40).map((h) => h.key)).toEqual(['R', 'r', '?', 'q']);
  });
});

describe('what says why is wrapped, not cut off', () => {
  it("a failed step's long reason: every word in the checklist and in the output pane", async () => {
    const t = release();
    const s = mount(t.controller);
    void t.controller.start();
    await s.text('All tests passing');
    const reason = 'exit 2: the test database at db.staging.internal refused the connection (check the VPN)';
    t.runner.fail('preflight.all-tests-passing', reason);
    const f = await s.text('FAILED');
    const checklist = f.split('\n').map((l) => /^│(.*?)│/.exec(l)?.[1]?.trim() ?? '').filter(Boolean).join(' ');
    expect(checklist).toContain(reason);
    const output = f.split('\n').map((l) => /│┌?.*?││?(.*?)│?$/.exec(l)?.[1]?.trim() ?? '').join(' ');
    expect(output.replace(/\s+/g, ' ')).toContain(`All tests passing FAILED: ${reason}`.replace(/\s+/g, ' '));
  });

  it("the rollback dialog names the missing script whole, however long its name", async () => {
    const runner = new FakeRunner();
    const long = './scripts/rollback/production/restore-the-previous-release-of-web-app-and-its-workers.sh';
    runner.missing.set(long, `missing: ${long} (no such file in /srv/app)`);
    const yaml = RELEASE.replace('PREFLIGHT', '  - title: All tests passing\n    run: ./scripts/verify-tests.sh').replace('        RETRIES\n', '').replace('./scripts/rollback-production.sh', long).replace('ESCALATION', '');
    // a directory that exists: the script is what is missing, not the working directory
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-first-hour-'));
    const t = controllerOf(yaml, runner, new FakeClock(), dir);
    const s = mount(t.controller);
    const unmount = cleanup;
    cleanup = () => {
      unmount?.();
      rmSync(dir, { recursive: true, force: true });
    };
    void t.controller.start();
    await s.text('All tests passing');
    await s.press('R');
    await s.text('ROLLBACK ─');
    // the dialog marks the script once its existence check has answered (asynchronous): wait for that frame
    const box = await waitFor(() => {
      const b = boxText(s.frame(), 'ROLLBACK').replace(/ /g, '');
      return b.includes('✗') ? b : false;
    }, 'the missing rollback script marked');
    expect(box).toContain(`✗${long}:missing`);
  });

  it("the experiment's comparison, p-value and verdict: every word inside the box", async () => {
    const ex = { variants: ['control', 'treatment-with-the-new-checkout'], metric: 'conversion', minSample: 100 } as unknown as ExperimentDef;
    const f = figures('checkout-flow-v2', ex, {
      'control.exposures': { value: 5000 },
      'control.conversions': { value: 500 },
      'treatment-with-the-new-checkout.exposures': { value: 5000 },
      'treatment-with-the-new-checkout.conversions': { value: 600 },
    });
    const lines = detailLines(f);
    expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(72); // longer than the box at 80 columns
    const app = render(
      <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
        <Box width={80} height={23}>
          <Dialog title="EXPERIMENT checkout-flow-v2" lines={lines} width={76} screenWidth={80} screenHeight={23} />
        </Box>
      </ThemeContext.Provider>,
    );
    cleanup = () => app.unmount();
    const text = boxText(plain(app.lastFrame()), 'EXPERIMENT').replace(/\s+/g, ' ');
    expect(text).toContain(`verdict: ${f.verdict}`);
    expect(f.verdict).toMatch(/p [<=] 0\.\d{4}/);
    for (const l of lines) expect(text).toContain(l.trim().replace(/\s+/g, ' '));
  });
});

describe('space and the selection in the pre-flight', () => {
  const PRE = ['  - title: Change window', '    manual: Is it Tuesday?', '  - title: All tests passing', '    run: ./scripts/verify-tests.sh', '  - title: Tell support', '    manual: Post in #support', '  - title: Dashboard', '    manual: Open it'].join('\n');

  it('space on an automated check that runs says why, and selects the next manual item to tick', async () => {
    const t = release({ preflight: PRE });
    const s = mount(t.controller);
    void t.controller.start();
    await s.text('◐ All tests passing'); // the running check is selected (the release is at it)
    await s.press(' ');
    const f = await s.text('is automated');
    expect(f.split('\n')[21]).toBe(' "All tests passing" is automated: selected "Tell support", space ticks it');
    await s.press(' ');
    await s.text('[✓] Tell support');
  });

  it('after a tick the selection goes to the next manual item not ticked (from the top again), never to a check', async () => {
    const t = release({ preflight: PRE });
    const s = mount(t.controller);
    void t.controller.start();
    await s.text('◐ All tests passing');
    await s.press(keys.down); // from the running check to Tell support
    await s.press(' ');
    await s.text('[✓] Tell support');
    await s.press(' '); // the selection moved to Dashboard
    await s.text('[✓] Dashboard');
    await s.press(' '); // …and then back up to the first item, past the running check
    await s.text('[✓] Change window');
    expect(t.controller.state.preflight.steps.filter((x) => x.kind === 'manual').every((x) => x.ticked)).toBe(true);
  });
});

describe('after a rollback', () => {
  it('+ proposes nothing, a acknowledge is gone once the incident is resolved, the output pane offers no r retry', async () => {
    const t = flagSetup(
      {
        ramps: RAMP,
        triggers: [TRIGGER],
        stages: '\n  - id: production\n    armed: true\n    steps:\n      - run: ./scripts/deploy.sh\n      - monitor: 10m',
      },
      { initial: { 'new-checkout': 0 } },
    );
    const s = mount(t.c);
    void t.c.start();
    await s.text('+ ramp up');
    await s.press(keys.enter);
    await waitFor(() => t.runner.isRunning('production.deploy'), 'the deploy');
    t.runner.fail('production.deploy', 'exit 3');
    await s.text('r retry');
    await s.press('R');
    await s.text('ROLLBACK ─');
    await s.press('R', 400);
    await waitFor(() => t.runner.isRunning('rollback.rollback'), 'the rollback step');
    t.runner.finish('rollback.rollback');
    await waitFor(() => t.runner.isRunning('rollback.verify'), 'verify');
    await waitFor(() => s.bar().includes('a acknowledge'), 'a acknowledge while the incident is open');
    t.runner.finish('rollback.verify');
    await waitFor(() => t.c.state.guard.restoreMs !== undefined, 'verify passed: the incident resolved');
    await waitFor(() => {
      for (const k of t.runner.keys()) if (t.runner.isRunning(k)) t.runner.finish(k); // the incident command
      return t.c.state.phase === 'rolled-back' && !t.c.busy;
    }, 'the rollback done');
    await waitForGone(s.app.lastFrame, 'a acknowledge');
    expect(s.bar()).not.toContain('+ ramp up');
    expect(s.bar()).not.toContain('r retry');
    // the failed deploy is selected: its reason, and no retry offered
    const f = await s.text('deploy FAILED: exit 3');
    expect(f).not.toContain('r retries');
    expect(f).toContain('Rolled back: nothing to retry.');
    await s.press('+');
    const h = await s.text('no step up after a rollback');
    expect(h).not.toContain('→ 5 %');
    expect(t.provider.sets('new-checkout')).toEqual([]);
  });
});

describe('a flaky check that passed on retry', () => {
  it('is marked with its try, not a plain ✓', async () => {
    const t = release({ retries: 2 });
    const s = mount(t.controller);
    void t.controller.start();
    await s.text('All tests passing');
    t.runner.finish('preflight.all-tests-passing');
    await s.text('⏎ run/continue');
    await s.press(keys.enter);
    await waitFor(() => t.runner.isRunning('staging.deploy-staging'), 'the deploy');
    t.runner.fail('staging.deploy-staging', 'exit 1');
    await waitFor(() => t.runner.isRunning('staging.deploy-staging') && t.controller.state.stages[0].steps[0].attempt === 2, 'the automatic retry');
    t.runner.finish('staging.deploy-staging');
    const f = await s.text('2nd try');
    expect(f).toMatch(/│ ✓ deploy-staging +2nd try│/);
  });
});

describe('the word for a release', () => {
  it('the header says RELEASED, the word of the summary', async () => {
    const t = release();
    const s = mount(t.controller);
    void t.controller.start();
    await s.text('All tests passing');
    t.runner.finish('preflight.all-tests-passing');
    await s.text('⏎ run/continue');
    t.runner.autoPass = true;
    await s.press(keys.enter);
    const f = await s.text('RELEASED');
    expect(f.split('\n')[0]).toMatch(/ RELEASED {3}R ROLLBACK$/);
    expect(f).not.toContain('PASSED');
  });
});

describe('the ? overlay', () => {
  it('leaves a PENDING trigger in view', async () => {
    const t = flagSetup({ ramps: RAMP, triggers: ['{ metric: error_rate, above: 1, for: 5m }'] }, { script: { error_rate: Array<number>(600).fill(3) } });
    const s = mount(t.c);
    void t.c.start();
    await s.text('⏎ run/continue');
    await s.press(keys.enter);
    await t.clock.advance(3000);
    await s.text('PENDING');
    await s.press('?');
    const f = await s.text('Keys (Esc closes');
    expect(f.split('\n')[20]).toContain('◐ PENDING');
  });

  it('lists each key of a scope once, rollback first, then what runs the release, navigation, the flags last', () => {
    const main = keyGroups().find((g) => g.title === 'Main screen')!;
    const keysOf = main.rows.map((r) => r.keys);
    for (const k of ['⏎', '↑', '↓', 'space']) expect(keysOf.filter((x) => x.split(' / ').includes(k))).toHaveLength(1);
    expect(keyGroups()[0].title).toBe('Everywhere');
    expect(keyGroups()[0].rows[0].keys).toBe('R');
    const at = (k: string) => keysOf.findIndex((x) => x.split(' / ').includes(k));
    expect(at('⏎')).toBeLessThan(at('↑'));
    expect(at('r')).toBeLessThan(at('Tab'));
    expect(at('Tab')).toBeLessThan(at('+'));
    expect(at('q')).toBeLessThan(at('+'));
    expect(keyGroups().findIndex((g) => g.title === 'Rollback dialog')).toBeLessThan(keyGroups().findIndex((g) => g.title === 'Kill switch confirmation'));
  });
});

describe('the rollback dialog', () => {
  it('names the escalation level that will run, what it does and when', async () => {
    const t = release({ escalation: 'escalation:\n  - { after: 0m, title: Page on-call engineer, run: [./scripts/page.sh, "{reason}"] }\n  - { after: 5m, title: Escalate to leadership }\n' });
    const s = mount(t.controller);
    void t.controller.start();
    await s.text('All tests passing');
    await s.press('R');
    const f = await s.text('ROLLBACK ─');
    expect(boxText(f, 'ROLLBACK')).toContain('then: escalation level 1: Page on-call engineer (./scripts/page.sh {reason}, at once; 1 more level until verify passes)');
  });
});
