/**
 * Leaving the screen while the guardrails watch production (session/leave-policy.ts): the leave
 * dialog's words and choices after q or a second Ctrl+C, leaving unguarded by the typed word
 * (journalled), keep guarding in the background (the hand-over hook), and a double Ctrl+C during
 * a rollback, which abandons it and still runs its incident step.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { guardRunbook, guardSetup, ofType, ScriptedSource } from '../helpers/guard-harness.js';
import { plain, waitFor, waitForText } from '../helpers/ink.js';

const ESC = '\u001B';
const CTRL_C = '\u0003';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

const TEXT = guardRunbook({
  triggers: ['{ metric: error_rate, above: 1, for: 30s }'],
  stages: `
  - id: production
    title: Deploy to Production
    armed: true
    steps:
      - run: ./scripts/deploy.sh
      - monitor: 10m`,
});

function setup(o: { handOver?: (watching: string) => string | undefined; noHandOver?: string } = {}) {
  const clock = new FakeClock();
  // error_rate 0.1 at tick 0, then 9 (over the threshold): the trigger is PENDING from tick 1
  const source = new ScriptedSource(clock, 1000, { error_rate: [0.1, ...Array<number>(100).fill(9)] });
  const g = guardSetup(TEXT, { guard: { source } }, clock);
  const store = new OutputStore(g.c);
  let keyTime = 10_000;
  let exited = false;
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={g.c} store={store} keyClock={() => keyTime} size={{ columns: 80, rows: 24 }} onExit={() => (exited = true)} handOver={o.handOver} noHandOver={o.noHandOver} />
    </ThemeContext.Provider>,
  );
  cleanup = () => app.unmount();
  const press = async (k: string, afterMs = 1000) => {
    keyTime += afterMs;
    app.stdin.write(k);
    await settle();
  };
  return { ...g, app, press, frame: () => plain(app.lastFrame()), exited: () => exited };
}

/** Runs production: the deploy passes, the monitor runs, the trigger goes PENDING. */
async function pending(t: ReturnType<typeof setup>) {
  void t.c.start();
  await waitForText(t.app.lastFrame, 'Press Enter');
  await t.press('\r');
  await waitFor(() => t.runner.isRunning('production.deploy'), 'the deploy');
  t.runner.finish('production.deploy');
  await waitFor(() => t.c.state.guard.armed, 'the guard armed');
  await t.clock.advance(1000);
  await waitFor(() => t.c.state.guard.triggers[Object.keys(t.c.state.guard.triggers)[0]].status === 'pending', 'the trigger PENDING');
  // keys are judged against the frame on screen: wait until it shows the monitor running and the trigger PENDING
  await waitForText(t.app.lastFrame, '◐ PENDING');
  await waitForText(t.app.lastFrame, '◐ monitor 10m');
}

/** The dialog's inner lines, without its border. */
function dialog(frame: string): string[] {
  const lines = frame.split('\n');
  const top = lines.findIndex((l) => /┌─ (Leave while guarded\?|LEAVE UNGUARDED\?) /.test(l));
  const bottom = lines.findIndex((l, i) => i > top && /└─+┘/.test(l));
  return lines.slice(top + 1, bottom).map((l) => l.replace(/^.*?│ /, '').replace(/ *│.*$/, ''));
}

