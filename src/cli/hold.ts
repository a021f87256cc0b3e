/** cockpit hold <environment> --reason / cockpit unhold <environment>: holds on the team's git remote (team/git-lease.ts). */
import { setHold } from '../team/git-lease.js';
import { parse, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { loadOrExit } from './load.js';
import { holderHere } from '../team/holder.js';

async function change(kind: 'hold' | 'unheld', argv: string[], io: Io): Promise<number> {
  const spec = kind === 'hold' ? COMMANDS.hold : COMMANDS.unhold;
  const { values, positionals } = kind === 'hold' ? parse(argv, COMMANDS.hold) : parse(argv, COMMANDS.unhold);
  const [environment, ...rest] = positionals;
  if (!environment || rest.length > 0) throw new UsageError(`usage: cockpit ${spec.name} ${spec.args}${kind === 'hold' ? ' --reason "<text>"' : ''}`);
  if (kind === 'hold' && !values.reason?.trim()) throw new UsageError('a hold needs its reason: --reason "<text>" (every run refused says it)');
  const rb = loadOrExit(values.runbook, io.err);
  if (typeof rb === 'number') return rb;
  if (!rb.team) throw new UsageError(`${rb.name} has no team section: holds live on the team's git remote (team: { remote: origin })`);
  const target = { runbook: rb.name, environment };
  const why = await setHold({ cwd: process.cwd(), remote: rb.team.remote }, target, kind, holderHere(), values.reason?.trim() ?? 'lifted');
  if (why !== undefined) {
    io.err(`cockpit: ${why}`);
    return 1;
  }
  io.out(kind === 'hold' ? `${environment} (${rb.name}) is on hold: every run there exits 4 with "${values.reason!.trim()}" until cockpit unhold ${environment}` : `${environment} (${rb.name}): the hold is lifted`);
  return 0;
}

export const holdCommand = (argv: string[], io: Io) => change('hold', argv, io);
export const unholdCommand = (argv: string[], io: Io) => change('unheld', argv, io);
