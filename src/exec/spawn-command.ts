/**
 * The contract of exec/short-command.ts (a short-lived command, output captured, its process group
 * ended with it, one line saying why it failed) on node's own spawn, for the metrics command
 * source. That one runs every interval with one interval as its deadline, the first as the
 * session starts: execa there cost the first sample its load and a cold first call (on a loaded
 * machine the first sample came after 187-311 ms, not 98-101 ms, and 4-7 of 10 missed a 250 ms
 * deadline) and every sample twice the CPU (3.7 ms, not 1.9 ms). Here a timeout, an abort or too
 * much output sends SIGTERM to the whole group and SIGKILL `graceMs` later; the command's first
 * process exiting ends the rest.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { killGroup, lastLineOf } from './group.js';
import { MAX_OUTPUT_CHARS, type ShortCommand, type ShortResult } from './short-command.js';

/** Why the command could not start, in a few words. */
function spawnError(e: NodeJS.ErrnoException, file: string, cwd: string): string {
  if (e.code === 'ENOENT') return existsSync(cwd) ? `command not found: ${file}` : `working directory not found: ${cwd}`;
  if (e.code === 'EACCES') return `not executable: ${file}`;
  return e.message;
}

export function spawnShortCommand(c: ShortCommand): Promise<ShortResult> {
  const { file, args, env } = c.invocation;
  const max = c.maxBuffer ?? MAX_OUTPUT_CHARS;
  return new Promise((resolve) => {
    const out = { stdout: '', stderr: '' };
    /** Set when the cockpit ends the command: why. */
    let ended: string | undefined;
    let settled = false;
    let force: NodeJS.Timeout | undefined;
    const child = spawn(file, [...args], { cwd: c.cwd, env: { ...process.env, ...env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const end = (why: string) => {
      if (ended !== undefined) return;
      ended = why;
      killGroup(child.pid, 'SIGTERM');
      force = setTimeout(() => killGroup(child.pid, 'SIGKILL'), c.graceMs ?? 1000);
    };
    const late = () => end(`timed out after ${c.timeoutMs} ms`);
    const timer = setTimeout(late, c.timeoutMs);
    if (c.signal?.aborted) late();
    else c.signal?.addEventListener('abort', late, { once: true });
    const done = (r: ShortResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(force);
      c.signal?.removeEventListener('abort', late);
      killGroup(child.pid); // whatever is left of its group
      resolve(r);
    };
    for (const name of ['stdout', 'stderr'] as const) {
      child[name].setEncoding('utf8').on('data', (d: string) => {
        if (out[name].length + d.length > max) end(`printed more than ${Math.round(max / 1024)} KiB: stopped`);
        else out[name] += d;
      });
    }
    // the group ends with the command's first process: a daemon it forked goes too, and with it
    // the output pipes it held open, which 'close' waits for
    child.once('exit', () => killGroup(child.pid));
    child.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, error: spawnError(e, file, c.cwd) }));
    child.on('close', (code, sig) => {
      if (ended === undefined && code === 0) return done({ ok: true, stdout: out.stdout.replace(/\n$/, '') });
      const why = ended ?? (code !== null ? `exit ${code}` : `killed by ${sig ?? 'a signal'}`);
      const overflow = ended?.startsWith('printed more');
      const last = lastLineOf(out.stderr) || (c.lastLine === 'stderr-or-stdout' && !overflow ? lastLineOf(out.stdout) : '');
      done({ ok: false, error: last ? `${why}: ${last}` : why });
    });
  });
}
