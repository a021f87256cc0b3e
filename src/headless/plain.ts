/**
 * The headless renderers: plain timestamped lines for people reading CI logs, or one JSON object
 * a line (`--json`) for machines. Both read the controller's events and output batches; each
 * event's plain line is lines/describe.ts's.
 */
import { jsonLine, type StepLine } from '../core/json-line.js';
import { parseLogLine, sanitizeOutput, timeOfDay } from '../exec/log-format.js';
import type { Session } from '../session/session.js';
import { collapseRepeats, flushRepeats, noRepeats, sampleKind } from './repeats.js';
import { describeEvent } from './lines/describe.js';

type Write = (line: string) => void;
/** A session as printed: a driving one, or one followed (cockpit rollback asking its driver). */
type Shown = Pick<Session, 'subscribe' | 'onOutput' | 'runbook'>;

export { describeEvent };

/** Prints the session as plain timestamped lines; the same error on consecutive samples once, with a count (repeats.ts). */
export function attachPlain(c: Shown, write: Write): () => void {
  let repeats = noRepeats;
  const offEvents = c.subscribe((s, e) => {
    const text = describeEvent(s, e, c.runbook);
    if (text === undefined) return;
    const stamp = timeOfDay(e.at);
    for (const line of text.split('\n')) {
      const r = collapseRepeats(repeats, { stamp, text: sanitizeOutput(line), ...sampleKind(e.type, line) });
      repeats = r.state;
      for (const l of r.out) write(l);
    }
  });
  const offOutput = c.onOutput((_stage, _step, lines) => {
    // one write per batch, not per line
    const now = timeOfDay(Date.now());
    write(
      lines
        .map((l) => {
          const { time, text } = parseLogLine(l);
          // step output as output: its colour kept, every other escape dropped (the step's log keeps the raw bytes)
          return `${time || now}   │ ${sanitizeOutput(text)}`;
        })
        .join('\n'),
    );
  });
  return () => {
    offEvents();
    offOutput();
    for (const l of flushRepeats(repeats).out) write(l);
    repeats = noRepeats;
  };
}

/** Prints every event, and every output line, as one JSON object a line, `v` first (the contract: docs/events.md). */
export function attachJson(c: Shown, write: Write): () => void {
  const offEvents = c.subscribe((_s, e) => write(jsonLine(e)));
  const offOutput = c.onOutput((stage, step, lines) => {
    write(
      lines
        .map((l) => {
          const { time, text } = parseLogLine(l);
          const line: StepLine = { type: 'step.line', stage, step, time, text };
          return jsonLine(line);
        })
        .join('\n'),
    );
  });
  return () => {
    offEvents();
    offOutput();
  };
}
