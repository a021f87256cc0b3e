/** What a runner is, to the session: a step request, its handle, its result (runner.ts re-exports them). */
import type { Invocation } from '../runbook/placeholders.js';

export type StepRequest = {
  readonly key: string;
  readonly invocation: Invocation;
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly graceMs: number;
  readonly logPath: string;
  readonly secretNames: readonly string[];
};

export type StepResult = {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  readonly durationMs: number;
  /** Why it failed, in words: "exit 1", "timed out after 10s", "not executable: ./x.sh". */
  readonly reason?: string;
  /** Set when the step never started (missing or non-executable program). */
  readonly notStarted?: boolean;
};

export type StepHandle = {
  readonly key: string;
  readonly logPath: string;
  readonly startedAt: number;
  readonly done: Promise<StepResult>;
  /** Subscribes to batches of new log lines (stamped as in the log). */
  onLines(cb: (lines: readonly string[]) => void): () => void;
  /** Interrupts the step: SIGTERM to its group, SIGKILL after the grace period. */
  kill(): void;
  /** Hands over at once every whole line its log holds now (a follower, before it shows the step's end). */
  readonly drain?: () => void;
};

export interface Runner {
  start(req: StepRequest): StepHandle;
  /**
   * Follows a step another cockpit started (that cockpit died; the step's supervisor did not): its
   * log from the start, its end from its status file.
   */
  attach?(req: AttachRequest): StepHandle;
  /**
   * Why a command could not start from `cwd` (its program missing or not executable, the cwd
   * unusable), or undefined when it can: the guardrail self-test asks before the release.
   */
  programProblem(program: string | undefined, cwd: string): string | undefined;
  /** The session has ended: whatever the runner keeps for steps to come (its spares) ends now. Steps running go on. */
  close?(): void;
}

export type AttachRequest = { readonly key: string; readonly logPath: string };
