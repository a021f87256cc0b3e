/**
 * The command provider: runs the runbook's argv with {flag} and {percent} substituted into argv
 * elements (never a shell string); exit 0 means applied. An optional `read` command prints the
 * current percentage: used at start-up and to read back what was applied. It says no more than
 * that: the read command's answer is what the backend holds (what users are served it cannot
 * tell), and without one, exit 0 is all there is.
 */
import { spawnShortCommand } from '../../exec/spawn-command.js';
import type { Command } from '../../runbook/command.js';
import { resolveInvocation } from '../../runbook/placeholders.js';
import { FlagProviderError, parsePercent, type FlagProvider, type FlagReading } from './provider.js';

/** Past the timeout a flag CLI gets this long to stop (SIGTERM) before it is killed. */
const GRACE_MS = 1000;

async function run(cmd: Command, values: { flag: string; percent?: string }, cwd: string, timeoutMs: number): Promise<string> {
  // Everything the command started ends with it (on a timeout too; what left its process group
  // as well: exec/descendants.ts): nothing it started can apply the change after cockpit has
  // reported that it failed, and a daemon holding its stdout cannot hold the flag step past its timeout.
  const r = await spawnShortCommand({ invocation: resolveInvocation(cmd, values), cwd, timeoutMs, graceMs: GRACE_MS, lastLine: 'stderr-or-stdout' });
  if (!r.ok) throw new FlagProviderError(r.error);
  return r.stdout;
}

export class CommandFlagProvider implements FlagProvider {
  readonly kind = 'command';
  constructor(private readonly setCmd: Command, private readonly readCmd: Command | undefined, private readonly cwd: string, private readonly timeoutMs = 30_000) {}

  private async readBack(flag: string, readCmd: Command): Promise<number> {
    const out = await run(readCmd, { flag }, this.cwd, this.timeoutMs);
    const v = parsePercent(out.trim().split('\n').pop() ?? '');
    if (v === undefined) throw new FlagProviderError(`the read command printed no percentage: ${JSON.stringify(out.trim().slice(0, 40))}`);
    return v;
  }

  async read(flag: string): Promise<FlagReading | undefined> {
    if (!this.readCmd) return undefined;
    const v = await this.readBack(flag, this.readCmd);
    return { percent: v, says: `the read command reports ${v} %` };
  }

  async set(flag: string, percent: number): Promise<FlagReading> {
    await run(this.setCmd, { flag, percent: String(percent) }, this.cwd, this.timeoutMs);
    // without a read command exit 0 is the only confirmation there is, and the words say so
    if (!this.readCmd) return { percent, says: 'the set command exited 0; no read command confirms what is served' };
    const v = await this.readBack(flag, this.readCmd);
    return { percent: v, says: `set; the read command reports ${v} %${v !== percent ? ` (${percent} % asked)` : ''}` };
  }
}
