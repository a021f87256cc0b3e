/**
 * The command provider: runs the runbook's argv with {flag} and {percent} substituted into argv
 * elements (never a shell string); exit 0 means applied. An optional `read` command prints the
 * current percentage: used at start-up and to read back what was applied.
 */
import { execFile } from 'node:child_process';
import type { Command } from '../../runbook/command.js';
import { resolveInvocation } from '../../runbook/placeholders.js';
import { FlagProviderError, parsePercent, type FlagProvider } from './provider.js';

function run(cmd: Command, values: { flag: string; percent?: string }, cwd: string, timeoutMs: number): Promise<string> {
  const inv = resolveInvocation(cmd, values);
  return new Promise((resolve, reject) => {
    execFile(inv.file, [...inv.args], { cwd, env: { ...process.env, ...inv.env }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(String(stdout));
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
      const last = String(stderr || stdout).trim().split('\n').pop() ?? '';
      reject(new FlagProviderError(e.killed ? `timed out after ${timeoutMs} ms` : e.code === 'ENOENT' ? `command not found: ${inv.file}` : `exit ${e.code}${last ? `: ${last}` : ''}`));
    });
  });
}

export class CommandFlagProvider implements FlagProvider {
  readonly kind = 'command';
  constructor(private readonly setCmd: Command, private readonly readCmd: Command | undefined, private readonly cwd: string, private readonly timeoutMs = 30_000) {}

  async read(flag: string): Promise<number | undefined> {
    if (!this.readCmd) return undefined;
    const out = await run(this.readCmd, { flag }, this.cwd, this.timeoutMs);
    const v = parsePercent(out.trim().split('\n').pop() ?? '');
    if (v === undefined) throw new FlagProviderError(`the read command printed no percentage: ${JSON.stringify(out.trim().slice(0, 40))}`);
    return v;
  }

  async set(flag: string, percent: number): Promise<number> {
    await run(this.setCmd, { flag, percent: String(percent) }, this.cwd, this.timeoutMs);
    if (!this.readCmd) return percent; // exit 0 is the only confirmation there is
    const back = await this.read(flag);
    if (back === undefined) throw new FlagProviderError('applied, but the read command could not confirm it');
    return back;
  }
}
