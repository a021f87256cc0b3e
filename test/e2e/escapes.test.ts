/**
 * Terminal escape injection, end to end in a real terminal (issue 19): the BUILT binary in a tmux
 * pane. A headless `cockpit run` whose step prints OSC 52 (the clipboard: "rm -rf ~"), OSC 0
 * (the window title), ESC[2J (clear screen) and 8-bit C1 controls: the bytes the cockpit wrote
 * to the pty (tmux pipe-pane) hold the step's text and colour and none of those; tmux saw no
 * title change and no clipboard write (set-clipboard on: an OSC 52 would make a paste buffer);
 * the step's log on disk keeps the raw bytes. And the cockpit screen at 80x24 with a ZWJ emoji,
 * RTL text, zero-width characters and a clear-screen escape in the runbook's titles: every row keeps its width.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killProcessesUnder, tmuxServerPid } from '../helpers/demo-run.js';
import { hasTmux, shq, tmux, TmuxSession } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');

const HOSTILE = `#!/bin/sh
printf '\\033[32mgreen text\\033[0m \\033]52;c;cm0gLXJmIH4=\\007\\033]0;pwned title\\007\\033[2J\\033[H after clear\\n'
printf 'c1 \\302\\2332J \\302\\2350;c1 title\\007 end\\n'
`;

const dirs: string[] = [];
const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  // the second test's step (sleep 15) outlives its closed terminal by design, its supervisor writing
  // the session's files: end what runs there before removing them (rm raced it once: ENOTEMPTY)
  const server = tmuxServerPid();
  for (const d of dirs.splice(0)) {
    killProcessesUnder(d, server === undefined ? [] : [server]);
    rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
});
afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
});

function files(d: string): string[] {
  return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));
}

function sandbox(runbook: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-escapes-e2e-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'cockpit.yml'), runbook);
  writeFileSync(join(dir, 'hostile.sh'), HOSTILE);
  chmodSync(join(dir, 'hostile.sh'), 0o755);
  return dir;
}

describe.skipIf(!hasTmux())('escapes in a real terminal (tmux)', () => {
  it('headless run: the step\'s text and colour reach the pty, its OSC 52, OSC 0, ESC[2J and C1 do not; the step log keeps them', async () => {
    const dir = sandbox(`name: escapes
version: "1.0.0"
environment: production
stages:
  - id: deploy
    steps:
      - { id: hostile, run: [./hostile.sh] }
`);
    const raw = join(dir, 'pty.bytes');
    // the pane waits for Enter, so that pipe-pane records every byte the cockpit writes
    const command = `read go; ${shq(process.execPath)} ${shq(BIN)} run cockpit.yml --headless`;
    const s = TmuxSession.start(command, { cols: 100, rows: 30, cwd: dir, env: { COCKPIT_STATE_DIR: join(dir, 'state') }, name: 'cockpit-esc' });
    sessions.push(s);
    tmux('set-option', '-g', 'set-clipboard', 'on');
    tmux('select-pane', '-t', s.name, '-T', 'before');
    tmux('pipe-pane', '-o', '-t', s.name, `cat >> ${shq(raw)}`);
    s.keys('Enter');
    expect(await s.waitForExit({ timeoutMs: 30_000 })).toBe(0);
    const bytes = readFileSync(raw, 'latin1');
    expect(bytes).toContain('\x1b[32mgreen text\x1b[0m  after clear');
    expect(bytes).toContain('c1   end');
    expect(bytes).not.toContain('\x1b]');
    expect(bytes).not.toContain('\x07');
    expect(bytes).not.toContain('\x1b[2J');
    expect(bytes).not.toContain('\x1b[H');
    expect(bytes).not.toMatch(/\xc2[\x80-\x9f]/); // no C1 control, UTF-8 encoded
    // what the terminal made of it: colour on the screen, the title as it was, no clipboard write
    const screen = s.screen({ escapes: true, history: 200 });
    expect(screen).toMatch(/\x1b\[32mgreen text\x1b\[(0|39)m/);
    expect(s.screen({ history: 200 })).toContain('■ RELEASED'); // nothing was cleared
    expect(tmux('display-message', '-p', '-t', s.name, '#{pane_title}').trim()).toBe('before');
    expect(tmux('list-buffers').trim()).toBe('');
    // the step log on disk: the raw bytes
    const logs = files(join(dir, 'state')).filter((f) => f.endsWith('.log'));
    expect(logs.length).toBeGreaterThan(0);
    const log = logs.map((f) => readFileSync(f, 'latin1')).join('');
    expect(log).toContain('\x1b]52;c;cm0gLXJmIH4=\x07');
    expect(log).toContain('\x1b]0;pwned title\x07');
    expect(log).toContain('\x1b[2J');
    expect(log).toContain('\xc2\x9b2J');
  });

  it('the screen at 80x24 with a ZWJ emoji, RTL text, zero-width characters and escapes in the titles: every row keeps its width', async () => {
    const dir = sandbox(`name: "web-app \\u200b👨\\u200d👩\\u200d👧"
version: "1.0.0"
environment: production
stages:
  - id: production
    title: "שחרור \\u202eגרסה\\e[2J\\u009b1K إصدار 👨\\u200d👩\\u200d👧"
    steps:
      - { title: "deploy 👨\\u200d👩\\u200d👧\\u200b\\u200b\\u200b\\ufeff\\u2060 cafe\\u0301 ok", run: [sh, -c, "sleep 15"] }
      - { title: "watch \\u200d\\u200d👩\\u200d💻 it", monitor: 5m }
`);
    const s = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} run cockpit.yml`, { cols: 80, rows: 24, cwd: dir, env: { COCKPIT_STATE_DIR: join(dir, 'state') }, name: 'cockpit-width' });
    sessions.push(s);
    const rowsKeepTheirWidth = (screen: string) => {
      const rows = screen.split('\n');
      expect(rows).toHaveLength(24);
      expect(rows[0]).toMatch(/^ co.* R ROLLBACK$/); // the header is still the first row, whole: no row wrapped
      expect(rows[22]).toMatch(/^ R rollback/); // the hint bar, the last row Ink draws (it leaves the terminal's last row be)
      // every row of a pane has its right border on the same row (a row too wide wraps it onto the next)
      const boxed = rows.filter((r) => /^[│┌└]/.test(r));
      expect(boxed).toHaveLength(19);
      for (const r of boxed) expect(r, r).toMatch(/[│┐┘]$/);
    };
    const ready = await s.waitFor('⏎ run/continue', { timeoutMs: 20_000 });
    rowsKeepTheirWidth(ready);
    expect(ready.split('\n')[0]).toMatch(/^ cockpit · web-app 👨👩👧 1\.0\.0 → prod… /);
    s.keys('Enter');
    const running = await s.waitFor((x) => x.includes('│ ◐ deploy 👨👩👧 caf… 0:') && x.includes('RUNNING'), { timeoutMs: 20_000 });
    expect(running).toContain('│ ○ watch 👩💻 it');
    expect(running).toContain('שחרור גרסה إصدار 👨👩👧');
    rowsKeepTheirWidth(running);
    // the step (sleep 15) ends by itself: steps outlive a closed terminal by design
  });
});

