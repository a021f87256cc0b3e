/**
 * The line a running step is writing now, on the screen (moved from test/e2e/live-line.test.ts, a
 * tmux pane: nothing here needs a real terminal). The session is opened as `cockpit run` opens it,
 * with the product's own runner: the step runs under a real supervisor (dist/supervisor.js), which
 * is what hands the screen the line being written. A `\r` progress bar shows its latest state, dim
 * and marked …, as the output's last line while its log has no line of it; once its newline comes
 * it is one log line, never twice; a line written in two parts shows its first part at once. The
 * step waits on file gates, not time.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { closeScreens, expectNothingLeft, fixtureSandbox, openScreen } from '../helpers/ink-session.js';
import { cellsOf } from '../helpers/sgr-cells.js';

afterEach(closeScreens);

const RUNBOOK = `name: live-line
version: "1.0.0"
stages:
  - id: deploy
    steps:
      - id: rollout
        run: ./scripts/rollout.sh
`;

const gate = (g: string): string => `while [ ! -e ${g} ]; do sleep 0.02; done`;
const SCRIPT = `#!/bin/bash
mkdir -p out && echo $$ >> out/pids
echo "rolling out 3 pods"
for i in $(seq 1 50); do printf '\\rprogress %d%%' $i; done
${gate('gate1')}
for i in $(seq 51 100); do printf '\\rprogress %d%%' $i; done
echo
printf 'waiting for rollout... '
${gate('gate2')}
echo done
${gate('gate3')}
`;

const logOf = (state: string): string => {
  const sessions = join(state, 'sessions');
  const id = readdirSync(sessions).find((d) => existsSync(join(sessions, d, 'deploy.rollout.log')));
  return id ? readFileSync(join(sessions, id, 'deploy.rollout.log'), 'utf8') : '';
};
const text = (frame: string): string => stripVTControlCharacters(frame);
const count = (screen: string, what: string): number => text(screen).split(what).length - 1;

/** The colours `what` is drawn in, on the frame's first line that shows it. */
function coloursOf(frame: string, what: string): (number | undefined)[] {
  const line = frame.split('\n').find((l) => text(l).includes(what));
  if (!line) return [];
  const chars = cellsOf(line);
  const at = chars.map((c) => c.ch).join('').indexOf(what);
  return [...new Set(chars.slice(at, at + [...what].length).map((c) => c.fg))];
}

describe('the line a running step is writing now, on the screen', () => {
  it('a \\r progress bar live (… progress 50%) before its newline, then one log line; a half-written line shows at once', async () => {
    const sb = fixtureSandbox(undefined, 'cockpit-live-', { 'release.yml': RUNBOOK, 'scripts/rollout.sh': SCRIPT });
    const s = openScreen(sb, { runbook: 'release.yml', cols: 100, rows: 24, colours: true, runner: 'supervised' });
    await s.waitFor((x) => text(x).includes('run/continue'), 15_000);
    await s.press('Enter');

    let f = await s.waitFor((x) => /│ +… progress 50% +│/.test(text(x)), 15_000);
    expect(text(f)).toMatch(/│\d\d:\d\d:\d\d rolling out 3 pods +│\n.*│ +… progress 50% +│/);
    // the live text in the dim style (the stamps' colour), a log line's text in the default one
    expect(coloursOf(f, '… progress 50%')).toEqual([90]);
    expect(coloursOf(f, 'rolling out 3 pods')).toEqual([undefined]);
    expect(logOf(sb.state)).not.toContain('progress');

    writeFileSync(join(sb.fx, 'gate1'), '');
    f = await s.waitFor((x) => /\d\d:\d\d:\d\d progress 100%/.test(text(x)) && text(x).includes('… waiting for rollout...'), 15_000);
    expect(count(f, 'progress')).toBe(1);
    expect(logOf(sb.state)).toMatch(/^\d\d:\d\d:\d\d\.\d{3} progress 100%$/m);
    expect(logOf(sb.state)).not.toContain('waiting for rollout');

    writeFileSync(join(sb.fx, 'gate2'), '');
    f = await s.waitFor((x) => /\d\d:\d\d:\d\d waiting for rollout\.\.\. done/.test(text(x)), 15_000);
    // the step still runs (it waits on gate3): the ended line is a log line only
    expect(text(f)).not.toContain('… waiting');
    expect(count(f, 'waiting for rollout')).toBe(1);

    // the step ends, the release with it; q leaves, and nothing is left running
    writeFileSync(join(sb.fx, 'gate3'), '');
    await s.waitFor((x) => text(x).includes('RELEASED'), 15_000);
    await s.press('q');
    expect((await s.exit).code).toBe(0);
    await expectNothingLeft(sb);
  }, 60_000);
});
