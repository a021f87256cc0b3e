/** What a live session (controller.ts) is opened with. */
import type { Runner } from '../exec/runner.js';
import type { PlaceholderValues } from '../runbook/placeholders.js';
import type { Runbook } from '../runbook/types.js';
import type { Clock } from '../core/clock.js';
import type { EventBody, LockTakenOver, TeamLease, SessionEvent } from '../core/events.js';
import type { GuardDeps } from '../guard/guard.js';
import type { EscalationDeps } from '../guard/escalation.js';
import type { MetricSource } from '../metrics/sources/source.js';
import type { FlagProvider } from '../flags/providers/provider.js';
import type { Journal } from './journal.js';

export type FailurePolicy = 'stop' | 'rollback' | 'wait';

export type ControllerOptions = {
  readonly runbook: Runbook;
  readonly runner: Runner;
  readonly journal: Journal;
  readonly sessionId: string;
  readonly sessionDir: string;
  readonly values: PlaceholderValues;
  readonly mode: 'tui' | 'headless';
  readonly clock?: Clock;
  /** Run stage after stage without waiting for the operator (headless). */
  readonly autoAdvance?: boolean;
  /** What a failed stage does: stop the release, roll back, or wait for the operator (TUI). */
  readonly onFailure?: FailurePolicy;
  /** Manual items (pre-flight, stages' manual steps) confirmed up front (by title or id); `yes` confirms all. */
  readonly confirm?: readonly string[];
  readonly yes?: boolean;
  /** Run from this stage; earlier stages are recorded as skipped. */
  readonly fromStage?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Replace how the guard fetches metrics and probes (tests); by default from the runbook. */
  readonly guard?: Partial<Pick<GuardDeps, 'source' | 'probe'>>;
  /** Replace where experiment figures come from (tests); by default the runbook's source. */
  readonly experimentSource?: MetricSource;
  /** Replace the flag provider (tests); by default the runbook's. */
  readonly flagProvider?: FlagProvider;
  /**
   * The journal of a session whose cockpit died: the state is its fold, and start() resumes it
   * (follows the steps still running, carries on) instead of starting anew.
   */
  readonly resume?: readonly SessionEvent[];
  /** The pid of the cockpit that drove the resumed session (from its lock), for the record. */
  readonly previousPid?: number;
  /** A stale lock taken over for this session (journalled with session.started). */
  readonly lockTakenOver?: LockTakenOver;
  /** The team's lease taken before the session (cli/team.ts), for session.started. */
  readonly teamLease?: TeamLease;
  /** The team's lease (cli/team.ts): called with how to tell the session it was lost (journalled as lease.lost). */
  readonly onLeaseLost?: (tell: (why: string) => void) => void;
  /** Replace how escalation posts webhooks (tests). */
  readonly escalation?: Partial<Pick<EscalationDeps, 'post' | 'retryDelayMs'>>;
  /** The plan this session runs (plan-review.ts planAcceptedEvent): journalled right after session.started. */
  readonly plan?: Extract<EventBody, { type: 'plan.accepted' }>;
  /** Go on past a failed guardrail self-test (headless `--unguarded`): journalled as guard.unguarded. */
  readonly unguarded?: boolean;
};
