/**
 * Every fact of a release session is one of these events. The controller appends each to the
 * journal before it is applied; the state anyone shows is the fold of the events (reduce.ts).
 *
 * Runnable things share the step.* events: pre-flight checks run in the pseudo-stage `preflight`,
 * rollback steps in `rollback`, emergency actions in `emergency`, escalation commands in
 * `escalation`, experiment commands in `experiment`, a flag's deploy in `flag`.
 */

export const PREFLIGHT = 'preflight';
export const ROLLBACK = 'rollback';
export const EMERGENCY = 'emergency';
export const ESCALATION = 'escalation';
export const EXPERIMENT = 'experiment';
/** A flag's deploy (the code with the flag off, before its ramp). */
export const FLAG = 'flag';

const PSEUDO_STAGES: ReadonlySet<string> = new Set([PREFLIGHT, ROLLBACK, EMERGENCY, ESCALATION, EXPERIMENT, FLAG]);

/** A step's {stage} placeholder: its stage's id, or the environment for a pseudo-stage (a rollback in production says production). */
export function stageValue(stageId: string, environment: string): string {
  return PSEUDO_STAGES.has(stageId) ? environment : stageId;
}

export type Outcome = 'released' | 'failed' | 'rolled-back' | 'rollback-failed' | 'interrupted' | 'aborted';
export type RollbackSource = 'operator' | 'trigger' | 'on-failure' | 'command';
export type SignalAction = 'interrupt' | 'rollback-goes-on' | 'abandon-rollback' | 'ignored' | 'keep-guarding' | 'leave-unguarded' | 'hand-over';
/** Who asked to leave the guardrails: the operator in a dialog, or a signal. */
export type LeaveBy = 'operator' | 'SIGINT' | 'SIGTERM' | 'SIGHUP';

import type { ExperimentFigures } from './figures.js';
import type { DecisionRecord } from './decision-record.js';

export type FlagActor = 'operator' | 'auto' | 'rollback' | 'command' | 'runbook';

export type ProbeReading = { readonly status?: number; readonly latencyMs?: number; readonly error?: string };
/** A baseline's window of history: from, to (wall ms) and the query_range step. */
export type BaselineWindow = { readonly from: number; readonly to: number; readonly stepMs: number };
export type CriterionResult = { readonly metric: string; readonly op: 'below' | 'above'; readonly threshold: number; readonly value: number | null; readonly ok: boolean };

/** One rollback's risk-register entry (the seed's risk-incident-sync): what went wrong, how it ended. */
export type RiskEntry = {
  /** When the rollback started (ISO, UTC). */
  readonly date: string;
  readonly session: string;
  readonly runbook: string;
  readonly version: string;
  readonly environment: string;
  /** The risk that materialised: `trigger <id>`, or who asked for the rollback. */
  readonly risk: string;
  readonly reason: string;
  /** Time to restore (src/history/restore-time.ts); null when the rollback was not verified. */
  readonly restoreMs: number | null;
  readonly outcome: 'rolled-back' | 'rollback-failed';
  readonly journal: string;
};

/** The end-of-release review: the seed's celebration checklist and the learnings line. */
export type ReleaseReview = {
  readonly outcome: Outcome;
  /** Which of the seed's checklists: a release that shipped, one that rolled back, or none. */
  readonly checklist: 'shipped' | 'rolled-back' | 'none';
  readonly items: readonly string[];
  /** One sentence of facts from the session: what failed, what fired, the time to restore. */
  readonly learnings: string;
  /** What the operator added (`--learning`). */
  readonly note?: string;
};

export type Troubleshoot = { readonly title: string; readonly hint?: string; readonly commands: readonly string[] };

/** A stale .cockpit/lock taken over: the pid it named, and why that pid held nothing (gone, or reused). */
export type LockTakenOver = { readonly pid?: number; readonly why: string };

/**
 * The team's lease on the git remote (team: in the runbook): the ref and the fencing token taken
 * (and whose expired lease it took over), or why only this machine's lock was taken (--local-lock).
 */
export type TeamLease =
  | { readonly remote: string; readonly ref: string; readonly token: number; readonly tookOver?: string }
  | { readonly remote: string; readonly ref: string; readonly localOnly: string };

