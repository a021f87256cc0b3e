/**
 * The screen shows the line a running step is writing now (not ended yet, so not in its log): read
 * from the sidecar the supervisor's log writer publishes (exec/live-line.ts), drawn last, marked …,
 * sanitised; once the line ends it is a log line and the live one is gone (never both). Real log
 * and sidecar files written by OutputLog; the runner is the fake (its lines are the log's lines).
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import { liveFile } from '../../src/exec/live-line.js';
import { OutputLog } from '../../src/exec/output-log.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { plain, waitFor, waitForGone, waitForText } from '../helpers/ink.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function runningStep() {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-ui-live-'));
  const parsed = parseRunbook(
    `
name: web-app
version: "2.4.0"
stages:
  - id: production
    steps:
      - { id: rollout, run: ./rollout.sh }
`,
    '/srv/app/cockpit.yml',
  );
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const runner = new FakeRunner();
  const controller = new Controller({ runbook: parsed.runbook, runner, journal: new MemoryJournal(), clock: new FakeClock(), sessionId: 's', sessionDir: dir, values: {}, mode: 'tui' });
  const store = new OutputStore(controller);
  const app = render(
    <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
      <App controller={controller} store={store} keyClock={() => 10_000} size={{ columns: 80, rows: 24 }} />
    </ThemeContext.Provider>,
  );
  cleanups.push(() => {
    app.unmount();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  void controller.start();
  await settle();
  expect(controller.runNextStage()).toEqual({ ok: true });
  await waitFor(() => runner.isRunning('production.rollout'), 'the step');
  const req = runner.started[0];
  // the supervisor's log writer, on the step's real log and sidecar
  const fd = openSync(req.logPath, 'a');
  const out = new OutputLog({ fd, cap: 1 << 20, mask: (t) => t.replaceAll('hunter22', '••••'), secretStart: () => 0, longestSecret: 8, livePath: liveFile(req.logPath) });
  cleanups.push(() => closeSync(fd));
  // what the runner's tail hands over: the log's lines
  let sent = 0;
  const feed = (text: string): void => {
    out.feed(Buffer.from(text));
    const lines = readFileSync(req.logPath, 'utf8').split('\n').filter(Boolean);
    if (lines.length > sent) runner.lines('production.rollout', lines.slice(sent));
    sent = lines.length;
  };
  return { app, runner, out, feed, logPath: req.logPath };
}

const count = (frame: string, text: string): number => frame.split(text).length - 1;

describe('the line a running step is writing now', () => {
  it('a \\r progress bar: its latest state drawn last, marked …; at its newline a log line, the live one gone', async () => {
    const t = await runningStep();
    t.feed('rolling out 3 pods\n');
    for (let i = 1; i <= 50; i++) t.feed(`\rprogress ${i}%`);
    const f = await waitForText(t.app.lastFrame, '… progress 50%');
    expect(f).toContain('rolling out 3 pods');
    // the live line is the last of the output pane
    const rows = f.split('\n');
    const at = rows.findIndex((r) => r.includes('… progress 50%'));
    expect(rows[at - 1]).toContain('rolling out 3 pods');
    expect(readFileSync(t.logPath, 'utf8')).not.toContain('progress');
    t.feed('\rprogress 100%\n');
    const done = await waitForText(t.app.lastFrame, 'progress 100%');
    expect(count(done, 'progress')).toBe(1);
    expect(done).not.toContain('… progress');
    expect(done).toMatch(/\d\d:\d\d:\d\d progress 100%/);
  });

  it('a line in pieces with a pause: the first piece shows at once; masked and sanitised', async () => {
    const t = await runningStep();
    t.feed('waiting for rollout (token hunter22) \x1b]0;owned\x07\x1b[2J... ');
    const f = await waitForText(t.app.lastFrame, '… waiting for rollout (token ••••)');
    expect(f).not.toContain('hunter22');
    expect(t.app.lastFrame()).not.toMatch(/\x1b\]|\x1b\[2J|\x07/);
    t.feed('done\n');
    const done = await waitForGone(t.app.lastFrame, '… waiting');
    expect(plain(t.app.lastFrame())).toContain('waiting for rollout (token ••••) ... done');
    expect(count(done, 'waiting for rollout')).toBe(1);
  });

  it('the step ends without a newline: no live line left, the line in the log', async () => {
    const t = await runningStep();
    t.feed('half a line');
    await waitForText(t.app.lastFrame, '… half a line');
    t.out.end();
    t.runner.lines('production.rollout', [readFileSync(t.logPath, 'utf8').trim()]);
    t.runner.finish('production.rollout');
    const f = await waitForGone(t.app.lastFrame, '… half a line');
    expect(count(f, 'half a line')).toBe(1);
  });
});
