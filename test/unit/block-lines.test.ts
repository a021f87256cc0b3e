/** The command rows under a block step: a window around the current command, summed up only when that saves rows. */
import { describe, expect, it } from 'vitest';
import type { StepState } from '../../src/session/reduce.js';
import { blockLines } from '../../src/ui/block-lines.js';

const block = (n: number, started: number, status: StepState['status']): StepState => ({
  id: 'deploy',
  title: 'Deploy',
  kind: 'command',
  command: 'bash',
  status,
  ticked: false,
  attempt: 1,
  startedAt: 0,
  ...(status === 'running' ? {} : { durationMs: 5000, reason: 'exit 1' }),
  lines: 0,
  commands: Array.from({ length: n }, (_, i) => ({ text: `step${i + 1}`, line: i + 1 })),
  commandStarts: Array.from({ length: started }, (_, i) => i * 1000),
});

const text = (st: StepState) => blockLines('s', st, 10_000, 40).map((l) => l.text.trim());

describe('the command rows of a block step', () => {
  it('a block one row longer than the window shows every command (a "⋮ 1 earlier" line would hide one for nothing)', () => {
    const rows = text(block(5, 4, 'failed'));
    expect(rows.filter((r) => r.includes('⋮'))).toEqual([]);
    expect(rows.filter((r) => /^[✓✗○] step\d/.test(r)).map((r) => r.slice(0, 7))).toEqual(['✓ step1', '✓ step2', '✓ step3', '✗ step4', '○ step5']);
    expect(rows).toContain('← failed (exit 1), line 4');
  });

  it('a long block is a window around the current command, the rest summed up', () => {
    const rows = text(block(10, 6, 'running'));
    expect(rows[0]).toBe('⋮ 4 earlier');
    expect(rows.slice(1, 5).map((r) => r.slice(0, 7))).toEqual(['✓ step5', '◐ step6', '○ step7', '○ step8']);
    expect(rows[5]).toBe('⋮ 2 more');
  });
});
