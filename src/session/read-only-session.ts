/**
 * A read-only session (`cockpit watch`): the fold of another cockpit's journal, fed by
 * applyExternal, and its steps' output, fed by relayOutput. Nothing runs and nothing is
 * journalled here: every intent refuses with `how` (how to act instead), and quit just leaves
 * (the session it watches goes on).
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { EventBody, Outcome, RollbackSource, SessionEvent } from '../core/events.js';
import type { Decision } from '../flags/experiment.js';
import { FlagRamps } from '../flags/manager.js';
import type { Runbook } from '../runbook/types.js';
import { OK, refuse, type IntentResult } from './intents.js';
import type { SessionState } from './reduce.js';
import { SessionFeed } from './session-feed.js';
import { foldExternal } from './follow.js';
import type { OutputListener, Session, SessionExperiments, SessionFlags, SessionListener } from './session.js';

export type ReadOnlyOptions = {
  readonly runbook: Runbook;
  readonly sessionDir: string;
  /** What every intent answers: how to act on the session instead. */
  readonly how: string;
  readonly clock?: Clock;
};

export class ReadOnlySession implements Session {
  private readonly feed: SessionFeed;
  private readonly clock: Clock;
  private t0: number;
  readonly flags: SessionFlags | undefined;
  readonly experiments: SessionExperiments | undefined;
  private gone: string | undefined;
  private goneT: number | undefined;
  private linkText: string | undefined;
  private readonly goneListeners = new Set<() => void>();

  constructor(private readonly o: ReadOnlyOptions) {
    this.clock = o.clock ?? systemClock;
    this.t0 = this.clock.now();
    this.feed = new SessionFeed(o.runbook);
    // the flags are shown with their ramps; a change refuses with `how`, before any provider
    this.flags = o.runbook.flags
      ? new FlagRamps({ readOnly: o.how, runbook: o.runbook, record: () => {}, state: () => this.state, clock: this.clock, now: () => this.elapsed() })
      : undefined;
    const ids = Object.keys(o.runbook.experiments);
    this.experiments = ids.length > 0 ? { ids } : undefined;
  }

  get runbook(): Runbook {
    return this.o.runbook;
  }
  get sessionDir(): string {
    return this.o.sessionDir;
  }
  get state(): SessionState {
    return this.feed.state;
  }
  get settled(): Promise<Outcome> {
    return this.feed.settled;
  }
  /** Nothing of a follower's runs: q just leaves. */
  get busy(): boolean {
    return false;
  }
  get abandoned(): boolean {
    return false;
  }
  get readOnly(): string {
    return this.driverGone ?? this.o.how;
  }

  /** Set once no cockpit drives the session (and it has not ended): what to do, which the screen shows. */
  get driverGone(): string | undefined {
    // a driver that ended the session and then let its lock go: the journal's end is the last word
    return this.state.outcome === undefined ? this.gone : undefined;
  }

  /** Session time when the follower found the driver gone: where a stopped stage's clock stops. */
  get goneAt(): number | undefined {
    return this.goneT;
  }

  /** A remote follower reached its driver again after a refusal (a restarted proxy): not gone after all. */
  markDriverBack(): void {
    if (this.gone === undefined) return;
    this.gone = undefined;
    this.goneT = undefined;
    for (const fn of this.goneListeners) fn();
  }

  /** A remote follower's cut stream (it reconnects): said on the notice line until it is back. */
  get link(): string | undefined {
    return this.state.outcome === undefined && this.gone === undefined ? this.linkText : undefined;
  }

  /** Sets (or, with undefined, clears) what a cut stream says. */
  markLink(text: string | undefined): void {
    if (text === this.linkText) return;
    this.linkText = text;
    for (const fn of this.goneListeners) fn();
  }

  onDriverGone(fn: () => void): () => void {
    this.goneListeners.add(fn);
    return () => this.goneListeners.delete(fn);
  }

  /**
   * The follower found no cockpit driving the session: says so with `advice`, once, unless the
   * session has ended (its journal's last word stands). True when it is now marked.
   */
  markDriverGone(advice: string): boolean {
    if (this.state.outcome !== undefined) return false;
    if (this.gone === undefined) {
      this.gone = advice;
      this.goneT = this.elapsed();
      for (const fn of this.goneListeners) fn();
    }
    return true;
  }
  elapsed(): number {
    return Math.round(this.clock.now() - this.t0);
  }
  subscribe(fn: SessionListener): () => void {
    return this.feed.subscribe(fn);
  }
  onOutput(fn: OutputListener): () => void {
    return this.feed.onOutput(fn);
  }
  async idle(): Promise<void> {}

  /** The feed: events another cockpit journalled, folded and shown as if they were ours. */
  applyExternal(events: readonly SessionEvent[]): void {
    for (const e of events) {
      // session time is the watched session's: from its start
      if (e.type === 'session.started' && typeof e.at === 'number') this.t0 = this.clock.now() - (this.clock.wall() - e.at);
      this.feed.apply(e, foldExternal);
    }
  }

  /** The feed: lines of a step's log, as a step of ours would hand them over. */
  relayOutput(stage: string, step: string, lines: readonly string[]): void {
    this.feed.output(stage, step, lines);
  }

  // ── intents: each refuses with how to act instead ──────────────────────────────────────────
  private refused(): IntentResult {
    return refuse(this.readOnly);
  }
  async start(): Promise<void> {}
  tick(_id: string): IntentResult { return this.refused(); }
  tickStep(_stage: string, _step: string): IntentResult { return this.refused(); }
  runNextStage(): IntentResult { return this.refused(); }
  retry(): IntentResult { return this.refused(); }
  skip(_reason: string): IntentResult { return this.refused(); }
  rollback(_reason: string, _source: RollbackSource, _incidentAt?: number): IntentResult { return this.refused(); }
  acknowledge(): IntentResult { return this.refused(); }
  abandonRollback(): IntentResult { return this.refused(); }
  proceedUnguarded(): IntentResult { return this.refused(); }
  runEmergency(_id: string): IntentResult { return this.refused(); }
  deployExperiment(_id: string): IntentResult { return this.refused(); }
  async deployFlag(_flag: string): Promise<IntentResult> { return this.refused(); }
  async concludeExperiment(_id: string, _winner: string, _decision: Decision): Promise<IntentResult> { return this.refused(); }
  /** A follower leaves; the session it watches goes on. */
  quit(): IntentResult { return OK; }
  async interrupt(): Promise<void> {}
  async interruptStep(): Promise<void> {}
  /** A follower journals nothing: the screen never asks it to (it checks readOnly first). */
  record(body: EventBody): SessionEvent {
    throw new Error(`a read-only session records nothing (${body.type})`);
  }
}
