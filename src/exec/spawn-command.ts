/**
 * The contract of exec/short-command.ts (a short-lived command, output captured, every process it
 * started ended with it, one line saying why it failed) on node's own spawn, for the metrics
 * command source and the flag command provider. The metrics source runs every interval with one
 * interval as its deadline, the first as the session starts: execa there cost the first sample its
 * load and a cold first call (on a loaded machine the first sample came after 187-311 ms, not
 * 98-101 ms, and 4-7 of 10 missed a 250 ms deadline) and every sample twice the CPU (3.7 ms, not
 * 1.9 ms).
 *
 * The command runs in its own process group and carries a tag in its environment (see
 * exec/descendants.ts): what it started is found even when it left the group (`setsid`, `ssh -f`).
 * A timeout, an abort or too much output sends SIGTERM to the group and the tagged tree, SIGKILL
 * `graceMs` later. The command's first process exiting ends the rest at once (SIGKILL). Its output
 * is what was in the pipes by then: the deadline never waits for a pipe a descendant holds (one
 * the tag could not find): PIPE_GRACE_MS after the exit, the pipes are destroyed and the command
 * is done.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MAX_TIMER_MS } from '../core/clock.js';
import { bootTicks, killTreeNow, newTag, signalTree, tagEnv } from './descendants.js';
import { killGroup, lastLineOf } from './group.js';
import { MAX_OUTPUT_CHARS, type ShortCommand, type ShortResult } from './short-command.js';

/** After the command's own process exited (and the rest was killed): how long its pipes may take to drain. */
export const PIPE_GRACE_MS = 200;

/** Why the command could not start, in a few words. */
function spawnError(e: NodeJS.ErrnoException, file: string, cwd: string): string {
  if (e.code === 'ENOENT') return existsSync(cwd) ? `command not found: ${file}` : `working directory not found: ${cwd}`;
  if (e.code === 'EACCES') return `not executable: ${file}`;
  return e.message;
}

/** The commands still running: ended with the cockpit (a sample in flight when SIGTERM came leaves nothing behind). */
const running = new Set<() => void>();
let exitHooked = false;
function whileRunning(killNow: () => void): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => {
      for (const k of running) k();
    });
  }
  running.add(killNow);
  return () => running.delete(killNow);
}

export function spawnShortCommand(c: ShortCommand): Promise<ShortResult> {
  const { file, args, env } = c.invocation;
  const max = c.maxBuffer ?? MAX_OUTPUT_CHARS;
  const tag = newTag();
  const since = bootTicks();
  return new Promise((resolve) => {
    const out = { stdout: '', stderr: '' };
    /** Set when the cockpit ends the command: why. */
    let ended: string | undefined;
    let settled = false;
    let force: NodeJS.Timeout | undefined;
    let drain: NodeJS.Timeout | undefined;
    /** The command's first process exited and everything it started was killed then. */
    let cleared = false;
    const base = { ...process.env, ...env, ...c.env };
    const child = spawn(file, [...args], { cwd: c.cwd, env: { ...base, ...tagEnv(tag, base) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const tree = { roots: child.pid === undefined ? [] : [child.pid], since };
    /** Everything the command started, in its group or out of it. */
    const killAll = (sig: NodeJS.Signals): void => {
      // the tree first, while the group lives: a child that cleared its environment is found through its parent
      if (sig === 'SIGKILL') killTreeNow(tag, tree);
      else signalTree(tag, sig, tree);
      killGroup(child.pid, sig);
    };
    const forget = whileRunning(() => killAll('SIGKILL'));
    const end = (why: string) => {
      if (ended !== undefined) return;
      ended = why;
      killAll('SIGTERM');
      force = setTimeout(() => killAll('SIGKILL'), c.graceMs ?? 1000);
    };
    const late = () => end(`timed out after ${c.timeoutMs} ms`);
    // a timer past 2^31 ms would fire at once
    const timer = setTimeout(late, Math.min(c.timeoutMs, MAX_TIMER_MS));
    if (c.signal?.aborted) late();
    else c.signal?.addEventListener('abort', late, { once: true });
    const done = (r: ShortResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(force);
      clearTimeout(drain);
      c.signal?.removeEventListener('abort', late);
      forget();
      if (!cleared) killAll('SIGKILL'); // whatever is left of it (a spawn that failed)
      resolve(r);
    };
    for (const name of ['stdout', 'stderr'] as const) {
      child[name].setEncoding('utf8').on('data', (d: string) => {
        if (out[name].length + d.length > max) end(`printed more than ${Math.round(max / 1024)} KiB: stopped`);
        else out[name] += d;
      });
    }
    const finish = (code: number | null, sig: NodeJS.Signals | null): void => {
      if (ended === undefined && code === 0) return done({ ok: true, stdout: out.stdout.replace(/\n$/, '') });
      const why = ended ?? (code !== null ? `exit ${code}` : `killed by ${sig ?? 'a signal'}`);
      const overflow = ended?.startsWith('printed more');
      const last = lastLineOf(out.stderr) || (c.lastLine === 'stderr-or-stdout' && !overflow ? lastLineOf(out.stdout) : '');
      done({ ok: false, error: last ? `${why}: ${last}` : why });
    };
    // the rest ends with the command's first process: a daemon it forked goes too, and with it
    // the output pipes it held open, which 'close' waits for; one held by a process the tag did
    // not find is given up on a moment later
    child.once('exit', (code, sig) => {
      killAll('SIGKILL');
      cleared = true;
      drain = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, sig);
      }, PIPE_GRACE_MS);
    });
    child.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, error: spawnError(e, file, c.cwd) }));
    child.on('close', finish);
  });
}
