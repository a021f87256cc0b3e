/**
 * The wallboard's view model: a pure function of the runbook, the session state (the fold of its
 * journal), which session it is and the session time now, to what every panel shows. The blessed
 * screen (wallboard.ts) only lays this out and colours it.
 */
import type { Outcome } from '../core/events.js';
import { outcomeWord } from '../session/view/words.js';
import { phaseWord, stoppedWord } from '../session/view/phase-words.js';
import { timeOfDay } from '../exec/log-format.js';
import type { Runbook } from '../runbook/types.js';
import type { SessionState } from '../session/reduce.js';
import { chartModels, type ChartModel } from './model-charts.js';
import { outputSource, type OutputSource } from './model-output.js';
import { flagRows, incidentModel, stageRows, triggerRows, type FlagRow, type IncidentModel, type StageRow, type Tone, type TriggerRow } from './model-panels.js';

export type SessionView = {
  readonly id: string;
  /** A cockpit drives it right now (the lock holder is alive) and it has not ended. */
  readonly live: boolean;
  readonly outcome?: Outcome;
  /** Wall time of its last event. */
  readonly lastAt?: number;
  /** The runbook the session ran, when that is not the runbook the wallboard was given. */
  readonly otherRunbook?: string;
};

export type WallboardModel = {
  readonly status: { readonly word: string; readonly tone: Tone };
  /** "web-app 2.4.0 → production". */
  readonly title: string;
  /** Which session this is: live, or ended (when, how), or stopped without an end. */
  readonly sessionLine: string;
  readonly charts: readonly ChartModel[];
  readonly armed: boolean;
  readonly triggers: readonly TriggerRow[];
  readonly stages: readonly StageRow[];
  readonly flags: readonly FlagRow[];
  readonly incident: IncidentModel;
  readonly output?: OutputSource;
};

/** The words are the vocabulary's (session/view/); the tone is the wallboard's. */
const OUTCOME_TONE: Record<Outcome, Tone> = { released: 'ok', failed: 'danger', 'rolled-back': 'warn', 'rollback-failed': 'danger', interrupted: 'warn', aborted: 'warn' };
const ended = (o: Outcome) => ({ word: outcomeWord(o), tone: OUTCOME_TONE[o] });

/**
 * The big word: RELEASING while it runs, then what happened. A session that stopped without an end
 * (its cockpit died) is not shown as still releasing or rolling back: it says it stopped.
 */
export function statusWord(s: SessionState, live = true): { word: string; tone: Tone } {
  const stopped = !live && s.outcome === undefined;
  switch (s.phase) {
    case 'rolling-back':
      return stopped ? { word: stoppedWord(s)!, tone: 'danger' } : { word: phaseWord(s.phase, false), tone: 'danger' };
    case 'passed':
      return ended('released');
    case 'rolled-back':
    case 'rollback-failed':
    case 'failed':
    case 'interrupted':
      return ended(s.phase);
    default:
      // ended before a stage settled it (a pre-flight that failed, an abort): the outcome says
      return s.outcome ? ended(s.outcome) : stopped ? { word: stoppedWord(s)!, tone: 'warn' } : { word: 'RELEASING', tone: 'running' };
  }
}

const clock = (wall: number | undefined) => (wall === undefined ? '?' : timeOfDay(wall));

/**
 * The line under the status word: live or ended (when, how) or stopped without an end, the
 * incident's timer and escalation level, then the session id (the first thing cut on a narrow screen).
 */
export function sessionLine(v: SessionView, incident: IncidentModel): string {
  const other = v.otherRunbook ? ` (runbook "${v.otherRunbook}")` : '';
  const state = v.outcome
    ? `ENDED ${clock(v.lastAt)}: ${outcomeWord(v.outcome, 'inline')}`
    : v.live
      ? 'LIVE'
      : `NOT LIVE: no cockpit drives it, it stopped at ${clock(v.lastAt)} without an end`;
  const inc = incident.active ? ` · incident ${incident.timer} · ${incident.levelText}` : '';
  return `${state}${inc} · session ${v.id}${other}`;
}

export function wallboardModel(rb: Runbook, s: SessionState, session: SessionView, now: number): WallboardModel {
  const incident = incidentModel(rb, s, now, session.live);
  return {
    status: statusWord(s, session.live),
    title: `${s.runbook} ${s.version} → ${s.environment}`,
    sessionLine: sessionLine(session, incident),
    charts: chartModels(rb, s),
    armed: s.guard.armed,
    triggers: triggerRows(rb, s, now),
    stages: stageRows(s, now),
    flags: flagRows(rb, s),
    incident,
    output: outputSource(s, now),
  };
}

/** What R says: the wallboard never rolls back, and where to. */
export function readOnlyMessage(rollbackCommand: string): string[] {
  return [
    'This wallboard is READ-ONLY: it never rolls back.',
    '',
    `To roll back, run:  ${rollbackCommand}`,
    'or press R in the cockpit that drives the release.',
  ];
}

/**
 * The session time now: a live session's clock runs on (wall now, mapped through its last event's
 * wall and session times); an ended or stopped one stands still at its last event.
 */
export function sessionNow(s: SessionState, live: boolean, last: { at: number; t: number } | undefined, wallNow: number): number {
  if (!live || !last) return s.now;
  return Math.max(s.now, last.t + (wallNow - last.at));
}
