/**
 * The running step's icon, turning: ink-spinner's Spinner in place of the static ◐, with frames of
 * the same half-circle. Each frame redraws the whole screen (5-9 ms of the cockpit's one thread,
 * 4.4 KiB to the terminal), so it turns every 500 ms, a spinner of our own in the table ink-spinner
 * reads: its default (dots, 80 ms) costs 5.7 % of a core more than the static icon, 250 ms 2.4 %,
 * 500 ms 1.6 % (bench/spinner-cpu.mjs; bench/RESULTS.md, "Spinner CPU").
 */
import spinners, { type Spinner as SpinnerSpec, type SpinnerName } from 'cli-spinners';
import Spinner from 'ink-spinner';

export const RUNNING_FRAMES = ['◐', '◓', '◑', '◒'] as const;
export const RUNNING_INTERVAL_MS = 500;

// ink-spinner draws the spinners of cli-spinners' table by name: ours joins that table once
const NAME = 'cockpitRunning' as SpinnerName;
const table = spinners as unknown as Record<string, SpinnerSpec>;
table[NAME] ??= { interval: RUNNING_INTERVAL_MS, frames: [...RUNNING_FRAMES] };

export function RunningIcon() {
  return <Spinner type={NAME} />;
}
