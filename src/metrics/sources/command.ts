/** Runs a command each interval; it prints one JSON object {series: number}. */
import { spawn } from 'node:child_process';
import { MAX_TIMER_MS } from '../../core/clock.js';
import type { Command } from '../../runbook/command.js';
import { resolveInvocation } from '../../runbook/placeholders.js';
import { allFailed, type FetchResults, type MetricSource, type SeriesQuery } from './source.js';
import { pick } from './http-json.js';

const MAX_OUTPUT = 1024 * 1024;

export class CommandSource implements MetricSource {
  readonly kind = 'command';
  constructor(private readonly command: Command, private readonly cwd: string, private readonly env: Record<string, string> = {}) {}

  fetch(series: readonly SeriesQuery[], timeoutMs: number, signal: AbortSignal): Promise<FetchResults> {
    const inv = resolveInvocation(this.command, {});
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let settled = false;
      // Its own process group, killed as a whole: a timeout ends everything the command started
      // (a shell's children too), not only its first process, so no sampling tick leaves one behind.
      const child = spawn(inv.file, [...inv.args], { cwd: this.cwd, env: { ...process.env, ...inv.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const killGroup = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* the group is gone */
        }
      };
      const stop = () => {
        timedOut = true;
        killGroup();
      };
      const timer = setTimeout(stop, Math.min(timeoutMs, MAX_TIMER_MS));
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      const done = (r: FetchResults) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
        killGroup(); // whatever it left running in its group
        resolve(r);
      };
      // keep the tail only: the last line is what counts
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-MAX_OUTPUT)));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-MAX_OUTPUT)));
      child.on('error', (e: NodeJS.ErrnoException) => done(allFailed(series, `metrics command: ${e.code === 'ENOENT' ? `command not found: ${inv.file}` : e.message}`)));
      child.on('close', (code, sig) => {
        if (timedOut) return done(allFailed(series, `metrics command: timed out after ${timeoutMs} ms`));
        if (code !== 0) {
          const why = code === null ? `killed by ${sig ?? 'a signal'}` : `exit ${code}`;
          return done(allFailed(series, `metrics command: ${why}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
        }
        const text = stdout.trim().split('\n').filter(Boolean).pop() ?? '';
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch {
          return done(allFailed(series, `metrics command printed no JSON object: ${text.slice(0, 60)}`));
        }
        if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return done(allFailed(series, 'metrics command must print one JSON object {series: number}'));
        done(pick(doc, series.map((s) => ({ ...s, pointer: s.pointer ?? `/${s.name.replace(/~/g, '~0').replace(/\//g, '~1')}` })), 'command output'));
      });
    });
  }
}
