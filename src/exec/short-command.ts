/**
 * Runs a short-lived command whose output is captured, not streamed (a flag change or read),
 * through execa: argv only (never a shell string), stdin closed, output bounded by `maxBuffer`, a
 * timeout that ends it (SIGTERM, SIGKILL after `graceMs`), `reject: false` and one line saying why
 * it failed. The command gets a process group of its own, and the group ends with the command:
 * what it left running (a shell's children, a daemon it forked) is killed when its first process
 * exits, on a timeout too. exec/spawn-command.ts is the same contract on node's spawn, for the
 * metrics source (its first sample is due as the session starts: see there). Steps are not run
 * here: they are journalled, streamed to the screen and outlive a crash (exec/runner.ts).
 */
import { MAX_TIMER_MS } from '../core/clock.js';
import type { Invocation } from '../runbook/placeholders.js';
import { killGroup, lastLineOf } from './group.js';

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

type Failed = { timedOut: boolean; isCanceled: boolean; isMaxBuffer: boolean; exitCode?: number; signal?: string; originalMessage?: string; shortMessage?: string };

/** Why a command that ran failed, in a few words. */
function reasonOf(r: Failed, timeoutMs: number, maxBuffer: number): string {
  if (r.timedOut || r.isCanceled) return `timed out after ${timeoutMs} ms`;
  if (r.isMaxBuffer) return `printed more than ${Math.round(maxBuffer / 1024)} KiB: stopped`;
  if (r.exitCode !== undefined) return `exit ${r.exitCode}`;
  if (r.signal) return `killed by ${r.signal}`;
  return r.originalMessage ?? r.shortMessage ?? 'failed';
}

let loading: Promise<typeof import('execa')> | undefined;

/**
 * Starts loading execa (30-75 ms) without waiting for it: called when a source or provider that
 * runs commands is made, as the session opens, so that the first sample does not pay for it
 * within its deadline. Never at start-up otherwise: a runbook without such commands never loads it.
 */
export function loadExeca(): Promise<typeof import('execa')> {
  loading ??= import('execa');
  return loading;
}

export async function runShortCommand(c: ShortCommand): Promise<ShortResult> {
  const { execa } = await loadExeca();
  const { file, args, env } = c.invocation;
  const maxBuffer = c.maxBuffer ?? MAX_OUTPUT_CHARS;
  const sub = execa(file, [...args], {
    cwd: c.cwd,
    env: { ...env, ...c.env },
    stdin: 'ignore',
    detached: true,
    // a timer past 2^31 ms would fire at once
    timeout: Math.min(c.timeoutMs, MAX_TIMER_MS),
    killSignal: 'SIGTERM',
    forceKillAfterDelay: c.graceMs ?? 1000,
    cancelSignal: c.signal,
    maxBuffer,
    reject: false,
  });
  // The command's first process is what execa waits on and signals: once it has exited (by
  // itself, on the timeout, on the cancel), the rest of its group goes too. That also closes the
  // output pipes a background child held open, which execa waits for before it resolves.
  sub.once('exit', () => killGroup(sub.pid));
  const r = await sub;
  killGroup(sub.pid); // a spawn that failed half-way, or a group that outlived the exit event
  if (!r.failed) return { ok: true, stdout: r.stdout };
  if (r.code === 'ENOENT' || r.code === 'EACCES') {
    if (/The "cwd" option is invalid/.test(r.originalMessage ?? '')) return { ok: false, error: `working directory not found: ${c.cwd}` };
    return { ok: false, error: r.code === 'ENOENT' ? `command not found: ${file}` : `not executable: ${file}` };
  }
  const why = reasonOf(r, c.timeoutMs, maxBuffer);
  const last = lastLineOf(r.stderr) || (c.lastLine === 'stderr-or-stdout' && !r.isMaxBuffer ? lastLineOf(r.stdout) : '');
  return { ok: false, error: last ? `${why}: ${last}` : why };
}
