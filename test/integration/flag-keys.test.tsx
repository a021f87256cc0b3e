/**
 * Flag ramps by keypress (moved from test/e2e/flags.test.ts: none of it needs a real terminal):
 * 0 → 5 → 25 % through a real flagd file, a step up refused while the trigger is pending, the
 * trigger fires, and the flag is back at 0 % on screen and in the file, before the first rollback
 * step. The session is opened on disk as `cockpit run` opens it and the fixture's scripts run for
 * real (helpers/ink-session.ts), at 100×30.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { percentOf } from '../../src/flags/providers/flagd.js';
import { closeScreens, fixtureSandbox, openScreen, type Sandbox } from '../helpers/ink-session.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/flags-e2e', import.meta.url));

afterEach(closeScreens);

function flagPercent(sb: Sandbox): number | undefined {
  const doc = JSON.parse(readFileSync(join(sb.fx, 'flags.json'), 'utf8')) as { flags: Record<string, unknown> };
  return percentOf(doc.flags['new-checkout']);
}

/** The flags pane line of new-checkout. */
function flagLine(screen: string): string {
  return screen.split('\n').find((l) => l.includes('new-checkout ')) ?? '';
}

describe('flag ramps by keypress (100×30)', () => {
  it('0 → 5 → 25 %, a refused step up while the trigger is pending, then the rollback takes it to 0 %', async () => {
    const sb = fixtureSandbox(FIXTURE, 'cockpit-ui-flags-');
    mkdirSync(join(sb.fx, 'out'));
    const s = openScreen(sb, { runbook: 'cockpit.yml', cols: 100, rows: 30 });

    let f = await s.waitFor(/new-checkout .* 0 % steady/);
    await s.waitFor(/⏎ run\/continue/);
    await s.press('Enter');
    await s.waitFor('◐ monitor 90s');

    await s.press('+');
    f = await s.waitFor(/new-checkout .* 0 % → 5 %/);
    expect(f).toContain('new-checkout: 0 % → 5 %  (Enter applies, Esc drops)');
    await s.press('+', 120); // a second press proposes the same step: it never skips
    await s.waitFor('already proposing new-checkout → 5 %');
    await s.press('Enter');
    f = await s.waitFor('new-checkout is at 5 % (written to flags.json; providers re-read it within their poll interval)');
    f = await s.waitFor((x) => /new-checkout +█░+ +5 % /.test(flagLine(x)));
    expect(flagPercent(sb)).toBe(5);

    await s.press('+');
    await s.waitFor(/new-checkout .* 5 % → 25 %/);
    await s.press('Enter');
    f = await s.waitFor('new-checkout is at 25 % (written to flags.json; providers re-read it within their poll interval)');
    await s.waitFor((x) => / 25 % /.test(flagLine(x)));
    expect(flagPercent(sb)).toBe(25);

    // the error rate turns bad: the trigger goes pending, a step up is refused and says why
    writeFileSync(join(sb.fx, 'out', 'bad'), '');
    await s.waitFor(/error_rate>1% 2s ◐ PENDING/);
    await s.press('+');
    await s.waitFor(/new-checkout .* 25 % → 50 %/);
    await s.press('Enter');
    f = await s.waitFor('refused: trigger error_rate>1% 2s is PENDING');
    expect(flagPercent(sb)).toBe(25);

    // it fires: the rollback takes the flag to 0 % first, on screen and in the file
    f = await s.waitFor('ROLLED BACK', 15_000);
    expect(f).toContain('error_rate>1% 2s ● FIRED');
    await s.waitFor((x) => / 0 % /.test(flagLine(x)));
    expect(flagPercent(sb)).toBe(0);
    const journal = readFileSync(join(sb.state, 'sessions', readdirSync(join(sb.state, 'sessions'))[0], 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; by?: string; percent?: number; stage?: string });
    const setByRollback = journal.findIndex((e) => e.type === 'flag.set' && e.by === 'rollback');
    const firstRollbackStep = journal.findIndex((e) => e.type === 'step.started' && e.stage === 'rollback');
    expect(setByRollback).toBeGreaterThan(-1);
    expect(setByRollback).toBeLessThan(firstRollbackStep); // flags first
    expect(journal.some((e) => e.type === 'flag.refused')).toBe(true);
    await s.press('q');
    expect((await s.exit).code).toBe(3);
  }, 60_000);
});
