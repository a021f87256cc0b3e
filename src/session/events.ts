/**
 * Every fact of a release session is one of these events. The controller appends each to the
 * journal before it is applied; the state anyone shows is the fold of the events (reduce.ts).
 *
 * Runnable things share the step.* events: pre-flight checks run in the pseudo-stage `preflight`,
 * rollback steps in the pseudo-stage `rollback`, emergency actions in `emergency`.
 */

export const PREFLIGHT = 'preflight';
export const ROLLBACK = 'rollback';
export const EMERGENCY = 'emergency';

export type Outcome = 'released' | 'failed' | 'rolled-back' | 'rollback-failed' | 'interrupted' | 'aborted';
export type RollbackSource = 'operator' | 'trigger' | 'on-failure' | 'command';

export type Troubleshoot = { readonly title: string; readonly hint?: string; readonly commands: readonly string[] };

export type EventBody =
  | {
      readonly type: 'session.started';
      readonly sessionId: string;
      readonly runbook: string;
      readonly file: string;
      readonly version: string;
      readonly environment: string;
      readonly mode: 'tui' | 'headless';
    }
  | { readonly type: 'check.ticked'; readonly id: string; readonly by: 'operator' | 'confirm' }
  | { readonly type: 'check.unticked'; readonly id: string }
  | { readonly type: 'preflight.passed' }
  | { readonly type: 'preflight.failed'; readonly failed: readonly string[]; readonly unticked: readonly string[] }
  | { readonly type: 'stage.started'; readonly stage: string }
  | {
      readonly type: 'step.started';
      readonly stage: string;
      readonly step: string;
      readonly attempt: number;
      readonly command: string;
      /** The exact argv that ran (after placeholders). */
      readonly argv?: readonly string[];
      readonly logPath?: string;
    }
  | { readonly type: 'step.output'; readonly stage: string; readonly step: string; readonly lines: number }
  | {
      readonly type: 'step.finished';
      readonly stage: string;
      readonly step: string;
      readonly ok: boolean;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly timedOut: boolean;
      readonly interrupted: boolean;
      readonly durationMs: number;
      readonly reason?: string;
      readonly notStarted?: boolean;
      readonly troubleshooting?: Troubleshoot;
    }
  | { readonly type: 'step.retrying'; readonly stage: string; readonly step: string; readonly attempt: number; readonly automatic: boolean }
  | { readonly type: 'step.skipped'; readonly stage: string; readonly step: string; readonly reason: string }
  | { readonly type: 'stage.skipped'; readonly stage: string; readonly reason: string }
  | { readonly type: 'stage.over-budget'; readonly stage: string; readonly elapsedMs: number; readonly budgetMs: number }
  | { readonly type: 'stage.passed'; readonly stage: string; readonly durationMs: number }
  | { readonly type: 'stage.failed'; readonly stage: string; readonly step: string; readonly reason: string }
  | { readonly type: 'rollback.started'; readonly reason: string; readonly source: RollbackSource }
  | { readonly type: 'rollback.finished'; readonly ok: boolean; readonly step?: string; readonly reason?: string; readonly durationMs: number }
  | { readonly type: 'session.interrupted'; readonly stage?: string; readonly step?: string }
  | { readonly type: 'session.ended'; readonly outcome: Outcome };

export type EventType = EventBody['type'];

/** An event as journalled: `at` is wall time (ms since epoch), `t` monotonic ms since session start. */
export type SessionEvent = EventBody & { readonly at: number; readonly t: number };

export const EXIT_CODES: Record<Outcome, number> = {
  released: 0,
  failed: 1,
  'rolled-back': 3,
  'rollback-failed': 1,
  interrupted: 130,
  aborted: 1,
};
