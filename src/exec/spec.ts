/** What the cockpit tells a step supervisor, and what the supervisor reports back. */

export type SupervisorSpec = {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Added to the supervisor's own environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  readonly statusPath: string;
  readonly timeoutMs?: number;
  readonly graceMs: number;
  /** Names of environment variables whose values are masked in the log. */
  readonly secretNames: readonly string[];
};

export type StepStatus =
  | { readonly state: 'running'; readonly supervisorPid: number; readonly pid: number | null; readonly startedAt: number }
  | {
      readonly state: 'exited';
      readonly supervisorPid: number;
      readonly pid: number | null;
      readonly startedAt: number;
      /** When the log was complete (the rest of the output written out after the exit). */
      readonly endedAt: number;
      /** When the step's process exited (its own wall time ends here). */
      readonly exitedAt?: number;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly timedOut: boolean;
      readonly interrupted: boolean;
      readonly error?: string;
    };
