/** What the cockpit tells a step supervisor, and what the supervisor reports back. */

/**
 * The files of the step whose log is `logPath`, all in its session directory: the log, its status
 * file (and the temporary one renamed over it), its spec, a tracked block's progress file, the line it
 * is writing now (live-line.ts, and its temporary file). None may be a symlink (safe-open.ts).
 */
export function stepFiles(logPath: string): string[] {
  const base = logPath.replace(/\.log$/, '');
  return [logPath, `${base}.status.json`, `${base}.status.json.tmp`, `${base}.spec.json`, `${base}.progress`, `${logPath}.live`, `${logPath}.live.tmp`];
}

export type SupervisorSpec = {
  readonly file: string;
  /** An argument holding a secret is written masked here: the real ones come with the hand-over. */
  readonly args: readonly string[];
  readonly cwd: string;
  /**
   * Added to the supervisor's own environment. A secret (a variable named in secretNames, or a
   * value holding a secret) is written here as •••• only: its value comes with the hand-over.
   */
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  readonly statusPath: string;
  readonly timeoutMs?: number;
  readonly graceMs: number;
  /** Names of environment variables whose values are masked in the log. */
  readonly secretNames: readonly string[];
};

/**
 * What the supervisor gets beside the spec file, never on disk: a spare over its stdin, a cold
 * supervisor in its environment (HANDOVER_ENV, removed before the step starts). The secret env
 * values and arguments; the whole spec when its file could not be written (a full disk).
 */
export type Handover = {
  readonly env?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  readonly spec?: SupervisorSpec;
};
export const HANDOVER_ENV = 'COCKPIT_SUPERVISOR_HANDOVER';

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
      /** Why the step's log could not be written (ENOSPC, EFBIG…), and how many bytes of its output it lost. */
      readonly logError?: { readonly code: string; readonly lostBytes: number };
    };
