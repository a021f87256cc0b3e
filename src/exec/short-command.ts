/**
 * A short-lived command whose output is captured, not streamed (a metrics sample, a flag change or
 * read): argv only (never a shell string), stdin closed, output bounded by `maxBuffer`, a timeout
 * that ends it (SIGTERM, SIGKILL after `graceMs`) and one line saying why it failed. Everything the
 * command started ends with it, what left its process group too (exec/descendants.ts), and its
 * deadline never waits for a pipe a descendant holds. The one engine is exec/spawn-command.ts
 * (node's spawn; execa was the flag provider's until #19: it waits for every pipe to close, so a
 * `setsid` child holding stdout held `cockpit flag` past its timeout). Steps are not run here: they
 * are journalled, streamed to the screen and outlive a crash (exec/runner.ts).
 */
import type { Invocation } from '../runbook/placeholders.js';

export const MAX_OUTPUT_CHARS = 1024 * 1024;

export type ShortCommand = {
  readonly invocation: Invocation;
  readonly cwd: string;
  /** Added to the cockpit's environment (and the invocation's own). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** The caller's deadline: an abort ends the command and is reported as its timeout. */
  readonly signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL once the timeout is reached. */
  readonly graceMs?: number;
  readonly maxBuffer?: number;
  /** Where a failure's last line is taken from: stderr only, or stdout when stderr is empty. */
  readonly lastLine?: 'stderr' | 'stderr-or-stdout';
};

export type ShortResult = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly error: string };