export type EventBody =
  /** A session began: its id, the runbook (name and file), the version it releases, the environment, and whether it runs on the screen or headless. */
  | {
      readonly type: 'session.started';
      readonly sessionId: string;
      readonly runbook: string;
      readonly file: string;
      readonly version: string;
      readonly environment: string;
      readonly mode: 'tui' | 'headless';
      /** The lock was taken over from a holder that is gone: its pid, and why it held nothing (lock-holder.ts). */
      readonly lockTakenOver?: LockTakenOver;
      /** The team's lease (team: in the runbook), or why this machine's lock only. */
      readonly teamLease?: TeamLease;
    }
  /**
   * The plan that runs (at session start): a Markdown runbook's content hash as reviewed or as
   * accepted before, the choices made (choice id → option id) and the inputs' values (masked when
   * `secrets:` names them). `how`: reviewed now, recorded earlier, or given on the command line.
   */
  | {
      readonly type: 'plan.accepted';
      readonly hash?: string;
      readonly how: 'reviewed' | 'recorded' | 'given';
      readonly choices: Readonly<Record<string, string>>;
      readonly inputs: Readonly<Record<string, string>>;
    }
  /** At the start: steps whose program cannot be found or run (each with its stage and why); absent when every program is there. */
  | { readonly type: 'programs.checked'; readonly missing: readonly { readonly stage: string; readonly step: string; readonly reason: string }[] }
  /**
   * A manual item ticked: a pre-flight item (no `stage`), or a stage's manual step the stage waits
   * at (`stage` names it). `by`: the operator on the screen, or --confirm / --yes; `at` says when.
   */
  | { readonly type: 'check.ticked'; readonly id: string; readonly by: 'operator' | 'confirm'; readonly stage?: string }
  /** A ticked pre-flight item unticked by the operator. */
  | { readonly type: 'check.unticked'; readonly id: string }
  /** Every pre-flight check passed and every manual item is ticked: the stages may start. */
  | { readonly type: 'preflight.passed' }
  /** The pre-flight did not pass: the ids of the checks that failed, the titles of the manual items not confirmed. */
  | { readonly type: 'preflight.failed'; readonly failed: readonly string[]; readonly unticked: readonly string[] }
  /** A stage started. */
  | { readonly type: 'stage.started'; readonly stage: string }
  /** A step started (attempt 1, or a retry's number): the command as written and, for an argv step, what ran. */
  | {
      readonly type: 'step.started';
      readonly stage: string;
      readonly step: string;
      readonly attempt: number;
      readonly command: string;
      /** The exact argv that ran (after placeholders). */
      readonly argv?: readonly string[];
      /** The step's output log (stamped lines, secrets masked). */
      readonly logPath?: string;
      /**
       * A multi-command shell step run as one wrapped script: how many commands it tracks (each
       * start comes as a step.command). Absent when it runs untracked (any other step, or a block
       * whose wrapped script would not parse: it then runs as one).
       */
      readonly commands?: number;
    }
  /**
   * Command `index` (0-based) of a tracked block step started, at `startedAt` (wall ms, from the
   * step's progress file). The failing command of a failed block is the last one started.
   */
  | { readonly type: 'step.command'; readonly stage: string; readonly step: string; readonly index: number; readonly startedAt: number }
  /** A stage reached a manual step: it waits for the operator's tick (check.ticked with its stage), or a skip. */
  | { readonly type: 'step.waiting'; readonly stage: string; readonly step: string; readonly attempt: number }
  /** A step printed `lines` new lines (the lines themselves: `step.line` under --json, the step's log on disk). */
  | { readonly type: 'step.output'; readonly stage: string; readonly step: string; readonly lines: number }
  /** A step ended: passed (`ok`), or failed with its exit code, signal, timeout or interruption and a `reason`; `notStarted` when it could not start. */
  | {
      readonly type: 'step.finished';
      readonly stage: string;
      readonly step: string;
      readonly ok: boolean;
      /** null when it ended by a signal or never started. */
      readonly exitCode: number | null;
      /** The signal that ended it (`SIGTERM`, `SIGKILL`), or null. */
      readonly signal: string | null;
      /** It ran past its `timeout:` and was stopped. */
      readonly timedOut: boolean;
      /** Stopped by Ctrl+C, a signal or a rollback. */
      readonly interrupted: boolean;
      readonly durationMs: number;
      /** Why it failed, in words ("exit 1", "timed out after 10s", "not executable: ./x.sh"). */
      readonly reason?: string;
      /** It never started (a missing or non-executable program). */
      readonly notStarted?: boolean;
      /** The last non-empty output line of a failed step (timestamp stripped). */
      readonly lastLine?: string;
      /** What a step that passed has to say (a flag step that left a higher flag as it is). */
      readonly note?: string;
      readonly troubleshooting?: Troubleshoot;
    }
  /** A failed step runs again: `automatic` when its `retries:` did it, else the operator (r). */
  | { readonly type: 'step.retrying'; readonly stage: string; readonly step: string; readonly attempt: number; readonly automatic: boolean }
  /** The operator skipped a failed step, or a manual step the stage waits at, with the reason typed. */
  | { readonly type: 'step.skipped'; readonly stage: string; readonly step: string; readonly reason: string }
  /** A stage before the one --stage starts at, skipped, with why. */
  | { readonly type: 'stage.skipped'; readonly stage: string; readonly reason: string }
  /** A stage ran past its time budget (`budget:`): how long it has run and the budget, in ms. It goes on. */
  | { readonly type: 'stage.over-budget'; readonly stage: string; readonly elapsedMs: number; readonly budgetMs: number }
  /** A stage passed: every step, and its success criteria. */
  | { readonly type: 'stage.passed'; readonly stage: string; readonly durationMs: number }
  /** A stage failed at `step` (empty when its criteria failed or a trigger broke), with the reason. */
  | { readonly type: 'stage.failed'; readonly stage: string; readonly step: string; readonly reason: string }
  /** The rollback began: why, and who asked (the operator, a trigger, the on-failure policy, `cockpit rollback`). */
  | {
      readonly type: 'rollback.started';
      readonly reason: string;
      readonly source: RollbackSource;
      /** Session time the incident began: the first breaching sample, or the rollback request. */
      readonly incidentAt?: number;
      /** A trigger's rollback: why it fired (absent for other rollbacks, and in older journals). */
      readonly record?: DecisionRecord;
    }
  /** The rollback steps ended: all passed (`ok`), or the step that failed and why. */
  | { readonly type: 'rollback.finished'; readonly ok: boolean; readonly step?: string; readonly reason?: string; readonly durationMs: number }
  /** Ctrl+C (or a stop) interrupted the session, at the step that was running if any. */
  | { readonly type: 'session.interrupted'; readonly stage?: string; readonly step?: string }
  /**
   * A signal a headless cockpit received and what it did: interrupt (the running step), the
   * rollback goes on (the first Ctrl+C during one), abandon the rollback (a second within 2 s: the
   * incident still opens), ignored (SIGHUP, a closed terminal: the run goes on).
   */
  | { readonly type: 'signal.received'; readonly signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP'; readonly action: SignalAction }
  /**
   * The team's lease on the environment was lost: a renewal found another cockpit holding it (this
   * one could not renew in time: asleep, cut off) or the remote refused. This cockpit no longer
   * holds the environment; another may release it now. Its steps read it in the file
   * COCKPIT_LEASE_FILE names ("lost: why").
   */
  | { readonly type: 'lease.lost'; readonly why: string }
  /**
   * This cockpit left the session to a background guard (session/leave-policy.ts): a detached
   * headless cockpit (pid, its output in `log`) takes the session over, keeps sampling and rolls
   * back on its own. `watching`: what the guardrails watched, in words.
   */
  | { readonly type: 'guard.handed-over'; readonly pid: number; readonly log: string; readonly by: LeaveBy; readonly watching: string }
  /** The operator left with nothing watching (typed confirmation, or a second signal headless): `watching` is what stopped. */
  | { readonly type: 'guard.left-unguarded'; readonly by: LeaveBy; readonly watching: string }
  /**
   * A cockpit took over a session whose cockpit died (its lock's holder gone): steps still running
   * under their supervisors are followed again, finished ones recorded.
   */
  | { readonly type: 'session.resumed'; readonly pid: number; readonly previousPid?: number; readonly mode: 'tui' | 'headless'; readonly running: readonly { readonly stage: string; readonly step: string }[] }
  // ── guardrails: metrics, probes, triggers, escalation ──
  /** One sample of every metric series: its value (null: none) or its error, by series name, at tick `time` (session ms). */
  | {
      readonly type: 'metric.sampled';
      readonly tick: number;
      readonly time: number;
      readonly values: Readonly<Record<string, number | null>>;
      readonly errors: Readonly<Record<string, string>>;
      /** Series whose error is a configuration error (the query's fault), not no data; absent when none. */
      readonly config?: readonly string[];
    }
  /** One round of HTTP probes: each probe's status and latency, or its error. */
  | { readonly type: 'probe.sampled'; readonly tick: number; readonly time: number; readonly results: Readonly<Record<string, ProbeReading>> }
  /**
   * The baseline of drop/rise bands. From history (`window`, wall ms: a prometheus source's
   * query_range over the window before the release, taken once when the session starts; `points`
   * per series), or the mean of a stage's last samples when it starts (`stage`). A null value: none
   * (that series falls back to its samples when a stage starts).
   */
  | {
      readonly type: 'baseline.taken';
      readonly stage?: string;
      readonly values: Readonly<Record<string, number | null>>;
      readonly window?: BaselineWindow;
      readonly points?: Readonly<Record<string, number>>;
      readonly errors?: Readonly<Record<string, string>>;
    }
  /** The source has no history (http-json, command): the baseline is the mean of the last samples when each stage starts. */
  | { readonly type: 'baseline.from-samples'; readonly why: string; readonly samples: number }
  /** The triggers were armed (they may roll back from now on) or disarmed, with why. */
  | { readonly type: 'guard.armed'; readonly armed: boolean; readonly why: string }
  /**
   * The guardrail self-test failed and the release goes on without it: the operator typed the
   * confirmation on the screen, or `--unguarded` was given (headless). `reason`: what failed. The
   * session shows UNGUARDED from here on (a fold of this event: also after a resume).
   */
  | { readonly type: 'guard.unguarded'; readonly by: 'operator' | 'flag'; readonly reason: string }
  /** A trigger lost its data and its policy is hold (`holding`: monitors and ramps pause), or the hold was lifted. */
  | {
      readonly type: 'guard.hold';
      readonly holding: boolean;
      readonly triggers: readonly string[];
      /** How long it may hold (metrics.holdLimit) before the stage fails for lack of data. */
      readonly limitMs?: number;
    }
  /** A trigger's condition is breached since `since` (session ms); it fires if it stays breached for its `for:`. */
  | { readonly type: 'trigger.pending'; readonly trigger: string; readonly since: number; readonly value: number }
  /** A pending trigger's condition is no longer breached. */
  | { readonly type: 'trigger.reset'; readonly trigger: string; readonly value: number }
  /** A trigger fired: its condition held for its whole window. The rollback follows (rollback.started, source trigger). */
  | {
      readonly type: 'trigger.fired';
      readonly trigger: string;
      readonly since: number;
      readonly value: number;
      /** The samples of its window: [tick time, value or null for a miss]. */
      readonly window: readonly (readonly [number, number | null])[];
      readonly reason: string;
      /** Why, in full: query, value, comparator, threshold, window (absent in older journals). */
      readonly record?: DecisionRecord;
    }
  /** A shadow trigger would have fired (it never rolls back): its window, as trigger.fired carries it. */
  | {
      readonly type: 'trigger.shadow-fired';
      readonly trigger: string;
      readonly since: number;
      readonly value: number;
      readonly window: readonly (readonly [number, number | null])[];
      readonly reason: string;
    }
  /** A trigger had no data for `misses` samples in a row; `policy` says what that does (hold, rollback, ignore). */
  | { readonly type: 'trigger.nodata'; readonly trigger: string; readonly misses: number; readonly policy: 'hold' | 'rollback' | 'ignore'; readonly error?: string }
  /** A trigger that had no data has data again. */
  | { readonly type: 'trigger.data-back'; readonly trigger: string }
  /**
   * A series an armed trigger watches has a configuration error (a broken query, several series, a
   * range vector, not a number at its pointer): the running stage step fails at once with `reason`
   * ("trigger error-rate-above: query "…" is broken: bad_data: …"), no hold.
   */
  | { readonly type: 'trigger.broken'; readonly trigger: string; readonly metric: string; readonly query?: string; readonly error: string; readonly reason: string }
  /** A stage's success criteria were checked at its end: each metric against its threshold. */
  | { readonly type: 'criteria.checked'; readonly stage: string; readonly results: readonly CriterionResult[] }
  /**
   * Verify passed. `restoreMs`: from the incident's start, without the time the cockpit was
   * stopped (`pausedMs`, absent when it was not: history/restore-time.ts).
   */
  | { readonly type: 'rollback.verified'; readonly restoreMs: number; readonly pausedMs?: number }
  /** An escalation level of an open incident started: its number, title and what it does (a command, a webhook, a reminder). */
  | { readonly type: 'escalation.started'; readonly level: number; readonly title: string; readonly action: string }
  /** An escalation level's action ended: done, or failed with its error after `attempts` tries. */
  | { readonly type: 'escalation.finished'; readonly level: number; readonly ok: boolean; readonly error?: string; readonly attempts: number }
  /**
   * A `notify:` target was told of a rollback event (`on`: rollback, verified, failed): sent, or
   * why not (an HTTP error, a refused connection, its variable not set) after `attempts` tries.
   */
  | { readonly type: 'notification.finished'; readonly target: string; readonly on: 'rollback' | 'verified' | 'failed'; readonly ok: boolean; readonly attempts: number; readonly status?: number; readonly error?: string }
  /** Levels still due when the cockpit left the incident (quit, a headless session's end): they will not run. */
  | { readonly type: 'escalation.dropped'; readonly levels: readonly { readonly level: number; readonly title: string; readonly dueAt: number }[]; readonly why: string }
  // ── feature flags ──
  /**
   * A flag's percentage as read from its provider (null, with `error`, when it could not be read).
   * `served`: what users get, where the backend can tell; `says`: the provider's words for it (both absent in older journals).
   */
  | { readonly type: 'flag.read'; readonly flag: string; readonly percent: number | null; readonly error?: string; readonly served?: number; readonly says?: string }
  /** A flag change began: from (null: unknown) to a percentage, forced or not, and who asked. */
  | { readonly type: 'flag.applying'; readonly flag: string; readonly from: number | null; readonly to: number; readonly forced: boolean; readonly by: FlagActor }
  /** A flag change was written: the percentage read back, the one asked for, and what users are served where the backend can tell. */
  | { readonly type: 'flag.set'; readonly flag: string; readonly percent: number; readonly requested: number; readonly forced: boolean; readonly by: FlagActor; readonly served?: number; readonly says?: string }
  /** A flag change could not be written (the provider's error). */
  | { readonly type: 'flag.failed'; readonly flag: string; readonly requested: number; readonly error: string; readonly by: FlagActor }
  /** A flag step up was refused before anything was written (a trigger pending or fired, no data, a ramp rule), with why. */
  | { readonly type: 'flag.refused'; readonly flag: string; readonly from: number | null; readonly to: number; readonly reason: string }
  /** An automatic ramp counts its hold time to the next step (`counting`), or waits (`paused`, with why). */
  | { readonly type: 'flag.auto'; readonly flag: string; readonly state: 'counting' | 'paused'; readonly reason?: string }
  /** An experiment's figures were fetched: per-variant rates, lift with its 95 % CI, p-value, sample ratio check. */
  | { readonly type: 'experiment.sampled'; readonly id: string; readonly figures: ExperimentFigures }
  /** The operator concluded an experiment: the winner, the decision and a one-line summary of the figures. */
  | { readonly type: 'experiment.concluded'; readonly id: string; readonly winner: string; readonly decision: string; readonly summary: string; readonly note?: string }
  /** The operator acknowledged the open incident (a); escalation runs on until the rollback is verified. */
  | { readonly type: 'incident.acknowledged' }
  /** The incident is over (its rollback verified and acknowledged): no further escalation level runs. */
  | { readonly type: 'incident.resolved' }
  /** The session ended, with its outcome (`cockpit run` exits 0 released, 3 rolled back, 130 interrupted, 1 otherwise). */
  | { readonly type: 'session.ended'; readonly outcome: Outcome }
  /**
   * The journal could not be written (a full disk, an I/O error): the release goes on, the events
   * wait in memory and go to the journal, in order, once it can be written again (this one too).
   */
  | { readonly type: 'journal.unwritable'; readonly error: string }
  /**
   * The cockpit process was stopped (SIGSTOP, Ctrl+Z, a VM pause) from session time `from` to `to`
   * (`ms` long): no sample was taken then, none is made up for it (core/pause.ts). Pending trigger
   * windows start again from real samples after it; restore time leaves it out.
   */
  | { readonly type: 'session.paused'; readonly from: number; readonly to: number; readonly ms: number }
  // ── release records (src/history; journalled by src/session/records.ts) ──
  /** The commit the release deploys (HEAD of the runbook's repository when its first stage started). */
  | { readonly type: 'release.commit'; readonly sha: string }
  /** A rollback's risk-register entry was appended to a file or handed to a command (`via`), or that failed (`error`). */
  | { readonly type: 'risk.registered'; readonly ok: boolean; readonly via: 'file' | 'run'; readonly target: string; readonly error?: string; readonly entry: RiskEntry }
  /** The end-of-release review: the outcome's checklist, the learnings line, and the operator's note. */
  | ({ readonly type: 'release.reviewed' } & ReleaseReview);

export type EventType = EventBody['type'];

/**
 * An event as journalled: `at` is wall time (ms since epoch), `t` monotonic ms since session start.
 * (Sample events carry their scheduled tick as `time`, in the same base as `t`.)
 */
export type SessionEvent = EventBody & {
  /** Wall time: ms since the epoch. */
  readonly at: number;
  /** Monotonic ms since the session started. */
  readonly t: number;
};

export const EXIT_CODES: Record<Outcome, number> = {
  released: 0,
  failed: 1,
  'rolled-back': 3,
  'rollback-failed': 1,
  interrupted: 130,
  aborted: 1,
};
