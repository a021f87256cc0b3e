/**
 * One vocabulary (src/session/view/): one rolled-back release, folded from a real journal
 * (test/fixtures/view/rolled-back.jsonl: `cockpit run release.yml --on-failure rollback` on
 * test/fixtures/headless, whose second stage fails), reads the same on the screen, the
 * wallboard, headless plain output, the summary and history's row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import { readJournal } from '../../src/session/journal.js';
import { foldEvents } from '../../src/session/follow.js';
import { initialState, reduce, type SessionState } from '../../src/session/reduce.js';
import { StageStrip } from '../../src/ui/components/StageStrip.js';
import { Header } from '../../src/ui/components/Header.js';
import { summaryLines } from '../../src/ui/summary.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { wallboardModel } from '../../src/wallboard/model.js';
import { stageLines } from '../../src/wallboard/panel-text.js';
import { describeEvent } from '../../src/headless/plain.js';
import { readRelease } from '../../src/history/log.js';
import { report } from '../../src/history/report.js';
import { plainReport } from '../../src/history/format.js';
import { namesOf } from '../../src/cli/history.js';
import { outcomeWord, OUTCOME_WORD } from '../../src/session/view/words.js';
import type { SessionEvent } from '../../src/core/events.js';
import { plain } from '../helpers/ink.js';

const FIXTURES = join(__dirname, '../fixtures');
const parsed = parseRunbook(readFileSync(join(FIXTURES, 'headless/release.yml'), 'utf8'), join(FIXTURES, 'headless/release.yml'));
if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
const rb = parsed.runbook;
const events = readJournal(join(FIXTURES, 'view/rolled-back.jsonl'));
const s = foldEvents(rb, events);

/** What every surface shows for the stages: the pre-flight, the two that ran (undone), the one that never started, the rollback that passed. */
const STRIP = '✓ Pre-flight  ↺ Stage One  ↺ Stage Two  ○ Stage Three  ✓ Rollback';

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

function screen(node: React.ReactElement): string {
  const app = render(<ThemeContext.Provider value={loadTheme('default', { env: {} })}>{node}</ThemeContext.Provider>);
  unmount = app.unmount;
  return plain(app.lastFrame());
}

/** Each event's headless line, as attachPlain prints it: described with the state after it. */
function headless(list: readonly SessionEvent[]): string[] {
  let st: SessionState = initialState(rb);
  return list.flatMap((e) => {
    st = reduce(st, e);
    return describeEvent(st, e, rb)?.split('\n') ?? [];
  });
}

describe('one vocabulary: a rolled-back release', () => {
  it('the journal is a real rolled-back release', () => {
    expect(events[0].type).toBe('session.started');
    expect(events.filter((e) => e.type === 'session.ended')).toEqual([expect.objectContaining({ outcome: 'rolled-back' })]);
    expect(s.phase).toBe('rolled-back');
  });

  it('the screen: the strip and the header word', () => {
    expect(screen(<StageStrip session={s} width={100} />).trim()).toBe(STRIP);
    const header = screen(<Header session={s} now={s.now} waiting={false} width={100} />);
    expect(header).toMatch(/ ROLLED BACK/);
  });

  it('the wallboard: the chip, the stage rows and the session line', () => {
    const m = wallboardModel(rb, s, { id: 's1', live: false, outcome: 'rolled-back', lastAt: events.at(-1)!.at }, s.now);
    expect(m.status.word).toBe('ROLLED BACK');
    expect(m.stages.map((r) => `${r.icon} ${r.title}`).join('  ')).toBe(STRIP);
    expect(m.stages.map((r) => r.word)).toEqual(['passed', 'rolled back', 'rolled back', 'pending', 'passed']);
    const lines = stageLines(m, 60, 10, (_t, x) => x, (x) => x);
    expect(lines[2]).toMatch(/^↺ Stage Two +rolled back \d+:\d\d$/);
    expect(lines[4]).toMatch(/^✓ Rollback +passed \d+:\d\d$/);
    expect(m.sessionLine).toMatch(/^ENDED \d\d:\d\d:\d\d: rolled back · /);
  });

  it('headless: the stage that failed, the rollback, and the end in the same words', () => {
    const lines = headless(events);
    expect(lines).toContain('✗ stage two FAILED at Break things: exit 1');
    expect(lines.some((l) => /^⟲ ROLLED BACK \(rollback took .+\)$/.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('■ '))).toEqual(['■ ROLLED BACK']);
  });

  it('the summary: the screen strip, item for item, and the same word', () => {
    const lines = summaryLines(s, '/j.jsonl');
    expect(lines[0]).toMatch(/ · ROLLED BACK · exit 3 · /);
    expect(lines[1]).toBe(`  ${STRIP}`);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}↺ restored in .+: stage "Stage Two" failed at Break things: exit 1$/));
  });

  it("history: the row's outcome is the same word, inline", () => {
    const release = readRelease({ id: 's1', journal: '/j.jsonl', events, live: false }, namesOf(rb))!;
    expect(release.outcome).toBe('rolled-back');
    const rep = report({ releases: [release], changes: new Map(), since: -Infinity, now: events.at(-1)!.at });
    const row = plainReport(rep, { runbook: rb.name, since: 'all', stateDir: '/state' })[3];
    expect(row).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d +1\.2\.3 +rolled back +/);
  });

  it('each outcome has one word: a title, and the same words inline (only a failure shouts)', () => {
    expect(Object.values(OUTCOME_WORD)).toEqual(['RELEASED', 'FAILED', 'ROLLED BACK', 'ROLLBACK FAILED', 'INTERRUPTED', 'QUIT BEFORE RELEASE']);
    expect(['released', 'failed', 'rolled-back', 'rollback-failed', 'interrupted', 'aborted'].map((o) => outcomeWord(o as never, 'inline'))).toEqual([
      'released',
      'FAILED',
      'rolled back',
      'ROLLBACK FAILED',
      'interrupted',
      'quit before release',
    ]);
  });
});
