/**
 * Emission: every event is stamped with wall and session time, masked, appended to the journal,
 * then folded (session-feed.ts). Session time carries on from a resumed session's start.
 */
import { maskerFor, maskStrings } from '../exec/log-format.js';
import type { Clock } from '../core/clock.js';
import type { EventBody, SessionEvent } from '../core/events.js';
import type { Journal } from './journal.js';
import type { SessionState } from './reduce.js';
import { SessionFeed } from './session-feed.js';
import type { ControllerOptions } from './options.js';

/**
 * What masking leaves as it is in an event: identifiers the fold looks steps, stages and sessions
 * up by (runbook names, cockpit-made ids and paths, enums), never a value a secret reaches. A short
 * secret ("100") inside a step id or a log path would otherwise break the session's state.
 */
const UNMASKED_KEYS: ReadonlySet<string> = new Set([
  'type', 'sessionId', 'session', 'file', 'logPath', 'journal', 'runbook', 'environment',
  'stage', 'step', 'id', 'trigger', 'triggers', 'flag', 'variant', 'metric', 'op',
  'mode', 'source', 'outcome', 'by', 'policy', 'via', 'checklist', 'state', 'decision', 'winner', 'sha',
]);

export class EventLog {
  readonly feed: SessionFeed;
  /** Masks the session's secrets out of a text. */
  readonly mask: (t: string) => string;
  private readonly hasSecrets: boolean;
  private readonly journal: Journal;
  private t0: number;
  /** Handed over to a background guard (leave): nothing more is recorded here. */
  private gone = false;

  constructor(o: Pick<ControllerOptions, 'runbook' | 'journal' | 'resume' | 'env'>, private readonly clock: Clock) {
    this.journal = o.journal;
    this.feed = new SessionFeed(o.runbook, o.resume ?? []);
    this.t0 = clock.now();
    if (o.resume?.length) {
      // session time carries on from the session's start: the journal's `t` stays one time base
      this.t0 = clock.now() - Math.max(this.feed.state.now, clock.wall() - o.resume[0].at);
    }
    const env = o.env ?? process.env;
    this.mask = maskerFor(o.runbook.secrets.map((n) => env[n] ?? ''));
    this.hasSecrets = o.runbook.secrets.some((n) => (env[n] ?? '').length >= 3);
  }

  get state(): SessionState {
    return this.feed.state;
  }

  /** Monotonic milliseconds since the session began: the time base of every event's `t`. */
  elapsed(): number {
    return Math.round(this.clock.now() - this.t0);
  }

  /** Nothing after this is journalled or applied (the session is another cockpit's now). */
  stop(): void {
    this.gone = true;
  }

  emit(body: EventBody): SessionEvent {
    const raw = { ...body, at: this.clock.wall(), t: Math.round(this.clock.now() - this.t0) } as SessionEvent;
    // every string is masked before anything serialises the event (not its JSON text: a secret
    // "100" would eat numbers, one with a quote would not be found escaped); with no secret set,
    // nothing to walk
    const e = this.hasSecrets ? maskStrings(raw, this.mask, UNMASKED_KEYS) : raw;
    if (this.gone) return e; // handed over: the session is another cockpit's now
    const failing = this.journal.failure !== undefined;
    this.journal.append(e);
    this.feed.apply(e);
    // a journal that just became unwritable is said once, loudly, wherever the session is shown
    const failure = this.journal.failure;
    if (failure !== undefined && !failing) this.emit({ type: 'journal.unwritable', error: failure });
    return e;
  }
}
