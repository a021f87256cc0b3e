/**
 * The output tail: which step's log the wallboard shows (the running one, else the one that
 * started last) and its last lines as the screen prints them. Pure; reading the file is the
 * caller's (log-tail.ts).
 */
import { formatClock } from '../runbook/duration.js';
import { parseLogLine } from '../exec/log-format.js';
import type { SessionState, StepState } from '../session/reduce.js';
import { WORD } from '../session/view/words.js';

export type OutputSource = {
  /** "Deploy with blue-green strategy · Deploy to Production". */
  readonly title: string;
  readonly logPath: string;
  /** "running 0:04", "passed 0:02", "FAILED 0:01". */
  readonly status: string;
  /** Whether the step runs (its live line, exec/live-line.ts, is shown). */
  readonly running: boolean;
};

type Candidate = { readonly step: StepState; readonly where: string };

function candidates(s: SessionState): Candidate[] {
  return [
    ...s.rollback.steps.map((step) => ({ step, where: 'Rollback' })),
    ...s.stages.flatMap((st) => st.steps.map((step) => ({ step, where: st.title }))),
    ...s.preflight.steps.map((step) => ({ step, where: s.preflight.title })),
    ...s.emergency.map((step) => ({ step, where: 'Emergency' })),
  ].filter((c) => c.step.logPath !== undefined && c.step.startedAt !== undefined);
}

/** The running step with a log (a rollback step first), else the step that started last. */
export function outputSource(s: SessionState, now: number): OutputSource | undefined {
  const all = candidates(s);
  const pick = all.find((c) => c.step.status === 'running') ?? all.reduce<Candidate | undefined>((a, c) => (a && a.step.startedAt! >= c.step.startedAt! ? a : c), undefined);
  if (!pick) return undefined;
  const st = pick.step;
  const ms = st.status === 'running' ? now - st.startedAt! : (st.durationMs ?? 0);
  // the vocabulary's word; a manual step here waits for the operator, not for whoever reads the wallboard
  const word = st.status === 'waiting' ? 'waiting' : WORD[st.status];
  return { title: `${st.title} · ${pick.where}`, logPath: st.logPath!, status: `${word} ${formatClock(ms)}`, running: st.status === 'running' };
}

import { sanitize } from '../exec/log-format.js';
import { LIVE_MARK } from '../exec/live-line.js';
export { sanitize };

/**
 * The last `max` log lines as shown: "12:01:02 text" (the log's stamp without milliseconds), then
 * the line the step is writing now, if any (`live`: not in the log yet), marked "       … text".
 */
export function tailLines(raw: readonly string[], max: number, live = ''): string[] {
  if (max <= 0) return [];
  const lines = raw.slice(live === '' ? -max : raw.length - max + 1).map((line) => {
    const { time, text } = parseLogLine(line);
    return sanitize(time ? `${time} ${text}` : text);
  });
  if (live !== '') lines.push(sanitize(`${LIVE_MARK} ${live}`));
  return lines;
}
