/**
 * An event as the plain headless line(s) people read in CI logs: one formatter per event type, in
 * tables by kind (session, steps, guard, incident). The icons and words are the one vocabulary's
 * (src/session/view/).
 */
import type { SessionEvent } from '../../core/events.js';
import type { Runbook } from '../../runbook/types.js';
import type { SessionState } from '../../session/reduce.js';
import { GUARD_LINES } from './guard.js';
import { INCIDENT_LINES } from './incident.js';
import { SESSION_LINES } from './session.js';
import { STEP_LINES } from './steps.js';
import type { EventType, Formatter, Lines } from './types.js';

/** Every event type has its formatter: a new event without one does not compile. */
const LINES: Lines<EventType> = { ...SESSION_LINES, ...STEP_LINES, ...GUARD_LINES, ...INCIDENT_LINES };

/** `rb`: the runbook, for what a line derives from it (AUTO-ROLLBACK OFF at a stage's start). */
export function describeEvent(s: SessionState, e: SessionEvent, rb?: Runbook): string | undefined {
  const format = LINES[e.type] as Formatter<typeof e.type>;
  return format(s, e as never, rb);
}