describe('leaving while the guardrails watch production', () => {
  it('q while a trigger is PENDING: the dialog says the guardrails stop watching and offers roll back / keep guarding / leave unguarded', async () => {
    const t = setup({ handOver: () => undefined });
    await pending(t);
    await t.press('q');
    const f = await waitForText(t.app.lastFrame, 'Leave while guarded?');
    expect(dialog(f)).toEqual([
      'The guardrails are watching production:',
      '  trigger error_rate>1% 30s is PENDING.',
      'If you leave, they stop watching: nothing rolls back on its own.',
      '',
      'R  roll back now (the rollback dialog)',
      'b  keep guarding in the background: a background cockpit takes the',
      '   session over, samples and rolls back on its own; cockpit watch shows it',
      'u  leave unguarded (type unguarded to confirm; journalled)',
      '',
      'n / Esc stay',
    ]);
    expect(f.split('\n')[22]).toBe(' R rollback  b keep guarding  u leave unguarded  Esc stay');
    expect(t.exited()).toBe(false);
    // Esc stays: nothing was left, the monitor still runs armed
    await t.press(ESC);
    await waitFor(() => !t.frame().includes('Leave while guarded?'), 'the dialog closed');
    expect(t.c.state.guard.armed).toBe(true);
    expect(t.c.state.outcome).toBeUndefined();
  });

  it('Ctrl+C twice while a step runs in production: the first asks to interrupt the step, the second opens the leave dialog (never leaves at once)', async () => {
    const t = setup({ handOver: () => undefined });
    await pending(t);
    await t.press(CTRL_C);
    await waitForText(t.app.lastFrame, 'Interrupt?');
    expect(t.frame()).toContain('y / Enter interrupt · n / Esc keep running · Ctrl+C: how to leave');
    await t.press(CTRL_C, 300);
    await waitForText(t.app.lastFrame, 'Leave while guarded?');
    expect(t.exited()).toBe(false);
    expect(t.c.state.outcome).toBeUndefined();
  });

  it('the dialog open when the trigger fires: it closes (its choices mean nothing once the rollback runs) and the notice says why', async () => {
    const t = setup({ handOver: () => undefined });
    await pending(t);
    await t.press('q');
    await waitForText(t.app.lastFrame, 'Leave while guarded?');
    for (let i = 0; i < 32 && t.c.state.rollback.status === 'idle'; i++) await t.clock.advance(1000);
    expect(t.c.state.rollback.status).not.toBe('idle');
    const f = await waitForText(t.app.lastFrame, 'the guardrails stopped watching: the rollback runs');
    expect(f).not.toContain('Leave while guarded?');
    expect(t.exited()).toBe(false);
  });

  it('u, then the typed word and Enter: leaves unguarded, journalled with what was watched', async () => {
    const t = setup({ handOver: () => undefined });
    await pending(t);
    await t.press('q');
    await waitForText(t.app.lastFrame, 'Leave while guarded?');
    await t.press('u');
    let f = await waitForText(t.app.lastFrame, 'LEAVE UNGUARDED?');
    expect(dialog(f)).toEqual([
      'The guardrails are watching production:',
      '  trigger error_rate>1% 30s is PENDING.',
      'If you leave, they stop watching: nothing rolls back on its own.',
      '',
      'Type unguarded and Enter to leave with nothing watching (journalled):',
      '> ▏',
      '',
      'Esc stays',
    ]);
    for (const ch of 'unguardd') await t.press(ch, 50);
    await t.press('\r', 400);
    f = await waitForText(t.app.lastFrame, 'type unguarded (got "unguardd")');
    expect(t.exited()).toBe(false);
    await t.press('\x7f', 50);
    for (const ch of 'ed') await t.press(ch, 50);
    await t.press('\r', 400);
    await waitFor(() => t.exited(), 'the screen to leave');
    const left = ofType(t.journal.events, 'guard.left-unguarded');
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ by: 'operator', watching: 'trigger error_rate>1% 30s is PENDING' });
    await waitFor(() => t.c.state.outcome, 'the session to end');
    expect(t.c.state.outcome).toBe('interrupted');
  });

  it('b: the session is handed to the background guard with what was watched, and the screen leaves; nothing is interrupted', async () => {
    const calls: string[] = [];
    const t = setup({ handOver: (w) => (calls.push(w), undefined) });
    await pending(t);
    await t.press('q');
    await waitForText(t.app.lastFrame, 'Leave while guarded?');
    await t.press('b');
    await waitFor(() => t.exited(), 'the screen to leave');
    expect(calls).toEqual(['trigger error_rate>1% 30s is PENDING']);
    expect(t.c.state.outcome).toBeUndefined();
    expect(ofType(t.journal.events, 'session.interrupted')).toHaveLength(0);
  });

  it('b when the hand-over fails: the dialog stays and says why', async () => {
    const t = setup({ handOver: () => 'cannot start a background guard: EAGAIN' });
    await pending(t);
    await t.press('q');
    await waitForText(t.app.lastFrame, 'Leave while guarded?');
    await t.press('b');
    await waitForText(t.app.lastFrame, 'cannot start a background guard: EAGAIN');
    expect(t.exited()).toBe(false);
  });

  it('where no background guard can take over (the demo), the dialog says why', async () => {
    const t = setup({ noHandOver: "the demo's service runs inside this cockpit and stops with it" });
    await pending(t);
    await t.press('q');
    const f = await waitForText(t.app.lastFrame, 'Leave while guarded?');
    expect(dialog(f).slice(5, 7)).toEqual(['b  keep guarding in the background: not possible here', "   (the demo's service runs inside this cockpit and stops with it)"]);
  });

  it('R in the leave dialog: the rollback dialog, and a second R rolls back', async () => {
    const t = setup({ handOver: () => undefined });
    await pending(t);
    await t.press('q');
    await waitForText(t.app.lastFrame, 'Leave while guarded?');
    await t.press('R');
    await waitForText(t.app.lastFrame, 'Roll back web-app');
    await t.press('R', 400);
    await waitFor(() => t.runner.isRunning('rollback.rollback'), 'the rollback step');
    expect(t.frame()).not.toContain('Leave while guarded?');
  });
});

describe('Ctrl+C during a rollback on the screen', () => {
  it('once: the rollback goes on, said; twice within 2 s: the rollback is abandoned, its incident step still runs, then the screen leaves', async () => {
    const t = setup({ handOver: () => undefined });
    await pending(t);
    await t.press('R');
    await t.press('R', 400);
    await waitFor(() => t.runner.isRunning('rollback.rollback'), 'the rollback step');
    await t.press(CTRL_C);
    await waitForText(t.app.lastFrame, 'the rollback goes on');
    expect(t.runner.isRunning('rollback.rollback')).toBe(true);
    await t.press(CTRL_C, 500);
    await waitFor(() => t.runner.isRunning('rollback.incident'), 'the incident step');
    expect(t.runner.isRunning('rollback.rollback')).toBe(false);
    expect(t.runner.started.some((r) => r.key === 'rollback.verify')).toBe(false);
    const incident = t.runner.started.find((r) => r.key === 'rollback.incident')!;
    expect(incident.invocation.args.join(' ')).toContain('rollback abandoned by the operator');
    expect(t.exited()).toBe(false);
    t.runner.finish('rollback.incident');
    await waitFor(() => t.exited(), 'the screen to leave');
    expect(t.c.state.outcome).toBe('interrupted');
    expect(ofType(t.journal.events, 'rollback.finished')).toMatchObject([{ ok: false, reason: 'abandoned by the operator' }]);
  });
});
