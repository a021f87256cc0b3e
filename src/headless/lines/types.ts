/** A table of headless line formatters: one per event type, each in the file of its kind. */
import type { SessionEvent } from '../../core/events.js';
import type { Runbook } from '../../runbook/types.js';
import type { SessionState } from '../../session/reduce.js';

export type EventType = SessionEvent['type'];
export type EventOf<T extends EventType> = Extract<SessionEvent, { type: T }>;

/** The state after the event, the event, the runbook (for what a line derives from it): the line(s), or undefined for none. */
export type Formatter<T extends EventType> = (s: SessionState, e: EventOf<T>, rb?: Runbook) => string | undefined;

/** Formatters for the event types `K`: the compiler checks every one has its own. */
export type Lines<K extends EventType> = { readonly [T in K]: Formatter<T> };
