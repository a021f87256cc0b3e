/**
 * Repeated identical error lines, printed once with a count (headless plain output).
 *
 * A sample line that says a series or probe has no value (`  · metrics error_rate=∅(…)`) is
 * printed the first time; the same line again on the following samples is held back and counted.
 * The count comes out as one line, `  · metrics (same error ×37 more)`, stamped with the time of
 * the last repeat, as soon as the run ends: when that kind of sample says something else, when
 * any other line (a trigger, a step, the session's end) is printed — so it stands just before the
 * fact that followed it — or at the end of the output. After a count the next such line is
 * printed again. Metrics and probes are counted apart (their lines interleave every tick).
 * `--json` is not affected: every event is still written.
 *
 * Pure: (state, line) → (state, lines to print).
 */

/**
 * A line to print: its stamp, its text, and for a sample line its kind (`metrics`, `probes`) and
 * whether it is an error line (only those are counted; a value line is printed every time).
 */
export type PlainLine = { readonly stamp: string; readonly text: string; readonly kind?: string; readonly error?: boolean };

type Run = { readonly text: string; readonly count: number; readonly lastStamp: string };

export type RepeatState = Readonly<Record<string, Run>>;

export const noRepeats: RepeatState = {};

/** The line that says how many were held back: "12:03:10   · metrics (same error ×37 more)". */
export function countLine(kind: string, run: Run): string {
  return `${run.lastStamp}   · ${kind} (same error ×${run.count} more)`;
}

/** The count lines of every run with held-back repeats, oldest kind first; the runs end. */
export function flushRepeats(s: RepeatState): { state: RepeatState; out: string[] } {
  const out = Object.entries(s)
    .filter(([, r]) => r.count > 0)
    .map(([k, r]) => countLine(k, r));
  return { state: noRepeats, out };
}

/** Feeds one line: what to print now. */
export function collapseRepeats(s: RepeatState, line: PlainLine): { state: RepeatState; out: string[] } {
  const printed = `${line.stamp} ${line.text}`;
  if (line.kind === undefined) {
    const f = flushRepeats(s);
    return { state: f.state, out: [...f.out, printed] };
  }
  const run = s[line.kind];
  if (line.error && run && run.text === line.text) return { state: { ...s, [line.kind]: { ...run, count: run.count + 1, lastStamp: line.stamp } }, out: [] };
  const out = run && run.count > 0 ? [countLine(line.kind, run)] : [];
  const rest: Record<string, Run> = { ...s };
  delete rest[line.kind];
  return { state: line.error ? { ...rest, [line.kind]: { text: line.text, count: 0, lastStamp: line.stamp } } : rest, out: [...out, printed] };
}

/** A sample line's kind and whether it says a value is missing (`=∅(…)`, `=error(…)`); nothing for other lines. */
export function sampleKind(type: string, text: string): { kind?: string; error?: boolean } {
  if (type === 'metric.sampled') return { kind: 'metrics', error: text.includes('=∅(') };
  if (type === 'probe.sampled') return { kind: 'probes', error: text.includes('=error(') };
  return {};
}
