/**
 * `d` on the screen's Flags pane (moved from test/e2e/flag-deploy.test.ts): a flag's deploy
 * ("Deploy code with feature disabled", flags.deploy) against the fixture's real scripts. The
 * flag's name is hostile (`new$(touch PWNED)`): it must reach the script as one argv element and
 * run nothing. `cockpit flag <name> --deploy` stays in the e2e file.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { closeScreens, fixtureSandbox, openScreen } from '../helpers/ink-session.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/flag-deploy', import.meta.url));
const FLAG = 'new$(touch PWNED)';

afterEach(closeScreens);

const deployArgs = (dir: string) => readFileSync(join(dir, 'out', 'deploy-args'), 'utf8').split('\n').slice(0, -1);

function journalOf(state: string): { type: string; stage?: string; step?: string; ok?: boolean; reason?: string; argv?: string[] }[] {
  const sessionsDir = join(state, 'sessions');
  return readdirSync(sessionsDir).flatMap((id) =>
    readFileSync(join(sessionsDir, id, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  );
}

describe('d on the Flags pane (100×30)', () => {
  it('deploys the selected flag with the flag off and says so; the ramp is untouched', async () => {
    const sb = fixtureSandbox(FIXTURE, 'cockpit-ui-flag-deploy-');
    const { fx: dir, state } = sb;
    const s = openScreen(sb, { runbook: 'cockpit.yml', cols: 100, rows: 30 });
    // no metrics: the flags pane has the room for the name in full
    await s.waitFor(/new\$\(touch PWNED\) .* 0 % steady/);
    await s.press('?');
    await s.waitFor('Keys (Esc closes');
    // the ? overlay lists every key; d is in the Flags pane's part, further down: page to it
    for (let i = 0; i < 6 && !s.frame().includes('Deploy the code of the selected flag with the flag off'); i++) {
      const before = s.frame();
      await s.press('PageDown');
      await s.waitFor((screen) => screen !== before, 5000).catch(() => undefined);
    }
    await s.waitFor('Deploy the code of the selected flag with the flag off');
    await s.press('Escape');
    await s.waitForGone('Deploy the code of the selected flag with the flag off');
    await s.press('d');
    await s.waitFor(`${FLAG} deployed with the flag off: + ramps it up`);
    expect(deployArgs(dir)).toEqual([`--feature=${FLAG}`, '--enabled=false']);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
    expect(existsSync(join(dir, 'out', 'percent'))).toBe(false);
    // a failing one says why, with its log
    writeFileSync(join(dir, 'out', 'fail-deploy'), '');
    await s.press('d');
    await s.waitFor(/the deploy of new\$\(touch PWNED\) failed: exit 3 \(log: /);
    // quit before the release ran: aborted (exit 1), and the flag deploy left nothing running
    await s.press('q');
    expect((await s.exit).code).toBe(1);
    const ev = journalOf(state);
    expect(ev.filter((e) => e.type === 'step.finished' && e.stage === 'flag').map((e) => [e.ok, e.reason])).toEqual([
      [true, undefined],
      [false, 'exit 3'],
    ]);
    expect(ev.at(-1)).toMatchObject({ type: 'session.ended', outcome: 'aborted' });
  });
});
