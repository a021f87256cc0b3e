/**
 * What the screen (and every other reader) depends on: a session's state and its events, its
 * steps' output, and the operator's intents. The live engine (controller.ts) and a read-only
 * follower of another cockpit's journal (read-only-session.ts) each implement it; a follower's
 * intents refuse with `readOnly` (how to act instead).
 */
import type { Outcome, EventBody, RollbackSource, SessionEvent } from '../core/events.js';
import type { Decision } from '../flags/experiment.js';
import type { FlagRamps } from '../flags/manager.js';
import type { Runbook } from '../runbook/types.js';
import type { IntentResult } from './intents.js';
import type { SessionState } from './reduce.js';

export type SessionListener = (s: SessionState, e: SessionEvent) => void;
export type OutputListener = (stage: string, step: string, lines: readonly string[]) => void;

/** The flag ramps as the screen uses them: the plans, a step's target, a change (and whether one is applying). */
export type SessionFlags = Pick<FlagRamps, 'plans' | 'target' | 'apply' | 'isApplying'>;
/** The experiments as the screen lists them. */
export type SessionExperiments = { readonly ids: readonly string[] };

/** What a session shows: state, events, output. */
export interface SessionView {
  readonly runbook: Runbook;
  readonly sessionDir: string;
  readonly state: SessionState;
  /** Resolves with the outcome when the session first ends. */
  readonly settled: Promise<Outcome>;
  /** True while a step (or monitor, or rollback) of this cockpit runs; a follower's never. */
  readonly busy: boolean;
  /** The operator abandoned the running rollback (its incident step still runs). */
  readonly abandoned: boolean;
  /** Why this screen cannot act (a follower: how to act instead), else undefined. */
  readonly readOnly: string | undefined;
  /** A follower whose session no cockpit drives any more (and that has not ended): what to do. */
  readonly driverGone?: string;
  /** Session time (ms) when driverGone was found. */
  readonly goneAt?: number;
  /** A remote follower whose stream is cut (it reconnects): what the notice line says meanwhile. */
  readonly link?: string;
  /** A follower: called when driverGone or link changes. */
  onDriverGone?(fn: () => void): () => void;
  readonly flags: SessionFlags | undefined;
  readonly experiments: SessionExperiments | undefined;
  /** Monotonic milliseconds since the session began: the time base of every event's `t`. */
  elapsed(): number;
  subscribe(fn: SessionListener): () => void;
  onOutput(fn: OutputListener): () => void;
  /** Waits for whatever is running to finish. */
  idle(): Promise<void>;
}

/** What the operator may ask of a session; each answers with OK or a refusal and its reason. */
export interface SessionIntents {
  start(): Promise<void>;
  tick(id: string): IntentResult;
  tickStep(stageId: string, stepId: string): IntentResult;
  runNextStage(): IntentResult;
  retry(): IntentResult;
  skip(reason: string): IntentResult;
  rollback(reason: string, source: RollbackSource, incidentAt?: number): IntentResult;
  acknowledge(): IntentResult;
  abandonRollback(): IntentResult;
  proceedUnguarded(): IntentResult;
  runEmergency(id: string): IntentResult;
  deployExperiment(id: string): IntentResult;
  deployFlag(flag: string): Promise<IntentResult>;
  concludeExperiment(id: string, winner: string, decision: Decision): Promise<IntentResult>;
  quit(): IntentResult;
  interrupt(): Promise<void>;
  interruptStep(): Promise<void>;
  /** Journals and applies an event from beside the engine (a signal, leaving unguarded). */
  record(body: EventBody): SessionEvent;
}

export interface Session extends SessionView, SessionIntents {}
