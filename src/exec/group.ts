/** A short-lived command's process group, and the line a failure is told by. */

/** Kills every process left in the group `pid` leads (nothing when it is gone). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone */
  }
}

const MAX_LINE = 200;

/** The last non-empty line of a command's output, at most 200 characters. */
export function lastLineOf(text: string): string {
  const line = text.trim().split('\n').pop()?.trim() ?? '';
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}
