/**
 * The fold every session keeps: its state, the listeners of its events and of its steps' output,
 * and the outcome it first ends with. The controller feeds it the events it journals; a follower,
 * the events another cockpit journalled.
 */
import type { Outcome, SessionEvent } from '../core/events.js';
import type { Runbook } from '../runbook/types.js';
import { initialState, reduce, type SessionState } from './reduce.js';
import type { OutputListener, SessionListener } from './session.js';

export class SessionFeed {
  private s: SessionState;
  private readonly listeners = new Set<SessionListener>();
  private readonly outputListeners = new Set<OutputListener>();
  private settledResolve!: (o: Outcome) => void;
  readonly settled: Promise<Outcome>;

  /** `replayed`: a journal folded before anyone listens (a resumed session); nothing is told. */
  constructor(rb: Runbook, replayed: readonly SessionEvent[] = []) {
    let s = initialState(rb);
    for (const e of replayed) s = reduce(s, e);
    this.s = s;
    this.settled = new Promise((r) => (this.settledResolve = r));
  }

  get state(): SessionState {
    return this.s;
  }

  /**
   * Folds one event and tells every listener. `fold`: how (another cockpit's events: follow.ts
   * foldExternal, undefined for one that cannot be folded: skipped, nothing told).
   */
  apply(e: SessionEvent, fold: (s: SessionState, e: SessionEvent) => SessionState | undefined = reduce): void {
    const next = fold(this.s, e);
    if (next === undefined) return;
    this.s = next;
    if (e.type === 'session.ended') this.settledResolve(e.outcome);
    for (const l of this.listeners) l(this.s, e);
  }

  /** Hands a step's lines to every output listener. */
  output(stage: string, step: string, lines: readonly string[]): void {
    for (const l of this.outputListeners) l(stage, step, lines);
  }

  subscribe(fn: SessionListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onOutput(fn: OutputListener): () => void {
    this.outputListeners.add(fn);
    return () => this.outputListeners.delete(fn);
  }
}
