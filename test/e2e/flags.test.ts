/**
 * Flag ramps by keypress in a real terminal (tmux): 0 → 5 → 25 % through a real flagd file, a
 * step up refused while the trigger is pending, the trigger fires, and the flag is back at 0 % on
 * screen and in the file.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { percentOf } from '../../src/flags/providers/flagd.js';
import { hasTmux, shq, TmuxSession } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'cockpit.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'flags-e2e');

const dirs: string[] = [];
const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function flagPercent(dir: string): number | undefined {
  const doc = JSON.parse(readFileSync(join(dir, 'flags.json'), 'utf8')) as { flags: Record<string, unknown> };
  return percentOf(doc.flags['new-checkout']);
}

/** The flags pane line of new-checkout. */
function flagLine(screen: string): string {
  return screen.split('\n').find((l) => l.includes('new-checkout ')) ?? '';
}

describe.skipIf(!hasTmux())('flag ramps by keypress (tmux, 100×30)', () => {
  it('0 → 5 → 25 %, a refused step up while the trigger is pending, then the rollback takes it to 0 %', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cockpit-flags-'));
    dirs.push(root);
    const dir = join(root, 'fx');
    cpSync(FIXTURE, dir, { recursive: true });
    for (const f of readdirSync(join(dir, 'scripts'))) chmodSync(join(dir, 'scripts', f), 0o755);
    mkdirSync(join(dir, 'out'));
    const s = TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} cockpit.yml`, { cols: 100, rows: 30, cwd: dir, env: { COCKPIT_STATE_DIR: join(root, 'state') }, name: 'cockpit-flags' });
    sessions.push(s);

    let f = await s.waitFor(/new-checkout .* 0 % steady/);
    await s.waitFor(/⏎ run\/continue/);
    s.keys('Enter');
    await s.waitFor('◐ monitor 90s');

    s.keys('+');
    f = await s.waitFor(/new-checkout .* 0 % → 5 %/);
    expect(f).toContain('new-checkout: 0 % → 5 %  (Enter applies, Esc drops)');
    await s.gap(120);
    s.keys('+'); // a second press proposes the same step: it never skips
    await s.waitFor('already proposing new-checkout → 5 %');
    s.keys('Enter');
    f = await s.waitFor('new-checkout is at 5 % (written to flags.json; providers re-read it within their poll interval)');
    f = await s.waitFor((x) => /new-checkout +█░+ +5 % /.test(flagLine(x)));
    expect(flagPercent(dir)).toBe(5);

    s.keys('+');
    await s.waitFor(/new-checkout .* 5 % → 25 %/);
    s.keys('Enter');
    f = await s.waitFor('new-checkout is at 25 % (written to flags.json; providers re-read it within their poll interval)');
    await s.waitFor((x) => / 25 % /.test(flagLine(x)));
    expect(flagPercent(dir)).toBe(25);

    // the error rate turns bad: the trigger goes pending, a step up is refused and says why
    writeFileSync(join(dir, 'out', 'bad'), '');
    await s.waitFor(/error_rate>1% 2s ◐ PENDING/);
    s.keys('+');
    await s.waitFor(/new-checkout .* 25 % → 50 %/);
    s.keys('Enter');
    f = await s.waitFor('refused: trigger error_rate>1% 2s is PENDING');
    expect(flagPercent(dir)).toBe(25);

    // it fires: the rollback takes the flag to 0 % first, on screen and in the file
    f = await s.waitFor('ROLLED BACK', { timeoutMs: 15_000 });
    expect(f).toContain('error_rate>1% 2s ● FIRED');
    await s.waitFor((x) => / 0 % /.test(flagLine(x)));
    expect(flagPercent(dir)).toBe(0);
    const journal = readFileSync(join(root, 'state', 'sessions', readdirSync(join(root, 'state', 'sessions'))[0], 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; by?: string; percent?: number; stage?: string });
    const setByRollback = journal.findIndex((e) => e.type === 'flag.set' && e.by === 'rollback');
    const firstRollbackStep = journal.findIndex((e) => e.type === 'step.started' && e.stage === 'rollback');
    expect(setByRollback).toBeGreaterThan(-1);
    expect(setByRollback).toBeLessThan(firstRollbackStep); // flags first
    expect(journal.some((e) => e.type === 'flag.refused')).toBe(true);
    s.keys('q');
    const end = await s.waitFor(/\[exit \d+\]/, { history: 200 });
    expect(end).toContain('[exit 3]');
  });
});
