/**
 * step.command folded into the state (src/session/reduce.ts) and what the headless output says of
 * a block (src/headless/plain.ts): each command start, the failing command and its line.
 */
import { describe, expect, it } from 'vitest';
import type { EventBody, SessionEvent } from '../../src/core/events.js';
import { describeEvent } from '../../src/headless/plain.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { blockRows, failedCommand } from '../../src/session/block.js';
import { initialState, reduce, type SessionState } from '../../src/session/reduce.js';

const YAML = ['name: b', 'version: "1"', 'environment: staging', 'stages:', '  - id: deploy', '    steps:', '      - id: release', '        run: |', '          # Build', '          make', '          ./deploy.sh', '          ./verify.sh'].join('\n');
const WALL = 1_764_331_200_000;

function fold(bodies: (EventBody & { t: number })[], yaml = YAML): { s: SessionState; events: SessionEvent[] } {
  const parsed = parseRunbook(yaml, '/srv/cockpit.yml');
  if (!parsed.ok) throw new Error('bad runbook');
  const events = bodies.map((b) => ({ ...b, at: WALL + b.t }) as SessionEvent);
  return { s: events.reduce(reduce, initialState(parsed.runbook)), events };
}

const started = { type: 'step.started', stage: 'deploy', step: 'release', attempt: 1, command: 'x', commands: 3, t: 1000 } as const;
const cmd = (index: number, startedAtT: number, t: number) => ({ type: 'step.command', stage: 'deploy', step: 'release', index, startedAt: WALL + startedAtT, t }) as const;

describe('step.command in the state', () => {
  it('records when each command started (session time), the current one, and the failing one', () => {
    const { s } = fold([started, cmd(0, 1000, 1050), cmd(1, 3000, 3040), { type: 'step.finished', stage: 'deploy', step: 'release', ok: false, exitCode: 2, signal: null, timedOut: false, interrupted: false, durationMs: 4000, reason: 'exit 2', t: 5000 }]);
    const st = s.stages[0].steps[0];
    expect(st.commandStarts).toEqual([1000, 3000]);
    expect(blockRows(st, 6000)?.map((r) => [r.label, r.status, r.ms])).toEqual([
      ['Build', 'passed', 2000],
      ['./deploy.sh', 'failed', 2000],
      ['./verify.sh', 'pending', undefined],
    ]);
    expect(failedCommand(st)).toEqual({ index: 1, command: { text: './deploy.sh', line: 3 } });
  });

  it('a start read twice counts once; a retry starts the commands afresh', () => {
    const { s } = fold([started, cmd(0, 1000, 1050), cmd(0, 1000, 1100), { ...started, attempt: 2, t: 2000 }]);
    expect(s.stages[0].steps[0].commandStarts).toEqual([]);
  });

  it('an untracked run (no commands on step.started) has no command states', () => {
    const { s } = fold([{ ...started, commands: undefined }]);
    expect(blockRows(s.stages[0].steps[0], 2000)).toBeUndefined();
  });
});

describe('headless plain output of a block', () => {
  it('one line per command start, and the failing command with its line on failure', () => {
    const finished = { type: 'step.finished', stage: 'deploy', step: 'release', ok: false, exitCode: 2, signal: null, timedOut: false, interrupted: false, durationMs: 4000, reason: 'exit 2', t: 5000 } as const;
    const { events } = fold([started, cmd(0, 1000, 1050), cmd(1, 3000, 3040), finished]);
    const lines: string[] = [];
    events.reduce((acc, e) => {
      const next = reduce(acc, e);
      const text = describeEvent(next, e);
      if (text !== undefined && e.type !== 'step.started') lines.push(text);
      return next;
    }, fold([]).s);
    expect(lines).toEqual(['  ▸ 1/3 Build', '  ▸ 2/3 ./deploy.sh', '  ✗ release FAILED: exit 2 (4.0s)\n    failed at command 2/3 (line 3 of the block): ./deploy.sh']);
  });
});

describe('headless plain output of a hostile block', () => {
  it('a command holding terminal escapes (ESC[2J, OSC 52) is printed without them', () => {
    const hostile = YAML.replace('          # Build', '          # Build \\e[2J').replace('          ./deploy.sh', '          printf "\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J"');
    const { s, events } = fold([started, cmd(0, 1000, 1050), cmd(1, 3000, 3040)], hostile);
    // the whole OSC 52 sequence (its clipboard payload too) and the ESC[2J are gone
    expect(describeEvent(s, events[2])).toBe('  ▸ 2/3 printf ""');
  });
});
