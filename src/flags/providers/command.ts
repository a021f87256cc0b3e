/**
 * The command provider: runs the runbook's argv with {flag} and {percent} substituted into argv
 * elements (never a shell string); exit 0 means applied. An optional `read` command prints the
 * current percentage: used at start-up and to read back what was applied.
 */
import { spawn } from 'node:child_process';
import type { Command } from '../../runbook/command.js';
import { resolveInvocation } from '../../runbook/placeholders.js';
import { FlagProviderError, parsePercent, type FlagProvider } from './provider.js';

const MAX_OUTPUT = 1024 * 1024;

function run(cmd: Command, values: { flag: string; percent?: string }, cwd: string, timeoutMs: number): Promise<string> {
  const inv = resolveInvocation(cmd, values);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    // Its own process group, killed as a whole on timeout: nothing the command started (a shell's
    // children too) can apply the change after cockpit has reported that it failed.
    const child = spawn(inv.file, [...inv.args], { cwd, env: { ...process.env, ...inv.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* the group is gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) resolve(stdout);
      else reject(new FlagProviderError(error));
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-MAX_OUTPUT)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-MAX_OUTPUT)));
    child.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ENOENT' ? `command not found: ${inv.file}` : e.message));
    child.on('close', (code, sig) => {
      if (timedOut) return done(`timed out after ${timeoutMs} ms`);
      if (code === 0) return done();
      const last = (stderr || stdout).trim().split('\n').pop() ?? '';
      done(`${code === null ? `killed by ${sig ?? 'a signal'}` : `exit ${code}`}${last ? `: ${last}` : ''}`);
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
