/**
 * The line a running step is writing now, on the real screen (built cockpit, real supervisor, a
 * tmux pane): a `\r` progress bar shows its latest state, dim and marked …, as the output's last
 * line while its log has no line of it; once its newline comes it is one log line, never twice; a
 * line written in two parts shows its first part at once. The step waits on file gates, not time.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');

const roots: string[] = [];
const sessions: TmuxSession[] = [];

/** Whether any process has a file open under `dir` (its /proc/<pid>/fd links). */
function holdsFileUnder(dir: string): boolean {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(`${dir}/`)) return true;
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return false;
}
afterEach(async () => {
  for (const s of sessions.splice(0)) s.kill();
  // the step (its supervisor outlives the cockpit, by design) ends once its gates open
  for (const r of roots.splice(0)) {
    for (const g of ['gate1', 'gate2', 'gate3']) writeFileSync(join(r, g), '');
    for (const end = Date.now() + 5000; !existsSync(join(r, 'finished')) && Date.now() < end; ) await new Promise((res) => setTimeout(res, 20));
    // its supervisor records the step's end a moment after the step's own marker (on a loaded
    // machine, seconds): wait until no process holds a file under the root, then remove it
    for (const end = Date.now() + 15_000; holdsFileUnder(r) && Date.now() < end; ) await new Promise((res) => setTimeout(res, 50));
    rmSync(r, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
});

const RUNBOOK = `name: live-line
version: "1.0.0"
stages:
  - id: deploy
    steps:
      - id: rollout
        run: ./rollout.sh
`;

function script(root: string): string {
  const gate = (g: string): string => `while [ ! -e ${shq(join(root, g))} ]; do sleep 0.02; done`;
  return `#!/bin/bash
echo "rolling out 3 pods"
for i in $(seq 1 50); do printf '\\rprogress %d%%' $i; done
${gate('gate1')}
for i in $(seq 51 100); do printf '\\rprogress %d%%' $i; done
echo
printf 'waiting for rollout... '
${gate('gate2')}
echo done
${gate('gate3')}
touch ${shq(join(root, 'finished'))}
`;
}

const logOf = (state: string): string => {
  const sessions = join(state, 'sessions');
  const id = readdirSync(sessions).find((d) => existsSync(join(sessions, d, 'deploy.rollout.log')));
  return id ? readFileSync(join(sessions, id, 'deploy.rollout.log'), 'utf8') : '';
};
const count = (screen: string, text: string): number => screen.split(text).length - 1;

describe.skipIf(!hasTmux())('the line a running step is writing now, on the screen', () => {
  it('a \\r progress bar live (… progress 50%) before its newline, then one log line; a half-written line shows at once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cockpit-live-e2e-'));
    roots.push(root);
    const fx = join(root, 'fx');
    mkdirSync(fx);
    writeFileSync(join(fx, 'release.yml'), RUNBOOK);
    writeFileSync(join(fx, 'rollout.sh'), script(root));
    chmodSync(join(fx, 'rollout.sh'), 0o755);
    const state = join(root, 'state');
    const env = { COCKPIT_STATE_DIR: state, COCKPIT_CONFIG_DIR: join(root, 'config') };
    const s = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} release.yml`, { cols: 100, rows: 24, cwd: fx, env, name: 'cockpit-live' });
    sessions.push(s);
    await s.waitFor('run/continue', { timeoutMs: 15_000 });
    s.keys('Enter');

    let f = await s.waitFor(/│ +… progress 50% +│/, { timeoutMs: 15_000 });
    expect(f).toMatch(/│\d\d:\d\d:\d\d rolling out 3 pods +│\n.*│ +… progress 50% +│/);
    const coloured = s.screen({ escapes: true });
    // the live text in the dim style (the stamps' colour), a log line's text in the default one
    expect(coloured).toMatch(/\x1b\[90m│ +… progress 50%\x1b\[39m/);
    expect(coloured).toMatch(/\d\d:\d\d:\d\d \x1b\[39mrolling out 3 pods/);
    expect(logOf(state)).not.toContain('progress');

    writeFileSync(join(root, 'gate1'), '');
    f = await s.waitFor((x) => /\d\d:\d\d:\d\d progress 100%/.test(x) && x.includes('… waiting for rollout...'), { timeoutMs: 15_000 });
    expect(count(f, 'progress')).toBe(1);
    expect(logOf(state)).toMatch(/^\d\d:\d\d:\d\d\.\d{3} progress 100%$/m);
    expect(logOf(state)).not.toContain('waiting for rollout');

    writeFileSync(join(root, 'gate2'), '');
    f = await s.waitFor(/\d\d:\d\d:\d\d waiting for rollout\.\.\. done/, { timeoutMs: 15_000 });
    // the step still runs (it waits on gate3): the ended line is a log line only
    expect(f).not.toContain('… waiting');
    expect(count(f, 'waiting for rollout')).toBe(1);
  }, 60_000);
});
