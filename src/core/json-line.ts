/**
 * The `--json` contract (docs/events.md, generated from this file and events.ts by
 * scripts/events-doc.mjs). Every JSON value the cockpit prints for machines carries the
 * contract's version first, as `v`: the headless lines of `run`/`demo`/`rollback --json`, and the
 * one object (or document) of `flag`, `experiment` and `history --json`. The journal on disk is
 * not the contract: it stays without `v` (it is read back by the cockpit itself).
 */
import type { SessionEvent } from './events.js';
import { terminalJson } from './terminal-text.js';

/**
 * Raised when a field goes away, is renamed, or changes its type or its meaning; adding an event
 * type or an optional field keeps it.
 */
export const JSON_VERSION = 1;

/** A line of a step's output, as it is printed (secrets masked: as the step's log has it). Not journalled: the step's log holds it. */
export type StepLine = {
  readonly type: 'step.line';
  readonly stage: string;
  readonly step: string;
  /** When the line was printed (local time, HH:MM:SS); empty when the line carried no stamp. */
  readonly time: string;
  readonly text: string;
};

/** What a headless `--json` run prints: every event, and every line of step output. */
export type HeadlessLine = SessionEvent | StepLine;

/** `value` as the cockpit prints it for machines: `v` first, then its own fields; terminal-safe (terminalJson). */
export function jsonLine(value: object, indent?: number): string {
  return terminalJson({ v: JSON_VERSION, ...value }, indent);
}
