/** Runs a command each interval; it prints one JSON object {series: number}. */
import { spawnShortCommand } from '../../exec/spawn-command.js';
import type { Command } from '../../runbook/command.js';
import { resolveInvocation } from '../../runbook/placeholders.js';
import { allFailed, type FetchResults, type MetricSource, type SeriesQuery } from './source.js';
import { pick } from './http-json.js';

/** A sample is late already: past its timeout a command gets this long to stop before SIGKILL. */
const GRACE_MS = 250;

export class CommandSource implements MetricSource {
  readonly kind = 'command';
  constructor(private readonly command: Command, private readonly cwd: string, private readonly env: Record<string, string> = {}) {}

  async fetch(series: readonly SeriesQuery[], timeoutMs: number, signal: AbortSignal): Promise<FetchResults> {
    // its own process group, ended with it: no sampling tick leaves a process behind (a shell's
    // children, a daemon it forked), on a timeout or the guard's abort too. Node's spawn, not
    // execa: the first sample is due as the session starts (exec/spawn-command.ts)
    const r = await spawnShortCommand({ invocation: resolveInvocation(this.command, {}), cwd: this.cwd, env: this.env, timeoutMs, signal, graceMs: GRACE_MS, lastLine: 'stderr' });
    if (!r.ok) return allFailed(series, `metrics command: ${r.error}`);
    // the last line is what counts
    const text = r.stdout.trim().split('\n').filter(Boolean).pop() ?? '';
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return allFailed(series, `metrics command printed no JSON object: ${text.slice(0, 60)}`);
    }
    // JSON that is not an object: the script's fault, every time (a failed or silent command is no data)
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return allFailed(series, 'metrics command must print one JSON object {series: number}', true);
    return pick(doc, series.map((s) => ({ ...s, pointer: s.pointer ?? `/${s.name.replace(/~/g, '~0').replace(/\//g, '~1')}` })), 'command output');
  }
}
