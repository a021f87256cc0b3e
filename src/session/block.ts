/**
 * What a multi-command shell step's commands look like (one vocabulary for the screen and the
 * headless output): each command's state and time from the step's state (StepState.commandStarts).
 */
import type { BlockCommand } from '../runbook/types.js';
import type { StepState } from './reduce.js';

export type BlockRowStatus = 'pending' | 'running' | 'passed' | 'failed' | 'interrupted';

export type BlockRow = {
  readonly index: number;
  readonly command: BlockCommand;
  /** Its title, else its first line. */
  readonly label: string;
  readonly status: BlockRowStatus;
  /** How long it ran (or runs, to `now`); undefined when it has not started. */
  readonly ms?: number;
};

/** How a command is named on one line: its `# comment` title, else its first line. */
export const commandLabel = (c: BlockCommand): string => c.title ?? c.text.split('\n')[0].replace(/\s*\\$/, '');

/** The retry of a block step, in words: what it runs again. */
export const BLOCK_RETRY = 'retry re-runs the whole block from its first command (variables and cd start fresh)';

/** Whether the step is a block run tracked (its commands have states). */
export const isTrackedBlock = (st: StepState): st is StepState & { commands: readonly BlockCommand[]; commandStarts: readonly number[] } =>
  st.commands !== undefined && st.commandStarts !== undefined;

/** Each command's state: the last one started is current (running, or failed/interrupted with its step); those before it passed. */
export function blockRows(st: StepState, now: number): BlockRow[] | undefined {
  if (!isTrackedBlock(st)) return undefined;
  const starts = st.commandStarts;
  const current = starts.length - 1;
  const end = st.status === 'running' ? now : st.startedAt !== undefined && st.durationMs !== undefined ? st.startedAt + st.durationMs : now;
  return st.commands.map((command, index) => {
    const label = commandLabel(command);
    if (index > current) return { index, command, label, status: 'pending' };
    const ms = Math.max(0, (index < current ? starts[index + 1] : end) - starts[index]);
    const status: BlockRowStatus = index < current || st.status === 'passed' ? 'passed' : st.status === 'running' ? 'running' : st.status === 'interrupted' ? 'interrupted' : 'failed';
    return { index, command, label, status, ms };
  });
}

/** The command a failed block step failed at (the last one started), or undefined. */
export function failedCommand(st: StepState): { index: number; command: BlockCommand } | undefined {
  if (st.status !== 'failed' || !isTrackedBlock(st) || st.commandStarts.length === 0) return undefined;
  const index = st.commandStarts.length - 1;
  return { index, command: st.commands[index] };
}
