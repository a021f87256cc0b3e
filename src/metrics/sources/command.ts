/** Runs a command each interval; it prints one JSON object {series: number}. */
import { execFile } from 'node:child_process';
import type { Command } from '../../runbook/command.js';
import { resolveInvocation } from '../../runbook/placeholders.js';
import { allFailed, type FetchResults, type MetricSource, type SeriesQuery } from './source.js';
import { pick } from './http-json.js';

export class CommandSource implements MetricSource {
  readonly kind = 'command';
  constructor(private readonly command: Command, private readonly cwd: string, private readonly env: Record<string, string> = {}) {}

  fetch(series: readonly SeriesQuery[], timeoutMs: number, signal: AbortSignal): Promise<FetchResults> {
    const inv = resolveInvocation(this.command, {});
    return new Promise((resolve) => {
      execFile(
        inv.file,
        [...inv.args],
        { cwd: this.cwd, env: { ...process.env, ...inv.env, ...this.env }, timeout: timeoutMs, killSignal: 'SIGKILL', signal, maxBuffer: 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) {
            const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
            const why = e.killed || e.name === 'AbortError' ? `timed out after ${timeoutMs} ms` : e.code === 'ENOENT' ? `command not found: ${inv.file}` : `exit ${e.code ?? '?'}${stderr ? `: ${String(stderr).trim().split('\n').pop()}` : ''}`;
            resolve(allFailed(series, `metrics command: ${why}`));
            return;
          }
          const text = String(stdout).trim().split('\n').filter(Boolean).pop() ?? '';
          let doc: unknown;
          try {
            doc = JSON.parse(text);
          } catch {
            resolve(allFailed(series, `metrics command printed no JSON object: ${text.slice(0, 60)}`));
            return;
          }
          if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
            resolve(allFailed(series, 'metrics command must print one JSON object {series: number}'));
            return;
          }
          resolve(pick(doc, series.map((s) => ({ ...s, pointer: s.pointer ?? `/${s.name.replace(/~/g, '~0').replace(/\//g, '~1')}` })), 'command output'));
        },
      );
    });
  }
}
